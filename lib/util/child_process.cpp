#include "util/child_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace dpo::util {
namespace {

// An anonymous file for the child's stderr: O_TMPFILE where the file system
// has it, else a named one unlinked at once.
int AnonymousFile() {
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  std::string name = dir + "/dpo-child-XXXXXX";
  fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(name.c_str());
  return fd;
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::Start(const std::vector<std::string>& argv) {
  if (argv.empty()) return Status::Error("no program to run", StatusCode::kInternal);
  const std::string& program = argv.front();
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return Status::Error("cannot create a pipe for " + program + " (" + std::strerror(errno) + ")",
                         StatusCode::kIoError);
  const int err_fd = AnonymousFile();
  if (err_fd < 0) {
    const int saved = errno;
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return Status::Error("cannot create a temporary file for " + program + "'s messages (" +
                             std::strerror(saved) + "); check TMPDIR",
                         StatusCode::kIoError);
  }
  // dup2 onto 1 and 2 clears FD_CLOEXEC there; every other descriptor of
  // ours is close-on-exec and stays behind.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    ::close(err_fd);
    if (rc == ENOENT)
      return Status::Error(program + ": not found on PATH; install it (Debian: apt-get install " + program + ")",
                           StatusCode::kNotFound);
    return Status::Error("cannot run " + program + " (" + std::strerror(rc) + ")", StatusCode::kIoError);
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, pipe_fds[0], err_fd));
}

ChildProcess::~ChildProcess() {
  if (!waited_) (void)Wait();
  if (err_fd_ >= 0) ::close(err_fd_);
}

Result<ChildProcess::Exit> ChildProcess::Wait() {
  if (out_fd_ >= 0) {
    ::close(out_fd_);
    out_fd_ = -1;
  }
  int status = 0;
  pid_t got;
  do {
    got = ::waitpid(pid_, &status, 0);
  } while (got < 0 && errno == EINTR);
  waited_ = true;
  if (got < 0) return Status::Error(std::string("waitpid: ") + std::strerror(errno), StatusCode::kInternal);
  Exit exit;
  if (WIFEXITED(status)) exit.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) exit.signal = WTERMSIG(status);
  char buf[4096];
  ssize_t n;
  do {
    n = ::pread(err_fd_, buf, sizeof buf, 0);
  } while (n < 0 && errno == EINTR);
  if (n > 0) exit.error_text.assign(buf, static_cast<size_t>(n));
  return exit;
}

}  // namespace dpo::util
