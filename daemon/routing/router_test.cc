// Tests of the city router with the shipped rules (LoadRules("")) and a scripted RouteContext:
// hotline orders for the petition bureau (or flagged) become petition creates with their log as
// progress; orders made from petitions send their log back; provincial dispatches are accepted and
// made hotline orders for the unit of their area, or returned; REOPENED makes a new order; the
// closure of an order made from a dispatch becomes the province's result, held when incomplete;
// transferred petitions become hotline orders and their status changes 备注 there.
#include "daemon/routing/router.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "daemon/core/json.h"
#include "daemon/core/ticket.h"
#include "daemon/core/time_util.h"
#include "daemon/crypto/crypto.h"
#include "daemon/ledger/ledger.h"
#include "tests/fakes/test_util.h"

namespace hs::routing {
namespace {

using ::hs::testing::Has;
using ::hs::testing::Lacks;

constexpr int64_t kT0 = 1686531600;  // 2023-06-12 09:00:00 Beijing time, Unix seconds.
constexpr std::string_view kHotline = "hotline12345";
constexpr std::string_view kPetition = "petition";
constexpr std::string_view kProvincial = "provincial";
constexpr char kGdbh[] = "YY2306120001";
constexpr char kPetitionNo[] = "XF-430600-2023-004211";
constexpr char kDispatchId[] = "HN-2023-0612-000381";
// Synthetic contact data: a landline-shaped number no mobile or ID pattern matches.
constexpr char kName[] = "张某";
constexpr char kPhone[] = "0730-0000000";

// Look-ups answered from sets the test fills.
class FakeContext final : public ledger::RouteContext {
 public:
  void AddTicket(std::string_view source, std::string_view id, int64_t ledger_id) {
    tickets_[{std::string(source), std::string(id)}] = ledger_id;
  }
  void Flag(int64_t ticket_id, std::string flag) { flags_.insert({ticket_id, std::move(flag)}); }
  void AddCounterpart(int64_t ticket_id, std::string target) {
    counterparts_.insert({ticket_id, std::move(target)});
  }
  void FailWith(Status s) { fail_ = std::move(s); }

  Result<std::optional<int64_t>> FindTicket(std::string_view source,
                                            std::string_view external_id) override {
    if (!fail_.ok()) return fail_;
    auto it = tickets_.find({std::string(source), std::string(external_id)});
    if (it == tickets_.end()) return std::optional<int64_t>();
    return std::optional<int64_t>(it->second);
  }
  Result<bool> Flagged(int64_t ticket_id, std::string_view flag) override {
    if (!fail_.ok()) return fail_;
    ++flag_lookups;
    return flags_.contains({ticket_id, std::string(flag)});
  }
  Result<bool> HasCounterpart(int64_t ticket_id, std::string_view target) override {
    if (!fail_.ok()) return fail_;
    return counterparts_.contains({ticket_id, std::string(target)});
  }

  int flag_lookups = 0;

 private:
  std::map<std::pair<std::string, std::string>, int64_t> tickets_;
  std::set<std::pair<int64_t, std::string>> flags_;
  std::set<std::pair<int64_t, std::string>> counterparts_;
  Status fail_;
};

// A parsed payload with typed accessors that fail the test on a missing or mistyped field.
class Json {
 public:
  explicit Json(const std::string& text) {
    Status s = json::Parse(text, doc_);
    EXPECT_TRUE(s.ok()) << s.ToString() << " in " << text;
    if (!s.ok()) doc_.SetObject();
    EXPECT_TRUE(doc_.IsObject()) << text;
  }
  bool HasField(const char* key) const { return doc_.IsObject() && doc_.HasMember(key); }
  std::string Str(const char* key) const { return StrOf(doc_, key); }
  int64_t Int(const char* key) const {
    if (!HasField(key) || !doc_[key].IsInt64()) {
      ADD_FAILURE() << key << " is not an integer";
      return -1;
    }
    return doc_[key].GetInt64();
  }
  bool Bool(const char* key) const {
    if (!HasField(key) || !doc_[key].IsBool()) {
      ADD_FAILURE() << key << " is not a boolean";
      return false;
    }
    return doc_[key].GetBool();
  }
  bool IsNull(const char* key) const { return HasField(key) && doc_[key].IsNull(); }
  const rapidjson::Value& Obj(const char* key) const {
    static const rapidjson::Value kEmpty(rapidjson::kObjectType);
    if (!HasField(key) || !doc_[key].IsObject()) {
      ADD_FAILURE() << key << " is not an object";
      return kEmpty;
    }
    return doc_[key];
  }
  size_t size() const { return doc_.IsObject() ? doc_.MemberCount() : 0; }

  static std::string StrOf(const rapidjson::Value& v, const char* key) {
    if (!v.IsObject() || !v.HasMember(key) || !v[key].IsString()) {
      ADD_FAILURE() << key << " is not a string";
      return "<missing>";
    }
    return std::string(v[key].GetString(), v[key].GetStringLength());
  }

 private:
  rapidjson::Document doc_;
};

size_t Utf8Chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

HistoryEntry Entry(int64_t at, std::string action, std::string unit, std::string note,
                   std::string result = "", std::string external_ref = "") {
  HistoryEntry h;
  h.at = at;
  h.action = std::move(action);
  h.unit = std::move(unit);
  h.note = std::move(note);
  h.result = std::move(result);
  h.external_ref = std::move(external_ref);
  return h;
}

// A hotline order dispatched to the petition bureau; its third log entry is a note we appended
// (it carries our wbbh).
Ticket BureauOrder() {
  Ticket t;
  t.external_id = kGdbh;
  t.channel = "电话";
  t.kind = "投诉";
  t.category = "人力资源和社会保障类";
  t.title = "拖欠工资";
  t.content = "诉求人反映某公司拖欠其三个月工资共计若干元，多次讨要未果，请相关部门处理。";
  t.address = "岳阳楼区某路某号";
  t.complainant = kName;
  t.phone = kPhone;
  t.unit = "市信访局";
  t.accepted_at = kT0;
  t.deadline = kT0 + 5 * 86400;
  t.state = std::string(state::kInProgress);
  t.native_state = "办理中";
  t.updated_at = kT0 + 600;
  t.version = kT0 + 600;
  t.history = {Entry(kT0, "派单", "市信访局", "请核实处理"),
               Entry(kT0 + 300, "签收", "市信访局", ""),
               Entry(kT0 + 400, "备注", "市信访局", "信访件状态：受理", "", "XF-1/ACCEPTED/1"),
               Entry(kT0 + 600, "回访", "市信访局", "电话回访", "满意")};
  return t;
}

// A provincial dispatch with a short content.
Ticket Dispatch(std::string native_state, std::string area = "岳阳市平江县") {
  Ticket t;
  t.external_id = kDispatchId;
  t.channel = "省长信箱";
  t.title = "噪音扰民";
  t.content = "夜间施工噪音大";  // 7 characters: the hotline wants at least 20.
  t.address = std::move(area);
  t.complainant = kName;
  t.phone = kPhone;
  t.deadline = kT0 + 10 * 86400;
  t.native_state = std::move(native_state);
  t.state =
      t.native_state == "REOPENED" ? std::string(state::kReopened) : std::string(state::kPending);
  t.updated_at = kT0;
  t.version = 7;
  return t;
}

// The hotline order made from a dispatch, closed by the unit.
Ticket OrderFromDispatch(std::string closure_text, std::string wbbh = kDispatchId) {
  Ticket t;
  t.external_id = "YY2306120002";
  t.external_ref = std::move(wbbh);
  t.channel = "省平台转办";
  t.kind = "投诉";
  t.title = "噪音扰民";
  t.content = "【噪音扰民】夜间施工噪音大（详见原件）（详见原件）";
  t.complainant = kName;
  t.phone = kPhone;
  t.unit = "平江县";
  t.state = std::string(state::kClosed);
  t.native_state = "已办结";
  t.closed_at = kT0 + 31 * 60 + 5;  // 2023-06-12 09:31:05.
  t.closure_text = std::move(closure_text);
  t.updated_at = *t.closed_at;
  t.version = *t.closed_at;
  return t;
}

// A petition the bureau hands to the hotline.
Ticket Petition(std::string native_state) {
  Ticket t;
  t.external_id = kPetitionNo;
  t.title = "小区违建";
  t.content = "小区内有业主私自搭建违章建筑，影响通行和采光，请相关部门查处。";
  t.address = "岳阳楼区某小区";
  t.complainant = kName;
  t.phone = kPhone;
  t.deadline = kT0 + 15 * 86400;
  t.native_state = std::move(native_state);
  t.state = std::string(state::kTransferred);
  t.updated_at = kT0;
  t.version = 1686585600123;
  return t;
}

constexpr char kCompleteClosure[] =
    "6月12日，承办人员电话联系诉求人，详细了解了诉求情况。经现场核查，已责令施工单位规范施工。"
    "目前已整改到位。诉求人对处理结果表示满意。";

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto rules = LoadRules("");
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    router_ = std::make_unique<CityRouter>(std::move(rules).value());
  }

  std::vector<ledger::OutboxRequest> Route(std::string_view source, const Ticket& t, bool inserted,
                                           std::string_view previous_native = "",
                                           size_t previous_history = 0, int64_t id = 7) {
    ledger::Change c;
    c.source = source;
    c.ticket_id = id;
    c.ticket = &t;
    c.inserted = inserted;
    c.previous_native_state = previous_native;
    c.previous_history = previous_history;
    std::vector<ledger::OutboxRequest> out;
    Status s = router_->Route(c, ctx_, out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  std::unique_ptr<CityRouter> router_;
  FakeContext ctx_;
};

TEST_F(RouterTest, ShippedRulesLoad) {
  const Rules& r = router_->rules();
  EXPECT_EQ(r.petition_units, std::vector<std::string>{"市信访局"});
  EXPECT_EQ(r.default_category_code, "XF0601");
  EXPECT_EQ(r.petition_channel, "信访平台推送");
  EXPECT_EQ(r.provincial_channel, "省平台转办");
  ASSERT_NE(r.UnitForArea("岳阳市平江县"), nullptr);
  EXPECT_EQ(r.UnitForArea("岳阳市平江县")->name, "平江县");
  EXPECT_EQ(r.UnitForArea("长沙市开福区"), nullptr);
  // The codebook: the lowest code of a hotline category wins.
  EXPECT_EQ(r.category_codes.at("人力资源和社会保障类"), "XF0301");
  EXPECT_EQ(r.category_codes.at("社情民意类"), "XF0401");
  EXPECT_EQ(r.category_codes.at("住房与城乡建设类"), "XF0501");
}

TEST_F(RouterTest, BureauOrderBecomesPetitionCreateAndItsLogProgress) {
  const Ticket t = BureauOrder();
  auto out = Route(kHotline, t, /*inserted=*/true);
  // create + 派单, 签收, 回访 (the appended note, which carries a wbbh, is not sent back).
  ASSERT_EQ(out.size(), 4u);
  const ledger::OutboxRequest& create = out[0];
  EXPECT_EQ(create.target, "petition");
  EXPECT_EQ(create.action, "create");
  EXPECT_EQ(create.target_ref, "");
  EXPECT_EQ(create.revision, "0");
  EXPECT_EQ(create.held_reason, "");
  Json p(create.payload);
  EXPECT_EQ(p.Str("form"), "HOTLINE");
  EXPECT_EQ(p.Str("sourceSystem"), "12345");
  EXPECT_EQ(p.Str("sourceNo"), kGdbh);
  EXPECT_EQ(p.Int("registeredAt"), kT0 * 1000);
  EXPECT_EQ(p.Str("title"), t.title);
  EXPECT_EQ(p.Str("content"), t.content);
  EXPECT_EQ(p.Str("incidentAddress"), t.address);
  EXPECT_EQ(p.Str("categoryCode"), "XF0301");
  const rapidjson::Value& who = p.Obj("petitioner");
  EXPECT_EQ(Json::StrOf(who, "name"), kName);
  EXPECT_EQ(Json::StrOf(who, "mobile"), kPhone);
  ASSERT_TRUE(who.HasMember("idCard"));
  EXPECT_TRUE(who["idCard"].IsNull());
  ASSERT_TRUE(who.HasMember("persons"));
  EXPECT_EQ(who["persons"].GetInt(), 1);

  const char* revisions[] = {"log:0", "log:1", "log:3"};
  for (size_t i = 1; i < out.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(out[i].target, "petition");
    EXPECT_EQ(out[i].action, "progress");
    EXPECT_EQ(out[i].target_ref, "");  // The petition the create makes.
    EXPECT_EQ(out[i].revision, revisions[i - 1]);
    Json g(out[i].payload);
    EXPECT_EQ(g.Str("sourceNo"), kGdbh);
  }
  Json first(out[1].payload);
  EXPECT_EQ(first.Int("at"), kT0 * 1000);
  EXPECT_EQ(first.Str("action"), "派单");
  EXPECT_EQ(first.Str("text"), "【市信访局】请核实处理");
  Json revisit(out[3].payload);
  EXPECT_EQ(revisit.Str("action"), "回访");
  EXPECT_EQ(revisit.Str("text"), "【市信访局】电话回访；回访结果：满意");
  for (const auto& r : out) EXPECT_TRUE(Lacks(r.payload, "信访件状态")) << r.payload;
}

TEST_F(RouterTest, CategoryWithoutCodeGetsTheDefault) {
  Ticket t = BureauOrder();
  t.category = "交通运输与交通秩序类";
  auto out = Route(kHotline, t, true);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(Json(out[0].payload).Str("categoryCode"), "XF0601");

  t.category = "";
  out = Route(kHotline, t, true);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(Json(out[0].payload).Str("categoryCode"), "XF0601");
}

TEST_F(RouterTest, EmptyPersonalFieldsAreNull) {
  Ticket t = BureauOrder();
  t.complainant.clear();
  t.phone.clear();
  t.address.clear();
  auto out = Route(kHotline, t, true);
  ASSERT_FALSE(out.empty());
  Json p(out[0].payload);
  EXPECT_TRUE(p.IsNull("incidentAddress"));
  const rapidjson::Value& who = p.Obj("petitioner");
  ASSERT_TRUE(who.HasMember("name") && who.HasMember("mobile"));
  EXPECT_TRUE(who["name"].IsNull());
  EXPECT_TRUE(who["mobile"].IsNull());
}

TEST_F(RouterTest, FlaggedOrderIsRoutedLikeABureauOrder) {
  Ticket t = BureauOrder();
  t.unit = "岳阳楼区";
  ctx_.Flag(7, "petition");
  auto out = Route(kHotline, t, true);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].action, "create");
  EXPECT_EQ(Json(out[0].payload).Str("categoryCode"), "XF0301");
  EXPECT_EQ(out[1].action, "progress");
  EXPECT_EQ(out[3].revision, "log:3");
  EXPECT_EQ(ctx_.flag_lookups, 1);

  // Another order of the same unit without the flag.
  auto other = Route(kHotline, t, true, "", 0, /*id=*/8);
  EXPECT_TRUE(other.empty());
}

TEST_F(RouterTest, OrderForAnotherUnitQueuesNothing) {
  Ticket t = BureauOrder();
  t.unit = "岳阳楼区";
  EXPECT_TRUE(Route(kHotline, t, true).empty());
  EXPECT_TRUE(Route(kHotline, t, false, "办理中", 2).empty());
}

// An order seen before as an ordinary one and now re-dispatched to the bureau: the create, and its
// whole log, since nothing of it went to the bureau yet.
TEST_F(RouterTest, OrderThatBecomesABureauOrderLaterSendsItsWholeLog) {
  const Ticket t = BureauOrder();
  auto out = Route(kHotline, t, /*inserted=*/false, "办理中", /*previous_history=*/2);
  ASSERT_EQ(out.size(), 4u);  // The create and entries 0, 1 and 3 (2 is a note we appended).
  EXPECT_EQ(out[0].action, "create");
  EXPECT_EQ(out[1].revision, "log:0");
  EXPECT_EQ(out[3].revision, "log:3");
}

TEST_F(RouterTest, ChangedBureauOrderSendsOnlyItsNewLogEntries) {
  const Ticket t = BureauOrder();
  ctx_.AddCounterpart(7, std::string(kPetition));  // Its create was queued when it was first seen.
  auto out = Route(kHotline, t, /*inserted=*/false, "办理中", /*previous_history=*/2);
  // The create again (same revision: the ledger's key makes it one push) and entry 3 only.
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].action, "create");
  EXPECT_EQ(out[0].revision, "0");
  EXPECT_EQ(out[1].action, "progress");
  EXPECT_EQ(out[1].revision, "log:3");
}

TEST_F(RouterTest, OrderFromAPetitionSendsItsLogBackAsProgress) {
  Ticket t = BureauOrder();
  t.unit = "市信访局";  // Even for the bureau: it is the petition's own order, not a new matter.
  t.channel = "信访平台推送";
  t.external_ref = kPetitionNo;
  ctx_.AddTicket(kPetition, kPetitionNo, 3);
  auto out = Route(kHotline, t, false, "办理中", 1);
  ASSERT_EQ(out.size(), 2u);  // Entries 1 and 3; entry 2 is our own note.
  for (const auto& r : out) {
    EXPECT_EQ(r.target, "petition");
    EXPECT_EQ(r.action, "progress");
    EXPECT_EQ(r.target_ref, kPetitionNo);
  }
  EXPECT_EQ(out[0].revision, "log:1");
  EXPECT_EQ(out[1].revision, "log:3");
  EXPECT_EQ(Json(out[0].payload).Str("action"), "签收");
}

TEST_F(RouterTest, OrderFromAnUnknownPetitionQueuesNothing) {
  Ticket t = BureauOrder();
  t.channel = "信访平台推送";
  t.external_ref = "XF-430600-2023-999999";
  EXPECT_TRUE(Route(kHotline, t, true).empty());
}

TEST_F(RouterTest, PendingDispatchIsAcceptedAndMadeAHotlineOrder) {
  const Ticket t = Dispatch("PENDING");
  auto out = Route(kProvincial, t, true);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].target, "provincial");
  EXPECT_EQ(out[0].action, "accept");
  EXPECT_EQ(out[0].target_ref, kDispatchId);
  EXPECT_EQ(out[0].payload, "{}");

  const ledger::OutboxRequest& create = out[1];
  EXPECT_EQ(create.target, "hotline12345");
  EXPECT_EQ(create.action, "create");
  EXPECT_EQ(create.target_ref, "");
  Json p(create.payload);
  EXPECT_EQ(p.Str("wbbh"), kDispatchId);
  EXPECT_EQ(p.Str("qdly"), "省平台转办");
  EXPECT_EQ(p.Str("sqlx"), "投诉");
  EXPECT_EQ(p.Str("cbdw"), "平江县");
  EXPECT_EQ(p.Str("cbdwbm"), "430626");
  EXPECT_EQ(p.Str("sqr"), kName);
  EXPECT_EQ(p.Str("lxdh"), kPhone);
  EXPECT_EQ(p.Str("sqbt"), t.title);
  EXPECT_EQ(p.Str("fsdz"), "岳阳市平江县");
  EXPECT_EQ(p.Str("blsx"), FormatShanghaiTime(*t.deadline));
  EXPECT_FALSE(p.HasField("zjhm"));
  const std::string sqnr = p.Str("sqnr");
  EXPECT_GE(Utf8Chars(sqnr), 20u) << sqnr;
  EXPECT_LE(Utf8Chars(sqnr), 4000u);
  EXPECT_TRUE(Has(sqnr, t.content));
  EXPECT_TRUE(Has(sqnr, t.title));

  // ACCEPTED (accepted elsewhere, or read again) asks for the same two pushes.
  auto again = Route(kProvincial, Dispatch("ACCEPTED"), false, "PENDING");
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].revision, out[0].revision);
  EXPECT_EQ(again[1].revision, out[1].revision);
  EXPECT_EQ(again[1].payload, out[1].payload);
}

TEST_F(RouterTest, SqnrIsPaddedFromAnEmptyContentAndCutWhenLong) {
  Ticket t = Dispatch("PENDING");
  t.title = "短";
  t.content = "";
  auto out = Route(kProvincial, t, true);
  ASSERT_EQ(out.size(), 2u);
  std::string sqnr = Json(out[1].payload).Str("sqnr");
  EXPECT_GE(Utf8Chars(sqnr), 20u) << sqnr;

  t.content.clear();
  for (int i = 0; i < 5000; ++i) t.content += "噪";
  out = Route(kProvincial, t, true);
  ASSERT_EQ(out.size(), 2u);
  sqnr = Json(out[1].payload).Str("sqnr");
  EXPECT_GE(Utf8Chars(sqnr), 20u);
  EXPECT_LE(Utf8Chars(sqnr), 4000u);
  EXPECT_EQ(sqnr.substr(0, 3), "噪");  // Long texts are cut, not prefixed with the title.
}

TEST_F(RouterTest, IdNumberIsSentWhenKnown) {
  Ticket t = Dispatch("PENDING");
  t.id_number = "TEST-ID-0001";
  auto out = Route(kProvincial, t, true);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(Json(out[1].payload).Str("zjhm"), "TEST-ID-0001");
}

TEST_F(RouterTest, DispatchForAnotherCityIsReturnedWithTheReason) {
  auto out = Route(kProvincial, Dispatch("PENDING", "长沙市开福区"), true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].target, "provincial");
  EXPECT_EQ(out[0].action, "return");
  EXPECT_EQ(out[0].target_ref, kDispatchId);
  Json p(out[0].payload);
  EXPECT_EQ(p.Str("reason"), router_->rules().return_reason);
  EXPECT_TRUE(Has(p.Str("reason"), "不属于本市管辖范围"));
}

TEST_F(RouterTest, OtherDispatchStatesQueueNothing) {
  for (const char* s : {"RESULT_SUBMITTED", "RETURNED", "CLOSED"}) {
    EXPECT_TRUE(Route(kProvincial, Dispatch(s), false, "ACCEPTED").empty()) << s;
  }
  // A reopened dispatch of no unit of ours: accepted before, so not returned now.
  EXPECT_TRUE(
      Route(kProvincial, Dispatch("REOPENED", "长沙市开福区"), false, "RESULT_SUBMITTED").empty());
}

TEST_F(RouterTest, ReopenedDispatchBecomesANewOrderDueByTheNewDeadline) {
  Ticket t = Dispatch("REOPENED");
  t.deadline = kT0 + 20 * 86400;
  auto out = Route(kProvincial, t, false, "RESULT_SUBMITTED");
  ASSERT_EQ(out.size(), 1u);  // No accept: a reopened dispatch needs none.
  EXPECT_EQ(out[0].target, "hotline12345");
  EXPECT_EQ(out[0].action, "create");
  const std::string stamp = std::to_string(*t.deadline);
  EXPECT_EQ(out[0].revision, "reopen:" + stamp);
  Json p(out[0].payload);
  EXPECT_EQ(p.Str("wbbh"), std::string(kDispatchId) + "/R" + stamp);
  EXPECT_EQ(p.Str("cbdw"), "平江县");
  EXPECT_EQ(p.Str("blsx"), FormatShanghaiTime(*t.deadline));
  EXPECT_EQ(DispatchIdOf(p.Str("wbbh")), kDispatchId);

  // Reopened again with another deadline: another order.
  t.deadline = kT0 + 30 * 86400;
  auto second = Route(kProvincial, t, false, "RESULT_SUBMITTED");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0].revision, out[0].revision);
}

TEST_F(RouterTest, DispatchIdOfStripsTheReopenSuffix) {
  EXPECT_EQ(DispatchIdOf(kDispatchId), kDispatchId);
  EXPECT_EQ(DispatchIdOf(std::string(kDispatchId) + "/R1687000000"), kDispatchId);
  EXPECT_EQ(DispatchIdOf(""), "");
}

TEST_F(RouterTest, ClosedOrderFromADispatchBecomesTheProvincesResult) {
  ctx_.AddTicket(kProvincial, kDispatchId, 5);
  const Ticket t = OrderFromDispatch(kCompleteClosure);
  auto out = Route(kHotline, t, false, "办理中");
  ASSERT_EQ(out.size(), 1u);
  const ledger::OutboxRequest& r = out[0];
  EXPECT_EQ(r.target, "provincial");
  EXPECT_EQ(r.action, "result");
  EXPECT_EQ(r.target_ref, kDispatchId);
  EXPECT_EQ(r.held_reason, "");
  EXPECT_TRUE(r.supersedes);
  EXPECT_EQ(r.revision, std::string("result:") + kDispatchId + ":" + std::to_string(*t.closed_at) +
                            ":" + std::to_string(crypto::Fnv1a64(t.closure_text)));
  Json p(r.payload);
  EXPECT_EQ(p.size(), 6u) << r.payload;
  EXPECT_EQ(p.Str("handledBy"), "平江县");
  EXPECT_EQ(p.Str("closedAt"), "2023-06-12T09:31:05+08:00");
  EXPECT_TRUE(p.Bool("contacted"));
  EXPECT_TRUE(Has(p.Str("process"), "经现场核查"));
  EXPECT_TRUE(Has(p.Str("result"), "整改到位"));
  EXPECT_TRUE(Has(p.Str("citizenOpinion"), "表示满意"));
}

TEST_F(RouterTest, ResultOfAReopenedOrderGoesToTheDispatch) {
  ctx_.AddTicket(kProvincial, kDispatchId, 5);
  const std::string wbbh = std::string(kDispatchId) + "/R1687000000";
  const Ticket t = OrderFromDispatch(kCompleteClosure, wbbh);
  auto out = Route(kHotline, t, false, "办理中");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].target_ref, kDispatchId);
  EXPECT_EQ(out[0].revision, "result:" + wbbh + ":" + std::to_string(*t.closed_at) + ":" +
                                 std::to_string(crypto::Fnv1a64(t.closure_text)));
}

TEST_F(RouterTest, RevisitedAndArchivedOrdersStillGiveTheResult) {
  ctx_.AddTicket(kProvincial, kDispatchId, 5);
  for (std::string_view s : {state::kRevisited, state::kArchived}) {
    Ticket t = OrderFromDispatch(kCompleteClosure);
    t.state = std::string(s);
    auto out = Route(kHotline, t, false, "已办结");
    ASSERT_EQ(out.size(), 1u) << s;
    EXPECT_EQ(out[0].action, "result");
  }
}

TEST_F(RouterTest, IncompleteClosureIsHeldNamingWhatIsMissing) {
  ctx_.AddTicket(kProvincial, kDispatchId, 5);
  const Ticket t = OrderFromDispatch("目前问题已解决。");
  auto out = Route(kHotline, t, false, "办理中");
  ASSERT_EQ(out.size(), 1u);
  const ledger::OutboxRequest& r = out[0];
  EXPECT_EQ(r.action, "result");
  EXPECT_TRUE(r.supersedes);
  EXPECT_TRUE(Has(r.held_reason, "是否联系诉求人(contacted)"));
  EXPECT_TRUE(Has(r.held_reason, "处理过程(process)"));
  EXPECT_TRUE(Has(r.held_reason, "诉求人意见(citizenOpinion)"));
  EXPECT_TRUE(Lacks(r.held_reason, "(result)"));
  EXPECT_LT(r.held_reason.find("contacted"), r.held_reason.find("citizenOpinion"));
  Json p(r.payload);
  EXPECT_FALSE(p.Bool("contacted"));
  EXPECT_EQ(p.Str("process"), "");
}

TEST_F(RouterTest, OpenOrUnknownDispatchOrdersGiveNoResult) {
  ctx_.AddTicket(kProvincial, kDispatchId, 5);
  Ticket open = OrderFromDispatch(kCompleteClosure);
  open.state = std::string(state::kInProgress);
  EXPECT_TRUE(Route(kHotline, open, false, "待签收").empty());

  Ticket no_time = OrderFromDispatch(kCompleteClosure);
  no_time.closed_at.reset();
  EXPECT_TRUE(Route(kHotline, no_time, false, "办理中").empty());

  Ticket unknown = OrderFromDispatch(kCompleteClosure, "HN-2023-0612-999999");
  EXPECT_TRUE(Route(kHotline, unknown, false, "办理中").empty());
}

TEST_F(RouterTest, TransferredPetitionBecomesAHotlineOrder) {
  const Ticket t = Petition("TRANSFERRED");
  auto out = Route(kPetition, t, /*inserted=*/true);
  ASSERT_EQ(out.size(), 1u);  // No 备注 for a petition seen for the first time.
  EXPECT_EQ(out[0].target, "hotline12345");
  EXPECT_EQ(out[0].action, "create");
  EXPECT_EQ(out[0].target_ref, "");
  EXPECT_EQ(out[0].revision, "0");
  Json p(out[0].payload);
  EXPECT_EQ(p.Str("wbbh"), kPetitionNo);
  EXPECT_EQ(p.Str("qdly"), "信访平台推送");
  EXPECT_EQ(p.Str("sqlx"), "投诉");
  EXPECT_EQ(p.Str("sqr"), kName);
  EXPECT_EQ(p.Str("blsx"), FormatShanghaiTime(*t.deadline));
  EXPECT_FALSE(p.HasField("cbdw"));  // The centre dispatches it.
  EXPECT_GE(Utf8Chars(p.Str("sqnr")), 20u);
}

TEST_F(RouterTest, PetitionThatCameFromTheHotlineIsNotSentBack) {
  Ticket t = Petition("TRANSFERRED");
  t.external_ref = kGdbh;  // sourceNo: made from a hotline order.
  EXPECT_TRUE(Route(kPetition, t, true).empty());
}

TEST_F(RouterTest, PetitionStatusChangeBecomesANoteOnItsHotlineOrder) {
  ctx_.AddCounterpart(7, "hotline12345");
  Ticket t = Petition("REPLIED");
  t.closure_text = "经调查，违建已责令拆除。";
  t.revisit_result = "SATISFIED";
  auto out = Route(kPetition, t, false, "TRANSFERRED");
  ASSERT_EQ(out.size(), 1u);
  const ledger::OutboxRequest& r = out[0];
  EXPECT_EQ(r.target, "hotline12345");
  EXPECT_EQ(r.action, "note");
  EXPECT_EQ(r.target_ref, "");  // The order this petition's create made.
  EXPECT_EQ(r.revision, "status:REPLIED:" + std::to_string(t.version));
  Json p(r.payload);
  EXPECT_EQ(p.Str("dz"), "备注");
  const std::string sm = p.Str("sm");
  EXPECT_TRUE(Has(sm, kPetitionNo));
  EXPECT_TRUE(Has(sm, "状态：已答复"));
  EXPECT_TRUE(Has(sm, "答复意见：经调查"));
  EXPECT_TRUE(Has(sm, "评价：SATISFIED"));
  const std::string wbbh = p.Str("wbbh");
  EXPECT_LE(wbbh.size(), 64u);
  EXPECT_FALSE(wbbh.empty());
  EXPECT_EQ(wbbh, std::string(kPetitionNo) + "/REPLIED/" + std::to_string(t.version));

  // The next status change gets another wbbh (the hotline deduplicates notes on it).
  Ticket closed = Petition("CLOSED");
  closed.version = t.version + 1000;
  auto next = Route(kPetition, closed, false, "REPLIED");
  ASSERT_EQ(next.size(), 1u);
  EXPECT_NE(Json(next[0].payload).Str("wbbh"), wbbh);
  EXPECT_TRUE(Has(Json(next[0].payload).Str("sm"), "状态：办结"));
}

TEST_F(RouterTest, LongPetitionNumberGetsAShortWbbh) {
  ctx_.AddCounterpart(7, "hotline12345");
  Ticket t = Petition("ACCEPTED");
  t.external_id = "XF-430600-2023-" + std::string(60, '7');
  auto out = Route(kPetition, t, false, "TRANSFERRED");
  ASSERT_EQ(out.size(), 1u);
  const std::string wbbh = Json(out[0].payload).Str("wbbh");
  EXPECT_LE(wbbh.size(), 64u);
  EXPECT_GE(wbbh.size(), 1u);
  // Stable: the same change gives the same wbbh.
  auto again = Route(kPetition, t, false, "TRANSFERRED");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(Json(again[0].payload).Str("wbbh"), wbbh);
}

TEST_F(RouterTest, PetitionFromAHotlineOrderNotesThatOrder) {
  ctx_.AddTicket(kHotline, kGdbh, 2);
  Ticket t = Petition("ACCEPTED");
  t.external_ref = kGdbh;
  auto out = Route(kPetition, t, false, "REGISTERED");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].action, "note");
  EXPECT_EQ(out[0].target_ref, kGdbh);
  EXPECT_TRUE(Has(Json(out[0].payload).Str("sm"), "状态：受理"));

  // The order is not in the ledger: nothing to note.
  Ticket other = t;
  other.external_ref = "YY2306129999";
  EXPECT_TRUE(Route(kPetition, other, false, "REGISTERED").empty());
}

TEST_F(RouterTest, NoNoteOnInsertUnchangedStateOrWithoutCounterpart) {
  ctx_.AddCounterpart(7, "hotline12345");
  // Inserted: no previous state to change from.
  EXPECT_TRUE(Route(kPetition, Petition("ACCEPTED"), true).empty());
  // Same native state (a newer version of the record with the same status).
  EXPECT_TRUE(Route(kPetition, Petition("ACCEPTED"), false, "ACCEPTED").empty());
  // A transferred petition read again: its create again (one push by key), no note.
  auto out = Route(kPetition, Petition("TRANSFERRED"), false, "TRANSFERRED");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].action, "create");
  // No hotline order made from it.
  EXPECT_TRUE(Route(kPetition, Petition("REPLIED"), false, "ACCEPTED", 0, /*id=*/9).empty());
}

TEST_F(RouterTest, ContextErrorsAreReturned) {
  ctx_.FailWith(Status::Unavailable("database is locked"));
  Ticket t = BureauOrder();
  t.unit = "岳阳楼区";  // Needs the flag look-up.
  ledger::Change c;
  c.source = kHotline;
  c.ticket_id = 7;
  c.ticket = &t;
  c.inserted = true;
  std::vector<ledger::OutboxRequest> out;
  Status s = router_->Route(c, ctx_, out);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(out.empty());
}

TEST_F(RouterTest, UnknownSourceQueuesNothing) {
  EXPECT_TRUE(Route("somewhere", BureauOrder(), true).empty());
}

}  // namespace
}  // namespace hs::routing

namespace hs::routing {
namespace {

// 信访工作条例 第三十条第三款: a report's complainant is not named to the units the order goes to.
TEST(RouterReportTest, AReportBecomesAnOrderWithoutTheReportersIdentity) {
  auto rules = LoadRules("");
  ASSERT_TRUE(rules.ok());
  CityRouter router(std::move(rules).value());
  Ticket t;
  t.external_id = "XF-430600-2023-000777";
  t.native_state = "TRANSFERRED";
  t.state = "transferred";
  t.title = "举报某单位违规收费";
  t.content = "反映人举报某单位长期违规收取费用，要求查处。";
  t.complainant = "王某";
  t.phone = "13800000000";
  t.id_number = "430602199001011234";
  t.version = 1;
  class NoLookups final : public ledger::RouteContext {
    Result<std::optional<int64_t>> FindTicket(std::string_view, std::string_view) override {
      return std::optional<int64_t>();
    }
    Result<bool> Flagged(int64_t, std::string_view) override { return false; }
    Result<bool> HasCounterpart(int64_t, std::string_view) override { return false; }
  } ctx;
  ledger::Change c{"petition", 1, &t, true, {}, 0};
  std::vector<ledger::OutboxRequest> out;
  ASSERT_TRUE(router.Route(c, ctx, out).ok());
  ASSERT_EQ(out.size(), 1u);
  const std::string& body = out[0].payload;
  EXPECT_EQ(body.find("王某"), std::string::npos) << body;
  EXPECT_EQ(body.find("13800000000"), std::string::npos);
  EXPECT_EQ(body.find("430602199001011234"), std::string::npos);
  EXPECT_NE(body.find("\"sqr\":\"匿名\""), std::string::npos);
  EXPECT_NE(body.find("\"sqlx\":\"举报\""), std::string::npos);
  EXPECT_NE(body.find("第三十条"), std::string::npos);
}

}  // namespace
}  // namespace hs::routing
