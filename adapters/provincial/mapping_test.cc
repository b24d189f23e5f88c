// Mapping of provincial dispatch records: every field, ISO times with offsets, and hostile
// records (wrong types, nulls, huge numbers, unknown states and channels), each refused with a
// message that names the field and never the value.
#include "adapters/provincial/mapping.h"

#include <gtest/gtest.h>

#include "daemon/core/gbk.h"
#include "daemon/core/json.h"
#include "tests/fakes/test_util.h"

namespace hs::provincial {
namespace {

using testing::Has;
using testing::Lacks;

// A record with every field; `replace` swaps "key": value pairs, e.g. {"state", "\"CLOSED\""}.
std::string Record(const std::vector<std::pair<std::string, std::string>>& replace = {}) {
  std::vector<std::pair<std::string, std::string>> f = {
      {"dispatchId", R"("HN-2023-0612-000381")"},
      {"origin", R"("省长信箱")"},
      {"originNo", R"("SZXX202306120001234")"},
      {"dispatchedAt", R"("2023-06-12T09:31:05+08:00")"},
      {"deadline", R"("2023-06-26T09:31:05+08:00")"},
      {"citizen", R"({"name":"王某","phone":"13907301234","idNo":"430602198001011234"})"},
      {"subject", R"("小区旁工地夜间施工噪音扰民")"},
      {"content", R"("来信人反映：岳阳市平江县某小区旁工地夜间施工。")"},
      {"area", R"("岳阳市平江县")"},
      {"state", R"("ACCEPTED")"},
      {"revision", "42"}};
  for (const auto& [k, v] : replace) {
    bool found = false;
    for (auto& [fk, fv] : f) {
      if (fk == k) fv = v, found = true;
    }
    if (!found) f.emplace_back(k, v);
  }
  std::string out = "{";
  for (const auto& [k, v] : f) {
    if (v == "<absent>") continue;
    out += (out.size() > 1 ? ",\"" : "\"") + k + "\":" + v;
  }
  return out + "}";
}

// A UTF-8 JSON text in GBK, as the province sends it.
std::string Gbk(const std::string& utf8) {
  auto g = gbk::Utf8ToGbkJson(utf8);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? *g : std::string();
}

Status Map(const std::string& text, Ticket& t) {
  rapidjson::Document doc;
  Status s = json::Parse(text, doc);
  return s.ok() ? MapRecord(doc, t) : s;
}

TEST(ProvincialMappingTest, MapsEveryField) {
  Ticket t;
  ASSERT_TRUE(Map(Record(), t).ok());
  EXPECT_EQ(t.external_id, "HN-2023-0612-000381");
  EXPECT_EQ(t.external_ref, "SZXX202306120001234");
  EXPECT_EQ(t.channel, "省长信箱");
  EXPECT_EQ(t.title, "小区旁工地夜间施工噪音扰民");
  EXPECT_EQ(t.content, "来信人反映：岳阳市平江县某小区旁工地夜间施工。");
  EXPECT_EQ(t.address, "岳阳市平江县");
  EXPECT_EQ(t.complainant, "王某");
  EXPECT_EQ(t.phone, "13907301234");
  EXPECT_EQ(t.id_number, "430602198001011234");
  EXPECT_EQ(t.accepted_at, 1686533465);  // 2023-06-12 01:31:05 UTC.
  EXPECT_EQ(t.deadline, 1686533465 + 14 * 86400);
  EXPECT_EQ(t.state, state::kInProgress);
  EXPECT_EQ(t.native_state, "ACCEPTED");
  EXPECT_EQ(t.version, 42);
  EXPECT_EQ(t.updated_at, 0);
}

TEST(ProvincialMappingTest, MapsEveryStateAndOrigin) {
  const std::pair<const char*, std::string_view> states[] = {
      {"PENDING", state::kPending},         {"ACCEPTED", state::kInProgress},
      {"RESULT_SUBMITTED", state::kClosed}, {"RETURNED", state::kReturned},
      {"REOPENED", state::kReopened},       {"CLOSED", state::kArchived}};
  for (const auto& [native, canonical] : states) {
    Ticket t;
    ASSERT_TRUE(Map(Record({{"state", std::string("\"") + native + "\""}}), t).ok()) << native;
    EXPECT_EQ(t.state, canonical);
    EXPECT_EQ(t.native_state, native);
  }
  for (std::string_view o :
       {kOriginStateCouncil, kOriginGovService, kOriginGovernor, kOriginXiangYiBan}) {
    Ticket t;
    ASSERT_TRUE(Map(Record({{"origin", "\"" + std::string(o) + "\""}}), t).ok()) << o;
    EXPECT_EQ(t.channel, o);
  }
}

TEST(ProvincialMappingTest, CitizenFieldsMayBeNull) {
  Ticket t;
  ASSERT_TRUE(Map(Record({{"citizen", R"({"name":null,"phone":null,"idNo":null})"}}), t).ok());
  EXPECT_EQ(t.complainant, "");
  EXPECT_EQ(t.phone, "");
  EXPECT_EQ(t.id_number, "");
  ASSERT_TRUE(Map(Record({{"citizen", "null"}}), t).ok());
  ASSERT_TRUE(Map(Record({{"citizen", R"({"name":"李某","phone":null})"}}), t).ok());
  EXPECT_EQ(t.complainant, "李某");
}

TEST(ProvincialMappingTest, ParsesIsoTimesWithAnyOffset) {
  EXPECT_EQ(*ParseIsoTime("2023-06-12T09:31:05+08:00"), 1686533465);
  EXPECT_EQ(*ParseIsoTime("2023-06-12T01:31:05Z"), 1686533465);
  EXPECT_EQ(*ParseIsoTime("2023-06-12T01:31:05+00:00"), 1686533465);
  EXPECT_EQ(*ParseIsoTime("2023-06-11T21:01:05-04:30"), 1686533465);
  EXPECT_EQ(FormatIsoTime(1686533465), "2023-06-12T09:31:05+08:00");
  for (const char* bad :
       {"2023-06-12 09:31:05", "2023-06-12T09:31:05", "2023-06-12T09:31:05+0800",
        "2023-06-12T09:31:05+08", "2023-06-12T09:31:05.123+08:00", "2023-02-30T09:31:05+08:00",
        "2023-13-01T00:00:00+08:00", "2023-06-12T24:00:00+08:00", "2023-06-12T09:31:05+24:00",
        "2023-06-12T09:31:05 +08:00", "", "1686533465", "２０２３-06-12T09:31:05+08:00"}) {
    EXPECT_FALSE(ParseIsoTime(bad).ok()) << bad;
  }
}

struct Hostile {
  std::string key, value, expected;
};

TEST(ProvincialMappingTest, RefusesHostileFieldsNamingTheFieldOnly) {
  const Hostile cases[] = {
      {"dispatchId", "<absent>", "field dispatchId is missing"},
      {"dispatchId", "12345", "field dispatchId must be a string, got number"},
      {"dispatchId", "\"\"", "field dispatchId must not be empty"},
      {"dispatchId", "null", "field dispatchId must not be null"},
      {"origin", "\"微博\"", "field origin is not a known channel"},
      {"origin", "[]", "field origin must be a string, got array"},
      {"originNo", "{}", "field originNo must be a string, got object"},
      {"dispatchedAt", "\"2023-06-12 09:31:05\"", "field dispatchedAt time is not ISO 8601"},
      {"dispatchedAt", "1686533465", "field dispatchedAt must be an ISO 8601 time string"},
      {"deadline", "\"2023-02-30T09:00:00+08:00\"", "field deadline time names a date"},
      {"deadline", "<absent>", "field deadline is missing"},
      {"citizen", "\"王某 13907301234\"", "field citizen must be an object, got string"},
      {"citizen", "<absent>", "field citizen is missing"},
      {"citizen", R"({"name":"王某","phone":13907301234})",
       "field citizen.phone must be a string, got number"},
      {"citizen", R"({"idNo":true})", "field citizen.idNo must be a string"},
      {"subject", "false", "field subject must be a string, got"},
      {"content", "\"\"", "field content must not be empty"},
      {"content", "\"a\\u0000b\"", "field content contains a NUL character"},
      {"area", "null", "field area must not be null"},
      {"state", "\"ARCHIVED\"", "field state is not a known state"},
      {"state", "1", "field state must be a string"},
      {"revision", "\"42\"", "field revision must be a whole number, got string"},
      {"revision", "4.2", "field revision must be a whole number"},
      {"revision", "-1", "field revision must be between 0 and"},
      {"revision", "9223372036854775807", "field revision must be between 0 and"},
      {"revision", "<absent>", "field revision is missing"},
  };
  for (const Hostile& c : cases) {
    Ticket t;
    Status s = Map(Record({{c.key, c.value}}), t);
    ASSERT_FALSE(s.ok()) << c.key << "=" << c.value;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(Has(s.message(), c.expected)) << c.key << "=" << c.value;
    EXPECT_TRUE(Lacks(s.message(), "13907301234"));
    EXPECT_TRUE(Lacks(s.message(), "王某"));
  }
}

TEST(ProvincialMappingTest, RefusesWhatTheStrictParserRefuses) {
  Ticket t;
  EXPECT_FALSE(Map(Record({{"revision", "123456789012345678901234567890"}}), t).ok());
  EXPECT_FALSE(Map(Record({{"state", R"("ACCEPTED","state":"CLOSED")"}}), t).ok());
  EXPECT_FALSE(Map("[" + Record() + "]", t).ok());
  rapidjson::Document doc;
  doc.SetArray();
  EXPECT_TRUE(Has(MapRecord(doc, t).message(), "record must be an object, got array"));
}

// A page as the client reads it: items split out of the GBK bytes (a trail byte may be '\\' or a
// bracket), each decoded and mapped alone; an item of invalid GBK is rejected with its bytes.
TEST(ProvincialMappingTest, ReadsAGbkPageItemByItem) {
  // In GBK 淺 ends in the byte '\\', 沒 in ']' and 擺 in '['; 0x81 0x20 is not GBK.
  const std::string bad = "{\"dispatchId\":\"HN-BAD\",\"subject\":\"\x81 \"}";
  const std::string text =
      Gbk(R"({"result":"OK","items":[)" + Record({{"subject", R"("淺沒擺]\\")"}}) + ",") + bad +
      Gbk(R"(],"lastRevision":42})");
  PageBody body;
  ASSERT_TRUE(ReadPageBody(text, body).ok());
  ASSERT_EQ(body.items.size(), 2u);
  rapidjson::MemoryPoolAllocator<> pool;
  std::vector<Ticket> tickets;
  std::vector<Reject> rejects;
  MapPage(body, pool, tickets, rejects);
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets[0].title, "淺沒擺]\\");
  EXPECT_TRUE(Has(tickets[0].raw, "淺沒擺"));  // Raw is the decoded text.
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].source_id, "HN-BAD");
  EXPECT_TRUE(Has(rejects[0].reason, "not valid GBK"));
  EXPECT_EQ(rejects[0].raw, bad);
  EXPECT_EQ(body.envelope["lastRevision"].GetInt64(), 42);
}

// Found by fuzz/provincial_fuzz.cc: the envelope was parsed from the masked copy of the GBK bytes,
// in which keys that differ only in their non-ASCII characters are one key ("※viqion" and
// "¤viqion" both "xxviqion"), so a valid page was refused whole for a duplicate key: two unknown
// fields named in Chinese ("提示", "说明") would have stopped the provincial pull.
TEST(ProvincialMappingTest, ReadsAnEnvelopeWhoseKeysDifferOnlyInChinese) {
  const std::string kFound("{\"result\":0,\"items\":[],\"\xa1\xf8viqion\":0,\"\xa1\xe8viqion\":0}",
                           49);
  PageBody body;
  Status st = ReadPageBody(kFound, body);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(st.message(), "not the province's {result: OK, items}"));  // Only that is wrong.

  ASSERT_TRUE(ReadPageBody(Gbk(R"({"result":"OK","items":[)" + Record() +
                               R"(],"提示":"稍后重试","说明":"无","lastRevision":42})"),
                           body)
                  .ok());
  EXPECT_EQ(body.items.size(), 1u);
  const rapidjson::Value* note = json::Member(body.envelope, "说明");
  ASSERT_NE(note, nullptr);
  EXPECT_EQ(std::string(note->GetString()), "无");
  EXPECT_EQ(body.envelope["lastRevision"].GetInt64(), 42);

  // An envelope that is not GBK is still read from the masked copy: its fields are ASCII.
  ASSERT_TRUE(ReadPageBody(Gbk(R"({"result":"OK","items":[)" + Record() + "]") +
                               ",\"msg\":\"\x81 \",\"lastRevision\":42}",
                           body)
                  .ok());
  EXPECT_EQ(body.items.size(), 1u);
  EXPECT_EQ(body.envelope["lastRevision"].GetInt64(), 42);
}

TEST(ProvincialMappingTest, RefusesAPageThatIsNotTheProvincesObject) {
  for (const char* text :
       {"1e-400", "[]", "null", R"({"result":"FORBIDDEN"})", R"({"result":"OK","items":{}})",
        "{\"result\":\"OK\",\"items\":[]}\x81"}) {
    PageBody body;
    EXPECT_EQ(ReadPageBody(text, body).code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(body.items.empty()) << text;
  }
}

TEST(ProvincialMappingTest, FindsTheIdOfAnUnreadableRecord) {
  EXPECT_EQ(RecordIdFromBytes(R"({"dispatchId": "HN-2023-0612-000381", "x": )"),
            "HN-2023-0612-000381");
  EXPECT_EQ(RecordIdFromBytes(R"({"dispatchId":12})"), "");
  EXPECT_EQ(RecordIdFromBytes("{\"dispatchId\":\"\xc4\xe3\"}"), "");
  EXPECT_EQ(RecordIdFromBytes("garbage"), "");
}

}  // namespace
}  // namespace hs::provincial
