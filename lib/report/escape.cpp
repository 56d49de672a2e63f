#include "report/escape.h"

#include <cctype>
#include <cstdio>

namespace dpo::report {

namespace {

bool IsC1ControlAt(std::string_view text, size_t i) {
  // U+0080..U+009F are encoded as C2 80..C2 9F.
  return i + 1 < text.size() && static_cast<unsigned char>(text[i]) == 0xC2 &&
         static_cast<unsigned char>(text[i + 1]) >= 0x80 && static_cast<unsigned char>(text[i + 1]) <= 0x9F;
}

void AppendHex(std::string& out, unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", c);
  out += buf;
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7F) break;
        if (IsC1ControlAt(text, i)) { ++i; break; }
        out += c;
    }
  }
  return out;
}

std::string MarkdownEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\n': case '\r': case '\t': out += ' '; break;
      case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '~': case '#':
      case '!': case '{': case '}': case '$':
        out += '\\';
        out += c;
        break;
      default:
        if (u < 0x20 || u == 0x7F) break;
        if (IsC1ControlAt(text, i)) { ++i; break; }
        out += c;
    }
  }
  return out;
}

std::string TerminalSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x20 || u == 0x7F) {
      AppendHex(out, u);
    } else if (IsC1ControlAt(text, i)) {
      AppendHex(out, static_cast<unsigned char>(text[i + 1]));
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string UriFromPath(std::string_view path) {
  // A scheme is ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by "://".
  const size_t sep = path.find("://");
  if (sep != std::string_view::npos && sep > 0 && std::isalpha(static_cast<unsigned char>(path[0]))) {
    bool scheme = true;
    for (size_t i = 0; i < sep; ++i) {
      const char c = path[i];
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') scheme = false;
    }
    if (scheme) return std::string(path);
  }
  std::string out;
  if (!path.empty() && path[0] == '/') out = "file://";
  static const char kHex[] = "0123456789ABCDEF";
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

}  // namespace dpo::report
