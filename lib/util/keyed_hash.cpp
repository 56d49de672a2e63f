#include "util/keyed_hash.h"

// PrefixedHmac keeps SHA-256 midstates (SHA256_CTX): OpenSSL 3 still ships
// the low-level calls and they are the only ones that copy a state without
// an allocation (EVP_MD_CTX_copy_ex is 2x slower per row).
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dpo::util {
namespace {

constexpr size_t kMinKeyBytes = 16;

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Hex text of 32+ digits becomes bytes; anything else is raw bytes.
std::string Decode(std::string_view text) {
  std::string trimmed = Trim(text);
  bool hex = trimmed.size() >= 32 && trimmed.size() % 2 == 0;
  for (char c : trimmed) hex = hex && std::isxdigit(static_cast<unsigned char>(c));
  if (!hex) {
    std::string raw(text);
    if (!raw.empty() && raw.back() == '\n') raw.pop_back();
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    OPENSSL_cleanse(trimmed.data(), trimmed.size());
    return raw;
  }
  std::string bytes;
  for (size_t i = 0; i < trimmed.size(); i += 2)
    bytes.push_back(static_cast<char>(std::strtoul(trimmed.substr(i, 2).c_str(), nullptr, 16)));
  OPENSSL_cleanse(trimmed.data(), trimmed.size());
  return bytes;
}

}  // namespace

std::string ToHex(const uint8_t* data, size_t size) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 15]);
  }
  return out;
}

Result<SecretKey> SecretKey::FromBytes(std::string_view bytes) {
  if (bytes.size() < kMinKeyBytes)
    return Status::Error("the key is " + std::to_string(bytes.size()) + " bytes; use at least " +
                         std::to_string(kMinKeyBytes) + " (e.g. 'openssl rand -hex 32 > dpo.key; chmod 600 dpo.key')");
  SecretKey key;
  key.bytes_.assign(bytes.data(), bytes.size());
  return key;
}

Result<SecretKey> SecretKey::Load(const std::string& key_file) {
  if (key_file.empty()) {
    const char* env = std::getenv("DPO_KEY");
    if (env == nullptr || *env == '\0')
      return Status::Error("no key: pass --key-file FILE or set DPO_KEY; dpo refuses to run without one rather "
                           "than fall back to a default (create one with 'openssl rand -hex 32 > dpo.key; chmod 600 "
                           "dpo.key')");
    std::string bytes = Decode(env);
    Result<SecretKey> key = FromBytes(bytes);
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return key.ok() ? std::move(key) : Result<SecretKey>(key.status().WithContext("DPO_KEY"));
  }
  int fd = ::open(key_file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return Status::Error(key_file + ": cannot read the key file: " + std::strerror(errno), StatusCode::kNotFound);
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Error(key_file + ": the key file is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return Status::Error(key_file + ": the key file can be read by others (mode " +
                         std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
                         std::to_string(st.st_mode & 7) + "); run 'chmod 600 " + key_file + "'");
  }
  if (st.st_size > 4096) {
    ::close(fd);
    return Status::Error(key_file + ": the key file is larger than 4 KiB; is it the right file?");
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  ssize_t n = ::read(fd, text.data(), text.size());
  ::close(fd);
  if (n < 0) return Status::Error(key_file + ": cannot read the key file: " + std::strerror(errno), StatusCode::kIoError);
  text.resize(static_cast<size_t>(n));
  std::string bytes = Decode(text);
  OPENSSL_cleanse(text.data(), text.size());
  Result<SecretKey> key = FromBytes(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return key.ok() ? std::move(key) : Result<SecretKey>(key.status().WithContext(key_file));
}

SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(std::move(other.bytes_)) {
  OPENSSL_cleanse(other.bytes_.data(), other.bytes_.size());
  other.bytes_.clear();
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    OPENSSL_cleanse(bytes_.data(), bytes_.size());
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

SecretKey::~SecretKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

std::string SecretKey::Id() const { return HmacSha256Hex(*this, "dpo key id").substr(0, 8); }

struct PrefixedHmac::State {
  SHA256_CTX inner;  // after key ^ ipad, then the prefix
  SHA256_CTX outer;  // after key ^ opad
};

PrefixedHmac::PrefixedHmac(const SecretKey& key, std::string_view prefix) : state_(std::make_unique<State>()) {
  // RFC 2104: a key longer than the block is hashed first.
  unsigned char block[SHA256_CBLOCK] = {};
  const std::string& k = key.bytes();
  if (k.size() > sizeof block) {
    SHA256(reinterpret_cast<const unsigned char*>(k.data()), k.size(), block);
  } else {
    std::memcpy(block, k.data(), k.size());
  }
  unsigned char pad[SHA256_CBLOCK];
  for (size_t i = 0; i < sizeof pad; ++i) pad[i] = block[i] ^ 0x36;
  SHA256_Init(&state_->inner);
  SHA256_Update(&state_->inner, pad, sizeof pad);
  SHA256_Update(&state_->inner, prefix.data(), prefix.size());
  for (size_t i = 0; i < sizeof pad; ++i) pad[i] = block[i] ^ 0x5c;
  SHA256_Init(&state_->outer);
  SHA256_Update(&state_->outer, pad, sizeof pad);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
}

PrefixedHmac::PrefixedHmac(const PrefixedHmac& other) : state_(std::make_unique<State>(*other.state_)) {}

PrefixedHmac& PrefixedHmac::operator=(const PrefixedHmac& other) {
  if (this != &other) *state_ = *other.state_;
  return *this;
}

PrefixedHmac::~PrefixedHmac() { OPENSSL_cleanse(state_.get(), sizeof(State)); }

Digest PrefixedHmac::Of(std::string_view message) const {
  Digest inner{};
  Digest out{};
  SHA256_CTX ctx = state_->inner;
  SHA256_Update(&ctx, message.data(), message.size());
  SHA256_Final(inner.data(), &ctx);
  ctx = state_->outer;
  SHA256_Update(&ctx, inner.data(), inner.size());
  SHA256_Final(out.data(), &ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return out;
}

Digest HmacSha256(const SecretKey& key, std::string_view data) {
  Digest out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.bytes().data(), static_cast<int>(key.bytes().size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

std::string HmacSha256Hex(const SecretKey& key, std::string_view data) {
  Digest d = HmacSha256(key, data);
  return ToHex(d.data(), d.size());
}

Digest Sha256(std::string_view data) {
  Digest out{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

std::string Sha256Hex(std::string_view data) {
  Digest d = Sha256(data);
  return ToHex(d.data(), d.size());
}

}  // namespace dpo::util
