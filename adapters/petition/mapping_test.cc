// The petition record mapping: every field, the codebook, and hostile records (wrong types, nulls,
// huge numbers, bad UTF-8, unknown status or code), each refused naming the field, never its value.
#include "adapters/petition/mapping.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "daemon/core/json.h"
#include "tests/fakes/test_util.h"

namespace hs::petition {
namespace {

using testing::Has;
using testing::Lacks;

constexpr const char* kPhone = "13800001234";
constexpr const char* kIdCard = "430602199001011236";

// A full record with some fields' JSON text replaced ("<drop>": the field left out).
std::string Record(const std::map<std::string, std::string>& over) {
  std::vector<std::pair<std::string, std::string>> f = {
      {"petitionNo", R"("XF-430600-2023-004211")"},
      {"registeredAt", "1686621600000"},
      {"form", R"("VISIT")"},
      {"petitioner", std::string(R"({"name":"张某某","mobile":")") + kPhone + R"(","idCard":")" +
                         kIdCard + R"(","address":"岳阳市岳阳楼区巴陵中路1号","persons":6})"},
      {"title", R"("企业拖欠工资")"},
      {"content", R"("信访人反映工程完工后老板拖欠工资至今未付。")"},
      {"incidentAddress", R"("岳阳市平江县")"},
      {"categoryCode", R"("XF0301")"},
      {"responsibleOrg", R"({"code":"430626","name":"平江县"})"},
      {"dueAt", "1691805600000"},
      {"status", R"("REPLIED")"},
      {"replyContent", R"("经协调，工资已发放。")"},
      {"repliedAt", "1687000000000"},
      {"satisfaction", R"("BASICALLY_SATISFIED")"},
      {"sourceSystem", R"("12345")"},
      {"sourceNo", R"("YY2306120001")"},
      {"updatedAt", "1687000000123"}};
  std::string out = "{";
  for (auto& [k, v] : f) {
    auto it = over.find(k);
    if (it != over.end() && it->second == "<drop>") continue;
    out += (out.size() > 1 ? ",\"" : "\"") + k + "\":" + (it != over.end() ? it->second : v);
  }
  return out + "}";
}
std::string Record(const std::string& key = "", const std::string& value = "") {
  return key.empty() ? Record(std::map<std::string, std::string>{})
                     : Record(std::map<std::string, std::string>{{key, value}});
}

class PetitionMappingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto shipped = CategoryMap::Shipped();
    ASSERT_TRUE(shipped.ok()) << shipped.status().ToString();
    categories_ = std::move(shipped).value();
  }
  Status Map(const std::string& text, Ticket& t) {
    rapidjson::Document doc;
    HS_RETURN_IF_ERROR(json::Parse(text, doc));
    return MapRecord(doc, categories_, t);
  }
  // The error of mapping `text`; fails when it maps, or when the message holds personal data.
  std::string Error(const std::string& text) {
    Ticket t;
    Status s = Map(text, t);
    EXPECT_FALSE(s.ok());
    EXPECT_TRUE(Lacks(s.message(), kPhone));
    EXPECT_TRUE(Lacks(s.message(), kIdCard));
    EXPECT_TRUE(Lacks(s.message(), "张某某"));
    return s.message();
  }
  CategoryMap categories_;
};

TEST_F(PetitionMappingTest, MapsEveryField) {
  Ticket t;
  ASSERT_TRUE(Map(Record(), t).ok());
  EXPECT_EQ(t.external_id, "XF-430600-2023-004211");
  EXPECT_EQ(t.external_ref, "YY2306120001");
  EXPECT_EQ(t.channel, "来访");
  EXPECT_EQ(t.kind, "集体访");
  EXPECT_EQ(t.category, "人力资源和社会保障类");
  EXPECT_EQ(t.title, "企业拖欠工资");
  EXPECT_EQ(t.content, "信访人反映工程完工后老板拖欠工资至今未付。");
  EXPECT_EQ(t.address, "岳阳市平江县");
  EXPECT_EQ(t.complainant, "张某某");
  EXPECT_EQ(t.phone, kPhone);
  EXPECT_EQ(t.id_number, kIdCard);
  EXPECT_EQ(t.unit, "平江县");
  EXPECT_EQ(t.unit_code, "430626");
  EXPECT_EQ(t.accepted_at, 1686621600);
  EXPECT_EQ(t.deadline, 1691805600);
  EXPECT_EQ(t.closed_at, 1687000000);
  EXPECT_EQ(t.closure_text, "经协调，工资已发放。");
  EXPECT_EQ(t.revisit_result, "基本满意");
  EXPECT_EQ(t.state, state::kClosed);
  EXPECT_EQ(t.native_state, "REPLIED");
  EXPECT_EQ(t.updated_at, 1687000000);
  EXPECT_EQ(t.version, 1687000000123);
}

TEST_F(PetitionMappingTest, NullableFieldsMayBeNull) {
  std::map<std::string, std::string> nulls = {
      {"petitioner", R"({"name":null,"mobile":null,"idCard":null,"address":null,"persons":null})"}};
  for (const char* key : {"incidentAddress", "responsibleOrg", "dueAt", "replyContent", "repliedAt",
                          "satisfaction", "sourceSystem", "sourceNo"}) {
    nulls[key] = "null";
  }
  std::string text = Record(nulls);
  Ticket t;
  Status s = Map(text, t);
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << text;
  EXPECT_EQ(t.external_ref, "");
  EXPECT_EQ(t.complainant, "");
  EXPECT_EQ(t.kind, "");
  EXPECT_EQ(t.unit, "");
  EXPECT_FALSE(t.deadline.has_value());
  EXPECT_FALSE(t.closed_at.has_value());
  EXPECT_EQ(t.revisit_result, "");
  Ticket anonymous;
  EXPECT_TRUE(Map(Record("petitioner", "null"), anonymous).ok());
}

TEST_F(PetitionMappingTest, MapsFormsStatusesAndSatisfaction) {
  const std::pair<const char*, const char*> forms[] = {
      {"LETTER", "来信"}, {"VISIT", "来访"}, {"ONLINE", "网上信访"}, {"HOTLINE", "12345推送"}};
  for (auto [form, channel] : forms) {
    Ticket t;
    ASSERT_TRUE(Map(Record("form", std::string("\"") + form + "\""), t).ok()) << form;
    EXPECT_EQ(t.channel, channel);
  }
  const std::pair<const char*, std::string_view> statuses[] = {
      {"REGISTERED", state::kPending},       {"ACCEPTED", state::kInProgress},
      {"IN_PROGRESS", state::kInProgress},   {"REVIEWING", state::kInProgress},
      {"NOT_ACCEPTED", state::kNotAccepted}, {"REPLIED", state::kClosed},
      {"CLOSED", state::kArchived},          {"TRANSFERRED", state::kTransferred}};
  for (auto [status, canonical] : statuses) {
    Ticket t;
    ASSERT_TRUE(Map(Record("status", std::string("\"") + status + "\""), t).ok()) << status;
    EXPECT_EQ(t.state, canonical);
    EXPECT_EQ(t.native_state, status);
  }
  const std::pair<const char*, const char*> answers[] = {
      {"SATISFIED", "满意"}, {"BASICALLY_SATISFIED", "基本满意"}, {"UNSATISFIED", "不满意"}};
  for (auto [value, result] : answers) {
    Ticket t;
    ASSERT_TRUE(Map(Record("satisfaction", std::string("\"") + value + "\""), t).ok());
    EXPECT_EQ(t.revisit_result, result);
  }
  Ticket few;
  ASSERT_TRUE(Map(Record("petitioner", R"({"persons":4})"), few).ok());
  EXPECT_EQ(few.kind, "");
}

TEST_F(PetitionMappingTest, EveryCodebookCodeHasItsHotlineCategory) {
  EXPECT_EQ(categories_.size(), 10u);
  Ticket t;
  ASSERT_TRUE(Map(Record("categoryCode", R"("XF1101")"), t).ok());
  EXPECT_EQ(t.category, "城市管理类");
  EXPECT_TRUE(Has(Error(Record("categoryCode", R"("XF9999")")), "field categoryCode"));
}

TEST_F(PetitionMappingTest, RefusesWrongTypesNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {{"petitionNo", "42"},
                                                       {"registeredAt", R"("2023-06-13")"},
                                                       {"registeredAt", "1.5e12"},
                                                       {"form", "1"},
                                                       {"petitioner", R"("张某某")"},
                                                       {"title", "[]"},
                                                       {"content", "{}"},
                                                       {"categoryCode", "true"},
                                                       {"responsibleOrg", "[1]"},
                                                       {"dueAt", R"("soon")"},
                                                       {"status", "null"},
                                                       {"updatedAt", "null"},
                                                       {"satisfaction", "1"},
                                                       {"sourceNo", "12345"}};
  for (auto [key, value] : cases) {
    EXPECT_TRUE(Has(Error(Record(key, value)), std::string("field ") + key)) << key << "=" << value;
  }
  EXPECT_TRUE(
      Has(Error(Record("petitioner", R"({"mobile":13800001234})")), "field petitioner.mobile"));
  EXPECT_TRUE(Has(Error(Record("petitioner", R"({"persons":0})")), "field petitioner.persons"));
  EXPECT_TRUE(Has(Error(Record("petitioner", R"({"persons":"6"})")), "field petitioner.persons"));
  EXPECT_TRUE(
      Has(Error(Record("responsibleOrg", R"({"code":"430626"})")), "field responsibleOrg.name"));
  EXPECT_TRUE(Has(Error("[1,2]"), "record must be an object"));
}

TEST_F(PetitionMappingTest, RefusesMissingRequiredFields) {
  for (const char* key : {"petitionNo", "registeredAt", "form", "title", "content", "categoryCode",
                          "status", "updatedAt"}) {
    EXPECT_TRUE(Has(Error(Record(key, "<drop>")), std::string("field ") + key + " is missing"))
        << key;
  }
  EXPECT_TRUE(Has(Error(Record("petitionNo", R"("")")), "field petitionNo must not be empty"));
}

TEST_F(PetitionMappingTest, RefusesTimesOutOfRangeAndHugeNumbers) {
  EXPECT_TRUE(Has(Error(Record("updatedAt", "1687000000")), "field updatedAt"));  // Seconds.
  EXPECT_TRUE(Has(Error(Record("updatedAt", "-1")), "field updatedAt"));
  EXPECT_TRUE(Has(Error(Record("dueAt", "9223372036854775807")), "field dueAt"));
  EXPECT_TRUE(Has(Error(Record("repliedAt", "4102444800000")), "field repliedAt"));
  Ticket t;
  EXPECT_FALSE(Map(Record("updatedAt", "123456789012345678901234567890"), t).ok());
  EXPECT_FALSE(Map(Record("petitioner", R"({"persons":1e400})"), t).ok());
}

TEST_F(PetitionMappingTest, RefusesUnknownValues) {
  EXPECT_TRUE(Has(Error(Record("status", R"("WITHDRAWN")")), "field status"));
  EXPECT_TRUE(Has(Error(Record("form", R"("FAX")")), "field form"));
  EXPECT_TRUE(Has(Error(Record("satisfaction", R"("OK")")), "field satisfaction"));
}

TEST_F(PetitionMappingTest, StrictParsingRefusesBadBytes) {
  Ticket t;
  std::string bad_utf8 = Record("title", "\"\xC3\x28\"");
  EXPECT_FALSE(Map(bad_utf8, t).ok());
  EXPECT_FALSE(Map(Record("title", R"("\ud800")"), t).ok());  // A lone surrogate.
  std::string dup = Record();
  dup.insert(1, R"("status":"CLOSED",)");
  EXPECT_FALSE(Map(dup, t).ok());
  EXPECT_FALSE(Map(Record("content", R"("a\u0000b")"), t).ok());
  std::string deep(100'000, '[');
  EXPECT_FALSE(Map(deep, t).ok());
}

TEST_F(PetitionMappingTest, ReadsTheRecordIdEvenFromUnparsableBytes) {
  EXPECT_EQ(RecordIdFromBytes(Record("title", "\"\xC3\x28\"")), "XF-430600-2023-004211");
  EXPECT_EQ(RecordIdFromBytes(R"({"petitionNo":"a\"b"})"), "");
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(Record(), doc).ok());
  EXPECT_EQ(RecordId(doc), "XF-430600-2023-004211");
}

// A query page as the client reads it: rows split out of the body and mapped one by one, a bad
// one rejected alone; rows under a key spelt with an escape are not split but still read.
TEST_F(PetitionMappingTest, ReadsAPageRowByRow) {
  const std::string bad = Record("status", R"("WITHDRAWN")");
  for (const char* key : {"rows", "r\\u006fws"}) {
    PageBody body;
    ASSERT_TRUE(ReadPageBody(std::string(R"({"success":true,"total":2,"pageNo":1,")") + key +
                                 R"(":[)" + Record() + ", " + bad + "]}",
                             body)
                    .ok())
        << key;
    EXPECT_EQ(body.total, 2);
    std::vector<Ticket> tickets;
    std::vector<Reject> rejects;
    MapPage(body, categories_, tickets, rejects);
    ASSERT_EQ(tickets.size(), 1u) << key;
    EXPECT_EQ(tickets[0].external_id, "XF-430600-2023-004211");
    ASSERT_EQ(rejects.size(), 1u) << key;
    EXPECT_EQ(rejects[0].source_id, "XF-430600-2023-004211");
    EXPECT_TRUE(Has(rejects[0].reason, "field status"));
  }
}

// Found by fuzz/petition_fuzz.cc (its input: 1e-400, a NUL byte, then anything): a body that is
// JSON but not an object reached RapidJSON's MemberEnd, which asserts (an abort in a debug build,
// undefined behaviour in a release build). Now the page is refused with its reason.
TEST_F(PetitionMappingTest, RefusesAPageThatIsNotAnObject) {
  const std::string kFound("1e-400\0VISITn\"name\": \"12345\"expiref\"\xfd", 37);
  for (const std::string& text :
       {kFound, std::string("1e-400"), std::string("[]"), std::string("null"),
        std::string(R"("rows")"), std::string("true")}) {
    PageBody body;
    Status st = ReadPageBody(text, body);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(body.records.empty()) << text;
  }
  PageBody body;
  EXPECT_TRUE(Has(ReadPageBody("1e-400", body).message(), "not the platform's page"));
}

TEST_F(PetitionMappingTest, CodebookFromTomlText) {
  auto m =
      CategoryMap::FromToml("[codes]\nXF9001 = { name = \"测试\", sqfl = \"其他类\" }\n", "t.toml");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_NE(m->Find("XF9001"), nullptr);
  EXPECT_EQ(m->Find("XF9001")->sqfl, "其他类");
  EXPECT_EQ(m->Find("XF0301"), nullptr);
  EXPECT_FALSE(CategoryMap::FromToml("[codes]\nXF1 = 3\n", "t.toml").ok());
  EXPECT_FALSE(CategoryMap::FromToml("[codes\n", "t.toml").ok());
  EXPECT_FALSE(CategoryMap::FromToml("", "t.toml").ok());
}

}  // namespace
}  // namespace hs::petition
