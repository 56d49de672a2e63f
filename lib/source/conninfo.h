// PostgreSQL connection strings: which arguments are one, what they say, and
// how to name them to a person without the password.
//
// libpq accepts two spellings, and dpo accepts both:
//   postgresql://user:pw@host:5432,host2:5433/db?password=pw&sslmode=require
//     (also postgres://; dpo matches the scheme case-insensitively; values
//     are %-escaped; IPv6 hosts are written [::1])
//   host=h port=5432 dbname=db user=u password='a b\'c'
//     (spaces around '=' allowed; values in '...' with backslash escapes)
//
// Contract: nothing here ever returns text that holds a password. Passwords
// are removed by parsing the spelling, never by searching for their value in
// other text (a password "b" must not turn "forbidden" into "for***idden").
// Where a spelling is too broken to parse, the redacted form is cut short
// rather than risk showing what may be part of a password.
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace dpo::source {

// What a source argument is, from its spelling alone (the file system is not
// consulted).
enum class SpecForm {
  kPath,              // anything else: a file or directory name (maybe with sqlite:/csv:)
  kPostgresUri,       // postgresql:// or postgres://, any letter case
  kPostgresKeyValue,  // key=value words whose first keyword is a libpq keyword
  kOtherUri,          // scheme://... with another scheme (mysql://, sqlite://, https://)
};
SpecForm ClassifySourceSpec(const std::string& spec);

// The scheme of a "scheme://..." argument as written (RFC 3986 scheme
// characters: a letter, then letters, digits, + - .), or "" if `spec` does
// not start with one.
std::string UriScheme(const std::string& spec);

// True for the keywords libpq knows in key=value connection strings (the
// libpq 15 list plus newer ones, so that a newer keyword still routes to
// PostgreSQL and gets libpq's own verdict).
bool IsLibpqKeyword(const std::string& word);

// One keyword and its decoded value. `secret` marks values that must never be
// shown (password, sslpassword).
struct ConnParam {
  std::string keyword;
  std::string value;
  bool secret = false;
};

// A key=value connection string split the way libpq splits it (skip spaces,
// keyword up to '=' or a space, optional spaces, '=', optional spaces, a value
// that is either '...' with backslash escapes or runs to the next space with
// backslash escapes). Keywords are not checked; repeated keywords are all
// returned in order (libpq keeps the last). Errors give the byte offset of the
// broken word, never its text.
Result<std::vector<ConnParam>> ParseKeyValueConnInfo(const std::string& text);

// Parses a kPostgresUri or kPostgresKeyValue spec with libpq
// (PQconninfoParse; the scheme is lower-cased first). Returns only the
// parameters the spec sets. A URI with an '@' anywhere but between the user
// part and the host is refused, since libpq would read part of the password
// as host, port or database. Errors are one line naming the spec by
// RedactSourceSpec, with libpq's reason stripped of every text it quoted from
// the input (see RemoveQuotedInput), and what to do.
Result<std::vector<ConnParam>> ParsePostgresConnInfo(const std::string& spec);

// postgresql://user@host:port,host2:port2/dbname from the user, host (else
// hostaddr), port and dbname parameters; nothing else, so never a password or
// a query parameter. Unknown parts are left out (no user: no "user@").
// IPv6 hosts are bracketed; other characters outside [A-Za-z0-9-._~] are
// %-escaped, so the result is one line and a valid libpq URI.
std::string PostgresDisplayName(const std::vector<ConnParam>& params);

// The password texts as written in `spec` (raw, before %-decoding or
// unquoting): the userinfo password and password= values of a URI, the
// password values of a key=value string. Over-inclusive on broken spellings.
// Used to decide whether a third-party message is safe to show.
std::vector<std::string> RawSecretsOf(const std::string& spec);

// `message` (one line from libpq) with every double-quoted fragment removed
// that libpq may have copied from `input`: a fragment is kept only if it is a
// libpq keyword or one of the punctuation tokens libpq's own messages quote
// (= ] : /) and is none of `secrets`. A removed fragment at the end is dropped
// with its ": "; one inside the sentence becomes "(...)". Fragments may
// themselves contain quotes: the longest one found in `input` is removed.
std::string RemoveQuotedInput(const std::string& message, const std::string& input,
                              const std::vector<std::string>& secrets);

// True if `text` contains any non-empty string of `secrets`, as a substring.
// Callers withhold such text entirely instead of masking inside it.
bool ContainsSecret(const std::string& text, const std::vector<std::string>& secrets);

// The shape-preserving redaction behind RedactSourceSpec (source.h):
//  - scheme://user:pw@rest -> scheme://user@rest, where the user part ends at
//    the last '@' (so a raw '/', '?' or '@' in a password is still removed);
//  - postgres URIs keep their query, with the value of any parameter whose
//    text mentions "password" replaced by *** (up to the next &keyword=);
//    other schemes lose query and fragment;
//  - key=value strings get password/sslpassword values replaced by ***;
//    after a password keyword, a word that does not parse ends the output
//    with "..." (it may be the rest of a password with spaces);
//  - anything else (file names) is returned unchanged.
std::string RedactConnectionSpec(const std::string& spec);

}  // namespace dpo::source
