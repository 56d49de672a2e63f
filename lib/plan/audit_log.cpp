#include "plan/audit_log.h"
#include "util/duration.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "dpo/version.h"
#include "util/fault.h"
#include "util/keyed_hash.h"

#include <openssl/rand.h>
#include <map>

namespace dpo::plan {
namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kHexDigits = 64;
// `,"hash":"` + 64 hex + `"}`
constexpr std::string_view kHashPrefix = ",\"hash\":\"";
constexpr size_t kHashSuffixSize = kHashPrefix.size() + kHexDigits + 2;
// A line longer than this is not an entry (and is not read whole on append).
constexpr size_t kMaxLineBytes = 1 << 20;

enum class FieldType { kInt, kString, kBool };
struct Field {
  const char* name;
  FieldType type;
  bool optional;
};
// The fields of an entry, in the order they are written.
constexpr Field kFields[] = {
    {"seq", FieldType::kInt, false},          {"time", FieldType::kString, false},
    {"user", FieldType::kString, false},      {"host", FieldType::kString, false},
    {"tool_version", FieldType::kString, false}, {"command", FieldType::kString, false},
    {"policy_sha256", FieldType::kString, false}, {"source", FieldType::kString, false},
    {"rule", FieldType::kString, false},      {"table", FieldType::kString, false},
    {"action", FieldType::kString, false},    {"rows", FieldType::kInt, false},
    {"keys_hmac", FieldType::kString, false}, {"dry_run", FieldType::kBool, true},
    {"note", FieldType::kString, true},       {"prev", FieldType::kString, false},
    {"hash", FieldType::kString, false},
};

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

bool IsLowerHex(std::string_view s) {
  return s.size() == kHexDigits &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// One line of the log, checked on its own (not against its neighbours).
struct ParsedLine {
  int64_t seq = 0;
  std::string time, command, source, action, note;
  int64_t rows = 0;
  std::string prev;
  std::string hash;
  std::string line_sha;  // SHA-256 of the whole line: the next entry's prev
};

// Checks a line (without its newline) for being a complete, self-consistent
// entry. Returns what is wrong, or "" when it is one. Never quotes the line.
std::string ParseLine(const std::string& line, ParsedLine* out) {
  if (line.empty()) return "empty line";
  if (line.size() > kMaxLineBytes) return "line too long to be an entry";
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return "not a complete JSON entry (truncated, or edited by hand)";
  // Fields: exactly the known ones, in the written order.
  size_t next = 0;
  for (auto it = j.begin(); it != j.end(); ++it) {
    while (next < std::size(kFields) && kFields[next].optional && it.key() != kFields[next].name) ++next;
    if (next == std::size(kFields) || it.key() != kFields[next].name) {
      bool known = std::any_of(std::begin(kFields), std::end(kFields),
                               [&](const Field& f) { return it.key() == f.name; });
      return known ? "field '" + it.key() + "' out of place (fields reordered or duplicated)"
                   : "unknown field (the entry was edited by hand)";
    }
    const Field& f = kFields[next++];
    bool type_ok = f.type == FieldType::kString ? it->is_string()
                   : f.type == FieldType::kBool ? it->is_boolean()
                                                : it->is_number_integer();
    if (!type_ok) return std::string("field '") + f.name + "' has the wrong type";
  }
  for (; next < std::size(kFields); ++next)
    if (!kFields[next].optional) return std::string("field '") + kFields[next].name + "' is missing";

  // The hash is over the line's own bytes with the hash field cut off.
  if (line.size() < kHashSuffixSize || line.compare(line.size() - kHashSuffixSize, kHashPrefix.size(), kHashPrefix) != 0 ||
      line.compare(line.size() - 2, 2, "\"}") != 0)
    return "the hash field is not written as the last field";
  std::string_view written_hash(line.data() + line.size() - kHashSuffixSize + kHashPrefix.size(), kHexDigits);
  if (!IsLowerHex(written_hash) || j["hash"].get_ref<const std::string&>() != written_hash)
    return "the hash field is not 64 lower-case hex digits";
  std::string body = line.substr(0, line.size() - kHashSuffixSize) + "}";
  if (util::Sha256Hex(body) != written_hash) return "hash does not match the entry: the entry was edited";

  const std::string& prev = j["prev"].get_ref<const std::string&>();
  if (!IsLowerHex(prev)) return "the prev field is not 64 lower-case hex digits";
  int64_t seq = j["seq"].get<int64_t>();
  if (seq < 1) return "seq is not a positive number";
  if (j["rows"].get<int64_t>() < 0) return "rows is negative";
  out->seq = seq;
  out->time = j["time"].get<std::string>();
  out->command = j["command"].get<std::string>();
  out->source = j["source"].get<std::string>();
  out->action = j["action"].get<std::string>();
  out->rows = j["rows"].get<int64_t>();
  if (j.contains("note")) out->note = j["note"].get<std::string>();
  out->prev = prev;
  out->hash = std::string(written_hash);
  out->line_sha = util::Sha256Hex(line);
  return "";
}

std::string CurrentUser() {
  uid_t uid = geteuid();
  std::vector<char> buf(16384);
  struct passwd pw {};
  struct passwd* found = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr && found->pw_name != nullptr)
    return found->pw_name;
  return "uid " + std::to_string(uid);
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

constexpr std::string_view kApplyNotePrefix = "apply ";
constexpr size_t kApplyIdDigits = 16;

std::string NewApplyId() {
  unsigned char bytes[kApplyIdDigits / 2];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // No randomness from OpenSSL: time and pid still tell two applies apart
    // in one log, which is all the id is for.
    uint64_t v = static_cast<uint64_t>(std::time(nullptr)) * 1000003u ^ static_cast<uint64_t>(getpid());
    for (unsigned char& b : bytes) {
      b = static_cast<unsigned char>(v);
      v = (v >> 8) | (v << 56);
    }
  }
  static const char* digits = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += digits[b >> 4];
    id += digits[b & 15];
  }
  return id;
}

// The apply id a note begins with ("apply <16 hex>" then the end or ':'),
// or "" when it names none.
std::string ApplyIdOf(std::string_view note) {
  if (note.substr(0, kApplyNotePrefix.size()) != kApplyNotePrefix) return "";
  std::string_view id = note.substr(kApplyNotePrefix.size(), kApplyIdDigits);
  if (id.size() != kApplyIdDigits) return "";
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  size_t end = kApplyNotePrefix.size() + kApplyIdDigits;
  if (note.size() > end && note[end] != ':') return "";
  return std::string(id);
}

// The entry's line without its newline; sets entry.hash.
std::string Serialise(AuditEntry& entry) {
  Json j;
  j["seq"] = entry.seq;
  j["time"] = entry.time;
  j["user"] = entry.user;
  j["host"] = entry.host;
  j["tool_version"] = entry.tool_version;
  j["command"] = entry.command;
  j["policy_sha256"] = entry.policy_sha256;
  j["source"] = entry.source;
  j["rule"] = entry.rule;
  j["table"] = entry.table;
  j["action"] = entry.action;
  j["rows"] = entry.rows;
  j["keys_hmac"] = entry.keys_hmac;
  if (entry.dry_run) j["dry_run"] = true;
  if (!entry.note.empty()) j["note"] = entry.note;
  j["prev"] = entry.prev;
  // Invalid UTF-8 (a table name from a database, say) is replaced, not refused:
  // the hash covers the bytes as written, so the result is still verifiable.
  std::string body = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  entry.hash = util::Sha256Hex(body);
  body.pop_back();  // the closing brace
  return body + std::string(kHashPrefix) + entry.hash + "\"}";
}

Status PreadAll(int fd, char* buf, size_t size, off_t offset, const std::string& path) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = pread(fd, buf + done, size - done, offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Error(path + ": " + Errno("cannot read the audit log"), StatusCode::kIoError);
    if (n == 0) return Status::Error(path + ": the audit log shrank while locked", StatusCode::kIoError);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// The last line of a non-empty file of `size` bytes that ends in '\n'
// (without that newline).
Result<std::string> ReadLastLine(int fd, off_t size, const std::string& path) {
  off_t end = size - 1;  // the final newline
  off_t start = end;
  std::string tail;
  while (start > 0) {
    off_t chunk = std::min<off_t>(4096, start);
    std::string buf(static_cast<size_t>(chunk), '\0');
    DPO_RETURN_IF_ERROR(PreadAll(fd, buf.data(), buf.size(), start - chunk, path));
    size_t nl = buf.rfind('\n');
    if (nl != std::string::npos) {
      tail = buf.substr(nl + 1) + tail;
      break;
    }
    tail = buf + tail;
    start -= chunk;
    if (tail.size() > kMaxLineBytes) break;  // ParseLine refuses it
  }
  return tail;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Status AppendAudit(const std::string& path, AuditEntry entry) {
  Fd fd(open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600));
  if (fd.get() < 0)
    return Status::Error(path + ": " + Errno("cannot open the audit log") + "; check the directory exists and is writable",
                         StatusCode::kIoError);
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return Status::Error(path + ": " + Errno("cannot stat the audit log"), StatusCode::kIoError);
  if (!S_ISREG(st.st_mode))
    return Status::Error(path + ": the audit log is not a regular file; give the path of a file");
  while (flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return Status::Error(path + ": " + Errno("cannot lock the audit log"), StatusCode::kIoError);
  }
  // The size under the lock: what other appenders wrote before us counts.
  if (fstat(fd.get(), &st) != 0) return Status::Error(path + ": " + Errno("cannot stat the audit log"), StatusCode::kIoError);
  off_t size = st.st_size;

  entry.seq = 1;
  entry.prev = kAuditGenesis;
  if (size > 0) {
    char last = 0;
    DPO_RETURN_IF_ERROR(PreadAll(fd.get(), &last, 1, size - 1, path));
    const std::string refuse = ": refusing to append to a damaged audit log; run 'dpo audit verify " + path +
                               "', keep the file as evidence and start a new log";
    if (last != '\n') return Status::Error(path + ": the last line is incomplete (no newline at its end)" + refuse);
    Result<std::string> line = ReadLastLine(fd.get(), size, path);
    if (!line.ok()) return line.status();
    ParsedLine parsed;
    std::string problem = ParseLine(*line, &parsed);
    if (!problem.empty()) return Status::Error(path + ": the last line is not a valid entry: " + problem + refuse);
    entry.seq = parsed.seq + 1;
    entry.prev = parsed.line_sha;
  }
  entry.time = util::NowUtc();
  if (entry.user.empty()) entry.user = CurrentUser();
  if (entry.host.empty()) entry.host = HostName();
  if (entry.tool_version.empty()) entry.tool_version = DPO_VERSION;
  std::string line = Serialise(entry) + "\n";
  DPO_RETURN_IF_ERROR(util::InjectedFault(util::FaultPoint::kAppend, path));

  ssize_t n;
  do {
    n = write(fd.get(), line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(line.size())) {
    std::string why = n < 0 ? Errno("cannot write to the audit log") : std::string("short write to the audit log (disk full?)");
    if (n > 0 && ftruncate(fd.get(), size) != 0)
      why += "; cutting the partial line off failed too: run 'dpo audit verify " + path + "'";
    return Status::Error(path + ": " + why, StatusCode::kIoError);
  }
  if (fsync(fd.get()) != 0)
    return Status::Error(path + ": " + Errno("the entry was written but fsync failed") +
                             "; it may be lost on a crash: run 'dpo audit verify " + path + "'",
                         StatusCode::kIoError);
  if (size == 0) {  // a new file: make its directory entry durable too
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    int dfd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      fsync(dfd);
      close(dfd);
    }
  }
  return Status::Ok();
}

ApplyAudit::ApplyAudit(std::string path, AuditEntry common)
    : path_(std::move(path)), common_(std::move(common)), id_(NewApplyId()) {}

Status ApplyAudit::Intent(int64_t rows, size_t steps) {
  if (path_.empty() || common_.dry_run) return Status::Ok();
  AuditEntry e = common_;
  e.action = kIntentAction;
  e.rows = rows;
  e.note = std::string(kApplyNotePrefix) + id_ + ": about to commit " + std::to_string(rows) + " row change(s) in " +
           std::to_string(steps) + " step(s); an entry per step follows the commit";
  DPO_RETURN_IF_ERROR(AppendAudit(path_, std::move(e)));
  intent_written_ = true;
  ++appended_;
  return Status::Ok();
}

Status ApplyAudit::Step(AuditEntry e) {
  if (path_.empty()) return Status::Ok();
  e.command = common_.command;
  e.policy_sha256 = common_.policy_sha256;
  e.source = common_.source;
  e.dry_run = common_.dry_run;
  if (intent_written_) e.note = std::string(kApplyNotePrefix) + id_ + (e.note.empty() ? "" : ": " + e.note);
  DPO_RETURN_IF_ERROR(AppendAudit(path_, std::move(e)));
  ++appended_;
  return Status::Ok();
}

Status ApplyAudit::Abandon(const std::string& why) {
  if (path_.empty() || !intent_written_) return Status::Ok();
  AuditEntry e = common_;
  e.action = kAbandonedAction;
  e.note = std::string(kApplyNotePrefix) + id_ + ": " + why;
  DPO_RETURN_IF_ERROR(AppendAudit(path_, std::move(e)));
  intent_written_ = false;
  ++appended_;
  return Status::Ok();
}

Result<VerifyReport> VerifyAuditLog(const std::string& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status))
    return Status::Error(path + ": no such audit log; check the path", StatusCode::kNotFound);
  if (std::filesystem::is_directory(status))
    return Status::Error(path + ": is a directory; give the audit log file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": " + Errno("cannot read the audit log"), StatusCode::kIoError);

  VerifyReport report;
  report.last_hash = kAuditGenesis;
  auto fail = [&](int64_t line_no, std::string problem) {
    report.ok = false;
    report.bad_line = line_no;
    report.problem = std::move(problem);
    return report;
  };
  // The chain so far: the previous two lines' hashes and seqs.
  std::string prev_sha = kAuditGenesis, prev_prev_sha;
  int64_t prev_seq = 0, prev_prev_seq = -1;
  // Intents not yet followed by their outcome, by apply id: a handful at
  // most, however long the log.
  std::map<std::string, UnfinishedApply> open;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    bool had_newline = !in.eof();
    ParsedLine parsed;
    std::string problem = ParseLine(line, &parsed);
    if (!problem.empty()) return fail(line_no, problem);
    if (!had_newline) return fail(line_no, "incomplete entry: no newline at its end (a write was cut off?)");
    if (parsed.prev != prev_sha || parsed.seq != prev_seq + 1) {
      // Well-formed but not in the chain. If it continues from the line
      // before the previous one, the previous line is the stranger.
      if (line_no >= 2 && parsed.prev == prev_prev_sha && parsed.seq == prev_prev_seq + 1)
        return fail(line_no - 1, "this entry is not part of the chain: line " + std::to_string(line_no) +
                                     " continues from line " + std::to_string(line_no - 2) +
                                     " (an entry was inserted here)");
      if (parsed.seq != prev_seq + 1)
        return fail(line_no, "seq " + std::to_string(parsed.seq) + " where " + std::to_string(prev_seq + 1) +
                                 " was expected: an entry was removed, inserted or moved");
      if (line_no == 1)
        return fail(line_no, "prev of the first entry is not the genesis hash: entries before it were removed");
      return fail(line_no, "prev does not match the hash of line " + std::to_string(line_no - 1) +
                               ": that line was rewritten, or an entry was removed or inserted");
    }
    prev_prev_sha = prev_sha;
    prev_prev_seq = prev_seq;
    prev_sha = parsed.line_sha;
    prev_seq = parsed.seq;
    report.last_hash = parsed.hash;
    ++report.entries;
    std::string id = ApplyIdOf(parsed.note);
    if (!id.empty()) {
      if (parsed.action == kIntentAction)
        open[id] = {line_no, parsed.seq, parsed.time, parsed.command, parsed.source, parsed.rows};
      else
        open.erase(id);
    }
  }
  for (auto& [id, unfinished] : open) report.unfinished.push_back(std::move(unfinished));
  std::sort(report.unfinished.begin(), report.unfinished.end(),
            [](const UnfinishedApply& a, const UnfinishedApply& b) { return a.line < b.line; });
  if (in.bad()) return Status::Error(path + ": " + Errno("cannot read the audit log"), StatusCode::kIoError);
  return report;
}

}  // namespace dpo::plan
