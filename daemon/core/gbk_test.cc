// Tests of the GBK codec of provincial bodies (platforms/provincial.md). Expected GBK bytes were
// computed independently with `printf '…' | iconv -f UTF-8 -t GBK | xxd -p`.

#include "daemon/core/gbk.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "daemon/core/json.h"
#include "tests/fakes/test_util.h"

namespace hs::gbk {
namespace {

using hs::testing::Has;
using hs::testing::Lacks;

// Encodes a JSON text, decodes the GBK back and returns the string member "s" of the parsed
// document, which must equal what went in.
std::string ThroughTheWire(const std::string& json) {
  Result<std::string> gbk = Utf8ToGbkJson(json);
  EXPECT_TRUE(gbk.ok()) << gbk.status().ToString();
  if (!gbk.ok()) return "";
  Result<std::string> utf8 = GbkToUtf8(*gbk);
  EXPECT_TRUE(utf8.ok()) << utf8.status().ToString();
  if (!utf8.ok()) return "";
  rapidjson::Document doc;
  Status st = json::Parse(*utf8, doc);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok() || !doc.IsObject() || !doc.HasMember("s") || !doc["s"].IsString()) return "";
  return std::string(doc["s"].GetString(), doc["s"].GetStringLength());
}

// A JSON object {"s": <s>} as a JSON writer would produce it.
std::string Doc(std::string_view s) {
  std::string out = "{\"s\":";
  json::AppendQuoted(out, s);
  out += "}";
  return out;
}

TEST(GbkTest, EmptyInputGivesEmptyOutput) {
  Result<std::string> enc = Utf8ToGbkJson("");
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(*enc, "");
  Result<std::string> dec = GbkToUtf8("");
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(*dec, "");
}

TEST(GbkTest, AsciiIsUntouchedBothWays) {
  std::string ascii;
  for (int c = 0; c < 0x80; ++c) ascii.push_back(static_cast<char>(c));
  Result<std::string> enc = Utf8ToGbkJson(ascii);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(*enc, ascii);
  Result<std::string> dec = GbkToUtf8(ascii);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_EQ(*dec, ascii);
}

TEST(GbkTest, EncodesKnownCharactersAsGbkBytes) {
  EXPECT_EQ(*Utf8ToGbkJson("中"), "\xD6\xD0");
  EXPECT_EQ(*Utf8ToGbkJson("文"), "\xCE\xC4");
  EXPECT_EQ(*Utf8ToGbkJson("“中”—·"), "\xA1\xB0\xD6\xD0\xA1\xB1\xA1\xAA\xA1\xA4");
  // GBK beyond GB2312: é and 〇 are inside GBK, so they are not escaped.
  EXPECT_EQ(*Utf8ToGbkJson("é〇"), "\xA8\xA6\xA9\x96");
  EXPECT_EQ(*Utf8ToGbkJson("岳阳市平江县 市民来电反映"),
            "\xD4\xC0\xD1\xF4\xCA\xD0\xC6\xBD\xBD\xAD\xCF\xD8\x20\xCA\xD0\xC3\xF1\xC0\xB4\xB5\xE7"
            "\xB7\xB4\xD3\xB3");
}

TEST(GbkTest, DecodesKnownGbkBytes) {
  EXPECT_EQ(*GbkToUtf8("\xD6\xD0\xCE\xC4"), "中文");
  EXPECT_EQ(*GbkToUtf8("{\"area\":\"\xD4\xC0\xD1\xF4\xCA\xD0\xC6\xBD\xBD\xAD\xCF\xD8\"}"),
            "{\"area\":\"岳阳市平江县\"}");
  // A GBK-only trail byte of 0x80 is part of a character, not the CP936 euro byte.
  EXPECT_EQ(*GbkToUtf8("\x81\x80"), "亐");
}

TEST(GbkTest, RoundTripsChineseText) {
  const std::string text = "岳阳市平江县 市民来电反映：小区噪音扰民，“夜间施工”至23:00。";
  Result<std::string> gbk = Utf8ToGbkJson(Doc(text));
  ASSERT_TRUE(gbk.ok()) << gbk.status().ToString();
  EXPECT_TRUE(Lacks(*gbk, "\\u"));
  EXPECT_EQ(ThroughTheWire(Doc(text)), text);
}

TEST(GbkTest, EscapesEuroAlthoughGlibcMapsItTo0x80) {
  Result<std::string> gbk = Utf8ToGbkJson(Doc("罚款5€"));
  ASSERT_TRUE(gbk.ok()) << gbk.status().ToString();
  EXPECT_EQ(*gbk,
            "{\"s\":\"\xB7\xA3\xBF\xEE"
            "5\\u20AC\"}");
  EXPECT_EQ(ThroughTheWire(Doc("罚款5€")), "罚款5€");
}

TEST(GbkTest, EscapesEmojiAsASurrogatePair) {
  EXPECT_EQ(*Utf8ToGbkJson(Doc("好😀")), "{\"s\":\"\xBA\xC3\\uD83D\\uDE00\"}");
  EXPECT_EQ(ThroughTheWire(Doc("好😀")), "好😀");
}

TEST(GbkTest, EscapesRareExtensionBCharacters) {
  EXPECT_EQ(*Utf8ToGbkJson(Doc("𠮷野家")), "{\"s\":\"\\uD842\\uDFB7\xD2\xB0\xBC\xD2\"}");
  EXPECT_EQ(ThroughTheWire(Doc("𠮷野家")), "𠮷野家");
}

TEST(GbkTest, EscapesBmpCharactersOutsideGbk) {
  // Hangul, ¥ (GBK has only the full-width ￥) and ǹ (CP936 A8BF, absent from glibc's GBK).
  EXPECT_EQ(*Utf8ToGbkJson(Doc("한¥ǹ￥")), "{\"s\":\"\\uD55C\\u00A5\\u01F9\xA3\xA4\"}");
  EXPECT_EQ(ThroughTheWire(Doc("한¥ǹ￥")), "한¥ǹ￥");
}

TEST(GbkTest, EscapesTagCharactersThatGlibcWouldDropSilently) {
  // U+E0041 TAG LATIN CAPITAL LETTER A: glibc's GBK converter outputs nothing for it.
  EXPECT_EQ(*Utf8ToGbkJson(Doc("a\U000E0041b")), "{\"s\":\"a\\uDB40\\uDC41b\"}");
  EXPECT_EQ(ThroughTheWire(Doc("a\U000E0041b")), "a\U000E0041b");
}

TEST(GbkTest, MixedTextRoundTripsThroughJsonParse) {
  const std::string text = "€中😀文𠮷\n한€€ abc 😀😀 市民\U0010FFFF末";
  EXPECT_EQ(ThroughTheWire(Doc(text)), text);
  EXPECT_EQ(ThroughTheWire(Doc("€")), "€");
  EXPECT_EQ(ThroughTheWire(Doc("😀")), "😀");
}

TEST(GbkTest, RefusesInvalidUtf8WithItsOffset) {
  struct Case {
    std::string input;
    size_t offset;
  };
  const Case cases[] = {
      {"ab\x80", 2},             // A lone continuation byte.
      {"\"\xC0\xAF\"", 1},       // Overlong '/'.
      {"中\xE0\x80\xAF", 3},     // Overlong three-byte form.
      {"中文\xED\xA0\x80", 6},   // An encoded surrogate.
      {"x\xF4\x90\x80\x80", 1},  // Above U+10FFFF.
      {"x\xFF", 1},              // Never valid in UTF-8.
      {"中文\xE4\xB8", 6},       // Truncated at the end.
      {"\xE4\xB8"
       "a中",
       0},  // Truncated before ASCII.
  };
  for (const Case& c : cases) {
    Result<std::string> r = Utf8ToGbkJson(c.input);
    ASSERT_FALSE(r.ok()) << "offset " << c.offset;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(Has(r.status().message(), "not valid UTF-8"));
    EXPECT_TRUE(Has(r.status().message(), "byte offset " + std::to_string(c.offset)));
  }
}

TEST(GbkTest, RefusesInvalidGbkWithItsOffsetAndWithoutTheBytes) {
  // "张三" in GBK, then a byte that starts no GBK character.
  const std::string name = "\xD5\xC5\xC8\xFD";
  Result<std::string> r = GbkToUtf8("{\"n\":\"" + name + "\xFF\"}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(r.status().message(), "not valid GBK"));
  EXPECT_TRUE(Has(r.status().message(), "byte offset 10"));
  EXPECT_TRUE(Lacks(r.status().message(), name));
  EXPECT_TRUE(Lacks(r.status().message(), "张三"));

  // A lead byte followed by an invalid trail byte.
  r = GbkToUtf8("ab\xD6\x30");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Has(r.status().message(), "byte offset 2"));

  // A2E3 is € in GB18030, unassigned in GBK.
  r = GbkToUtf8("\xD6\xD0\xA2\xE3");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Has(r.status().message(), "byte offset 2"));

  // UTF-8 is not GBK: E4 B8 AD is read as the pair E4B8 then a lone lead byte AD at the end.
  r = GbkToUtf8("中");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(GbkTest, RefusesTruncatedGbkWithItsOffset) {
  Result<std::string> r = GbkToUtf8("ab\xD6\xD0\xCE");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(r.status().message(), "not valid GBK"));
  EXPECT_TRUE(Has(r.status().message(), "byte offset 4"));
  EXPECT_TRUE(Has(r.status().message(), "truncated"));
}

TEST(GbkTest, RefusesTheCp936EuroByte) {
  // glibc's GBK decodes 0x80 as €; the contract says € is outside GBK.
  Result<std::string> r = GbkToUtf8("5\x80");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(r.status().message(), "not valid GBK"));
  EXPECT_TRUE(Has(r.status().message(), "byte offset 1"));

  // The offset is of the lead byte, after a character whose trail byte is 0x80 (亐 = 81 80).
  r = GbkToUtf8("\x81\x80\x80");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Has(r.status().message(), "byte offset 2"));
}

// A JSON body of about 1 MiB: Chinese, ASCII and some characters to escape.
std::string LargeText() {
  std::string text;
  while (text.size() < (1u << 20) - 64) {
    text += "岳阳市平江县 市民来电反映：ABC-123, 夜间施工扰民。";
    if (text.size() % 7 == 0) text += "😀€";
  }
  return text;
}

TEST(GbkTest, ConvertsAOneMebibyteBodyQuickly) {
  const std::string text = LargeText();
  const std::string json = Doc(text);
  ASSERT_GE(json.size(), (1u << 20) - 64);
  auto start = std::chrono::steady_clock::now();
  Result<std::string> gbk = Utf8ToGbkJson(json);
  ASSERT_TRUE(gbk.ok()) << gbk.status().ToString();
  Result<std::string> utf8 = GbkToUtf8(*gbk);
  ASSERT_TRUE(utf8.ok()) << utf8.status().ToString();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(1));

  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(*utf8, doc).ok());
  EXPECT_EQ(std::string_view(doc["s"].GetString(), doc["s"].GetStringLength()), text);
}

TEST(GbkTest, EscapesAOneMebibyteBodyOfNonGbkCharactersQuickly) {
  // Every character falls back to per-character handling.
  std::string text;
  while (text.size() < (1u << 20)) text += "한";
  auto start = std::chrono::steady_clock::now();
  Result<std::string> gbk = Utf8ToGbkJson(Doc(text));
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(gbk.ok()) << gbk.status().ToString();
  EXPECT_EQ(gbk->size(), text.size() / 3 * 6 + 8);
  EXPECT_LT(elapsed, std::chrono::seconds(1));
}

TEST(GbkTest, ConvertsOnSeveralThreadsAtOnce) {
  const std::string text = "岳阳市€平江县😀市民한来电";
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&text, &failures, t] {
      for (int i = 0; i < 200; ++i) {
        Result<std::string> gbk = Utf8ToGbkJson(Doc(text));
        Result<std::string> utf8 = gbk.ok() ? GbkToUtf8(*gbk) : gbk;
        if (!utf8.ok() || Lacks(*utf8, "\\u20AC")) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace hs::gbk
