// Running the built dpo binary (DPO_BINARY) from tests: a temporary working
// directory, argument quoting, captured stdout/stderr and exit code.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace dpo::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string ShellQuote(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "dpo-cli") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string Write(const std::string& name, const std::string& content) const {
    std::ofstream(path + "/" + name, std::ios::binary) << content;
    return path + "/" + name;
  }
  std::string File(const std::string& name) const { return path + "/" + name; }
  std::string path;
};

// Runs `dpo ARGS...` with stdin from `stdin_file` (empty: /dev/null) and the
// environment variables in `env` ("NAME=value"), from the repository root.
inline CliRun RunDpo(const TempDir& dir, const std::vector<std::string>& args,
                     const std::vector<std::string>& env = {}, const std::string& stdin_file = "") {
  std::string cmd = "cd " + ShellQuote(DPO_SOURCE_DIR) + " && env";
  for (const auto& e : env) cmd += " " + ShellQuote(e);
  cmd += " " + ShellQuote(DPO_BINARY);
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  cmd += " <" + ShellQuote(stdin_file.empty() ? "/dev/null" : stdin_file);
  cmd += " >" + ShellQuote(dir.File(".stdout")) + " 2>" + ShellQuote(dir.File(".stderr"));
  int status = std::system(cmd.c_str());
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = ReadFile(dir.File(".stdout"));
  run.err = ReadFile(dir.File(".stderr"));
  return run;
}

}  // namespace dpo::testing
