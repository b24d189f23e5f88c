// Tests of the shared field reader of the adapters' record mappings: every problem names the field
// (with its prefix) and the type got, never the value; the first problem is kept.

#include "daemon/core/field_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "daemon/core/json.h"
#include "daemon/core/time_util.h"

namespace hs::json {
namespace {

rapidjson::Document Doc(std::string_view text) {
  rapidjson::Document doc;
  Status st = Parse(text, doc);
  EXPECT_TRUE(st.ok()) << st.message();
  return doc;
}

TEST(FieldReaderTest, ReadsWellTypedFields) {
  rapidjson::Document doc =
      Doc(R"({"s":"abc","n":7,"b":true,"o":{"x":1},"t":"2023-06-12 09:31:05","e":""})");
  FieldReader r(doc, "");
  EXPECT_EQ(r.Str("s", true), "abc");
  EXPECT_EQ(r.Int("n", true, 0, 10), 7);
  EXPECT_TRUE(r.Bool("b"));
  const rapidjson::Value* o = r.Object("o");
  ASSERT_NE(o, nullptr);
  EXPECT_TRUE(o->HasMember("x"));
  EXPECT_EQ(r.Parsed("t", true, "a time string", ParseShanghaiTime), 1686533465);
  EXPECT_EQ(r.Str("e", false), "");
  EXPECT_EQ(r.Str("e", true, 10, /*allow_empty=*/true), "");
  EXPECT_TRUE(r.status().ok()) << r.status().message();
}

TEST(FieldReaderTest, AbsentOrNullOptionalFieldsAreEmpty) {
  rapidjson::Document doc = Doc(R"({"z":null})");
  FieldReader r(doc, "");
  EXPECT_EQ(r.Str("s", false), "");
  EXPECT_EQ(r.Str("z", false), "");
  EXPECT_EQ(r.Int("n", false, 0, 10), std::nullopt);
  EXPECT_FALSE(r.Bool("z"));
  EXPECT_EQ(r.Object("o"), nullptr);
  EXPECT_EQ(r.Parsed("t", false, "a time string", ParseShanghaiTime), std::nullopt);
  EXPECT_TRUE(r.status().ok()) << r.status().message();
}

struct TypeCase {
  const char* json;
  void (*read)(FieldReader&);
  const char* want;
};

TEST(FieldReaderTest, WrongTypesNameTheFieldAndTheTypeGot) {
  const TypeCase cases[] = {
      {R"({"f":1})", [](FieldReader& r) { r.Str("f", true); },
       "field f must be a string, got number"},
      {R"({"f":"1"})", [](FieldReader& r) { r.Int("f", true, 0, 10); },
       "field f must be a whole number, got string"},
      {R"({"f":1.5})", [](FieldReader& r) { r.Int("f", false, 0, 10); },
       "field f must be a whole number, got number"},
      {R"({"f":"yes"})", [](FieldReader& r) { r.Bool("f"); },
       "field f must be true or false, got string"},
      {R"({"f":[]})", [](FieldReader& r) { r.Object("f"); },
       "field f must be an object or null, got array"},
      {R"({"f":20230612})",
       [](FieldReader& r) { r.Parsed("f", true, "a time string", ParseShanghaiTime); },
       "field f must be a time string, got number"},
  };
  for (const TypeCase& c : cases) {
    rapidjson::Document doc = Doc(c.json);
    FieldReader r(doc, "");
    c.read(r);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.json;
    EXPECT_EQ(r.status().message(), c.want);
  }
}

TEST(FieldReaderTest, IntNamesTheTypeItWasTold) {
  rapidjson::Document doc = Doc(R"({"f":"4"})");
  FieldReader r(doc, "");
  EXPECT_EQ(r.Int("f", false, 1, 9, "an integer"), std::nullopt);
  EXPECT_EQ(r.status().message(), "field f must be an integer, got string");
}

TEST(FieldReaderTest, StringLimits) {
  rapidjson::Document doc = Doc(R"({"long":"abcde","nul":"a\u0000b","empty":"","ok":"abcd"})");
  {
    FieldReader r(doc, "");
    EXPECT_EQ(r.Str("ok", true, 4), "abcd");
    EXPECT_EQ(r.Str("long", true, 4), "");
    EXPECT_EQ(r.status().message(), "field long is longer than 4 bytes");
  }
  {
    FieldReader r(doc, "");
    EXPECT_EQ(r.Str("nul", false), "");
    EXPECT_EQ(r.status().message(), "field nul contains a NUL character");
  }
  {
    FieldReader r(doc, "");
    EXPECT_EQ(r.Str("empty", true), "");
    EXPECT_EQ(r.status().message(), "field empty must not be empty");
  }
}

TEST(FieldReaderTest, IntLimitsAreInclusive) {
  rapidjson::Document doc = Doc(R"({"lo":0,"hi":10,"over":11})");
  FieldReader r(doc, "");
  EXPECT_EQ(r.Int("lo", true, 0, 10), 0);
  EXPECT_EQ(r.Int("hi", true, 0, 10), 10);
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.Int("over", true, 0, 10), std::nullopt);
  EXPECT_EQ(r.status().message(), "field over must be between 0 and 10");
}

TEST(FieldReaderTest, ParseErrorsBecomeTheFieldsMessage) {
  rapidjson::Document doc = Doc(R"({"t":"2023-13-01 00:00:00"})");
  FieldReader r(doc, "");
  EXPECT_EQ(r.Parsed("t", true, "a time string", ParseShanghaiTime), std::nullopt);
  ASSERT_FALSE(r.status().ok());
  EXPECT_EQ(r.status().message(),
            "field t " + ParseShanghaiTime("2023-13-01 00:00:00").status().message());
}

TEST(FieldReaderTest, RequiredNullIsMissingOrNamed) {
  rapidjson::Document doc = Doc(R"({"z":null})");
  {
    FieldReader r(doc, "");
    r.Str("z", true);
    EXPECT_EQ(r.status().message(), "field z is missing");
  }
  {
    FieldReader r(doc, "", FieldReader::RequiredNull::kMustNotBeNull);
    r.Str("z", true);
    EXPECT_EQ(r.status().message(), "field z must not be null");
  }
  {
    FieldReader r(doc, "", FieldReader::RequiredNull::kMustNotBeNull);
    r.Int("absent", true, 0, 1);
    EXPECT_EQ(r.status().message(), "field absent is missing");
  }
}

TEST(FieldReaderTest, NestedReadersPrefixTheirFields) {
  rapidjson::Document doc = Doc(R"({"p":{"name":5},"log":[{"at":null}]})");
  FieldReader r(doc, "");
  const rapidjson::Value* p = r.Object("p");
  ASSERT_NE(p, nullptr);
  FieldReader nested(*p, "p.");
  nested.Str("name", false);
  EXPECT_EQ(nested.status().message(), "field p.name must be a string, got number");
  FieldReader entry(doc["log"][0], "log[0].");
  entry.Str("at", true);
  EXPECT_EQ(entry.status().message(), "field log[0].at is missing");
  EXPECT_TRUE(r.status().ok());
}

TEST(FieldReaderTest, KeepsTheFirstProblem) {
  rapidjson::Document doc = Doc(R"({"a":1,"b":"x"})");
  FieldReader r(doc, "");
  r.Str("a", true);
  EXPECT_EQ(r.Str("b", true), "");  // Reads after a problem return empty values.
  r.Fail("b", "is wrong");
  EXPECT_EQ(r.status().message(), "field a must be a string, got number");
}

TEST(FieldReaderTest, IdField) {
  rapidjson::Document doc = Doc(R"({"id":"A-1","n":1,"long":"12345"})");
  EXPECT_EQ(IdField(doc, "id", 64), "A-1");
  EXPECT_EQ(IdField(doc, "n", 64), "");
  EXPECT_EQ(IdField(doc, "none", 64), "");
  EXPECT_EQ(IdField(doc, "long", 4), "");
  rapidjson::Document array = Doc("[1]");
  EXPECT_EQ(IdField(array, "id", 64), "");
}

TEST(FieldReaderTest, IdFieldFromBytes) {
  EXPECT_EQ(IdFieldFromBytes(R"({"a":1, "id" : "GD-7", "x": [)", "id", 64), "GD-7");
  EXPECT_EQ(IdFieldFromBytes(R"({"id":"GD-7")", "id", 4), "GD-7");
  EXPECT_EQ(IdFieldFromBytes(R"({"id":"GD-77")", "id", 4), "");
  EXPECT_EQ(IdFieldFromBytes(R"({"id":7})", "id", 64), "");
  EXPECT_EQ(IdFieldFromBytes(R"({"id":"a b"})", "id", 64), "");
  EXPECT_EQ(IdFieldFromBytes(R"({"id":"a\"b"})", "id", 64), "");
  EXPECT_EQ(IdFieldFromBytes("{\"id\":\"\xe5\xb7\xa5\"}", "id", 64), "");
  EXPECT_EQ(IdFieldFromBytes(R"({"idx":"A"})", "id", 64), "");
  EXPECT_EQ(IdFieldFromBytes(R"({"id":"unterminated)", "id", 64), "");
}

}  // namespace
}  // namespace hs::json
