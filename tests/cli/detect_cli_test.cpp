// Runs the built `dpo detect` on stdin and on a file.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

struct Run {
  int exit_code = -1;
  std::string out;
};

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("dpo_detect_cli_" + std::to_string(getpid()) + "_" + name)).string();
}

// Runs `dpo detect ARGS`, feeding `input` on stdin; collects stdout.
Run Detect(const std::string& args, const std::string& input) {
  std::string in_path = TempPath("stdin.txt");
  {
    std::ofstream f(in_path, std::ios::binary);
    f << input;
  }
  std::string cmd = std::string("'") + DPO_BINARY + "' detect " + args + " < '" + in_path + "' 2>&1";
  Run r;
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::filesystem::remove(in_path);
  return r;
}

}  // namespace

TEST_CASE("dpo detect on stdin: masked hits and exit code 1") {
  Run r = Detect("", "id,email,iban\n1,jan.jansen@example.nl,NL91ABNA0417164300\n");
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("2:3  email  validated  j***@e***.nl") != std::string::npos);
  CHECK(r.out.find("2:25  iban  validated  ") != std::string::npos);
  CHECK(r.out.find("jan.jansen@example.nl") == std::string::npos);
  CHECK(r.out.find("NL91ABNA0417164300") == std::string::npos);
}

TEST_CASE("dpo detect: nothing found is exit code 0") {
  Run r = Detect("", "just some text\nwith numbers 12 and 123456789\n");
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
}

TEST_CASE("dpo detect --all shows unvalidated candidates") {
  Run r = Detect("--all", "klant 123456789\n");
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("1:7  bsn  unvalidated  *******89") != std::string::npos);
}

TEST_CASE("dpo detect on a file with --format json and --kinds") {
  std::string path = TempPath("input.csv");
  {
    std::ofstream f(path);
    f << "naam;telefoon;notitie\n";
    f << "Jan;06-12345678;zwanger, bsn 111222333\n";
  }
  Run r = Detect("'" + path + "' --format json --kinds bsn,health_term", "");
  CHECK(r.exit_code == 1);
  CHECK(r.out.front() == '[');
  CHECK(r.out.find("\"kind\":\"bsn\"") != std::string::npos);
  CHECK(r.out.find("\"kind\":\"health_term\"") != std::string::npos);
  CHECK(r.out.find("\"kind\":\"phone\"") == std::string::npos);
  CHECK(r.out.find("\"line\":2") != std::string::npos);
  CHECK(r.out.find("111222333") == std::string::npos);
  Run lines = Detect("'" + path + "' --format jsonl --show-values --kinds phone", "");
  CHECK(lines.exit_code == 1);
  CHECK(lines.out.find("\"value\":\"06-12345678\"") != std::string::npos);
  CHECK(lines.out.find("\"column\":5") != std::string::npos);
  std::filesystem::remove(path);
}

TEST_CASE("dpo detect input errors exit 2") {
  Run missing = Detect("/nonexistent/dir/file.txt", "");
  CHECK(missing.exit_code == 2);
  CHECK(missing.out.find("/nonexistent/dir/file.txt: cannot open") != std::string::npos);
  Run bad_kind = Detect("--kinds emial", "x\n");
  CHECK(bad_kind.exit_code == 2);
  CHECK(bad_kind.out.find("unknown kind 'emial'") != std::string::npos);
}

// Regression: a directory on stdin and a closed stdin read as empty and
// exited 0, "nothing found", so a pre-commit hook passed on input it never read.
TEST_CASE("dpo detect refuses a directory or a closed stdin with exit 2") {
  auto run = [](const std::string& redirect) {
    std::string cmd = std::string("'") + DPO_BINARY + "' detect " + redirect + " 2>&1";
    Run r;
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
    int status = pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  };
  const std::string dir = std::filesystem::temp_directory_path().string();
  Run on_stdin = run("< '" + dir + "'");
  CHECK(on_stdin.exit_code == 2);
  CHECK(on_stdin.out.find("<stdin> is a directory") != std::string::npos);
  // A directory as FILE is walked now (detect_diff_cli_test.cpp); as the
  // diff of --diff it is still refused.
  Run as_diff = run("--diff '" + dir + "'");
  CHECK(as_diff.exit_code == 2);
  CHECK(as_diff.out.find("is a directory") != std::string::npos);
  Run closed = run("<&-");
  CHECK(closed.exit_code == 2);
  CHECK(closed.out.find("cannot read") != std::string::npos);
}
