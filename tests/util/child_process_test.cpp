// util::ChildProcess: an argument vector, never a shell; stdout streamed,
// stderr captured, exit status reported.
#include <doctest/doctest.h>
#include <unistd.h>

#include <csignal>

#include <string>

#include "util/child_process.h"

using dpo::util::ChildProcess;

namespace {

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

TEST_CASE("ChildProcess passes each argument as it is, with no shell in between") {
  auto child = ChildProcess::Start({"printf", "%s|", "a b", "$HOME", "; echo injected", "*"});
  REQUIRE(child.ok());
  CHECK(ReadAll((*child)->stdout_fd()) == "a b|$HOME|; echo injected|*|");
  auto exit = (*child)->Wait();
  REQUIRE(exit.ok());
  CHECK(exit->code == 0);
  CHECK(exit->error_text.empty());
}

TEST_CASE("ChildProcess reports the exit status and the start of stderr") {
  auto child = ChildProcess::Start({"sh", "-c", "echo out; echo 'fatal: no' >&2; exit 3"});
  REQUIRE(child.ok());
  CHECK(ReadAll((*child)->stdout_fd()) == "out\n");
  auto exit = (*child)->Wait();
  REQUIRE(exit.ok());
  CHECK(exit->code == 3);
  CHECK(exit->error_text == "fatal: no\n");
}

TEST_CASE("ChildProcess: a program that is not installed is kNotFound, said plainly") {
  auto child = ChildProcess::Start({"dpo-no-such-program-xyz"});
  REQUIRE_FALSE(child.ok());
  CHECK(child.status().code() == dpo::StatusCode::kNotFound);
  CHECK(child.status().message().find("dpo-no-such-program-xyz: not found on PATH") == 0);
}

TEST_CASE("ChildProcess: closing early ends a child that still writes, and Wait returns") {
  // `yes` writes forever; Wait closes our end, so it gets SIGPIPE.
  auto child = ChildProcess::Start({"yes"});
  REQUIRE(child.ok());
  char buf[16];
  CHECK(::read((*child)->stdout_fd(), buf, sizeof buf) > 0);
  auto exit = (*child)->Wait();
  REQUIRE(exit.ok());
  CHECK(exit->signal == SIGPIPE);
}
