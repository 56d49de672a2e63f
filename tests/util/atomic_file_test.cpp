#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic_file.h"

namespace fs = std::filesystem;

TEST_CASE("atomic writes: owner-only mode, no overwrite without force, no temp left behind") {
  fs::path dir = fs::temp_directory_path() / ("dpo-atomic-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string path = (dir / "out.json").string();
  REQUIRE(dpo::util::WriteFileAtomic(path, "{\"a\":1}", 0600, false).ok());
  struct stat st{};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  dpo::Status again = dpo::util::WriteFileAtomic(path, "x", 0600, false);
  CHECK_FALSE(again.ok());
  CHECK(again.message().find("--force") != std::string::npos);
  REQUIRE(dpo::util::WriteFileAtomic(path, "second", 0600, true).ok());
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str() == "second");
  int files = 0;
  for (auto& e : fs::directory_iterator(dir)) { (void)e; ++files; }
  CHECK(files == 1);
  CHECK_FALSE(dpo::util::WriteFileAtomic((dir / "missing" / "x").string(), "x", 0600, false).ok());
  fs::remove_all(dir);
}
