// Helpers shared by the fuzz targets: the readers that take a path get the
// fuzzer's bytes through one scratch file per process, rewritten per input.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace dpo_fuzz {

inline void RemoveScratch();

// A private directory for this process, made on first use and removed at
// exit. Kept on the heap (never destroyed) so that the exit handler can
// still read its name after static destructors ran.
inline const std::string& ScratchDir() {
  static const std::string* dir = [] {
    const char* tmp = getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/dpo-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      perror("mkdtemp");
      abort();
    }
    auto* made = new std::string(pattern);
    atexit(RemoveScratch);
    return made;
  }();
  return *dir;
}

// Writes `data` to ScratchDir()/name (replacing it) and returns the path.
inline std::string WriteScratch(const std::string& name, const uint8_t* data, size_t size) {
  std::string path = ScratchDir() + "/" + name;
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    perror("open scratch");
    abort();
  }
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) {
      perror("write scratch");
      abort();
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return path;
}

// Removes the scratch directory and everything in it (at exit).
inline void RemoveScratch() {
  std::string cmd = "rm -rf '" + ScratchDir() + "'";
  if (system(cmd.c_str()) != 0) {
    // Nothing to do: a leftover directory in TMPDIR is harmless.
  }
}

}  // namespace dpo_fuzz
