// Windows-1252 <-> UTF-8, the one legacy encoding CSV exports from Excel on
// Dutch and other western-European Windows machines come in.
#pragma once

#include <string>
#include <string_view>

namespace dpo::source {

// Appends the UTF-8 form of Windows-1252 `text` to *out. Every byte maps: the
// five bytes Windows-1252 leaves undefined map to the C1 control characters
// of the same value, as Windows itself does, so the conversion is reversible.
void AppendWindows1252AsUtf8(std::string_view text, std::string* out);

// Appends the Windows-1252 form of UTF-8 `text` to *out. Returns false (and
// leaves *out partly written) if `text` holds a character Windows-1252 cannot
// represent or is not valid UTF-8.
bool AppendUtf8AsWindows1252(std::string_view text, std::string* out);

// Length of the valid UTF-8 sequence starting at p (1 to 4), 0 if the bytes
// there are not valid UTF-8, or -1 if the sequence is cut off by `end`.
int Utf8SequenceLength(const unsigned char* p, const unsigned char* end);

}  // namespace dpo::source
