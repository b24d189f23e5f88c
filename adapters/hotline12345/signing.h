// Request signing of the 12345 platform (platforms/hotline-12345.md, "Authentication"). Used by the
// client to sign and by the simulator to verify. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hs::hotline12345 {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// RFC 3986 percent-encoding: unreserved characters kept, everything else %XX with upper-case hex.
std::string PercentEncode(std::string_view s);

// Parameters sorted by name (then value), each name=value percent-encoded, joined by '&'.
std::string CanonicalQuery(QueryParams params);

// METHOD \n PATH \n CANONICAL_QUERY \n timestamp \n nonce \n hex(SHA256(body)).
std::string StringToSign(std::string_view method, std::string_view path,
                         std::string_view canonical_query, std::string_view timestamp,
                         std::string_view nonce, std::string_view body);

// lower-case hex HMAC-SHA256(secret, string_to_sign).
std::string Sign(std::string_view secret, std::string_view string_to_sign);

}  // namespace hs::hotline12345
