#include "daemon/core/time_util.h"

#include <cstdio>

namespace hs {
namespace {

// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

unsigned DaysInMonth(int y, int m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

Result<int64_t> ParseShanghaiTime(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
      s[16] != ':' || !Digits(s, 0, 4, y) || !Digits(s, 5, 2, mo) || !Digits(s, 8, 2, d) ||
      !Digits(s, 11, 2, h) || !Digits(s, 14, 2, mi) || !Digits(s, 17, 2, se)) {
    return Status::InvalidArgument("time is not in the form yyyy-MM-dd HH:mm:ss");
  }
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > DaysInMonth(y, mo) ||
      h > 23 || mi > 59 || se > 59) {
    return Status::InvalidArgument("time names a date or hour that does not exist");
  }
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * 86400 + h * 3600 + mi * 60 + se - kShanghaiOffsetSeconds;
}

std::string FormatShanghaiTime(int64_t unix_seconds) {
  int64_t local = unix_seconds + kShanghaiOffsetSeconds;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int64_t secs = local - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld", static_cast<long long>(y),
                m, d, static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

int ShanghaiMonth(int64_t unix_seconds) {
  const int64_t local = unix_seconds + kShanghaiOffsetSeconds;
  int64_t days = local / 86400;
  if (local % 86400 < 0) --days;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  return static_cast<int>(y * 100 + m);
}

Result<MonthSpan> ParseShanghaiMonth(std::string_view text) {
  auto digits = [&](size_t from, size_t n) {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  const bool shaped = text.size() == 7 && text[4] == '-';
  const int y = shaped ? digits(0, 4) : -1, m = shaped ? digits(5, 2) : -1;
  if (y < 1970 || m < 1 || m > 12) {
    return Status::InvalidArgument("month \"" + std::string(text) + "\": expected yyyy-mm, e.g. 2023-06");
  }
  MonthSpan span;
  span.month = y * 100 + m;
  span.begin = DaysFromCivil(y, static_cast<unsigned>(m), 1) * 86400 - kShanghaiOffsetSeconds;
  span.end = DaysFromCivil(m == 12 ? y + 1 : y, m == 12 ? 1u : static_cast<unsigned>(m + 1), 1) * 86400 -
             kShanghaiOffsetSeconds;
  return span;
}

Result<int64_t> ParseDurationMillis(std::string_view text) {
  size_t i = 0;
  int64_t n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    n = n * 10 + (text[i] - '0');
    if (n > 1'000'000'000) return Status::InvalidArgument("duration is too large");
    ++i;
  }
  std::string_view unit = text.substr(i);
  if (i == 0) return Status::InvalidArgument("duration must start with a number, e.g. \"5s\"");
  if (unit == "ms") return n;
  if (unit == "s") return n * 1000;
  if (unit == "m") return n * 60'000;
  if (unit == "h") return n * 3'600'000;
  if (unit == "d") return n * 86'400'000;
  return Status::InvalidArgument("duration unit must be ms, s, m, h or d, e.g. \"5s\"");
}

std::string FormatDurationMillis(int64_t ms) {
  char buf[48];
  if (ms < 0) return "-" + FormatDurationMillis(-ms);
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
  } else if (ms < 60'000) {
    std::snprintf(buf, sizeof buf, "%lld.%llds", static_cast<long long>(ms / 1000),
                  static_cast<long long>(ms / 100 % 10));
  } else if (ms < 3'600'000) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(ms / 60'000),
                  static_cast<long long>(ms / 1000 % 60));
  } else if (ms < 86'400'000) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", static_cast<long long>(ms / 86'400'000),
                  static_cast<long long>(ms / 3'600'000 % 24));
  }
  return buf;
}

}  // namespace hs
