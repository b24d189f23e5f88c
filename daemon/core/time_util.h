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

// The month of Unix seconds in Beijing time, as yyyymm: 202306.
int ShanghaiMonth(int64_t unix_seconds);

// Parses "2023-06" into 202306 and the month's first second and the next month's first second
// (Unix seconds, Beijing time). Errors: InvalidArgument.
struct MonthSpan {
  int month = 0;
  int64_t begin = 0, end = 0;
};
Result<MonthSpan> ParseShanghaiMonth(std::string_view text);

// Parses a duration such as "500ms", "5s", "10m", "2h", "1d". Errors: InvalidArgument.
Result<int64_t> ParseDurationMillis(std::string_view text);

// "1.2s", "350ms", "3m05s", "2h10m": a duration for people.
std::string FormatDurationMillis(int64_t ms);

}  // namespace hs
