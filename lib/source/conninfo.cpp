#include "source/conninfo.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "source/source.h"

namespace dpo::source {

namespace {

constexpr const char* kCut = "...";         // ends a redaction cut short
constexpr const char* kRemoved = "(...)";   // stands for a quoted fragment taken out of a message
constexpr const char* kHidden = "***";

// libpq's isspace() in the C locale.
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool EqualsNoCase(const std::string& a, const char* b) { return Lower(a) == b; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoded; a broken escape is kept as written (only used for checks).
std::string PercentDecodeLoose(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    int hi = s[i] == '%' && i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
    int lo = hi >= 0 ? HexValue(s[i + 2]) : -1;
    if (lo >= 0) {
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Whether a keyword or a query parameter names a secret: password,
// sslpassword, and the secrets of newer libpq versions (oauth_client_secret,
// scram_client_key, ...). Over-inclusive on purpose.
bool NamesSecret(const std::string& text) {
  std::string lower = Lower(text);
  return lower.find("password") != std::string::npos || lower.find("secret") != std::string::npos ||
         lower.find("scram_") != std::string::npos;
}

// %-escapes everything but [A-Za-z0-9-._~] (and `also`), so that a display
// name is one line and a valid URI part.
std::string Escape(const std::string& s, const char* also = "") {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (c != 0 && std::strchr(also, c))) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> parts;
  if (s.empty()) return parts;
  size_t start = 0;
  for (;;) {
    size_t comma = s.find(',', start);
    parts.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return parts;
    start = comma + 1;
  }
}

// ---- key=value strings ------------------------------------------------------

struct KvWord {
  std::string keyword;
  std::string value;        // unquoted, escapes resolved
  size_t begin = 0;         // offset of the keyword
  size_t value_begin = 0;   // raw value (quotes included): [value_begin, value_end)
  size_t value_end = 0;
};

struct KvScan {
  std::vector<KvWord> words;
  bool ok = true;
  bool unterminated = false;  // the last word's quoted value runs to the end
  size_t error_at = 0;        // offset of the word that does not parse
};

// Mirrors conninfo_parse() in libpq's fe-connect.c.
KvScan ScanKeyValue(const std::string& t) {
  KvScan scan;
  const size_t n = t.size();
  size_t i = 0;
  while (i < n) {
    if (IsSpace(t[i])) {
      ++i;
      continue;
    }
    KvWord w;
    w.begin = i;
    while (i < n && t[i] != '=' && !IsSpace(t[i])) ++i;
    w.keyword = t.substr(w.begin, i - w.begin);
    while (i < n && IsSpace(t[i])) ++i;
    if (i >= n || t[i] != '=') {
      scan.ok = false;
      scan.error_at = w.begin;
      return scan;
    }
    ++i;
    while (i < n && IsSpace(t[i])) ++i;
    w.value_begin = i;
    if (i < n && t[i] == '\'') {
      ++i;
      for (;;) {
        if (i >= n) {
          w.value_end = n;
          scan.words.push_back(std::move(w));
          scan.ok = false;
          scan.unterminated = true;
          scan.error_at = scan.words.back().begin;
          return scan;
        }
        if (t[i] == '\\') {
          ++i;
          if (i < n) w.value.push_back(t[i++]);
          continue;
        }
        if (t[i] == '\'') {
          ++i;
          break;
        }
        w.value.push_back(t[i++]);
      }
    } else {
      while (i < n && !IsSpace(t[i])) {
        if (t[i] == '\\') {
          ++i;
          if (i < n) w.value.push_back(t[i++]);
        } else {
          w.value.push_back(t[i++]);
        }
      }
    }
    w.value_end = i;
    scan.words.push_back(std::move(w));
  }
  return scan;
}

// The first keyword of a key=value string, if the string starts like one.
std::string FirstKeyword(const std::string& t) {
  size_t i = 0;
  while (i < t.size() && IsSpace(t[i])) ++i;
  size_t begin = i;
  while (i < t.size() && t[i] != '=' && !IsSpace(t[i])) ++i;
  size_t end = i;
  while (i < t.size() && IsSpace(t[i])) ++i;
  if (i >= t.size() || t[i] != '=' || end == begin) return "";
  return t.substr(begin, end - begin);
}

// `kept` (trailing spaces trimmed), then "...".
std::string CutShort(std::string kept) {
  while (!kept.empty() && IsSpace(kept.back())) kept.pop_back();
  return kept.empty() ? kCut : kept + " " + kCut;
}

std::string RedactKeyValue(const std::string& t, std::vector<std::string>* secrets) {
  KvScan scan = ScanKeyValue(t);
  // Meant as a connection string: then a word libpq would refuse is broken
  // input, and may be the rest of a password with a stray quote or space.
  const bool conninfo = IsLibpqKeyword(FirstKeyword(t));
  std::string out;
  size_t pos = 0;
  bool secret_seen = false;
  for (size_t k = 0; k < scan.words.size(); ++k) {
    const KvWord& w = scan.words[k];
    if ((conninfo || secret_seen) && !IsLibpqKeyword(w.keyword)) {
      if (secrets) secrets->push_back(t.substr(w.begin));
      return CutShort(out + t.substr(pos, w.begin - pos));
    }
    bool last_unterminated = scan.unterminated && k + 1 == scan.words.size();
    bool secret = NamesSecret(w.keyword);
    if (last_unterminated && !secret && Lower(t.substr(w.value_begin)).find("password") != std::string::npos) {
      // An unclosed quote swallows the rest, password= included: cut short.
      if (secrets) secrets->push_back(t.substr(w.value_begin));
      return CutShort(out + t.substr(pos, w.begin - pos));
    }
    out += t.substr(pos, w.value_begin - pos);
    if (secret) {
      secret_seen = true;
      out += kHidden;
      if (secrets) {
        secrets->push_back(t.substr(w.value_begin, w.value_end - w.value_begin));
        secrets->push_back(w.value);
      }
    } else {
      out += t.substr(w.value_begin, w.value_end - w.value_begin);
    }
    pos = w.value_end;
  }
  if (scan.ok || scan.unterminated) return out + t.substr(pos);
  // A word without '=': after a password it may be the rest of a password
  // written with spaces; so may anything once "password" is mentioned, or
  // anything in what is meant as a connection string (a libpq keyword first).
  std::string rest = t.substr(scan.error_at);
  if (secret_seen || conninfo || Lower(rest).find("password") != std::string::npos) {
    if (secrets) {
      secrets->push_back(rest);
      size_t space = rest.find_first_of(" \t\n\v\f\r");
      secrets->push_back(rest.substr(0, space));
    }
    return CutShort(out + t.substr(pos, scan.error_at - pos));
  }
  return out + t.substr(pos);
}

// ---- URIs -------------------------------------------------------------------

// True if q[i...] starts with a libpq keyword (maybe %-escaped) and '='.
bool StartsParameter(const std::string& q, size_t i) {
  size_t eq = q.find_first_of("=&", i);
  return eq != std::string::npos && q[eq] == '=' && IsLibpqKeyword(PercentDecodeLoose(q.substr(i, eq - i)));
}

// The query of a postgres URI with secret values replaced. A secret value
// runs to the next "&keyword=", so a raw '&' (or "&x=") inside a password is
// covered.
std::string RedactQuery(const std::string& q, std::vector<std::string>* secrets) {
  std::string out;
  size_t i = 0;
  for (;;) {
    size_t amp = q.find('&', i);
    std::string param = q.substr(i, amp == std::string::npos ? std::string::npos : amp - i);
    size_t eq = param.find('=');
    if (eq != std::string::npos && NamesSecret(PercentDecodeLoose(param))) {
      while (amp != std::string::npos && !StartsParameter(q, amp + 1)) amp = q.find('&', amp + 1);
      std::string value = q.substr(i + eq + 1, amp == std::string::npos ? std::string::npos : amp - i - eq - 1);
      out += param.substr(0, eq + 1) + kHidden;
      if (secrets && !value.empty()) {
        secrets->push_back(value);
        secrets->push_back(PercentDecodeLoose(value));
      }
    } else {
      out += param;
    }
    if (amp == std::string::npos) return out;
    out += '&';
    i = amp + 1;
  }
}

std::string RedactUri(const std::string& spec, const std::string& scheme, std::vector<std::string>* secrets) {
  const bool postgres = EqualsNoCase(scheme, "postgresql") || EqualsNoCase(scheme, "postgres");
  std::string rest = spec.substr(scheme.size() + 3);
  // The user part ends at the last '@', so a raw '/', '?', '#' or '@' in a
  // password is still inside what is removed. When that '@' is really in the
  // query, more than the password goes, never less.
  size_t at = rest.rfind('@');
  if (at != std::string::npos) {
    std::string userinfo = rest.substr(0, at);
    size_t colon = userinfo.find(':');
    if (colon != std::string::npos) {
      std::string password = userinfo.substr(colon + 1);
      if (secrets && !password.empty()) {
        secrets->push_back(password);
        secrets->push_back(PercentDecodeLoose(password));
      }
      rest = userinfo.substr(0, colon) + rest.substr(at);
    }
  }
  std::string out = spec.substr(0, scheme.size() + 3);
  if (!postgres) return out + rest.substr(0, rest.find_first_of("?#"));
  size_t question = rest.find('?');
  if (question == std::string::npos) return out + rest;
  return out + rest.substr(0, question + 1) + RedactQuery(rest.substr(question + 1), secrets);
}

std::string Redact(const std::string& spec, std::vector<std::string>* secrets) {
  std::string scheme = UriScheme(spec);
  if (!scheme.empty()) return RedactUri(spec, scheme, secrets);
  if (spec.find('=') != std::string::npos) return RedactKeyValue(spec, secrets);
  return spec;
}

std::string FirstLine(std::string text) {
  size_t nl = text.find('\n');
  if (nl != std::string::npos) text.resize(nl);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text;
}

bool IsQuotedPunctuation(const std::string& s) { return s == "=" || s == "]" || s == ":" || s == "/"; }

}  // namespace

std::string UriScheme(const std::string& spec) {
  if (spec.empty() || !std::isalpha(static_cast<unsigned char>(spec[0]))) return "";
  size_t i = 1;
  while (i < spec.size() && (std::isalnum(static_cast<unsigned char>(spec[i])) || spec[i] == '+' ||
                             spec[i] == '-' || spec[i] == '.'))
    ++i;
  if (spec.compare(i, 3, "://") != 0) return "";
  return spec.substr(0, i);
}

bool IsLibpqKeyword(const std::string& word) {
  static const char* const kKeywords[] = {
      // libpq 15 (PQconndefaults), plus the deprecated alias it still accepts
      "service", "user", "password", "passfile", "channel_binding", "connect_timeout", "dbname", "host",
      "hostaddr", "port", "client_encoding", "options", "application_name", "fallback_application_name",
      "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "sslmode",
      "sslcompression", "sslcert", "sslkey", "sslpassword", "sslrootcert", "sslcrl", "sslcrldir", "sslsni",
      "requirepeer", "ssl_min_protocol_version", "ssl_max_protocol_version", "gssencmode", "krbsrvname",
      "gsslib", "replication", "target_session_attrs", "requiressl",
      // newer libpq versions
      "require_auth", "load_balance_hosts", "sslcertmode", "gssdelegation", "sslnegotiation",
      "min_protocol_version", "max_protocol_version", "scram_client_key", "scram_server_key", "sslkeylogfile",
      "oauth_issuer", "oauth_client_id", "oauth_client_secret", "oauth_scope"};
  for (const char* k : kKeywords)
    if (word == k) return true;
  return false;
}

SpecForm ClassifySourceSpec(const std::string& spec) {
  std::string scheme = UriScheme(spec);
  if (!scheme.empty())
    return EqualsNoCase(scheme, "postgresql") || EqualsNoCase(scheme, "postgres") ? SpecForm::kPostgresUri
                                                                                   : SpecForm::kOtherUri;
  if (IsLibpqKeyword(FirstKeyword(spec))) return SpecForm::kPostgresKeyValue;
  return SpecForm::kPath;
}

Result<std::vector<ConnParam>> ParseKeyValueConnInfo(const std::string& text) {
  KvScan scan = ScanKeyValue(text);
  if (!scan.ok) {
    std::string where = "at offset " + std::to_string(scan.error_at);
    if (scan.unterminated)
      return Status::Error("the quoted value of the word " + where + " has no closing quote; close it with '");
    return Status::Error("the word " + where + " has no '='; write keyword=value, and quote values with spaces ('a b')");
  }
  std::vector<ConnParam> params;
  for (KvWord& w : scan.words) params.push_back({w.keyword, std::move(w.value), NamesSecret(w.keyword)});
  return params;
}

Result<std::vector<ConnParam>> ParsePostgresConnInfo(const std::string& spec) {
  const SpecForm form = ClassifySourceSpec(spec);
  const bool uri = form == SpecForm::kPostgresUri;
  const std::string what = uri ? "invalid PostgreSQL URI " : "invalid PostgreSQL connection string ";
  const std::string todo =
      uri ? "write it as postgresql://user@host:port/database, with '@' written %40, '/' %2F and '%' %25 in the "
            "user name and password"
          : "write it as host=HOST port=PORT dbname=DATABASE user=USER, with values that hold spaces quoted "
            "('a b') and ' and \\ inside them written \\' and \\\\";
  std::string text = spec;
  if (uri) {
    std::string scheme = UriScheme(spec);
    text = Lower(scheme) + spec.substr(scheme.size());
    // libpq takes the user part up to the first '@' before the first '/';
    // any other '@' means part of a password would be read as host, port or
    // database, and shown as such.
    std::string rest = spec.substr(scheme.size() + 3);
    size_t at = rest.find('@');
    if (at != std::string::npos && (rest.find('@', at + 1) != std::string::npos || rest.find('/') < at))
      return Status::Error(what + RedactSourceSpec(spec) +
                           ": it has an '@' that does not end the user name and password; " + todo);
  } else if (form != SpecForm::kPostgresKeyValue) {
    return Status::Error(RedactSourceSpec(spec) + ": not a PostgreSQL connection string; " + todo);
  }
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(text.c_str(), &error);
  if (parsed == nullptr) {
    std::string reason = error != nullptr ? FirstLine(error) : "out of memory";
    PQfreemem(error);
    reason = RemoveQuotedInput(reason, spec, RawSecretsOf(spec));
    return Status::Error(what + RedactSourceSpec(spec) + ": " + reason + "; " + todo);
  }
  std::vector<ConnParam> params;
  for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    bool secret = (o->dispchar != nullptr && std::strchr(o->dispchar, '*') != nullptr) || NamesSecret(o->keyword);
    params.push_back({o->keyword, o->val, secret});
  }
  PQconninfoFree(parsed);
  return params;
}

std::string PostgresDisplayName(const std::vector<ConnParam>& params) {
  auto last = [&params](const char* keyword) {
    std::string value;
    for (const ConnParam& p : params)
      if (p.keyword == keyword && !p.secret) value = p.value;
    return value;
  };
  std::string user = last("user");
  std::string host = last("host");
  if (host.empty()) host = last("hostaddr");
  std::string port = last("port");
  std::string dbname = last("dbname");

  std::string out = "postgresql://";
  if (!user.empty()) out += Escape(user) + "@";
  std::vector<std::string> hosts = SplitCommas(host);
  std::vector<std::string> ports = SplitCommas(port);
  size_t n = std::max(hosts.size(), ports.size());
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += ",";
    std::string h = i < hosts.size() ? hosts[i] : "";
    std::string p = ports.size() == 1 ? ports[0] : (i < ports.size() ? ports[i] : "");
    out += h.find(':') != std::string::npos ? "[" + Escape(h, ":") + "]" : Escape(h);
    if (!p.empty()) out += ":" + Escape(p);
  }
  // A database name may itself be a connection string (libpq's dbname
  // expansion); dpo does not expand it, but must not show its password.
  if (dbname.find("://") != std::string::npos || dbname.find('=') != std::string::npos)
    dbname = RedactConnectionSpec(dbname);
  if (!dbname.empty()) out += "/" + Escape(dbname);
  return out;
}

std::vector<std::string> RawSecretsOf(const std::string& spec) {
  std::vector<std::string> secrets;
  Redact(spec, &secrets);
  secrets.erase(std::remove(secrets.begin(), secrets.end(), std::string()), secrets.end());
  return secrets;
}

std::string RemoveQuotedInput(const std::string& message, const std::string& input,
                              const std::vector<std::string>& secrets) {
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    if (message[i] != '"') {
      out.push_back(message[i++]);
      continue;
    }
    // The fragment libpq copied may hold quotes itself: take the longest
    // fragment that occurs in the input, else up to the next quote.
    size_t close = std::string::npos;
    for (size_t j = message.find('"', i + 1); j != std::string::npos; j = message.find('"', j + 1))
      if (input.find(message.substr(i + 1, j - i - 1)) != std::string::npos) close = j;
    if (close == std::string::npos) close = message.find('"', i + 1);
    if (close == std::string::npos) close = message.size();  // unmatched: the rest goes
    std::string fragment = message.substr(i + 1, close - i - 1);
    i = close + 1;
    bool keep = (IsQuotedPunctuation(fragment) || IsLibpqKeyword(fragment)) &&
                std::find(secrets.begin(), secrets.end(), fragment) == secrets.end();
    if (keep) {
      out += "\"" + fragment + "\"";
      continue;
    }
    bool at_end = i >= message.size() ||
                  message.find_first_not_of(" .", i) == std::string::npos;
    if (at_end) {
      while (!out.empty() && (out.back() == ' ' || out.back() == ':')) out.pop_back();
      break;
    }
    out += kRemoved;
  }
  return out;
}

bool ContainsSecret(const std::string& text, const std::vector<std::string>& secrets) {
  for (const std::string& s : secrets)
    if (!s.empty() && text.find(s) != std::string::npos) return true;
  return false;
}

std::string RedactConnectionSpec(const std::string& spec) { return Redact(spec, nullptr); }

}  // namespace dpo::source
