// Tests of the 12345 work-order mapping: a full record from the contract, then one hostile variant
// at a time (RELIABILITY.md, fault suite item 9). Error messages must name the field and never
// repeat its value.

#include "adapters/hotline12345/mapping.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/core/json.h"
#include "tests/fakes/test_util.h"

namespace hs::hotline12345 {
namespace {

using hs::testing::Has;
using hs::testing::Lacks;
using hs::testing::ScopedTimeZone;

std::string FixtureText() {
  std::ifstream in(HS_SOURCE_DIR "/adapters/hotline12345/testdata/unit_record.json",
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

rapidjson::Value I64(int64_t n) { return rapidjson::Value(n); }

// Holds the fixture record; each test changes one thing. Members are public so that the table of
// cases in PersonalDataInAWrongFieldStaysOutOfTheMessage can reach them.
class MappingTest : public ::testing::Test {
 public:
  void SetUp() override { Reload(); }

  // Parses the fixture afresh into doc_.
  void Reload() {
    text_ = FixtureText();
    ASSERT_FALSE(text_.empty()) << "fixture unit_record.json not found";
    Status st = json::Parse(text_, doc_);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_TRUE(doc_.IsObject());
  }

  void Set(const char* key, rapidjson::Value v) {
    auto it = doc_.FindMember(key);
    if (it != doc_.MemberEnd()) {
      it->value = std::move(v);
    } else {
      doc_.AddMember(rapidjson::Value(key, doc_.GetAllocator()), v, doc_.GetAllocator());
    }
  }
  void SetString(const char* key, std::string_view s) {
    Set(key, rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()),
                              doc_.GetAllocator()));
  }
  // Replaces field `key` of transfer-log entry `i`.
  void SetLog(rapidjson::SizeType i, const char* key, std::string_view s) {
    rapidjson::Value& e = doc_["lzjl"][i];
    rapidjson::Value v(s.data(), static_cast<rapidjson::SizeType>(s.size()), doc_.GetAllocator());
    auto it = e.FindMember(key);
    if (it != e.MemberEnd()) {
      it->value = std::move(v);
    } else {
      e.AddMember(rapidjson::Value(key, doc_.GetAllocator()), v, doc_.GetAllocator());
    }
  }

  // Maps the record and expects InvalidArgument naming `field` and none of `values`.
  void ExpectRejected(std::string_view field, std::vector<std::string_view> values) {
    Ticket t;
    Status st = MapRecord(doc_, t);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
    EXPECT_TRUE(Has(st.message(), field));
    for (std::string_view v : values) EXPECT_TRUE(Lacks(st.message(), v));
  }

  std::string text_;
  rapidjson::Document doc_;
};

TEST_F(MappingTest, MapsEveryFieldOfAFullRecord) {
  ScopedTimeZone zone("America/New_York");
  Ticket t;
  Status st = MapRecord(doc_, t);
  ASSERT_TRUE(st.ok()) << st.ToString();

  EXPECT_EQ(t.external_id, "YY2306120001");
  EXPECT_EQ(t.external_ref, "XF-2023-0001");
  EXPECT_EQ(t.accepted_at, 1686535200);  // 2023-06-12 10:00:00 +0800
  EXPECT_EQ(t.channel, "电话");
  EXPECT_EQ(t.complainant, "张三");
  EXPECT_EQ(t.phone, "138 1234 5678");
  EXPECT_EQ(t.id_number, "43060219900101123X");
  EXPECT_EQ(t.kind, "投诉");
  EXPECT_EQ(t.category, "城市管理类");
  EXPECT_EQ(t.title, "小区夜间施工噪音扰民");
  EXPECT_EQ(
      t.content,
      "来电人反映：某小区旁工地每晚２２点后仍在施工，噪音很大，影响休息😡，请相关部门尽快处理。");
  EXPECT_EQ(t.address, "岳阳楼区某某路88号某小区3栋");
  EXPECT_EQ(t.unit, "岳阳楼区");
  EXPECT_EQ(t.unit_code, "430602");
  EXPECT_EQ(t.deadline, 1686967200);           // 2023-06-17 10:00:00
  EXPECT_EQ(t.extended_deadline, 1687399200);  // 2023-06-22 10:00:00
  EXPECT_EQ(t.state, state::kInProgress);
  EXPECT_EQ(t.closed_at, 1687249800);  // 2023-06-20 16:30:00
  EXPECT_EQ(t.closure_text, "经核查，已责令施工单位夜间停工。");
  EXPECT_EQ(t.revisit_result, "不满意");
  EXPECT_EQ(t.revisited_at, 1687310100);  // 2023-06-21 09:15:00
  EXPECT_EQ(t.rework_count, 1);
  EXPECT_TRUE(t.deputy);
  EXPECT_FALSE(t.enterprise);
  EXPECT_EQ(t.updated_at, 1687312800);  // 2023-06-21 10:00:00

  struct Want {
    int64_t at;
    const char* action;
    const char* note;
    const char* result;
    const char* ref;
  };
  const Want kWant[] = {
      {1686535500, "派单", "请按时办理", "", ""},
      {1686538800, "签收", "", "", ""},
      {1686790800, "申请延期", "需协调住建部门", "", ""},
      {1686812400, "延期通过", "同意延期至6月22日", "", ""},
      {1687249800, "办结", "已处理", "", ""},
      {1687310100, "回访", "群众反映仍有噪音", "不满意", ""},
      {1687310400, "返工", "回访不满意，返工", "", ""},
      {1687312800, "备注", "信访平台同步进展", "", "XF-2023-0001-N1"},
  };
  ASSERT_EQ(t.history.size(), std::size(kWant));
  for (size_t i = 0; i < std::size(kWant); ++i) {
    const HistoryEntry& h = t.history[i];
    EXPECT_EQ(h.at, kWant[i].at) << i;
    EXPECT_EQ(h.action, kWant[i].action) << i;
    EXPECT_EQ(h.unit, "岳阳楼区") << i;
    EXPECT_EQ(h.note, kWant[i].note) << i;
    EXPECT_EQ(h.result, kWant[i].result) << i;
    EXPECT_EQ(h.external_ref, kWant[i].ref) << i;
  }
}

// The caller keeps the record's bytes in raw (unknown fields included); MapRecord leaves it alone
// and does not trip over the unknown field.
TEST_F(MappingTest, LeavesRawToTheCallerAndIgnoresUnknownFields) {
  ASSERT_TRUE(doc_.HasMember("kzzd"));
  Ticket t;
  t.raw = text_;
  ASSERT_TRUE(MapRecord(doc_, t).ok());
  EXPECT_EQ(t.raw, text_);
  EXPECT_TRUE(Has(t.raw, R"("kzzd": {"ywlx": "噪音", "bq": [1, 2]})"));
}

TEST_F(MappingTest, RecordIdFromBytesReadsAPlainGdbh) {
  EXPECT_EQ(RecordIdFromBytes(text_), "YY2306120001");
  // Bytes that do not parse still name their record.
  EXPECT_EQ(RecordIdFromBytes("{\"gdbh\": \"YY2306120002\", \"sqnr\": \"\xD6\xD0\xCE\xC4\"}"),
            "YY2306120002");
  EXPECT_EQ(RecordIdFromBytes("{\"gdbh\":\"YY2306120003\""), "YY2306120003");
}

TEST_F(MappingTest, RecordIdFromBytesRefusesAnythingButAPlainId) {
  EXPECT_EQ(RecordIdFromBytes(""), "");
  EXPECT_EQ(RecordIdFromBytes("{\"wbbh\":\"XF-1\"}"), "");
  EXPECT_EQ(RecordIdFromBytes("{\"gdbh\":2306120001}"), "");
  EXPECT_EQ(RecordIdFromBytes("{\"gdbh\":\"YY\\u0041\"}"), "");
  EXPECT_EQ(RecordIdFromBytes("{\"gdbh\":\"张三\"}"), "");
  EXPECT_EQ(RecordIdFromBytes("{\"gdbh\":\"YY 01\"}"), "");
  EXPECT_EQ(RecordIdFromBytes("{\"gdbh\":\"" + std::string(65, 'Y') + "\"}"), "");
  EXPECT_EQ(RecordIdFromBytes("{\"gdbh\":\"YY2306120001"), "");
}

TEST_F(MappingTest, MapsAMinimalRecord) {
  for (const char* key : {"wbbh", "sqr", "lxdh", "zjhm", "sqbt", "fsdz", "cbdwbm", "yqsx", "bjsj",
                          "bjnr", "hfjg", "hfsj", "fgcs", "rddb", "sq", "lzjl", "kzzd"}) {
    doc_.RemoveMember(key);
  }
  SetString("gdzt", "待签收");
  Ticket t;
  Status st = MapRecord(doc_, t);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(t.external_ref, "");
  EXPECT_EQ(t.phone, "");
  EXPECT_FALSE(t.extended_deadline.has_value());
  EXPECT_FALSE(t.closed_at.has_value());
  EXPECT_FALSE(t.revisited_at.has_value());
  EXPECT_EQ(t.rework_count, 0);
  EXPECT_FALSE(t.deputy);
  EXPECT_TRUE(t.history.empty());
  EXPECT_EQ(t.state, state::kPending);
}

TEST_F(MappingTest, NullOptionalFieldsAreAbsent) {
  for (const char* key : {"wbbh", "yqsx", "bjsj", "bjnr", "hfjg", "hfsj", "lzjl"}) {
    Set(key, rapidjson::Value(rapidjson::kNullType));
  }
  Ticket t;
  Status st = MapRecord(doc_, t);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_FALSE(t.extended_deadline.has_value());
  EXPECT_EQ(t.revisit_result, "");
  EXPECT_TRUE(t.history.empty());
}

TEST_F(MappingTest, MapsEveryStateCanonically) {
  const std::pair<const char*, std::string_view> kStates[] = {
      {"待签收", state::kPending},
      {"办理中", state::kInProgress},
      {"延期审核中", state::kExtensionReview},
      {"已办结", state::kClosed},
      {"已回访", state::kRevisited},
      {"已归档", state::kArchived},
      {"已退单", state::kReturned},
  };
  for (const auto& [gdzt, want] : kStates) {
    EXPECT_EQ(CanonicalState(gdzt), want) << gdzt;
    SetString("gdzt", gdzt);
    Ticket t;
    ASSERT_TRUE(MapRecord(doc_, t).ok()) << gdzt;
    EXPECT_EQ(t.state, want) << gdzt;
  }
  EXPECT_EQ(CanonicalState("已作废"), "");
  EXPECT_EQ(CanonicalState(""), "");
  EXPECT_EQ(CanonicalState("pending"), "");
}

TEST_F(MappingTest, RecordIdReadsTheGdbh) {
  EXPECT_EQ(RecordId(doc_), "YY2306120001");
  Set("gdbh", I64(2306120001));
  EXPECT_EQ(RecordId(doc_), "");
  SetString("gdbh", std::string(65, 'Y'));
  EXPECT_EQ(RecordId(doc_), "");
  rapidjson::Document arr;
  arr.SetArray();
  EXPECT_EQ(RecordId(arr), "");
}

TEST_F(MappingTest, RefusesMissingGdbh) {
  doc_.RemoveMember("gdbh");
  ExpectRejected("gdbh", {});
}

TEST_F(MappingTest, RefusesEmptyOrNullGdbh) {
  SetString("gdbh", "");
  ExpectRejected("gdbh", {});
  Set("gdbh", rapidjson::Value(rapidjson::kNullType));
  ExpectRejected("gdbh", {});
}

TEST_F(MappingTest, RefusesGdbhAsANumber) {
  Set("gdbh", I64(2306120001));
  ExpectRejected("gdbh", {"2306120001"});
}

TEST_F(MappingTest, RefusesAnOverlongGdbh) {
  std::string id = "YY" + std::string(100, '7');
  SetString("gdbh", id);
  ExpectRejected("gdbh", {id, "7777777"});
}

TEST_F(MappingTest, HugeFgcsFailsAlreadyInParse) {
  std::string text = text_;
  size_t at = text.find("\"fgcs\": 1");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 9, "\"fgcs\": 123456789012345678901234567890");
  rapidjson::Document doc;
  Status st = json::Parse(text, doc);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Lacks(st.message(), "123456789012345678901234567890"));
}

TEST_F(MappingTest, RefusesNegativeFgcs) {
  Set("fgcs", rapidjson::Value(-1));
  ExpectRejected("fgcs", {"-1"});
}

TEST_F(MappingTest, RefusesFgcsOfTheWrongKind) {
  Set("fgcs", rapidjson::Value(1.5));
  ExpectRejected("fgcs", {"1.5"});
  SetString("fgcs", "1");
  ExpectRejected("fgcs", {});
  Set("fgcs", rapidjson::Value(static_cast<uint64_t>(UINT64_MAX)));
  ExpectRejected("fgcs", {"18446744073709551615"});
}

TEST_F(MappingTest, RefusesRddbAsAString) {
  SetString("rddb", "true");
  ExpectRejected("rddb", {"\"true\""});
  Ticket t;
  EXPECT_TRUE(Has(MapRecord(doc_, t).message(), "string"));
}

TEST_F(MappingTest, RefusesSqAsANumber) {
  Set("sq", rapidjson::Value(1));
  ExpectRejected("sq", {});
}

TEST_F(MappingTest, RefusesADayThatDoesNotExist) {
  SetString("slsj", "2023-02-30 10:00:00");
  ExpectRejected("slsj", {"2023-02-30"});
}

TEST_F(MappingTest, RefusesATimeWithT) {
  SetString("gxsj", "2023-06-21T10:00:00");
  ExpectRejected("gxsj", {"2023-06-21T10:00:00"});
}

TEST_F(MappingTest, RefusesATimeAsANumber) {
  Set("blsx", rapidjson::Value(1686967200));
  ExpectRejected("blsx", {"1686967200"});
}

TEST_F(MappingTest, RefusesMissingRequiredFields) {
  for (const char* key : {"slsj", "qdly", "sqlx", "sqfl", "sqnr", "cbdw", "blsx", "gdzt", "gxsj"}) {
    rapidjson::Document copy;
    copy.CopyFrom(doc_, copy.GetAllocator());
    copy.RemoveMember(key);
    Ticket t;
    Status st = MapRecord(copy, t);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << key;
    EXPECT_TRUE(Has(st.message(), key));
    EXPECT_TRUE(Has(st.message(), "missing"));
  }
}

TEST_F(MappingTest, RefusesAnUnknownState) {
  SetString("gdzt", "已作废");
  ExpectRejected("gdzt", {"已作废"});
}

TEST_F(MappingTest, RefusesAnUnknownRevisitResult) {
  SetString("hfjg", "很满意");
  ExpectRejected("hfjg", {"很满意"});
}

TEST_F(MappingTest, RefusesLzjlThatIsNotAnArray) {
  rapidjson::Value obj(rapidjson::kObjectType);
  obj.AddMember("sj", "2023-06-12 10:05:00", doc_.GetAllocator());
  Set("lzjl", std::move(obj));
  ExpectRejected("lzjl", {"2023-06-12 10:05:00"});
  SetString("lzjl", "派单");
  ExpectRejected("lzjl", {"派单"});
}

TEST_F(MappingTest, RefusesALzjlEntryThatIsNotAnObject) {
  doc_["lzjl"][1].SetString("签收");
  ExpectRejected("lzjl[1]", {"签收"});
}

TEST_F(MappingTest, RefusesALzjlEntryWithoutSj) {
  doc_["lzjl"][2].RemoveMember("sj");
  ExpectRejected("lzjl[2].sj", {});
}

TEST_F(MappingTest, RefusesALzjlEntryWithoutDz) {
  doc_["lzjl"][0].RemoveMember("dz");
  ExpectRejected("lzjl[0].dz", {});
}

TEST_F(MappingTest, RefusesALzjlEntryWithABadTime) {
  SetLog(3, "sj", "2023-06-15 15:00");
  ExpectRejected("lzjl[3].sj", {"2023-06-15 15:00"});
}

TEST_F(MappingTest, RefusesAnInvalidRevisitResultInLzjl) {
  SetLog(5, "jg", "还行");
  ExpectRejected("lzjl[5].jg", {"还行"});
}

TEST_F(MappingTest, RefusesOverlongText) {
  std::string huge(64 * 1024 + 1, 'a');
  SetString("sqnr", huge);
  ExpectRejected("sqnr", {"aaaaaaaa"});
  Reload();
  SetString("sqr", std::string(257, 'b'));
  ExpectRejected("sqr", {"bbbbbbbb"});
}

TEST_F(MappingTest, RefusesTooManyLzjlEntries) {
  rapidjson::Value entry;
  entry.CopyFrom(doc_["lzjl"][0], doc_.GetAllocator());
  rapidjson::Value& log = doc_["lzjl"];
  while (log.Size() <= 10'000) {
    rapidjson::Value copy(entry, doc_.GetAllocator());
    log.PushBack(copy, doc_.GetAllocator());
  }
  ExpectRejected("lzjl", {});
}

TEST_F(MappingTest, RefusesANulInSqnr) {
  std::string text = text_;
  size_t at = text.find("来电人反映");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, "\\u0000");
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(text, doc).ok());
  Ticket t;
  Status st = MapRecord(doc, t);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(st.message(), "sqnr"));
  EXPECT_TRUE(Has(st.message(), "NUL"));
  EXPECT_TRUE(Lacks(st.message(), "来电人"));
}

TEST_F(MappingTest, RefusesARecordThatIsNotAnObject) {
  for (const char* text : {"[]", "\"YY2306120001\"", "null", "42", "true"}) {
    rapidjson::Document doc;
    ASSERT_TRUE(json::Parse(text, doc).ok()) << text;
    Ticket t;
    Status st = MapRecord(doc, t);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(Has(st.message(), "record")) << text;
    EXPECT_TRUE(Has(st.message(), "object")) << text;
    EXPECT_TRUE(Lacks(st.message(), "YY2306120001")) << text;
  }
}

// A page as the client reads it: records split out of the body and mapped one by one, a bad one
// rejected alone with its reason.
TEST_F(MappingTest, ReadsAPageRecordByRecord) {
  const std::string bad = R"({"gdbh":"YYBAD1","fgcs":"1"})";
  PageBody body;
  ASSERT_TRUE(ReadPageBody(R"({"code":0,"msg":"成功","data":{"list":[)" + text_ + ",\n " + bad +
                               R"(],"next_cursor":"c2","has_more":true}})",
                           body)
                  .ok());
  EXPECT_EQ(body.records.size(), 2u);
  rapidjson::MemoryPoolAllocator<> pool;
  std::vector<Ticket> tickets;
  std::vector<Reject> rejects;
  PageLinks links;
  ASSERT_TRUE(MapPage(body, pool, tickets, rejects, links).ok());
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets[0].external_id, "YY2306120001");
  EXPECT_TRUE(Has(text_, tickets[0].raw));
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].source_id, "YYBAD1");
  EXPECT_EQ(rejects[0].raw, bad);
  EXPECT_TRUE(links.has_more);
  EXPECT_EQ(links.next_cursor, "c2");
}

// The same fault as the petition page's found by fuzz/petition_fuzz.cc: data that is not an
// object reached RapidJSON's MemberEnd, which asserts (an abort in a debug build, undefined
// behaviour in a release build). Now the page is refused with its reason.
TEST_F(MappingTest, RefusesAPageWhoseDataIsNotAnObject) {
  for (const char* text :
       {R"({"code":0,"data":1})", R"({"code":0,"data":[]})", R"({"code":0,"data":null})",
        R"({"code":0,"data":"x"})", R"({"code":0,"msg":"成功"})"}) {
    PageBody body;
    ASSERT_TRUE(ReadPageBody(text, body).ok()) << text;
    rapidjson::MemoryPoolAllocator<> pool;
    std::vector<Ticket> tickets;
    std::vector<Reject> rejects;
    PageLinks links;
    Status st = MapPage(body, pool, tickets, rejects, links);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(Has(st.message(), "data is not {list, next_cursor, has_more}")) << text;
    EXPECT_TRUE(tickets.empty() && rejects.empty()) << text;
  }
}

// Seen while writing fuzz_checks' rule "has_more means a cursor to follow": a next_cursor with an
// escaped NUL passed the non-empty check and was then cut at the NUL, so the client saved ""
// and read the first page again and again.
TEST_F(MappingTest, RefusesAPageWhoseCursorToFollowHoldsANul) {
  auto map = [](const std::string& cursor, bool more, PageLinks& links) {
    PageBody body;
    EXPECT_TRUE(ReadPageBody(R"({"code":0,"data":{"list":[],"next_cursor":")" + cursor +
                                 R"(","has_more":)" + (more ? "true" : "false") + "}}",
                             body)
                    .ok());
    rapidjson::MemoryPoolAllocator<> pool;
    std::vector<Ticket> tickets;
    std::vector<Reject> rejects;
    return MapPage(body, pool, tickets, rejects, links);
  };
  PageLinks links;
  EXPECT_EQ(map("\\u0000", true, links).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(map("c\\u00002", true, links).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(map("", true, links).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(map("c\\u00002", false, links).ok());  // Not followed: no harm.
  EXPECT_FALSE(links.has_more);
  ASSERT_TRUE(map("c-2", true, links).ok());
  EXPECT_EQ(links.next_cursor, "c-2");
}

// Found by fuzz/petition_fuzz.cc: the strict parser stopped at a NUL byte, so a record followed by
// a NUL and anything at all was mapped, with those bytes in its raw text.
TEST_F(MappingTest, RefusesARecordWithANulByteAfterIt) {
  rapidjson::MemoryPoolAllocator<> pool;
  std::vector<Ticket> tickets;
  std::vector<Reject> rejects;
  MapRecordBytes(text_ + std::string("\0,\"sqr\":\"x\"}", 12), pool, tickets, rejects);
  EXPECT_TRUE(tickets.empty());
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].source_id, "YY2306120001");
  EXPECT_TRUE(Has(rejects[0].reason, "NUL"));
  MapRecordBytes(text_, pool, tickets, rejects);
  EXPECT_EQ(tickets.size(), 1u);
}

// Personal data placed in a field of the wrong type must not reach the error message.
TEST_F(MappingTest, PersonalDataInAWrongFieldStaysOutOfTheMessage) {
  const char* kPhone = "13812345678";
  const char* kId = "43060219900101123X";
  struct Case {
    const char* field;
    std::function<void(MappingTest&)> apply;
  };
  const Case kCases[] = {
      {"sqr", [](MappingTest& m) { m.Set("sqr", I64(13812345678)); }},
      {"lxdh", [](MappingTest& m) { m.Set("lxdh", I64(13812345678)); }},
      {"zjhm", [](MappingTest& m) { m.Set("zjhm", I64(430602199001011234)); }},
      {"fgcs", [](MappingTest& m) { m.SetString("fgcs", "13812345678"); }},
      {"fgcs", [](MappingTest& m) { m.Set("fgcs", I64(13812345678)); }},
      {"rddb", [](MappingTest& m) { m.SetString("rddb", "13812345678"); }},
      {"slsj", [](MappingTest& m) { m.SetString("slsj", "13812345678"); }},
      {"gxsj", [](MappingTest& m) { m.SetString("gxsj", "43060219900101123X"); }},
      {"gdzt", [](MappingTest& m) { m.SetString("gdzt", "13812345678"); }},
      {"hfjg", [](MappingTest& m) { m.SetString("hfjg", "43060219900101123X"); }},
      {"gdbh", [](MappingTest& m) { m.Set("gdbh", I64(13812345678)); }},
      {"lzjl", [](MappingTest& m) { m.SetString("lzjl", "13812345678"); }},
      {"lzjl[0]", [](MappingTest& m) { m.doc_["lzjl"][0].SetString("13812345678"); }},
      {"lzjl[5].jg", [](MappingTest& m) { m.SetLog(5, "jg", "43060219900101123X"); }},
      {"lzjl[1].sj", [](MappingTest& m) { m.SetLog(1, "sj", "13812345678"); }},
  };
  for (const Case& c : kCases) {
    Reload();
    c.apply(*this);
    Ticket t;
    Status st = MapRecord(doc_, t);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.field;
    EXPECT_TRUE(Has(st.message(), c.field));
    for (const char* secret : {kPhone, kId, "430602199001011234", "12345678", "19900101"}) {
      EXPECT_TRUE(Lacks(st.message(), secret)) << c.field;
    }
  }
}

}  // namespace
}  // namespace hs::hotline12345
