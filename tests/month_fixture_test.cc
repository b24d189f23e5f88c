// The June 2023 month fixture (month_fixture.h) through the real sync path: its records served by
// the 12345 simulator, pulled by the hotline adapter and the puller into a fresh ledger, then
// recounted there with plain SQL over tickets and events, by the assessment's counting rules,
// against the bulletin's tables. Skips when ../shared/data is absent.
#include "tests/month_fixture.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>

#include "adapters/hotline12345/client.h"
#include "adapters/hotline12345/sim.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/sqlite.h"
#include "daemon/log/log.h"
#include "daemon/net/curl_transport.h"
#include "daemon/sync/puller.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

using testing::June2023Dir;

// Beijing time: June 2023 is [kJuneStart, kCutOff).
constexpr int64_t kJuneStart = 1685548800;  // 2023-06-01 00:00:00
constexpr int64_t kCutOff = 1688140800;     // 2023-07-01 00:00:00

// One table's tickets (by channel) and their transfer-log entries.
constexpr const char* kHotlineTickets =
    "SELECT id, deadline, extended_deadline FROM tickets WHERE channel IN ('电话', '信访平台推送')";
constexpr const char* kMailboxTickets =
    "SELECT id, deadline, extended_deadline FROM tickets WHERE channel IN ('市长信箱', "
    "'微信公众号', '红网', '政务服务投诉', '政协委员微建议', '省平台转办')";

// ?1 = the start of June, ?2 = the cut-off. due: dispatched (派单) to the unit in June and not
// sent back (退单) by it afterwards. closed: its 办结 entries by that unit.
constexpr const char* kCommon = R"sql(
  log AS (SELECT e.ticket_id AS id, e.seq, e.at, e.action, e.unit, e.result
          FROM events e JOIN t ON t.id = e.ticket_id WHERE e.kind = 'log'),
  due AS (SELECT DISTINCT d.id, d.unit FROM log d
          WHERE d.action = '派单' AND d.at >= ?1 AND d.at < ?2
            AND NOT EXISTS (SELECT 1 FROM log r WHERE r.id = d.id AND r.action = '退单'
                            AND r.unit = d.unit AND r.seq > d.seq)),
  closed AS (SELECT due.id, due.unit, min(c.at) AS first_close,
                    max(c.at >= ?1 AND c.at < ?2) AS in_june
             FROM due JOIN log c ON c.id = due.id AND c.action = '办结' AND c.unit = due.unit
             GROUP BY due.id, due.unit),
  done AS (SELECT closed.*, closed.first_close <= CASE
                    WHEN EXISTS (SELECT 1 FROM log x WHERE x.id = closed.id
                                 AND x.action = '延期通过' AND x.at < ?2)
                    THEN t.extended_deadline ELSE t.deadline END AS on_time
           FROM closed JOIN t ON t.id = closed.id WHERE closed.in_june)
)sql";

constexpr const char* kUnitCounts = R"sql(
  SELECT due.unit, count(*), count(done.id), coalesce(sum(done.on_time), 0),
         sum(EXISTS (SELECT 1 FROM log w WHERE w.id = due.id AND w.action = '返工'
                     AND w.at >= ?1 AND w.at < ?2))
  FROM due LEFT JOIN done ON done.id = due.id AND done.unit = due.unit
  GROUP BY due.unit)sql";

// Hotline: answered revisits in June, for the entry's unit, whatever month the order is from.
constexpr const char* kRevisitCounts = R"sql(
  SELECT unit, sum(result IN ('满意', '基本满意', '不满意')), sum(result = '不满意')
  FROM log WHERE action = '回访' AND at >= ?1 AND at < ?2 GROUP BY unit)sql";

// Mailbox: done letters whose latest revisit before the cut-off is 满意 or 基本满意.
constexpr const char* kSatisfiedCounts = R"sql(
  SELECT done.unit, count(*) FROM done
  WHERE (SELECT v.result FROM log v WHERE v.id = done.id AND v.action = '回访' AND v.at < ?2
         ORDER BY v.seq DESC LIMIT 1) IN ('满意', '基本满意')
  GROUP BY done.unit)sql";

struct Counts {
  int64_t due = 0, done = 0, on_time = 0, rework = 0;
  int64_t revisits = 0, dissatisfied = 0;  // Hotline.
  int64_t satisfied = 0;                   // Mailbox.
};

// Runs `select` after the common table expressions over `tickets`; calls row(st) per row.
template <typename Row>
void ForEachRow(sql::Db& db, const char* tickets, const char* select, Row row) {
  std::string text = std::string("WITH t AS (") + tickets + ")," + kCommon + select;
  auto st = sql::Stmt::Prepare(db, text);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  st->Bind(1, kJuneStart).Bind(2, kCutOff);
  for (;;) {
    Result<bool> more = st->Step();
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    row(*st);
  }
}

std::map<std::string, Counts> Recount(sql::Db& db, bool mailbox) {
  const char* tickets = mailbox ? kMailboxTickets : kHotlineTickets;
  std::map<std::string, Counts> out;
  ForEachRow(db, tickets, kUnitCounts, [&](sql::Stmt& st) {
    Counts& c = out[st.Text(0)];
    c.due = st.Int(1);
    c.done = st.Int(2);
    c.on_time = st.Int(3);
    c.rework = st.Int(4);
  });
  if (mailbox) {
    ForEachRow(db, tickets, kSatisfiedCounts,
               [&](sql::Stmt& st) { out[st.Text(0)].satisfied = st.Int(1); });
  } else {
    ForEachRow(db, tickets, kRevisitCounts, [&](sql::Stmt& st) {
      out[st.Text(0)].revisits = st.Int(1);
      out[st.Text(0)].dissatisfied = st.Int(2);
    });
  }
  return out;
}

int64_t Count(sql::Db& db, const std::string& query) {
  auto n = db.QueryText(query);
  EXPECT_TRUE(n.ok()) << query << ": " << n.status().ToString();
  return n.ok() ? std::stoll(*n) : -1;
}

// The fixture is built, served and pulled once for the suite.
class MonthFixtureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = June2023Dir();
    if (dir_.empty()) return;
    error_ = BuildAndPull();
  }
  static void TearDownTestSuite() {
    db_.reset();
    tmp_.reset();
  }

  void SetUp() override {
    if (dir_.empty()) {
      GTEST_SKIP() << "../shared/data/yueyang-2023-06 is not here (a fresh clone has no shared data)";
    }
    ASSERT_EQ(error_, "");
  }

  // Builds the records, serves them from the simulator and pulls them all into a fresh ledger,
  // which db_ then reads. Returns what went wrong, or "".
  static std::string BuildAndPull() {
    auto start = std::chrono::steady_clock::now();
    Result<std::string> orders = testing::BuildJune2023Orders(dir_);
    if (!orders.ok()) return orders.status().ToString();
    auto built = std::chrono::steady_clock::now();
    lines_ = 0;
    for (char c : *orders) lines_ += c == '\n';
    tmp_ = std::make_unique<testing::TempDir>();
    std::ofstream(tmp_->File("orders.jsonl"), std::ios::binary) << *orders;

    CurlTransport::GlobalInit();
    FakeClock clock(SystemClock().NowMillis());
    hotline12345::SimOptions so;
    so.orders_file = tmp_->File("orders.jsonl");
    so.speed = 0;
    so.rps = 0;
    hotline12345::HotlineSim sim(so, clock);
    if (Status st = sim.Start(); !st.ok()) return st.ToString();
    {
      auto ledger = ledger::Ledger::Open(tmp_->File("ledger.db"), {});
      if (!ledger.ok()) return ledger.status().ToString();
      CurlTransport transport{CurlOptions{}};
      hotline12345::Options o;
      o.base_url = sim.base_url();
      o.app_key = so.app_key;
      o.app_secret = so.app_secret;
      o.page_size = 500;
      auto adapter =
          hotline12345::CreateWithOptions(o, {&transport, &clock, log::Get("adapter.test")});
      sync::StopSignal stop;
      sync::Puller puller(*adapter, **ledger, clock, stop, {.requests_per_second = 0}, 1);
      ledger::SyncRun run = puller.RunOnce();
      if (run.outcome != "ok") return "pull: " + run.outcome + " " + run.error;
      if (run.inserted != lines_ || run.rejected != 0) {
        return "pull: " + std::to_string(run.inserted) + " inserted, " +
               std::to_string(run.rejected) + " rejected of " + std::to_string(lines_);
      }
    }
    sim.Stop();
    auto pulled = std::chrono::steady_clock::now();
    auto db = sql::Db::Open(tmp_->File("ledger.db"), SQLITE_OPEN_READONLY);
    if (!db.ok()) return db.status().ToString();
    db_ = std::make_unique<sql::Db>(std::move(*db));
    auto ms = [](auto d) {
      return static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
    };
    std::printf("[ month    ] %lld records built in %lld ms, served and pulled in %lld ms\n",
                static_cast<long long>(lines_), ms(built - start), ms(pulled - built));
    return "";
  }

  static int64_t Count(const std::string& query) { return hs::Count(*db_, query); }

  static inline std::string dir_;
  static inline std::string error_;
  static inline int64_t lines_ = 0;
  static inline std::unique_ptr<testing::TempDir> tmp_;
  static inline std::unique_ptr<sql::Db> db_;
};

// A table's rows by unit.
std::map<std::string, std::map<std::string, std::string>> ReadTable(const std::string& path) {
  std::map<std::string, std::map<std::string, std::string>> out;
  Result<testing::TsvTable> t = testing::ReadTsv(path);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  if (!t.ok()) return out;
  for (const auto& row : t->rows) {
    for (size_t i = 0; i < row.size(); ++i) out[row[0]][t->columns[i]] = row[i];
  }
  return out;
}

int64_t Num(const std::string& s) { return s.empty() ? -1 : std::stoll(s); }

TEST_F(MonthFixtureTest, HotlineTableRecountsToTheBulletin) {
  auto table = ReadTable(dir_ + "/hotline.tsv");
  ASSERT_EQ(table.size(), 68u);
  std::map<std::string, Counts> got = Recount(*db_, false);
  for (const auto& [unit, row] : table) {
    const Counts& c = got[unit];
    EXPECT_EQ(c.due, Num(row.at("due"))) << unit;
    EXPECT_EQ(c.done, Num(row.at("done"))) << unit;
    EXPECT_EQ(c.on_time, Num(row.at("on_time"))) << unit;
    EXPECT_EQ(c.rework, Num(row.at("rework"))) << unit;
    EXPECT_EQ(c.dissatisfied, Num(row.at("dissatisfied"))) << unit;
    // Empty when no revisit was dissatisfied: then any number gives the printed 0%.
    if (!row.at("revisits_derived").empty()) {
      EXPECT_EQ(c.revisits, Num(row.at("revisits_derived"))) << unit;
    }
  }
  for (const auto& [unit, c] : got) {
    EXPECT_TRUE(table.contains(unit) || c.due == 0) << unit << " has due orders";
  }
}

TEST_F(MonthFixtureTest, MailboxTableRecountsToTheBulletin) {
  auto table = ReadTable(dir_ + "/mailbox.tsv");
  ASSERT_EQ(table.size(), 55u);
  std::map<std::string, Counts> got = Recount(*db_, true);
  for (const auto& [unit, row] : table) {
    const Counts& c = got[unit];
    EXPECT_EQ(c.due, Num(row.at("due"))) << unit;
    EXPECT_EQ(c.done, Num(row.at("done"))) << unit;
    EXPECT_EQ(c.on_time, Num(row.at("on_time"))) << unit;
    EXPECT_EQ(c.rework, Num(row.at("rework"))) << unit;
    EXPECT_EQ(c.satisfied, Num(row.at("satisfied"))) << unit;
  }
  for (const auto& [unit, c] : got) {
    EXPECT_TRUE(table.contains(unit) || c.due == 0) << unit << " has due letters";
  }
}

// The units the bulletin singles out, spelled out: its largest district, its B and C rows, and
// the traffic police under both names.
TEST_F(MonthFixtureTest, NamedUnitsRecountToTheirRows) {
  std::map<std::string, Counts> hotline = Recount(*db_, false);
  std::map<std::string, Counts> mailbox = Recount(*db_, true);
  auto row = [](const Counts& c) {
    return std::vector<int64_t>{c.due, c.done, c.on_time, c.rework, c.dissatisfied, c.revisits};
  };
  auto letters = [](const Counts& c) {
    return std::vector<int64_t>{c.due, c.done, c.on_time, c.rework, c.satisfied};
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(row(hotline["岳阳楼区"]), (V{3415, 3359, 3343, 138, 583, 3360}));
  EXPECT_EQ(row(hotline["市民政局"]), (V{23, 22, 22, 5, 3, 19}));
  EXPECT_EQ(row(hotline["市国资委"]), (V{28, 27, 27, 2, 3, 25}));
  EXPECT_EQ(row(hotline["市公安交警支队"]), (V{693, 693, 692, 12, 84, 703}));
  EXPECT_EQ(row(hotline["市应急管理局"]), (V{3, 3, 2, 1, 0, 3}));
  EXPECT_EQ(letters(mailbox["岳阳楼区"]), (V{191, 191, 191, 0, 155}));
  EXPECT_EQ(letters(mailbox["市民政局"]), (V{1, 1, 0, 0, 1}));
  EXPECT_EQ(letters(mailbox["市国资委"]), (V{7, 7, 2, 0, 5}));
  EXPECT_EQ(letters(mailbox["市公安局交警支队"]), (V{52, 52, 52, 0, 52}));
  EXPECT_EQ(hotline.count("市公安局交警支队"), 0u);
  EXPECT_EQ(mailbox.count("市公安交警支队"), 0u);
}

// The cases a careless count gets wrong are all in the ledger.
TEST_F(MonthFixtureTest, TheLedgerHoldsTheTrickyCases) {
  // Sent back by one unit, dispatched to another: due for the second only.
  EXPECT_EQ(Count("SELECT count(DISTINCT r.ticket_id) FROM events r JOIN events d "
                  "ON d.ticket_id = r.ticket_id AND d.seq > r.seq AND d.action = '派单' "
                  "AND d.unit = '市公安交警支队' WHERE r.action = '退单' AND r.unit = '市公安局'"),
            3);
  EXPECT_GE(Count("SELECT count(*) FROM events WHERE action = '退单'"), 12);
  // Dispatched and closed in May, revisited in June: 89 answered revisits the tables need.
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE accepted_at < " +
                  std::to_string(kJuneStart)),
            89);
  EXPECT_EQ(Count("SELECT count(*) FROM tickets t JOIN events e ON e.ticket_id = t.id "
                  "WHERE t.accepted_at < " + std::to_string(kJuneStart) +
                  " AND e.action = '回访' AND e.at >= " + std::to_string(kJuneStart)),
            89);
  // Not closed in June, closed on time in July (on time, but not done in June).
  const std::string july = std::to_string(kCutOff);
  EXPECT_GT(Count("SELECT count(*) FROM tickets WHERE closed_at >= " + july +
                  " AND closed_at <= deadline"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE closed_at >= " + july +
                  " AND unit IN ('市国资委', '市民政局', '城陵矶新港区')"),
            3);
  // Revisits in July, which June does not count.
  EXPECT_GT(Count("SELECT count(*) FROM events WHERE action = '回访' AND at >= " + july +
                  " AND result IN ('满意', '基本满意')"),
            0);
  // A rework after a revisit that reached nobody (市发改委, 市应急管理局: no dissatisfied one).
  EXPECT_EQ(Count("SELECT count(*) FROM tickets t WHERE t.unit IN ('市发改委', '市应急管理局') "
                  "AND t.rework_count = 1 AND NOT EXISTS (SELECT 1 FROM events e WHERE "
                  "e.ticket_id = t.id AND e.result = '不满意')"),
            2);
  // Extensions approved: at most 10% of a unit's due orders in each table.
  EXPECT_EQ(Count("SELECT count(*) FROM (SELECT t.unit, t.channel IN ('电话', '信访平台推送') AS h, "
                  "count(*) AS n FROM tickets t JOIN events e ON e.ticket_id = t.id "
                  "AND e.action = '延期通过' GROUP BY 1, 2) x JOIN (SELECT unit, "
                  "channel IN ('电话', '信访平台推送') AS h, count(*) AS n FROM tickets "
                  "WHERE accepted_at >= " + std::to_string(kJuneStart) +
                  " GROUP BY 1, 2) y USING (unit, h) WHERE x.n * 10 > y.n"),
            0);
  EXPECT_GT(Count("SELECT count(*) FROM events WHERE action = '延期通过'"), 100);
}

// Each record's summary fields agree with its transfer log, as the platform keeps them.
TEST_F(MonthFixtureTest, RecordsAgreeWithTheirLogs) {
  auto bad = [](const std::string& where) {
    return Count("SELECT count(*) FROM tickets t WHERE " + where);
  };
  const std::string last = "(SELECT %s FROM events e WHERE e.ticket_id = t.id AND e.kind = 'log' "
                           "AND e.action %s ORDER BY e.seq DESC LIMIT 1)";
  auto latest = [&](const char* column, const char* action) {
    char buf[256];
    std::snprintf(buf, sizeof buf, last.c_str(), column, action);
    return std::string(buf);
  };
  EXPECT_EQ(bad("t.revisit_result <> coalesce(" + latest("e.result", "= '回访'") + ", '')"), 0);
  EXPECT_EQ(bad("t.revisited_at IS NOT " + latest("e.at", "= '回访'")), 0);
  EXPECT_EQ(bad("t.closed_at IS NOT " + latest("e.at", "= '办结'")), 0);
  EXPECT_EQ(bad("t.source_updated_at <> " + latest("e.at", "<> ''")), 0);
  EXPECT_EQ(bad("t.unit <> " + latest("e.unit", "<> ''")), 0);
  EXPECT_EQ(bad("t.rework_count <> (SELECT count(*) FROM events e WHERE e.ticket_id = t.id "
                "AND e.action = '返工')"),
            0);
  EXPECT_EQ(bad("(t.extended_deadline IS NOT NULL) <> EXISTS (SELECT 1 FROM events e WHERE "
                "e.ticket_id = t.id AND e.action = '延期通过')"),
            0);
  EXPECT_EQ(bad("json_extract(t.raw, '$.gdzt') <> CASE " +
                latest("e.action", "<> '备注'") +
                " WHEN '派单' THEN '待签收' WHEN '签收' THEN '办理中' WHEN '退单' THEN '已退单' "
                "WHEN '申请延期' THEN '延期审核中' WHEN '延期通过' THEN '办理中' "
                "WHEN '办结' THEN '已办结' WHEN '回访' THEN '已回访' WHEN '返工' THEN '办理中' "
                "WHEN '归档' THEN '已归档' END"),
            0);
  // The log is in time order.
  EXPECT_EQ(Count("SELECT count(*) FROM events a JOIN events b ON b.ticket_id = a.ticket_id "
                  "AND b.kind = 'log' AND b.seq = a.seq + 1 WHERE a.kind = 'log' AND b.at < a.at"),
            0);
}

TEST_F(MonthFixtureTest, AdjustmentsFlagsChannelsAndPeople) {
  // The orders adjustments.tsv names: that unit's hotline orders, done on time in June.
  Result<testing::TsvTable> adjustments = testing::ReadTsv(dir_ + "/adjustments.tsv");
  ASSERT_TRUE(adjustments.ok());
  int named = 0;
  for (const auto& row : adjustments->rows) {
    size_t at = row[3].find("(热线编号: ");
    if (at == std::string::npos) continue;
    std::string number = row[3].substr(at + std::string("(热线编号: ").size());
    number = number.substr(0, number.find(')'));
    ++named;
    EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE external_id = '" + number +
                    "' AND unit = '" + row[0] + "' AND channel IN ('电话', '信访平台推送') "
                    "AND closed_at < " +
                    std::to_string(kCutOff) + " AND closed_at <= deadline"),
              1)
        << row[0] << " " << number;
  }
  EXPECT_EQ(named, 8);
  // Deputies (人大代表) and enterprises (涉企): done on time, revisited.
  const std::string pleased = " AND revisit_result IN ('满意', '基本满意')";
  const std::string unhappy = " AND revisit_result = '不满意'";
  const std::string on_time = " AND closed_at <= coalesce(extended_deadline, deadline)";
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE deputy"), 56);
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE deputy" + on_time + pleased), 52);
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE deputy" + on_time + unhappy), 4);
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE enterprise"), 145);
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE enterprise" + on_time + pleased), 124);
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE enterprise" + on_time + unhappy), 21);
  // Letters by channel.
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE channel = '微信公众号'"), 298);
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE channel = '红网'"), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE channel = '政务服务投诉'"), 13);
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE channel = '政协委员微建议'"), 17);
  EXPECT_GT(Count("SELECT count(*) FROM tickets WHERE channel = '信访平台推送' "
                  "AND external_ref LIKE 'XF-%'"),
            100);
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE channel IN ('信访平台推送', '省平台转办') "
                  "AND external_ref = ''"),
            0);
  // The bulletin's eight categories, the largest first.
  EXPECT_EQ(Count("SELECT count(DISTINCT category) FROM tickets"), 8);
  EXPECT_EQ(Count("SELECT category = '人力资源和社会保障类' FROM tickets GROUP BY category "
                  "ORDER BY count(*) DESC LIMIT 1"),
            1);
  // Invented people only (not printed here): phones from a range no one holds.
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE phone <> '' "
                  "AND phone NOT GLOB '1390000[0-9][0-9][0-9][0-9]'"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM tickets"), lines_);
}

TEST_F(MonthFixtureTest, IsDeterministic) {
  Result<std::string> a = testing::BuildJune2023Orders(dir_);
  Result<std::string> b = testing::BuildJune2023Orders(dir_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(*a == *b);  // Not EXPECT_EQ: the records hold (invented) personal data.
}

}  // namespace
}  // namespace hs
