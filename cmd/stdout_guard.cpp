#include "stdout_guard.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <unistd.h>

#include "util/exit_codes.h"

namespace dpo::cmd {
namespace {
StdoutGuard* g_active = nullptr;
}

StdoutGuard* ActiveStdoutGuard() { return g_active; }

StdoutGuard::StdoutGuard() {
  std::signal(SIGPIPE, SIG_IGN);
  setp(buffer_, buffer_ + sizeof buffer_);
  previous_ = std::cout.rdbuf(this);
  g_active = this;
}

StdoutGuard::~StdoutGuard() {
  FlushBuffer();
  std::cout.rdbuf(previous_);
  g_active = nullptr;
}

bool StdoutGuard::WriteAll(const char* data, size_t size) {
  if (error_ != 0) return false;  // after a failure, drop the rest quietly
  while (size > 0) {
    ssize_t n = ::write(STDOUT_FILENO, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool StdoutGuard::FlushBuffer() {
  size_t pending = static_cast<size_t>(pptr() - pbase());
  setp(buffer_, buffer_ + sizeof buffer_);
  return pending == 0 || WriteAll(buffer_, pending);
}

StdoutGuard::int_type StdoutGuard::overflow(int_type ch) {
  if (!FlushBuffer()) return traits_type::eof();
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  *pptr() = traits_type::to_char_type(ch);
  pbump(1);
  return ch;
}

std::streamsize StdoutGuard::xsputn(const char* data, std::streamsize size) {
  auto room = static_cast<std::streamsize>(epptr() - pptr());
  if (size <= room) {
    std::memcpy(pptr(), data, static_cast<size_t>(size));
    pbump(static_cast<int>(size));
    return size;
  }
  if (!FlushBuffer()) return 0;
  if (size >= static_cast<std::streamsize>(sizeof buffer_))
    return WriteAll(data, static_cast<size_t>(size)) ? size : 0;
  std::memcpy(pptr(), data, static_cast<size_t>(size));
  pbump(static_cast<int>(size));
  return size;
}

int StdoutGuard::sync() { return FlushBuffer() ? 0 : -1; }

int StdoutGuard::Finish(int exit_code) {
  FlushBuffer();
  if (error_ == 0 || error_ == EPIPE) return exit_code;
  std::cerr << "dpo: error: standard output: " << std::strerror(error_)
            << "; the output is incomplete (check the disk or the file stdout goes to, or write with -o FILE)\n";
  return kExitInput;
}

}  // namespace dpo::cmd
