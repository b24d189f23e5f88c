// Beijing time (Asia/Shanghai) as the platforms write it, independent of the machine's time zone.
// China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact for every
// date these platforms produce. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/core/result.h"

namespace hs {

inline constexpr int64_t kShanghaiOffsetSeconds = 8 * 3600;

// Parses "yyyy-MM-dd HH:mm:ss" (Beijing time) into Unix seconds. Errors: InvalidArgument naming the
// problem (wrong shape, month 13, February 30…).
Result<int64_t> ParseShanghaiTime(std::string_view text);

// Formats Unix seconds as "yyyy-MM-dd HH:mm:ss" in Beijing time.
std::string FormatShanghaiTime(int64_t unix_seconds);

// Parses a duration such as "500ms", "5s", "10m", "2h", "1d". Errors: InvalidArgument.
Result<int64_t> ParseDurationMillis(std::string_view text);

// "1.2s", "350ms", "3m05s", "2h10m": a duration for people.
std::string FormatDurationMillis(int64_t ms);

}  // namespace hs
