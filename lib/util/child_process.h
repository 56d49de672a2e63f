// Running another program (git, for `dpo detect --staged`) without a shell:
// an argument vector to posix_spawnp, so no word of it is ever parsed by
// sh. Its stdout is a pipe the caller reads as it comes (a diff of any
// size in constant memory); its stderr goes to a private unlinked file, so
// a chatty child can never block on a full pipe we are not reading, and its
// first lines can go into our error message.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "util/status.h"

namespace dpo::util {

class ChildProcess {
 public:
  // Starts argv[0], looked up on PATH, in the current directory, with this
  // environment, stdin from /dev/null. kNotFound when the program is not
  // installed.
  static Result<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv);

  // Closes our end of the pipe and reaps the child, if Wait was not called.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The read end of the child's stdout.
  int stdout_fd() const { return out_fd_; }

  struct Exit {
    int code = -1;           // exit status, or -1 when a signal ended it
    int signal = 0;          // the signal that ended it, or 0
    std::string error_text;  // the start of its stderr (at most 4 KiB)
  };
  // Closes stdout (a child still writing then gets SIGPIPE) and waits.
  Result<Exit> Wait();

 private:
  ChildProcess(pid_t pid, int out_fd, int err_fd) : pid_(pid), out_fd_(out_fd), err_fd_(err_fd) {}

  pid_t pid_;
  int out_fd_;
  int err_fd_;
  bool waited_ = false;
};

}  // namespace dpo::util
