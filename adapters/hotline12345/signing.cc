#include "adapters/hotline12345/signing.h"

#include <algorithm>

#include "daemon/crypto/crypto.h"

namespace hs::hotline12345 {

std::string PercentEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string CanonicalQuery(QueryParams params) {
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += PercentEncode(name);
    out.push_back('=');
    out += PercentEncode(value);
  }
  return out;
}

std::string StringToSign(std::string_view method, std::string_view path,
                         std::string_view canonical_query, std::string_view timestamp,
                         std::string_view nonce, std::string_view body) {
  std::string s;
  s.reserve(method.size() + path.size() + canonical_query.size() + 128);
  s.append(method).append("\n").append(path).append("\n").append(canonical_query).append("\n");
  s.append(timestamp).append("\n").append(nonce).append("\n").append(crypto::Sha256Hex(body));
  return s;
}

std::string Sign(std::string_view secret, std::string_view string_to_sign) {
  return crypto::HmacSha256Hex(secret, string_to_sign);
}

}  // namespace hs::hotline12345
