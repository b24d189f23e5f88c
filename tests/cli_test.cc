// Tests of the operator commands as operators run them: the real hotline-sync binary as a child
// process on a ledger the test prepared (through the public ledger API, with the shipped routing
// rules queueing the outbox), stdout and stderr captured. `status` shows the outbox and its dead
// letters, `outbox list|show|retry|drop` list, show masked, and change items under their state
// rules with an audit row, `deadlines` lists what is overdue, `flag REF petition` queues a petition
// create, `ticket REF` shows the dispatch an order was made from. No personal data leaves unmasked.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdint>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/core/ticket.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/ledger_impl.h"
#include "daemon/ledger/outbox.h"
#include "daemon/routing/router.h"
#include "tests/fakes/cli_runner.h"
#include "tests/fakes/temp_dir.h"
#include "tests/fakes/test_util.h"

namespace hs {
namespace {

using ::hs::testing::Has;
using ::hs::testing::Lacks;

constexpr char kHotline[] = "hotline12345";
constexpr char kProvincial[] = "provincial";
constexpr char kPhone[] = "13800000000";  // The petition order's complainant.
constexpr char kPhone2[] = "13800000001";
constexpr char kMaskedPhone[] = "138****0000";
constexpr char kPetitionOrder[] = "YY2306130001";  // 市信访局: a petition matter.
constexpr char kPendingOrder[] = "YY2306130002";   // 市信访局 too; its create stays pending.
constexpr char kHeldOrder[] = "YY2306130004";      // 市信访局; its create is held.
constexpr char kOrdinaryOrder[] = "YY2306130003";  // 岳阳楼区: no push until flagged.
constexpr char kDispatchId[] = "HN-2023-0613-000001";
constexpr int64_t kHour = 3600;

using Output = testing::CliOutput;


class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_s_ = static_cast<int64_t>(std::time(nullptr));
    auto rules = routing::LoadRules("");
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    router_ = std::make_unique<routing::CityRouter>(std::move(rules).value());
    Open();
  }

  void Open() {
    if (ledger_) return;
    auto opened = ledger::Ledger::Open(db_, {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
    ledger_->SetRouter(router_.get());
  }
  ledger::Ledger& L() {
    Open();
    return *ledger_;
  }

  // A hotline order, due in five days (beyond the deadline watch's lead).
  Ticket Order(const std::string& id, const std::string& unit, const std::string& phone = kPhone) {
    Ticket t;
    t.external_id = id;
    t.channel = "电话";
    t.kind = "投诉";
    t.category = "城市管理类";
    t.title = "噪音扰民";
    t.content = "夜间施工噪音很大，请回电" + phone;
    t.address = "岳阳楼区某小区";
    t.complainant = "张某";
    t.phone = phone;
    t.unit = unit;
    t.accepted_at = now_s_ - 86400;
    t.deadline = now_s_ + 5 * 86400;
    t.state = "in_progress";
    t.native_state = "办理中";
    t.updated_at = now_s_ - 3600;
    t.version = t.updated_at;
    t.raw = "{\"gdbh\":\"" + id + "\",\"lxdh\":\"" + phone + "\"}";
    return t;
  }

  // A provincial dispatch of 平江县, PENDING, due at `deadline`.
  Ticket Dispatch(const std::string& id, int64_t deadline) {
    Ticket t;
    t.external_id = id;
    t.channel = "省长信箱";
    t.title = "噪音扰民";
    t.content = "夜间施工噪音大";
    t.address = "岳阳市平江县";
    t.complainant = "王某";
    t.phone = kPhone2;
    t.deadline = deadline;
    t.state = "pending";
    t.native_state = "PENDING";
    t.updated_at = now_s_ - 86400;
    t.version = 3;
    t.raw = "{\"dispatchId\":\"" + id + "\"}";
    return t;
  }

  void Commit(const std::string& source, const std::vector<Ticket>& tickets) {
    ledger::SyncRun run;
    run.source = source;
    run.started_ms = now_s_ * 1000;
    ++pages_;
    auto r = L().CommitPage(source, tickets, {}, "c" + std::to_string(pages_), run,
                            now_s_ * 1000 - 60'000 + pages_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  std::string Query(const std::string& sql) {
    auto r = L().impl()->db.QueryText(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() ? *r : std::string("<error>");
  }
  int64_t Count(const std::string& table, const std::string& where) {
    return std::stoll(Query("SELECT count(*) FROM " + table + " WHERE " + where));
  }
  int64_t TicketId(const std::string& source, const std::string& external_id) {
    return std::stoll(Query("SELECT id FROM tickets WHERE source = '" + source +
                            "' AND external_id = '" + external_id + "'"));
  }
  // The id of the petition create the order queued.
  int64_t CreateOf(const std::string& order) {
    return std::stoll(
        Query("SELECT id FROM outbox WHERE target = 'petition' AND action = "
              "'create' AND ticket_id = " +
              std::to_string(TicketId(kHotline, order))));
  }
  ledger::OutboxItem Item(int64_t id) {
    auto r = ledger::GetOutbox(L(), id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ledger::OutboxItem{};
  }

  // Three petition orders: one create dead (its error naming the phone), one pending, one held.
  void SeedOutbox() {
    Commit(kHotline, {Order(kPetitionOrder, "市信访局"), Order(kPendingOrder, "市信访局", kPhone2),
                      Order(kHeldOrder, "市信访局", kPhone2)});
    dead_ = CreateOf(kPetitionOrder);
    pending_ = CreateOf(kPendingOrder);
    held_ = CreateOf(kHeldOrder);
    const int64_t now_ms = now_s_ * 1000 - 30'000;
    ASSERT_TRUE(ledger::MarkFailed(L(), dead_,
                                   std::string("HTTP 422: mobile ") + kPhone + " is not valid",
                                   false, true, now_ms, now_ms)
                    .ok());
    ASSERT_TRUE(ledger::MarkHeld(L(), held_, "petitioner address missing", now_ms).ok());
    ASSERT_EQ(Item(dead_).state, "dead");
    ASSERT_EQ(Item(pending_).state, "pending");
    ASSERT_EQ(Item(held_).state, "held");
    ASSERT_TRUE(Has(Item(dead_).payload, kPhone));  // So that masking has something to do.
  }

  // Runs hotline-sync with `args` and --db, the test's ledger closed meanwhile.
  Output Run(std::vector<std::string> args, bool with_db = true) {
    ledger_.reset();
    if (with_db) {
      args.push_back("--db");
      args.push_back(db_);
    }
    Output o = testing::RunCli(HS_BINARY, args, dir_.path().string());
    // Nothing any command prints holds a phone number unmasked.
    for (const char* phone : {kPhone, kPhone2}) {
      EXPECT_TRUE(Lacks(o.out, phone)) << args[0];
      EXPECT_TRUE(Lacks(o.err, phone)) << args[0];
    }
    return o;
  }

  testing::TempDir dir_;
  const std::string db_ = dir_.File("ledger.db");
  int64_t now_s_ = 0;
  std::unique_ptr<routing::CityRouter> router_;
  std::unique_ptr<ledger::Ledger> ledger_;
  int pages_ = 0;
  int64_t dead_ = 0, pending_ = 0, held_ = 0;
};

TEST_F(CliTest, StatusShowsTheOutboxAndPointsAtDeadLetters) {
  SeedOutbox();
  Output o = Run({"status"});
  ASSERT_EQ(o.code, 0) << o.all();
  EXPECT_TRUE(Has(o.out, "Outbox"));
  EXPECT_TRUE(Has(o.out, "petition"));
  for (const char* s : {"dead", "held", "pending"}) EXPECT_TRUE(Has(o.out, s));
  EXPECT_TRUE(Has(o.out, "1 dead letter(s)"));
  EXPECT_TRUE(Has(o.out, "`hotline-sync outbox list --state dead`"));
}

TEST_F(CliTest, StatusWithoutDeadLettersHasNoDeadLetterLine) {
  Commit(kHotline, {Order(kPendingOrder, "市信访局", kPhone2)});
  Output o = Run({"status"});
  ASSERT_EQ(o.code, 0) << o.all();
  EXPECT_TRUE(Has(o.out, "Outbox"));
  EXPECT_TRUE(Lacks(o.out, "dead letter"));
}

TEST_F(CliTest, StatusJsonHasTheOutboxArray) {
  SeedOutbox();
  Output o = Run({"status", "--json"});
  ASSERT_EQ(o.code, 0) << o.all();
  rapidjson::Document d;
  d.Parse(o.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << o.out;
  ASSERT_TRUE(d.IsObject());
  ASSERT_TRUE(d.HasMember("adapters") && d["adapters"].IsArray());
  ASSERT_TRUE(d.HasMember("outbox") && d["outbox"].IsArray()) << o.out;
  std::map<std::string, int64_t> items;
  for (const auto& c : d["outbox"].GetArray()) {
    ASSERT_TRUE(c.IsObject());
    EXPECT_STREQ(c["target"].GetString(), "petition");
    items[c["state"].GetString()] = c["items"].GetInt64();
    EXPECT_TRUE(c["oldest_ms"].IsInt64());
  }
  EXPECT_EQ(items, (std::map<std::string, int64_t>{{"dead", 1}, {"held", 1}, {"pending", 1}}));
}

TEST_F(CliTest, OutboxListShowsUnsentItemsAndFiltersByState) {
  SeedOutbox();
  Output all = Run({"outbox", "list"});
  ASSERT_EQ(all.code, 0) << all.all();
  for (const char* order : {kPetitionOrder, kPendingOrder, kHeldOrder}) {
    EXPECT_TRUE(Has(all.out, order));
  }
  EXPECT_TRUE(Has(all.out, "pending"));
  EXPECT_TRUE(Has(all.out, "create"));
  EXPECT_TRUE(Has(all.out, "HTTP 422"));  // The dead one's error, its phone masked.
  EXPECT_TRUE(Has(all.out, kMaskedPhone));

  Output dead = Run({"outbox", "list", "--state", "dead"});
  ASSERT_EQ(dead.code, 0) << dead.all();
  EXPECT_TRUE(Has(dead.out, kPetitionOrder));
  EXPECT_TRUE(Lacks(dead.out, kPendingOrder));
  EXPECT_TRUE(Lacks(dead.out, kHeldOrder));

  Output pending = Run({"outbox", "list", "--state", "pending"});
  ASSERT_EQ(pending.code, 0) << pending.all();
  EXPECT_TRUE(Has(pending.out, kPendingOrder));
  EXPECT_TRUE(Lacks(pending.out, kPetitionOrder));

  Output sent = Run({"outbox", "list", "--state", "sent"});
  ASSERT_EQ(sent.code, 0) << sent.all();
  EXPECT_TRUE(Has(sent.out, "No outbox items are sent"));

  Output bad = Run({"outbox", "list", "--state", "lost"});
  EXPECT_EQ(bad.code, 2) << bad.all();
}

TEST_F(CliTest, OutboxListJsonHasIdempotencyKeys) {
  SeedOutbox();
  Output o = Run({"outbox", "list", "--json"});
  ASSERT_EQ(o.code, 0) << o.all();
  rapidjson::Document d;
  d.Parse(o.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << o.out;
  ASSERT_TRUE(d.IsArray());
  ASSERT_EQ(d.Size(), 3u);
  const std::regex key_form("hs1-[0-9a-f]{40}");
  std::map<int64_t, std::string> states;
  for (const auto& item : d.GetArray()) {
    ASSERT_TRUE(item.HasMember("idempotency_key") && item["idempotency_key"].IsString());
    const std::string key = item["idempotency_key"].GetString();
    EXPECT_TRUE(std::regex_match(key, key_form)) << key;
    const std::string order = item["external_id"].GetString();
    EXPECT_EQ(key, ledger::IdempotencyKey(kHotline, order, "petition", "create", "0")) << order;
    EXPECT_STREQ(item["target"].GetString(), "petition");
    EXPECT_STREQ(item["action"].GetString(), "create");
    EXPECT_FALSE(item.HasMember("payload_masked"));  // The list leaves payloads out.
    states[item["id"].GetInt64()] = item["state"].GetString();
  }
  EXPECT_EQ(states, (std::map<int64_t, std::string>{
                        {dead_, "dead"}, {pending_, "pending"}, {held_, "held"}}));

  Output dead = Run({"outbox", "list", "--state", "dead", "--json"});
  ASSERT_EQ(dead.code, 0) << dead.all();
  d.Parse(dead.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << dead.out;
  ASSERT_TRUE(d.IsArray());
  ASSERT_EQ(d.Size(), 1u);
  EXPECT_EQ(d[0]["id"].GetInt64(), dead_);
  EXPECT_EQ(d[0]["attempts"].GetInt64(), 1);
  EXPECT_TRUE(Has(d[0]["last_error"].GetString(), kMaskedPhone));
}

TEST_F(CliTest, OutboxShowMasksThePayload) {
  SeedOutbox();
  Output o = Run({"outbox", "show", std::to_string(dead_)});
  ASSERT_EQ(o.code, 0) << o.all();
  EXPECT_TRUE(Has(o.out, "#" + std::to_string(dead_) + " (dead)"));
  EXPECT_TRUE(Has(o.out, kPetitionOrder));
  EXPECT_TRUE(
      Has(o.out, ledger::IdempotencyKey(kHotline, kPetitionOrder, "petition", "create", "0")));
  EXPECT_TRUE(Has(o.out, "payload (personal data masked)"));
  EXPECT_TRUE(Has(o.out, "\"sourceNo\":\"" + std::string(kPetitionOrder) + "\""));
  EXPECT_TRUE(Has(o.out, "\"mobile\":\"" + std::string(kMaskedPhone) + "\""));
  EXPECT_TRUE(Has(o.out, "请回电" + std::string(kMaskedPhone)));
  // Run() checked that the phone is nowhere unmasked.

  Output json = Run({"outbox", "show", std::to_string(dead_), "--json"});
  ASSERT_EQ(json.code, 0) << json.all();
  rapidjson::Document d;
  d.Parse(json.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << json.out;
  ASSERT_TRUE(d.HasMember("payload_masked") && d["payload_masked"].IsString());
  EXPECT_TRUE(Has(d["payload_masked"].GetString(), kMaskedPhone));
  EXPECT_STREQ(d["state"].GetString(), "dead");
}

TEST_F(CliTest, OutboxShowOfAMissingItemSaysToList) {
  SeedOutbox();
  Output o = Run({"outbox", "show", "999999"});
  EXPECT_EQ(o.code, 1) << o.all();
  EXPECT_TRUE(Has(o.err, "999999"));
  EXPECT_TRUE(Has(o.err, "`outbox list`"));
  EXPECT_TRUE(o.out.empty()) << o.out;

  Output retry = Run({"outbox", "retry", "999999"});
  EXPECT_EQ(retry.code, 1) << retry.all();
  EXPECT_TRUE(Has(retry.err, "`outbox list`"));
  EXPECT_EQ(Count("audit", "1"), 0);
}

TEST_F(CliTest, OutboxRetryOfADeadItemMakesItPendingAndIsAudited) {
  SeedOutbox();
  Output o = Run({"outbox", "retry", std::to_string(dead_)});
  ASSERT_EQ(o.code, 0) << o.all();
  EXPECT_TRUE(Has(o.out, "outbox #" + std::to_string(dead_)));
  ledger::OutboxItem item = Item(dead_);
  EXPECT_EQ(item.state, "pending");
  EXPECT_EQ(item.attempts, 0);
  EXPECT_FALSE(item.done_ms.has_value());
  EXPECT_EQ(item.idem_key, ledger::IdempotencyKey(kHotline, kPetitionOrder, "petition", "create",
                                                  "0"));  // Same key: a resend is a replay.
  EXPECT_GE(item.next_attempt_ms, now_s_ * 1000);
  EXPECT_EQ(Count("audit", "action = 'outbox.retry' AND subject = 'outbox #" +
                               std::to_string(dead_) + "' AND actor <> ''"),
            1);
  EXPECT_EQ(Count("audit", "1"), 1);

  // A held one may be retried too.
  Output held = Run({"outbox", "retry", std::to_string(held_)});
  ASSERT_EQ(held.code, 0) << held.all();
  EXPECT_EQ(Item(held_).state, "pending");
  EXPECT_EQ(Count("audit", "action = 'outbox.retry'"), 2);
}

TEST_F(CliTest, OutboxRetryOfAPendingItemIsRefused) {
  SeedOutbox();
  Output o = Run({"outbox", "retry", std::to_string(pending_)});
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_TRUE(Has(o.err, "is pending"));
  EXPECT_TRUE(Has(o.err, "dead or held"));
  EXPECT_EQ(Item(pending_).state, "pending");
  EXPECT_EQ(Count("audit", "1"), 0);
}

TEST_F(CliTest, OutboxDropGivesAnItemUpAndIsAudited) {
  SeedOutbox();
  Output o = Run({"outbox", "drop", std::to_string(pending_), "--reason", "x"});
  ASSERT_EQ(o.code, 0) << o.all();
  EXPECT_TRUE(Has(o.out, "dropped"));
  ledger::OutboxItem item = Item(pending_);
  EXPECT_EQ(item.state, "dropped");
  EXPECT_TRUE(item.done_ms.has_value());
  EXPECT_EQ(Count("audit", "action = 'outbox.drop' AND subject = 'outbox #" +
                               std::to_string(pending_) + "' AND detail = 'x'"),
            1);

  // Dropped is final: neither dropped again nor retried.
  Output again = Run({"outbox", "drop", std::to_string(pending_), "--reason", "y"});
  EXPECT_EQ(again.code, 2) << again.all();
  EXPECT_TRUE(Has(again.err, "pending, held or dead"));
  Output retry = Run({"outbox", "retry", std::to_string(pending_)});
  EXPECT_EQ(retry.code, 2) << retry.all();
  EXPECT_EQ(Item(pending_).state, "dropped");
  EXPECT_EQ(Count("audit", "1"), 1);

  // No longer listed among the unsent.
  Output list = Run({"outbox", "list"});
  ASSERT_EQ(list.code, 0) << list.all();
  EXPECT_TRUE(Lacks(list.out, kPendingOrder));
  EXPECT_TRUE(Has(list.out, kPetitionOrder));
}

TEST_F(CliTest, DeadlinesListsAnOverdueDispatch) {
  Commit(kProvincial, {Dispatch(kDispatchId, now_s_ - 2 * kHour - 300)});
  Ticket near = Order("YY2306130010", "岳阳楼区");
  near.deadline = now_s_ + 5 * kHour + 30 * 60;
  Ticket far = Order("YY2306130011", "岳阳楼区");  // Due in five days.
  Commit(kHotline, {near, far});

  Output o = Run({"deadlines"});
  ASSERT_EQ(o.code, 0) << o.all();
  std::istringstream lines(o.out);
  std::string line, dispatch_line, near_line;
  while (std::getline(lines, line)) {
    if (line.find(kDispatchId) != std::string::npos) dispatch_line = line;
    if (line.find("YY2306130010") != std::string::npos) near_line = line;
  }
  ASSERT_FALSE(dispatch_line.empty()) << o.out;
  EXPECT_TRUE(Has(dispatch_line, "超期 2h05m"));
  EXPECT_TRUE(Has(dispatch_line, "provincial"));
  EXPECT_TRUE(Has(dispatch_line, "PENDING"));
  ASSERT_FALSE(near_line.empty()) << o.out;
  EXPECT_TRUE(Has(near_line, "剩 5h")) << near_line;  // 5h30m or a little less.
  EXPECT_TRUE(Lacks(o.out, "YY2306130011"));
  EXPECT_LT(o.out.find(kDispatchId), o.out.find("YY2306130010"));  // Soonest first.

  Output json = Run({"deadlines", "--json"});
  ASSERT_EQ(json.code, 0) << json.all();
  rapidjson::Document d;
  d.Parse(json.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << json.out;
  ASSERT_TRUE(d.IsArray());
  ASSERT_EQ(d.Size(), 2u);
  EXPECT_STREQ(d[0]["external_id"].GetString(), kDispatchId);
  EXPECT_EQ(d[0]["overdue"].GetInt64(), 1);
  EXPECT_EQ(d[1]["overdue"].GetInt64(), 0);

  Output status = Run({"status"});
  ASSERT_EQ(status.code, 0) << status.all();
  EXPECT_TRUE(Has(status.out, "Deadlines (`hotline-sync deadlines` lists them)"));

  Output status_json = Run({"status", "--json"});
  ASSERT_EQ(status_json.code, 0) << status_json.all();
  rapidjson::Document sj;
  sj.Parse(status_json.out.c_str());
  ASSERT_FALSE(sj.HasParseError()) << status_json.out;
  ASSERT_TRUE(sj.HasMember("deadlines") && sj["deadlines"].IsArray()) << status_json.out;
  ASSERT_EQ(sj["deadlines"].Size(), 2u);
  EXPECT_STREQ(sj["deadlines"][0]["platform"].GetString(), kProvincial);  // The province first.
  EXPECT_EQ(sj["deadlines"][0]["overdue"].GetInt64(), 1);
  EXPECT_EQ(sj["deadlines"][1]["near"].GetInt64(), 1);
}

TEST_F(CliTest, FlagPetitionAppliesOnlyToHotlineOrders) {
  Commit(kProvincial, {Dispatch(kDispatchId, now_s_ + 86400)});
  Output o = Run({"flag", kDispatchId, "petition"});
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_TRUE(Has(o.err, "applies to hotline orders"));
  EXPECT_EQ(Count("flags", "1"), 0);
  EXPECT_EQ(Count("audit", "1"), 0);
}

TEST_F(CliTest, FlagPetitionQueuesAPetitionCreate) {
  Ticket order = Order(kOrdinaryOrder, "岳阳楼区");
  order.history.push_back({now_s_ - 86400, "派单", "岳阳楼区", "请及时处理", "", ""});
  Commit(kHotline, {order});
  const int64_t id = TicketId(kHotline, kOrdinaryOrder);
  ASSERT_EQ(Count("outbox", "1"), 0);  // Not a petition unit: nothing queued by the pull.

  Output o = Run({"flag", kOrdinaryOrder, "petition", "--note", "来电要求转信访"});
  ASSERT_EQ(o.code, 0) << o.all();
  EXPECT_TRUE(Has(o.out, "flagged petition"));
  EXPECT_TRUE(Has(o.out, "2 push(es) queued"));  // The create and the order's log so far.
  EXPECT_EQ(Count("outbox", "ticket_id = " + std::to_string(id) +
                                " AND target = 'petition' AND action = 'create' AND "
                                "state = 'pending'"),
            1);
  EXPECT_EQ(Count("outbox", "ticket_id = " + std::to_string(id) +
                                " AND target = 'petition' AND action = 'progress'"),
            1);
  EXPECT_EQ(Count("flags", "ticket_id = " + std::to_string(id) +
                               " AND flag = 'petition' AND "
                               "note = '来电要求转信访'"),
            1);
  EXPECT_EQ(Count("audit", "action = 'flag' AND subject = 'hotline12345 " +
                               std::string(kOrdinaryOrder) + "' AND detail LIKE 'petition%'"),
            1);
  const std::string payload = Query("SELECT payload FROM outbox WHERE action = 'create'");
  EXPECT_TRUE(Has(payload, "\"sourceNo\":\"" + std::string(kOrdinaryOrder) + "\""));

  // Flagged again: nothing more is queued.
  Output again = Run({"flag", kOrdinaryOrder, "petition"});
  ASSERT_EQ(again.code, 0) << again.all();
  EXPECT_EQ(Count("outbox", "1"), 2);
  EXPECT_EQ(Count("flags", "1"), 1);
}

TEST_F(CliTest, FlagOtherThanPetitionIsAUsageError) {
  Commit(kHotline, {Order(kOrdinaryOrder, "岳阳楼区")});
  Output o = Run({"flag", kOrdinaryOrder, "other"});
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_TRUE(Has(o.err, "unknown flag \"other\""));
  EXPECT_TRUE(Has(o.err, "petition"));
  EXPECT_EQ(Count("flags", "1"), 0);
  EXPECT_EQ(Count("audit", "1"), 0);
  EXPECT_EQ(Count("outbox", "1"), 0);

  Output missing = Run({"flag", "YY0000000000", "petition"});
  EXPECT_EQ(missing.code, 1) << missing.all();
  EXPECT_TRUE(Has(missing.err, "no ticket"));
  EXPECT_EQ(Count("flags", "1"), 0);
}

TEST_F(CliTest, TicketShowsTheDispatchAnOrderWasMadeFrom) {
  Commit(kProvincial, {Dispatch(kDispatchId, now_s_ + 3 * 86400)});
  Ticket order = Order("YY2306130020", "平江县", kPhone2);
  order.external_ref = kDispatchId;
  order.channel = "省平台转办";
  Commit(kHotline, {order});

  Output o = Run({"ticket", "YY2306130020"});
  ASSERT_EQ(o.code, 0) << o.all();
  const size_t links = o.out.find("关联");
  ASSERT_NE(links, std::string::npos) << o.out;
  const std::string section = o.out.substr(links);
  EXPECT_TRUE(Has(section, kDispatchId));
  EXPECT_TRUE(Has(section, "provincial"));
  EXPECT_TRUE(Has(section, "PENDING"));
  EXPECT_TRUE(Has(section, "this ticket was made from it"));
  EXPECT_TRUE(Has(section, std::to_string(TicketId(kProvincial, kDispatchId))));
  EXPECT_TRUE(Has(o.out, "138****0001"));  // The phone field, masked.

  // From the dispatch's side: the order made from its record.
  Output d = Run({"ticket", kDispatchId});
  ASSERT_EQ(d.code, 0) << d.all();
  EXPECT_TRUE(Has(d.out, "made from this ticket's record"));
  EXPECT_TRUE(Has(d.out, "YY2306130020"));
}

}  // namespace
}  // namespace hs
