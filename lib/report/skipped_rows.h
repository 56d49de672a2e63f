// How rows skipped under --skip-bad-rows are said, in every format and on
// stderr: skipping is data loss the reader must see, counted and located by
// line, never shown.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dpo::report {

// "3 rows with the wrong number of fields skipped (--skip-bad-rows), at lines
// 4, 9 and 12" -- with "first at lines ..." when `lines` holds fewer than
// `count`.
std::string SkippedRowsSentence(int64_t count, const std::vector<int64_t>& lines);

}  // namespace dpo::report
