#include "daemon/match/normalize.h"

#include <gtest/gtest.h>

namespace hs::match {
namespace {

TEST(NormalizeTextTest, FullWidthPunctuationSpacesAndCaseGo) {
  EXPECT_EQ(NormalizeText("【噪音扰民】 ＡＢＣ１２３！"), "噪音扰民abc123");
  EXPECT_EQ(NormalizeText("金鹗山庄  电梯，频繁故障。。。"), "金鹗山庄电梯频繁故障");
  EXPECT_EQ(NormalizeText("Ｗｉ－Ｆｉ\t信号\n差～"), "wifi信号差");
  EXPECT_EQ(NormalizeText("“巴陵中路”红绿灯故障（已三天）"), "巴陵中路红绿灯故障已三天");
  EXPECT_EQ(NormalizeText(""), "");
  EXPECT_EQ(NormalizeText("！？。、"), "");
}

TEST(NormalizeTextTest, CompatibilityFormsFoldAndInvalidBytesAreDropped) {
  EXPECT_EQ(NormalizeText("①号楼"), "1号楼");  // Circled digit.
  EXPECT_EQ(NormalizeText("㎡"), "m2");
  EXPECT_EQ(NormalizeText("ｶﾀｶﾅ"), "カタカナ");  // Half-width katakana to full width.
  EXPECT_EQ(NormalizeText(std::string("噪音\xff\xfe扰民")), "噪音扰民");
  EXPECT_EQ(NormalizeText(std::string("a\0b", 3)), "ab");
  // The same text in two forms normalises to one.
  EXPECT_EQ(NormalizeText("岳阳楼区１２号"), NormalizeText("岳阳楼区 12 号"));
}

TEST(CanonicalPhoneTest, MobilesInEveryFormCitizensType) {
  const std::string want = "+8613812345678";
  for (const char* typed :
       {"13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+86-13812345678",
        "+8613812345678", "8613812345678", "１３８１２３４５６７８", "(+86) 138.1234.5678"}) {
    EXPECT_EQ(CanonicalPhone(typed).value_or("none"), want) << typed;
  }
}

TEST(CanonicalPhoneTest, LandlinesWithOrWithoutTheAreaCode) {
  EXPECT_EQ(CanonicalPhone("0730-8231234").value_or("none"), "+867308231234");
  EXPECT_EQ(CanonicalPhone("(0730)8231234").value_or("none"), "+867308231234");
  EXPECT_EQ(CanonicalPhone("8231234").value_or("none"), "+867308231234");
  EXPECT_EQ(CanonicalPhone("８２３１２３４").value_or("none"), "+867308231234");
  EXPECT_EQ(CanonicalPhone("+86 730 8231234").value_or("none"), "+867308231234");
  // Another city's area code is kept; the default applies only when there is none.
  EXPECT_EQ(CanonicalPhone("0731-84561234").value_or("none"),
            "+867318456123"
            "4");
  EXPECT_EQ(CanonicalPhone("84561234", "0731").value_or("none"),
            "+867318456123"
            "4");
}

TEST(CanonicalPhoneTest, WhatIsNotAPhoneNumberIsRefused) {
  for (const char* typed : {"", "无", "匿名", "123", "138123456789012345", "1381234567a",
                            "+1 415 555 0100", "12345678901", "00000000000"}) {
    EXPECT_FALSE(CanonicalPhone(typed).has_value()) << typed;
  }
}

TEST(IdNumberTest, CheckDigitFollowsGb11643) {
  EXPECT_TRUE(IdCheckDigitValid("11010519491231002X"));  // The standard's own example.
  EXPECT_TRUE(IdCheckDigitValid("11010519491231002x"));
  EXPECT_FALSE(IdCheckDigitValid("110105194912310021"));  // Wrong check digit.
  EXPECT_FALSE(IdCheckDigitValid("11010519491231002"));   // Too short.
  EXPECT_FALSE(IdCheckDigitValid("1101051949123100AX"));
  EXPECT_TRUE(IdCheckDigitValid("440524188001010014"));
}

TEST(IdNumberTest, CanonicalFormFromMessyInput) {
  EXPECT_EQ(CanonicalIdNumber("11010519491231002x").value_or("none"), "11010519491231002X");
  EXPECT_EQ(CanonicalIdNumber("110105 19491231 002X").value_or("none"), "11010519491231002X");
  EXPECT_EQ(CanonicalIdNumber("１１０１０５１９４９１２３１００２Ｘ").value_or("none"),
            "11010519491231002X");
  // A first-generation 15-digit number becomes its 18-digit form.
  EXPECT_EQ(CanonicalIdNumber("110105491231002").value_or("none"), "11010519491231002X");
}

TEST(IdNumberTest, WrongCheckDigitsShapesAndDatesAreRefused) {
  for (const char* typed : {"110105194912310021", "11010519491231002", "1101051949123100200",
                            "abcdefghijklmnopqr", "", "11010519491331002X" /* month 13 */}) {
    EXPECT_FALSE(CanonicalIdNumber(typed).has_value()) << typed;
  }
  // February 30 with a check digit that matches its other digits.
  std::string feb30 = "11010519490230002";
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (feb30[i] - '0') * kWeights[i];
  feb30 += "10X98765432"[sum % 11];
  ASSERT_TRUE(IdCheckDigitValid(feb30));
  EXPECT_FALSE(CanonicalIdNumber(feb30).has_value());
}

TEST(ComplainantKeyTest, KeyedHashesDependOnTheKeyAndKind) {
  const std::string a = ComplainantKey("k1", "phone", "+8613812345678");
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a, ComplainantKey("k1", "phone", "+8613812345678"));
  EXPECT_NE(a, ComplainantKey("k2", "phone", "+8613812345678"));
  EXPECT_NE(a, ComplainantKey("k1", "id", "+8613812345678"));
  EXPECT_EQ(a.find("13812345678"), std::string::npos);
}

}  // namespace
}  // namespace hs::match
