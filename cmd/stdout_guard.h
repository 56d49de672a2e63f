// Standard output that reports its failures. std::cout alone forgets why a
// write failed (and a closed pipe kills the process with SIGPIPE): results
// written to a full disk (`> /dev/full`) vanished with exit status 0. The
// guard sends std::cout through a buffer that keeps the errno of the first
// failed write; main() asks it once, at the end, how the output went.
#pragma once

#include <streambuf>
#include <string>

namespace dpo::cmd {

class StdoutGuard : public std::streambuf {
 public:
  // Ignores SIGPIPE (a write to a closed pipe then fails with EPIPE) and
  // routes std::cout through this buffer until destruction.
  StdoutGuard();
  ~StdoutGuard() override;
  StdoutGuard(const StdoutGuard&) = delete;
  StdoutGuard& operator=(const StdoutGuard&) = delete;

  // Flushes and returns the exit code to use: `exit_code` when everything
  // was written or the reader closed the pipe early (`| head -1` ends
  // quietly, as ripgrep and git do); otherwise prints one error line to
  // stderr and returns 2.
  int Finish(int exit_code);

  // True once a write failed; long-running commands may stop early.
  bool failed() const { return error_ != 0; }

 protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* data, std::streamsize size) override;
  int sync() override;

 private:
  bool WriteAll(const char* data, size_t size);
  bool FlushBuffer();

  char buffer_[1 << 16];
  std::streambuf* previous_ = nullptr;
  int error_ = 0;  // errno of the first failed write; 0 while all went well
};

// The guard main() installed (nullptr in tests that do not run main).
StdoutGuard* ActiveStdoutGuard();

}  // namespace dpo::cmd
