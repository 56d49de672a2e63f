// Whether the tests run in a sanitizer build (scripts/sanitize.sh, the clang
// fuzz build): a few cases cannot run there as they are (AddressSanitizer
// reserves terabytes of shadow address space up front, so `ulimit -v` kills
// it) and say so. GCC defines __SANITIZE_ADDRESS__; clang 14 only answers
// __has_feature.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define DPO_TESTS_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DPO_TESTS_UNDER_ASAN 1
#endif
#endif
#ifndef DPO_TESTS_UNDER_ASAN
#define DPO_TESTS_UNDER_ASAN 0
#endif
