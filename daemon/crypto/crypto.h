// Hashes and MACs over OpenSSL, as lower-case hex. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hs::crypto {

std::string Sha256Hex(std::string_view data);
std::string HmacSha256Hex(std::string_view key, std::string_view data);
// Cryptographically random bytes as lower-case hex (2 * n_bytes characters).
std::string RandomHex(size_t n_bytes);
// 64-bit FNV-1a: a fast change detector, not a security hash.
uint64_t Fnv1a64(std::string_view data);

}  // namespace hs::crypto
