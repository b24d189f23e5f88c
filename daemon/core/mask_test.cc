// Tests of personal-data masking (RELIABILITY.md, "Personal data").

#include "daemon/core/mask.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace hs {
namespace {

constexpr std::string_view kMobileDigits = "13812345678";
constexpr std::string_view kIdDigits = "430602199001011234";
constexpr std::string_view kIdX = "43060219900101123X";
constexpr std::string_view kId15 = "430602900101123";
constexpr std::string_view kLandlineDigits = "07308888888";

// The ASCII digits of `s`, full-width digits (U+FF10..U+FF19) included.
std::string DigitsOf(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= '0' && c <= '9') {
      out.push_back(static_cast<char>(c));
    } else if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC &&
               static_cast<unsigned char>(s[i + 2]) >= 0x90 &&
               static_cast<unsigned char>(s[i + 2]) <= 0x99) {
      out.push_back(static_cast<char>('0' + static_cast<unsigned char>(s[i + 2]) - 0x90));
      i += 2;
    }
  }
  return out;
}

// Succeeds when neither `masked` nor its digits (separators and full-width folded away) hold the
// secret digits `raw` or its middle part.
::testing::AssertionResult NoRawDigits(std::string_view masked, std::string_view raw) {
  std::string digits = DigitsOf(masked);
  std::string_view middle = raw.substr(3, raw.size() - 7);
  if (masked.find(raw) != std::string_view::npos || digits.find(raw) != std::string::npos ||
      digits.find(middle) != std::string::npos) {
    return ::testing::AssertionFailure() << "\"" << masked << "\" reveals " << raw;
  }
  return ::testing::AssertionSuccess();
}

TEST(MaskTest, MasksMobilesInEveryForm) {
  struct Case {
    const char* in;
    const char* want;
  };
  const Case kCases[] = {
      {"13812345678", "138****5678"},
      {"138 1234 5678", "138****5678"},
      {"138-1234-5678", "138****5678"},
      {"+86-138-1234-5678", "138****5678"},
      {"+86 138 1234 5678", "138****5678"},
      {"+8613812345678", "138****5678"},
      {"8613812345678", "138****5678"},
      {"0086-138-1234-5678", "138****5678"},
      {"１３８１２３４５６７８", "138****5678"},
  };
  for (const Case& c : kCases) {
    std::string got = MaskText(c.in);
    EXPECT_EQ(got, c.want) << c.in;
    EXPECT_TRUE(NoRawDigits(got, kMobileDigits)) << c.in;
  }
}

TEST(MaskTest, MasksAMobileInsideChineseText) {
  EXPECT_EQ(MaskText("电话13812345678请回电"), "电话138****5678请回电");
  EXPECT_EQ(MaskText("联系方式：138 1234 5678。"), "联系方式：138****5678。");
  EXPECT_EQ(MaskText("请拨打１３８１２３４５６７８联系"), "请拨打138****5678联系");
  EXPECT_EQ(MaskText("tel:13812345678, thanks"), "tel:138****5678, thanks");
}

TEST(MaskTest, MasksLandlines) {
  for (const char* in : {"0730-8888888", "07308888888", "座机0730-8888888转", "0730 8888888"}) {
    std::string got = MaskText(in);
    EXPECT_NE(got.find("073****8888"), std::string::npos) << in << " -> " << got;
    EXPECT_TRUE(NoRawDigits(got, kLandlineDigits)) << in;
  }
  EXPECT_EQ(MaskText("010-12345678"), "010****5678");
}

TEST(MaskTest, MasksIdNumbers) {
  EXPECT_EQ(MaskText("430602199001011234"), "4306**********1234");
  EXPECT_EQ(MaskText("43060219900101123X"), "4306**********123X");
  EXPECT_EQ(MaskText("43060219900101123x"), "4306**********123X");
  EXPECT_EQ(MaskText("430602900101123"), "4306*******1123");
  EXPECT_EQ(MaskText("身份证号430602199001011234。"), "身份证号4306**********1234。");
  EXPECT_EQ(MaskText("证件43060219900101123X，谢谢"), "证件4306**********123X，谢谢");
  for (std::string_view id : {kIdDigits, kIdX, kId15}) {
    EXPECT_TRUE(NoRawDigits(MaskText(id), id.substr(0, 14))) << id;
  }
}

TEST(MaskTest, MasksSeveralNumbersInOneText) {
  std::string got = MaskText("张先生13812345678，身份证430602199001011234，座机0730-8888888。");
  EXPECT_EQ(got, "张先生138****5678，身份证4306**********1234，座机073****8888。");
}

// Two numbers typed into one field or one sentence, separated by a single space, are still two
// phone numbers.
TEST(MaskTest, MasksTwoMobilesSeparatedByASpace) {
  std::string got = MaskText("13812345678 13987654321");
  EXPECT_TRUE(NoRawDigits(got, "13812345678")) << got;
  EXPECT_TRUE(NoRawDigits(got, "13987654321")) << got;
}

// A phone number followed by a space and a short number (a building, a floor) is still masked.
TEST(MaskTest, MasksAMobileFollowedByANumber) {
  std::string got = MaskText("电话13812345678 2号楼");
  EXPECT_TRUE(NoRawDigits(got, kMobileDigits)) << got;
  EXPECT_NE(got.find("2号楼"), std::string::npos) << got;
}

// An ID number typed in groups is still an ID number.
TEST(MaskTest, MasksAnIdNumberTypedInGroups) {
  std::string got = MaskText("身份证 430602 19900101 1234");
  EXPECT_TRUE(NoRawDigits(got, kIdDigits)) << got;
  EXPECT_EQ(got.find("19900101"), std::string::npos) << got;
}

TEST(MaskTest, LeavesNonPersonalNumbersAlone) {
  const char* kKept[] = {
      "YY2306120001",
      "工单YY2306120001已办结",
      "2023-06-12 10:00:00",
      "slsj=2023-06-12 10:00:00, gxsj=2023-06-21 09:20:00",
      "1686585600",
      "at 1686585600 s",
      "500",
      "limit=500 pages=3",
      "127.0.0.1:8080",
      "http://127.0.0.1:8080/api/v2/gongdan?limit=100",
      "took 350ms",
      "retry in 1.2s, 3m05s, 2h10m",
      "20230612",
      "2023年06月12日",
      "40103 bad signature",
      "v1.2.3",
  };
  for (const char* in : kKept) EXPECT_EQ(MaskText(in), in);
}

// Digits glued to a Latin letter belong to an identifier; no part of it is masked.
TEST(MaskTest, LeavesIdentifiersWithLongDigitRunsAlone) {
  for (const char* in : {"YY113812345678", "XF007308888888", "dispatchId=D113812345678"}) {
    EXPECT_EQ(MaskText(in), in);
  }
}

TEST(MaskTest, HandlesEdgeInputs) {
  EXPECT_EQ(MaskText(""), "");
  EXPECT_EQ(MaskText("+"), "+");
  EXPECT_EQ(MaskText("-"), "-");
  EXPECT_EQ(MaskText("+86"), "+86");
  EXPECT_EQ(MaskText("无电话"), "无电话");
  // A truncated UTF-8 sequence at the end does not read past the text.
  EXPECT_EQ(MaskText("13812345678\xE4"), "138****5678\xE4");
  EXPECT_EQ(MaskText("\xEF\xBC"), "\xEF\xBC");
}

TEST(MaskTest, MaskPhoneKeepsFirstThreeAndLastFourOfLongNumbers) {
  struct Case {
    const char* in;
    const char* want;
  };
  const Case kCases[] = {
      {"13812345678", "138****5678"},     {"138 1234 5678", "138 **** 5678"},
      {"138-1234-5678", "138-****-5678"}, {"+86-138-1234-5678", "+86-1**-****-5678"},
      {"8613812345678", "861******5678"}, {"１３８１２３４５６７８", "138****5678"},
      {"0730-8888888", "073*-***8888"},   {"07308888888", "073****8888"},
  };
  for (const Case& c : kCases) {
    std::string got = MaskPhone(c.in);
    EXPECT_EQ(got, c.want) << c.in;
  }
  EXPECT_TRUE(NoRawDigits(MaskPhone("+86-138-1234-5678"), kMobileDigits));
  EXPECT_TRUE(NoRawDigits(MaskPhone("１３８１２３４５６７８"), kMobileDigits));
  EXPECT_TRUE(NoRawDigits(MaskPhone("0730-8888888"), kLandlineDigits));
}

TEST(MaskTest, MaskPhoneKeepsOnlyTheLastTwoOfShortNumbers) {
  EXPECT_EQ(MaskPhone("8888888"), "*****88");
  EXPECT_EQ(MaskPhone("８８８８８８８"), "*****88");
  EXPECT_EQ(MaskPhone("888-8888"), "***-**88");
  EXPECT_EQ(MaskPhone("12345"), "***45");
  EXPECT_EQ(MaskPhone("1234567890"), "********90");
  EXPECT_EQ(MaskPhone(""), "");
  EXPECT_EQ(MaskPhone("无"), "无");
}

TEST(MaskTest, MaskIdNumberKeepsFirstAndLastFour) {
  EXPECT_EQ(MaskIdNumber(kIdDigits), "4306**********1234");
  EXPECT_EQ(MaskIdNumber(kIdX), "4306**********123X");
  EXPECT_EQ(MaskIdNumber(kId15), "4306*******1123");
  EXPECT_EQ(MaskIdNumber("12345678"), "********");
  EXPECT_EQ(MaskIdNumber("1234"), "****");
  EXPECT_EQ(MaskIdNumber(""), "");
  for (std::string_view id : {kIdDigits, kIdX, kId15}) {
    std::string got = MaskIdNumber(id);
    EXPECT_EQ(got.size(), id.size());
    EXPECT_EQ(got.find(id.substr(4, id.size() - 8)), std::string::npos) << got;
  }
}

TEST(MaskTest, MaskNameKeepsTheFirstCharacter) {
  EXPECT_EQ(MaskName("张三"), "张*");
  EXPECT_EQ(MaskName("张"), "张*");
  EXPECT_EQ(MaskName("欧阳娜娜"), "欧***");
  EXPECT_EQ(MaskName("John"), "J***");
  EXPECT_EQ(MaskName("匿名"), "匿名");
  EXPECT_EQ(MaskName(""), "");
  EXPECT_EQ(MaskName("张三").find("三"), std::string::npos);
}

}  // namespace
}  // namespace hs

namespace hs {
namespace {

TEST(MaskTextTest, PlatformNumbersWithALetterPrefixStayReadable) {
  EXPECT_EQ(MaskText("dispatch HN-2023-0612-000381 accepted"),
            "dispatch HN-2023-0612-000381 accepted");
  EXPECT_EQ(MaskText("信访件XF-430600-2023-004211状态：受理"),
            "信访件XF-430600-2023-004211状态：受理");
  // A phone number after a dash that follows a letter is still masked when it is one on its own.
  EXPECT_EQ(MaskText("tel 13812345678"), "tel 138****5678");
}

}  // namespace
}  // namespace hs
