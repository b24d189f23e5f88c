// Tests of Beijing-time parsing and formatting and of durations.

#include "daemon/core/time_util.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "tests/fakes/test_util.h"

namespace hs {
namespace {

using hs::testing::ScopedTimeZone;

// Expected values computed with `date -u -d '… +0800' +%s`.
TEST(TimeTest, ParsesKnownValues) {
  struct Case {
    const char* text;
    int64_t want;
  };
  const Case kCases[] = {
      {"2023-06-12 10:00:00", 1686535200}, {"1970-01-01 08:00:00", 0},
      {"1970-01-01 00:00:00", -28800},     {"2024-02-29 12:34:56", 1709181296},
      {"2000-02-29 00:00:00", 951753600},  {"2023-12-31 23:59:59", 1704038399},
      {"2038-01-19 11:14:08", 2147483648}, {"9999-12-31 23:59:59", 253402271999},
  };
  for (const Case& c : kCases) {
    auto t = ParseShanghaiTime(c.text);
    ASSERT_TRUE(t.ok()) << c.text << ": " << t.status().ToString();
    EXPECT_EQ(*t, c.want) << c.text;
  }
}

TEST(TimeTest, ParseIgnoresTheMachineTimeZone) {
  for (const char* tz : {"America/New_York", "UTC", "Asia/Kolkata", "Pacific/Chatham"}) {
    ScopedTimeZone zone(tz);
    auto t = ParseShanghaiTime("2023-06-12 10:00:00");
    ASSERT_TRUE(t.ok()) << tz;
    EXPECT_EQ(*t, 1686535200) << tz;
    EXPECT_EQ(FormatShanghaiTime(1686535200), "2023-06-12 10:00:00") << tz;
    // A date on which New York changes its clocks.
    auto dst = ParseShanghaiTime("2023-03-12 15:30:00");
    ASSERT_TRUE(dst.ok()) << tz;
    EXPECT_EQ(*dst, 1678606200) << tz;
  }
}

TEST(TimeTest, AcceptsLeapDaysOnlyInLeapYears) {
  EXPECT_TRUE(ParseShanghaiTime("2024-02-29 00:00:00").ok());
  EXPECT_TRUE(ParseShanghaiTime("2000-02-29 00:00:00").ok());
  for (const char* text : {"2023-02-29 00:00:00", "2100-02-29 00:00:00", "2023-02-30 10:00:00",
                           "2024-02-30 10:00:00", "2023-04-31 10:00:00"}) {
    auto t = ParseShanghaiTime(text);
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(t.status().message().find("does not exist"), std::string::npos) << text;
  }
}

TEST(TimeTest, RefusesFieldsOutOfRange) {
  for (const char* text : {"2023-13-01 10:00:00", "2023-00-10 10:00:00", "2023-06-00 10:00:00",
                           "2023-06-32 10:00:00", "2023-06-12 24:00:00", "2023-06-12 10:60:00",
                           "2023-06-12 10:00:60", "1969-12-31 23:59:59", "0000-01-01 00:00:00"}) {
    auto t = ParseShanghaiTime(text);
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(t.status().message().find("does not exist"), std::string::npos) << text;
  }
}

TEST(TimeTest, RefusesOtherShapes) {
  const char* kCases[] = {
      "",
      "2023/06/12 10:00:00",
      "2023-06-12T10:00:00",
      "2023-06-12T10:00:00Z",
      "2023-06-12 10.00.00",
      "2023-6-12 10:00:00",
      "2023-06-12 1:00:00",
      "2023-06-12 10:00",
      "2023-06-12",
      "2023-06-12 10:00:00 ",
      " 2023-06-12 10:00:00",
      "2023-06-12  10:00:00",
      "2023-06-12 10:00:00.000",
      "2023-06-12 10:00:00+08:00",
      "+023-06-12 10:00:00",
      "-023-06-12 10:00:00",
      "2023-06-12 10:00:0x",
      "２０２３-06-12 10:00:00",
      "2023-06-12 １０:00:00",
      "2023－06－12 10:00:00",
      "1686535200",
  };
  for (const char* text : kCases) {
    auto t = ParseShanghaiTime(text);
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(t.status().message().find("yyyy-MM-dd HH:mm:ss"), std::string::npos) << text;
  }
}

TEST(TimeTest, ParseMessagesDoNotRepeatTheInput) {
  auto t = ParseShanghaiTime("13812345678");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message().find("13812345678"), std::string::npos);
}

TEST(TimeTest, FormatsKnownValues) {
  EXPECT_EQ(FormatShanghaiTime(1686535200), "2023-06-12 10:00:00");
  EXPECT_EQ(FormatShanghaiTime(0), "1970-01-01 08:00:00");
  EXPECT_EQ(FormatShanghaiTime(-28800), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatShanghaiTime(-28801), "1969-12-31 23:59:59");
  EXPECT_EQ(FormatShanghaiTime(1709181296), "2024-02-29 12:34:56");
  EXPECT_EQ(FormatShanghaiTime(1704038399), "2023-12-31 23:59:59");
  EXPECT_EQ(FormatShanghaiTime(1704038400), "2024-01-01 00:00:00");
}

TEST(TimeTest, FormatAndParseRoundTrip) {
  ScopedTimeZone zone("America/New_York");
  // Every 7919 s (a prime, so every second of the day is hit in turn) over ten years, plus the
  // neighbourhood of each Beijing midnight in that span.
  const int64_t kStart = 1577836800 - 28800;  // 2020-01-01 00:00:00 Beijing.
  const int64_t kEnd = kStart + 10LL * 366 * 86400;
  int checked = 0;
  for (int64_t t = kStart; t < kEnd; t += 7919) {
    auto back = ParseShanghaiTime(FormatShanghaiTime(t));
    ASSERT_TRUE(back.ok()) << t << " " << FormatShanghaiTime(t);
    ASSERT_EQ(*back, t) << FormatShanghaiTime(t);
    ++checked;
  }
  for (int64_t midnight = kStart; midnight < kEnd; midnight += 86400) {
    for (int64_t t : {midnight - 1, midnight, midnight + 1}) {
      auto back = ParseShanghaiTime(FormatShanghaiTime(t));
      ASSERT_TRUE(back.ok()) << t;
      ASSERT_EQ(*back, t);
      ++checked;
    }
    ASSERT_EQ(FormatShanghaiTime(midnight).substr(11), "00:00:00");
  }
  EXPECT_GT(checked, 40'000);
}

TEST(TimeTest, ParsesDurations) {
  struct Case {
    const char* text;
    int64_t want;
  };
  const Case kCases[] = {
      {"500ms", 500},
      {"0ms", 0},
      {"5s", 5000},
      {"0s", 0},
      {"10m", 600'000},
      {"2h", 7'200'000},
      {"1d", 86'400'000},
      {"90s", 90'000},
      {"007s", 7000},
      {"1000000000ms", 1'000'000'000},
      {"1000000000d", 86'400'000'000'000'000},
  };
  for (const Case& c : kCases) {
    auto ms = ParseDurationMillis(c.text);
    ASSERT_TRUE(ms.ok()) << c.text << ": " << ms.status().ToString();
    EXPECT_EQ(*ms, c.want) << c.text;
  }
}

TEST(TimeTest, RefusesBadDurations) {
  for (const char* text :
       {"", "s", "ms", "5", "5 s", " 5s", "5s ", "-5s", "+5s", "1.5s", "5sec", "5S", "5M", "5us",
        "5w", "1h30m", "５s", "1000000001s", "99999999999999999999999s"}) {
    auto ms = ParseDurationMillis(text);
    EXPECT_EQ(ms.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_FALSE(ms.status().message().empty()) << text;
  }
  EXPECT_NE(ParseDurationMillis("5x").status().message().find("ms, s, m, h or d"),
            std::string::npos);
  EXPECT_NE(ParseDurationMillis("1000000001s").status().message().find("too large"),
            std::string::npos);
}

TEST(TimeTest, FormatsDurationsForPeople) {
  EXPECT_EQ(FormatDurationMillis(0), "0ms");
  EXPECT_EQ(FormatDurationMillis(350), "350ms");
  EXPECT_EQ(FormatDurationMillis(999), "999ms");
  EXPECT_EQ(FormatDurationMillis(1000), "1.0s");
  EXPECT_EQ(FormatDurationMillis(1200), "1.2s");
  EXPECT_EQ(FormatDurationMillis(59'000), "59.0s");
  EXPECT_EQ(FormatDurationMillis(60'000), "1m00s");
  EXPECT_EQ(FormatDurationMillis(185'000), "3m05s");
  EXPECT_EQ(FormatDurationMillis(3'600'000), "1h00m");
  EXPECT_EQ(FormatDurationMillis(7'800'000), "2h10m");
  EXPECT_EQ(FormatDurationMillis(86'400'000), "1d00h");
  EXPECT_EQ(FormatDurationMillis(2 * 86'400'000LL + 3 * 3'600'000LL), "2d03h");
  EXPECT_EQ(FormatDurationMillis(-1500), "-1.5s");
}

}  // namespace
}  // namespace hs

namespace hs {
namespace {

TEST(ShanghaiMonthTest, MonthsFollowBeijingTime) {
  auto june = ParseShanghaiMonth("2023-06");
  ASSERT_TRUE(june.ok());
  EXPECT_EQ(june->month, 202306);
  EXPECT_EQ(june->begin, *ParseShanghaiTime("2023-06-01 00:00:00"));
  EXPECT_EQ(june->end, *ParseShanghaiTime("2023-07-01 00:00:00"));
  EXPECT_EQ(ShanghaiMonth(june->begin), 202306);
  EXPECT_EQ(ShanghaiMonth(june->begin - 1), 202305);  // 2023-05-31 23:59:59 Beijing, 15:59 UTC.
  EXPECT_EQ(ShanghaiMonth(june->end - 1), 202306);
  auto december = ParseShanghaiMonth("2023-12");
  ASSERT_TRUE(december.ok());
  EXPECT_EQ(december->end, *ParseShanghaiTime("2024-01-01 00:00:00"));
  for (const char* bad : {"2023-13", "2023-00", "2023-6", "23-06", "2023/06", "2023-0a", ""}) {
    EXPECT_FALSE(ParseShanghaiMonth(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace hs
