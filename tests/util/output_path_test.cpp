#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "util/output_path.h"

namespace fs = std::filesystem;
using dpo::util::CheckOutputPath;
using dpo::util::OutputKind;
using dpo::util::OutputRules;
using dpo::util::ProtectedPath;

TEST_CASE("CheckOutputPath: stdout, new files, protected inputs, directories, FIFOs, symlinks") {
  fs::path dir = fs::temp_directory_path() / ("dpo-outpath-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "csv" / "sub");
  std::ofstream(dir / "src.db") << "db";
  std::ofstream(dir / "csv" / "a.csv") << "a\n1\n";
  std::ofstream(dir / "old.txt") << "old";
  std::vector<ProtectedPath> inputs = {{(dir / "src.db").string(), "the source"},
                                       {(dir / "csv").string(), "the source"}};
  OutputRules rules;

  CHECK(CheckOutputPath("", inputs, rules)->kind == OutputKind::kStdout);
  CHECK(CheckOutputPath("-", inputs, rules)->kind == OutputKind::kStdout);
  auto fresh = CheckOutputPath((dir / "new.json").string(), inputs, rules);
  REQUIRE(fresh.ok());
  CHECK(fresh->kind == OutputKind::kRegularFile);

  CHECK_FALSE(CheckOutputPath((dir / "src.db").string(), inputs, {.overwrite = true}).ok());
  CHECK_FALSE(CheckOutputPath((dir / "src.db-journal").string(), inputs, rules).ok());
  CHECK_FALSE(CheckOutputPath((dir / "csv" / "new.csv").string(), inputs, rules).ok());
  CHECK_FALSE(CheckOutputPath((dir / "csv" / "sub" / "deep.json").string(), inputs, rules).ok());
  // "csv2" is not inside "csv": components, not string prefixes.
  fs::create_directories(dir / "csv2");
  CHECK(CheckOutputPath((dir / "csv2" / "x.json").string(), inputs, rules).ok());
  // A relative path with .. that lands inside the directory.
  CHECK_FALSE(CheckOutputPath((dir / "csv2" / ".." / "csv" / "x.json").string(), inputs, rules).ok());

  CHECK_FALSE(CheckOutputPath(dir.string(), inputs, {.overwrite = true}).ok());
  auto exists = CheckOutputPath((dir / "old.txt").string(), inputs, rules);
  REQUIRE_FALSE(exists.ok());
  CHECK(exists.status().message().find("--force") != std::string::npos);
  CHECK(CheckOutputPath((dir / "old.txt").string(), inputs, {.overwrite = true}).ok());

  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  auto fifo = CheckOutputPath((dir / "fifo").string(), inputs, rules);
  REQUIRE(fifo.ok());
  CHECK(fifo->kind == OutputKind::kDevice);
  CHECK_FALSE(CheckOutputPath((dir / "fifo").string(), inputs, {.overwrite = true, .allow_device = false}).ok());
  // Writing to a FIFO nobody reads fails at once instead of blocking.
  CHECK_FALSE(dpo::util::WriteOutputTarget(*fifo, "x", 0600).ok());

  fs::create_symlink(dir / "src.db", dir / "link");
  CHECK_FALSE(CheckOutputPath((dir / "link").string(), inputs, {.overwrite = true}).ok());
  fs::create_symlink(dir / "old.txt", dir / "link2");
  auto through = CheckOutputPath((dir / "link2").string(), inputs, {.overwrite = true});
  REQUIRE(through.ok());
  REQUIRE(dpo::util::WriteOutputTarget(*through, "new", 0600).ok());
  CHECK(fs::is_symlink(dir / "link2"));  // the link stays; the file it points at changed
  std::ifstream in(dir / "old.txt");
  std::string content;
  in >> content;
  CHECK(content == "new");
  fs::create_symlink(dir / "nowhere", dir / "dangling");
  CHECK_FALSE(CheckOutputPath((dir / "dangling").string(), inputs, {.overwrite = true}).ok());
  fs::remove_all(dir);
}

// Regression: a path that cannot be resolved (weakly_canonical fails: a key
// given as /dev/fd/63, which names "pipe:[…]") became the empty path, which
// is "inside" everything: anonymise -o anon/ was refused as inside the key.
TEST_CASE("PathsNest: nesting after resolving; an unresolvable path is compared as written") {
  using dpo::util::PathsNest;
  CHECK(PathsNest("/tmp/a", "/tmp/a/b"));
  CHECK(PathsNest("/tmp/a/b/../b/c", "/tmp/a/b"));
  CHECK(PathsNest("/tmp/a", "/tmp/a"));
  CHECK_FALSE(PathsNest("/tmp/a", "/tmp/ab"));
  CHECK_FALSE(PathsNest("/tmp/anon", "/dev/fd/63"));
  CHECK_FALSE(PathsNest("/tmp/anon", "/proc/self/fd/999999/x"));
  CHECK_FALSE(PathsNest("", "/tmp/a"));  // no path nests with nothing
  CHECK_FALSE(PathsNest("/tmp/a", ""));
}
