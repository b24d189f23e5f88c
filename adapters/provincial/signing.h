// Request signing of the provincial platform (platforms/provincial.md, "Authentication"): a static
// key pair per city, the signature an MD5 over city code, timestamp and secret, and a clock-skew
// window. Used by the client to sign and by the simulator to verify. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hs::provincial {

// The largest accepted difference between X-Timestamp and the receiver's clock, either way.
inline constexpr int64_t kMaxSkewMs = 300'000;

// The X-Signature header: lower-case hex MD5 of city_code + timestamp_ms + secret, concatenated
// without separators, with `timestamp_ms` exactly as sent in X-Timestamp (decimal Unix ms).
std::string Signature(std::string_view city_code, std::string_view timestamp_ms,
                      std::string_view secret);

// True when a request sent at `sent_ms` is within kMaxSkewMs of `now_ms`, in either direction
// (a difference of exactly kMaxSkewMs passes). Defined for all int64_t values, without overflow.
bool WithinSkew(int64_t sent_ms, int64_t now_ms);

}  // namespace hs::provincial
