// Tests of the strict JSON reader against the hostile inputs of RELIABILITY.md, fault suite item 9.

#include "daemon/core/json.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/fakes/test_util.h"

namespace hs::json {
namespace {

using hs::testing::Has;
using hs::testing::Lacks;

// Parses `text` and returns the status; `doc` receives the value.
Status ParseInto(std::string_view text, rapidjson::Document& doc) { return Parse(text, doc); }

Status ParseOnly(std::string_view text) {
  rapidjson::Document doc;
  return Parse(text, doc);
}

std::string Nested(int depth, std::string_view open, std::string_view inner,
                   std::string_view close) {
  std::string s;
  s.reserve(depth * (open.size() + close.size()) + inner.size());
  for (int i = 0; i < depth; ++i) s += open;
  s += inner;
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

TEST(JsonTest, RefusesDeepNestingQuickly) {
  const std::string text(1'000'000, '[');
  auto start = std::chrono::steady_clock::now();
  Status st = ParseOnly(text);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(st.message(), "nesting"));
  EXPECT_LT(elapsed, std::chrono::seconds(1));
}

TEST(JsonTest, RefusesDeepObjectNestingQuickly) {
  std::string text;
  for (int i = 0; i < 200'000; ++i) text += "{\"a\":";
  auto start = std::chrono::steady_clock::now();
  Status st = ParseOnly(text);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(st.message(), "nesting"));
  EXPECT_LT(elapsed, std::chrono::seconds(1));
}

TEST(JsonTest, AcceptsDepth32AndRefuses33) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseInto(Nested(32, "[", "1", "]"), doc).ok());
  const rapidjson::Value* v = &doc;
  for (int i = 0; i < 32; ++i) {
    ASSERT_TRUE(v->IsArray());
    ASSERT_EQ(v->Size(), 1u);
    v = &(*v)[0];
  }
  EXPECT_EQ(v->GetInt(), 1);

  Status st = ParseOnly(Nested(33, "[", "1", "]"));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(st.message(), "nesting"));
  EXPECT_TRUE(Has(st.message(), "32"));
}

TEST(JsonTest, CountsObjectsAndArraysTogetherForDepth) {
  EXPECT_TRUE(ParseOnly(Nested(16, "{\"k\":[", "null", "]}")).ok());
  Status st = ParseOnly(Nested(16, "{\"k\":[", "{}", "]}"));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(st.message(), "nesting"));
}

TEST(JsonTest, HonoursACustomDepthLimit) {
  rapidjson::Document doc;
  EXPECT_TRUE(Parse("[[1]]", doc, 2).ok());
  EXPECT_FALSE(Parse("[[[1]]]", doc, 2).ok());
}

TEST(JsonTest, RefusesInvalidUtf8) {
  const char* kCases[] = {
      "\"\xC3\x28\"",          // Lead byte without continuation.
      "\"\xC0\xAF\"",          // Overlong '/'.
      "\"\xE4\xB8\"",          // Truncated three-byte sequence.
      "\"\xF5\x80\x80\x80\"",  // Beyond U+10FFFF.
      "\"\xFF\"",              // Never valid.
      "\"\xED\xA0\x80\"",      // A surrogate encoded directly (CESU-8).
      "{\"\xC3\x28\":1}",      // In a key.
  };
  for (const char* text : kCases) {
    Status st = ParseOnly(text);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(Has(st.message(), "UTF-8")) << text;
  }
}

TEST(JsonTest, RefusesGbkWithAMessageAboutUtf8) {
  // 中文 in GBK, in a body that declared UTF-8.
  Status st = ParseOnly("{\"sqnr\":\"\xD6\xD0\xCE\xC4\"}");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(st.message(), "UTF-8"));
  EXPECT_TRUE(Has(st.message(), "GBK"));
  EXPECT_TRUE(Has(st.message(), "byte"));
}

TEST(JsonTest, AcceptsUtf8Chinese) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseInto("{\"sqnr\":\"\xE4\xB8\xAD\xE6\x96\x87\"}", doc).ok());
  EXPECT_STREQ(doc["sqnr"].GetString(), "中文");
}

TEST(JsonTest, RefusesLoneSurrogates) {
  const char* kCases[] = {
      R"(["\uD800"])",       R"(["\uDC00"])",       R"(["a\uDFFFb"])",
      R"(["\uD800\u0041"])", R"(["\uDC00\uD800"])", R"({"\uDC00":1})",
  };
  for (const char* text : kCases) {
    Status st = ParseOnly(text);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(Has(st.message(), "surrogate")) << text;
  }
}

TEST(JsonTest, AcceptsASurrogatePair) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseInto(R"(["\uD83D\uDE00"])", doc).ok());
  EXPECT_STREQ(doc[0].GetString(), "\xF0\x9F\x98\x80");
}

TEST(JsonTest, AcceptsCharactersNextToTheSurrogateRange) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseInto(R"(["\uD7FF","\uE000","\uFFFF"])", doc).ok());
  EXPECT_STREQ(doc[0].GetString(), "\xED\x9F\xBF");
  EXPECT_STREQ(doc[1].GetString(), "\xEE\x80\x80");
  ASSERT_TRUE(ParseInto("[\"\xED\x9F\xBF\"]", doc).ok());
}

TEST(JsonTest, SkipsAByteOrderMark) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseInto("\xEF\xBB\xBF{\"code\":0}", doc).ok());
  EXPECT_EQ(doc["code"].GetInt(), 0);
  // A mark elsewhere is not whitespace.
  EXPECT_FALSE(ParseOnly("{\xEF\xBB\xBF}").ok());
  EXPECT_FALSE(ParseOnly("{}\xEF\xBB\xBF").ok());
  // Offsets count the mark.
  EXPECT_TRUE(Has(ParseOnly("\xEF\xBB\xBF[1,x]").message(), "byte 6"));
}

// Found by fuzz/petition_fuzz.cc: RapidJSON skips each byte of a byte-order mark alone, so a row
// that began with a stray 0xBB byte parsed, and its ticket kept bytes that are not UTF-8 as raw.
TEST(JsonTest, RefusesPartOfAByteOrderMark) {
  for (const char* text : {"\xBB{}", "\xBF{}", "\xEF{}", "\xEF\xBB{}", "\xEF\xBF{}", "\xBB\xBF{}",
                           "\xBB{\"petitionNo\":\"XF-1\"}"}) {
    Status st = ParseOnly(text);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(Has(st.message(), "byte 0")) << text;
  }
}

TEST(JsonTest, RefusesEmptyInput) {
  for (const char* text : {"", "\xEF\xBB\xBF", "   \n\t"}) {
    Status st = ParseOnly(text);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(Has(st.message(), "empty")) << text;
  }
}

TEST(JsonTest, RefusesTrailingBytes) {
  for (const char* text : {"{} x", "[1]]", "1 2", "{}{}", "null\x01", "{\"a\":1}garbage"}) {
    Status st = ParseOnly(text);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(Has(st.message(), "root")) << text;
  }
  EXPECT_TRUE(ParseOnly("{} \r\n\t ").ok());
}

// Found by fuzz/petition_fuzz.cc: RapidJSON takes a NUL byte for the end of the input, so
// "1e-400\0VISIT…" passed as 1e-400, and a record followed by a NUL and anything at all was
// accepted with those bytes in its raw text.
TEST(JsonTest, RefusesANulByteAnywhere) {
  const std::string kCases[] = {std::string("1e-400\0VISIT", 12),
                                std::string("{}\0", 3),
                                std::string("{\"a\":1}\0{\"b\":2}", 15),
                                std::string("\0", 1),
                                std::string("[\"a\0b\"]", 7),
                                std::string("{} \0", 4)};
  for (const std::string& text : kCases) {
    rapidjson::Document doc;
    doc.SetObject();
    Status st = ParseInto(text, doc);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(Has(st.message(), "NUL")) << text;
    EXPECT_TRUE(doc.IsNull()) << text;
  }
  EXPECT_TRUE(Has(ParseOnly(std::string("{} \0", 4)).message(), "at byte 3"));
  EXPECT_TRUE(ParseOnly(R"(["a\u0000b"])").ok());  // Escaped, it is a character like any other.
}

TEST(JsonTest, RefusesTruncatedDocuments) {
  for (const char* text : {"{", "[1,", "{\"a\":", "\"abc", "tru", "{\"a\":1,}", "[1,]"}) {
    EXPECT_EQ(ParseOnly(text).code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(JsonTest, RefusesNanAndInfinity) {
  for (const char* text : {"NaN", "[NaN]", "Infinity", "[-Infinity]", "{\"a\":Inf}", "[nan]"}) {
    Status st = ParseOnly(text);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(Has(st.message(), "Invalid value")) << text;
  }
}

TEST(JsonTest, RefusesDuplicateKeys) {
  Status st = ParseOnly(R"({"gdbh":"A","gdbh":"B"})");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(st.message(), "duplicate key"));
  EXPECT_TRUE(Has(st.message(), "gdbh"));
}

// A reason is stored and printed: the key it quotes is masked and bounded.
TEST(JsonTest, ADuplicateKeyIsQuotedMaskedAndShort) {
  Status st = ParseOnly(R"({"13812345678":1,"13812345678":2})");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Has(st.message(), "13812345678")) << st.message();
  EXPECT_TRUE(Has(st.message(), "5678")) << st.message();

  const std::string key(100'000, 'k');
  st = ParseOnly("{\"" + key + "\":1,\"" + key + "\":2}");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_LT(st.message().size(), 120u);

  std::string wide = "k";  // 91 bytes: 48 falls inside a character.
  for (int i = 0; i < 30; ++i) wide += "诉";
  st = ParseOnly("{\"" + wide + "\":1,\"" + wide + "\":2}");
  std::string kept = "k";
  for (int i = 0; i < 15; ++i) kept += "诉";
  EXPECT_TRUE(Has(st.message(), "\"" + kept + "…\"")) << st.message();
}

TEST(JsonTest, RefusesNestedDuplicateKeys) {
  const char* kCases[] = {
      R"({"data":{"list":[],"list":[]}})",
      R"({"data":{"list":[{"gdbh":"A"},{"sj":1,"dz":2,"sj":3}]}})",
      R"([[{"x":1,"y":2,"x":1}]])",
  };
  for (const char* text : kCases) {
    Status st = ParseOnly(text);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(Has(st.message(), "duplicate key")) << text;
  }
}

TEST(JsonTest, KeysThatDifferAreNotDuplicates) {
  EXPECT_TRUE(ParseOnly(R"({"a":1,"ab":2,"A":3,"b":{"a":4},"c":[{"a":5},{"a":6}]})").ok());
  // Keys differing only after an embedded NUL are different keys.
  EXPECT_TRUE(ParseOnly(R"({"a\u0000b":1,"a\u0000c":2})").ok());
  EXPECT_FALSE(ParseOnly(R"({"a\u0000b":1,"a\u0000b":2})").ok());
}

TEST(JsonTest, RefusesIntegersBeyond64Bits) {
  for (const char* text : {"123456789012345678901234567890", "[18446744073709551616]",
                           "{\"n\":-9223372036854775809}"}) {
    Status st = ParseOnly(text);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(Has(st.message(), "64-bit")) << text;
  }
}

TEST(JsonTest, AbbreviatesAHugeNumberInTheMessage) {
  Status st = ParseOnly("123456789012345678901234567890");
  EXPECT_TRUE(Lacks(st.message(), "123456789012345678901234567890"));
}

TEST(JsonTest, AcceptsTheExtremes) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseInto("[-9223372036854775808,18446744073709551615,0,-0]", doc).ok());
  ASSERT_TRUE(doc[0].IsInt64());
  EXPECT_EQ(doc[0].GetInt64(), INT64_MIN);
  ASSERT_TRUE(doc[1].IsUint64());
  EXPECT_EQ(doc[1].GetUint64(), UINT64_MAX);
  EXPECT_FALSE(doc[1].IsInt64());
  EXPECT_EQ(doc[2].GetInt64(), 0);
  EXPECT_EQ(doc[3].GetInt64(), 0);
}

TEST(JsonTest, KeepsIntegersAsIntegers) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseInto("[9007199254740993, 1.5]", doc).ok());
  ASSERT_TRUE(doc[0].IsInt64());
  EXPECT_EQ(doc[0].GetInt64(), 9007199254740993);  // Not representable as a double.
  EXPECT_TRUE(doc[1].IsDouble());
  EXPECT_DOUBLE_EQ(doc[1].GetDouble(), 1.5);
}

TEST(JsonTest, RefusesDoubleOverflow) {
  for (const char* text : {"1e400", "[-1e400]", "{\"x\":1.7976931348623159e309}"}) {
    Status st = ParseOnly(text);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(Has(st.message(), "double")) << text;
  }
  EXPECT_TRUE(ParseOnly("1.7976931348623157e308").ok());
}

// Subnormal doubles are representable; refusing them would also make Write's output of a valid
// document unreadable by Parse.
TEST(JsonTest, AcceptsSubnormalDoubles) {
  rapidjson::Document doc;
  Status st = ParseInto("[5e-324,2.5e-310]", doc);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_GT(doc[0].GetDouble(), 0.0);
  EXPECT_EQ(Write(doc), "[5e-324,2.5e-310]");
}

TEST(JsonTest, RefusesMalformedNumbers) {
  for (const char* text : {"01", "+1", ".5", "1.", "1e", "-", "0x10"}) {
    EXPECT_EQ(ParseOnly(text).code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(JsonTest, MessagesGiveTheByteOffset) {
  Status st = ParseOnly("[1,2,x]");
  EXPECT_TRUE(Has(st.message(), "byte 5"));
}

TEST(JsonTest, LeavesTheDocumentNullOnFailure) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseInto("{\"a\":1}", doc).ok());
  EXPECT_FALSE(ParseInto("{\"a\":1,\"a\":2}", doc).ok());
  EXPECT_TRUE(doc.IsNull());
  EXPECT_FALSE(ParseInto("[[[", doc).ok());
  EXPECT_TRUE(doc.IsNull());
}

// RapidJSON's FindMember and MemberEnd assert that the value is an object; code that called them
// on a page body of 1e-400 aborted (found by fuzz/petition_fuzz.cc). Member never does.
TEST(JsonTest, MemberIsNullUnlessTheValueIsAnObjectWithIt) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseInto(R"({"a":1,"b":null})", doc).ok());
  ASSERT_NE(Member(doc, "a"), nullptr);
  EXPECT_EQ(Member(doc, "a")->GetInt64(), 1);
  ASSERT_NE(Member(doc, "b"), nullptr);
  EXPECT_TRUE(Member(doc, "b")->IsNull());
  EXPECT_EQ(Member(doc, "c"), nullptr);
  for (const char* text : {"1e-400", "[]", R"([{"a":1}])", "null", R"("a")", "true"}) {
    ASSERT_TRUE(ParseInto(text, doc).ok()) << text;
    EXPECT_EQ(Member(doc, "a"), nullptr) << text;
  }
}

TEST(JsonTest, WriteRoundTripsOrdinaryDocuments) {
  const char* kDocs[] = {
      R"({"code":0,"msg":"成功","data":{"list":[],"next_cursor":"","has_more":false}})",
      R"([1,-2,3.5,true,false,null,"中文\n\"q\"\\","😀",{}])",
      R"({"n":-9223372036854775808,"u":18446744073709551615,"z":"a\u0000b"})",
      R"("plain")",
      R"(null)",
  };
  for (const char* text : kDocs) {
    rapidjson::Document doc;
    ASSERT_TRUE(ParseInto(text, doc).ok()) << text;
    EXPECT_EQ(Write(doc), text);
  }
}

TEST(JsonTest, WriteKeepsMemberOrder) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseInto(R"({"z":1,"a":2,"m":3})", doc).ok());
  EXPECT_EQ(Write(doc), R"({"z":1,"a":2,"m":3})");
}

TEST(JsonTest, CompactsWhitespace) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseInto(" { \"a\" : [ 1 , 2 ] }\n", doc).ok());
  EXPECT_EQ(Write(doc), R"({"a":[1,2]})");
}

TEST(JsonTest, TypeNameNamesEveryType) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseInto(R"([null,true,false,{},[],"s",1,-1,1.5,18446744073709551615])", doc).ok());
  const char* kWant[] = {"null",   "boolean", "boolean", "object", "array",
                         "string", "number",  "number",  "number", "number"};
  ASSERT_EQ(doc.Size(), std::size(kWant));
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    EXPECT_EQ(TypeName(doc[i]), kWant[i]) << i;
  }
}

TEST(JsonTest, AppendQuotedEscapesAndParsesBack) {
  const std::string kRaw =
      std::string("a\"b\\c\nd\re\tf\x01g\x1f", 13) + std::string(1, '\0') + "中文/";
  std::string out = "x";
  AppendQuoted(out, kRaw);
  EXPECT_EQ(out.substr(0, 2), "x\"");
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_NE(out.find("\\u0001"), std::string::npos);
  EXPECT_NE(out.find("\\u0000"), std::string::npos);
  rapidjson::Document doc;
  ASSERT_TRUE(ParseInto(out.substr(1), doc).ok()) << out;
  ASSERT_TRUE(doc.IsString());
  EXPECT_EQ(std::string(doc.GetString(), doc.GetStringLength()), kRaw);
}

}  // namespace
}  // namespace hs::json
