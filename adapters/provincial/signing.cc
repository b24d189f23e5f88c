#include "adapters/provincial/signing.h"

#include <openssl/evp.h>

#include <initializer_list>
#include <stdexcept>

namespace hs::provincial {
namespace {

// MD5 over the concatenation of `parts`, as lower-case hex.
std::string Md5Hex(std::initializer_list<std::string_view> parts) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_md5(), nullptr) == 1;
  for (std::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx, md, &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("OpenSSL MD5 failed (is MD5 disabled, e.g. in FIPS mode?)");
  static const char* kHex = "0123456789abcdef";
  std::string out(2 * len, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 15];
  }
  return out;
}

}  // namespace

std::string Signature(std::string_view city_code, std::string_view timestamp_ms,
                      std::string_view secret) {
  return Md5Hex({city_code, timestamp_ms, secret});
}

bool WithinSkew(int64_t sent_ms, int64_t now_ms) {
  // The distance in unsigned arithmetic: exact for any two int64_t values.
  const uint64_t distance = sent_ms >= now_ms
                                ? static_cast<uint64_t>(sent_ms) - static_cast<uint64_t>(now_ms)
                                : static_cast<uint64_t>(now_ms) - static_cast<uint64_t>(sent_ms);
  return distance <= static_cast<uint64_t>(kMaxSkewMs);
}

}  // namespace hs::provincial
