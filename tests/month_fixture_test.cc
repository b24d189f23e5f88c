// The June 2023 month fixture (month_fixture.h) through the real sync path: its records served by
// the 12345 simulator, pulled by the hotline adapter and the puller into a fresh ledger, then
// recounted there with plain SQL over tickets and events, by the assessment's counting rules,
// against the bulletin's tables. Skips when ../shared/data is absent.
#include "tests/month_fixture.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "adapters/hotline12345/client.h"
#include "adapters/hotline12345/sim.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/sqlite.h"
#include "daemon/log/log.h"
#include "daemon/net/curl_transport.h"
#include "daemon/sync/puller.h"
#include "tests/fakes/cli_runner.h"
#include "tests/fakes/temp_dir.h"
#include "tests/fakes/test_util.h"

namespace hs {
namespace {

using testing::June2023Dir;

// Beijing time: June 2023 is [kJuneStart, kCutOff).
constexpr int64_t kJuneStart = 1685548800;  // 2023-06-01 00:00:00
constexpr int64_t kCutOff = 1688140800;     // 2023-07-01 00:00:00

// The tickets of one table, by channel (qdly).
constexpr const char* kHotlineTickets =
    "SELECT id, deadline, extended_deadline FROM tickets WHERE channel IN ('电话', '信访平台推送')";
constexpr const char* kMailboxTickets =
    "SELECT id, deadline, extended_deadline FROM tickets WHERE channel IN ('市长信箱', "
    "'微信公众号', '红网', '政务服务投诉', '政协委员微建议', '省平台转办')";

// ?1 = the start of June, ?2 = the cut-off; t holds the table's tickets. due: dispatched (派单)
// to the unit in June and not sent back (退单) by it afterwards. closed: its 办结 entries by that
// unit. done: closed in June, on time when the first 办结 is by blsx (yqsx once extended).
constexpr const char* kCommon = R"sql(
  due AS (
    SELECT DISTINCT e.ticket_id AS id, e.unit FROM t JOIN events e ON e.ticket_id = t.id
    WHERE e.kind = 'log' AND e.action = '派单' AND e.at >= ?1 AND e.at < ?2
      AND NOT EXISTS (SELECT 1 FROM events r WHERE r.ticket_id = e.ticket_id AND r.kind = 'log'
                      AND r.action = '退单' AND r.unit = e.unit AND r.seq > e.seq)),
  closed AS (
    SELECT due.id, due.unit, min(c.at) AS first_close, max(c.at >= ?1 AND c.at < ?2) AS in_june
    FROM due JOIN events c ON c.ticket_id = due.id
    WHERE c.kind = 'log' AND c.action = '办结' AND c.unit = due.unit
    GROUP BY due.id, due.unit),
  done AS (
    SELECT closed.id, closed.unit, closed.first_close <= CASE
        WHEN EXISTS (SELECT 1 FROM events x WHERE x.ticket_id = closed.id AND x.kind = 'log'
                     AND x.action = '延期通过' AND x.at < ?2)
        THEN t.extended_deadline ELSE t.deadline END AS on_time
    FROM closed JOIN t ON t.id = closed.id WHERE closed.in_june)
)sql";

constexpr const char* kUnitCounts = R"sql(
  SELECT due.unit, count(*), count(done.id), coalesce(sum(done.on_time), 0),
         sum(EXISTS (SELECT 1 FROM events w WHERE w.ticket_id = due.id AND w.kind = 'log'
                     AND w.action = '返工' AND w.at >= ?1 AND w.at < ?2))
  FROM due LEFT JOIN done ON done.id = due.id AND done.unit = due.unit
  GROUP BY due.unit)sql";

// Hotline: answered revisits in June, for the entry's unit, whatever month the order is from.
constexpr const char* kRevisitCounts = R"sql(
  SELECT e.unit, sum(e.result IN ('满意', '基本满意', '不满意')), sum(e.result = '不满意')
  FROM t JOIN events e ON e.ticket_id = t.id
  WHERE e.kind = 'log' AND e.action = '回访' AND e.at >= ?1 AND e.at < ?2 GROUP BY e.unit)sql";

// Mailbox: done letters whose latest revisit before the cut-off is 满意 or 基本满意.
constexpr const char* kSatisfiedCounts = R"sql(
  SELECT done.unit, count(*) FROM done
  WHERE (SELECT v.result FROM events v WHERE v.ticket_id = done.id AND v.kind = 'log'
         AND v.action = '回访' AND v.at < ?2 ORDER BY v.seq DESC LIMIT 1) IN ('满意', '基本满意')
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

// The whole month is built, served and pulled once (CTest runs each test in its own process, and
// under AddressSanitizer the pull takes seconds), then each part is checked by a method.
class MonthFixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = June2023Dir();
    if (dir_.empty()) {
      GTEST_SKIP()
          << "../shared/data/yueyang-2023-06 is not here (a fresh clone has no shared data)";
    }
  }

  // Builds the records, serves them from the simulator and pulls them all into a fresh ledger,
  // which db_ then reads.
  void BuildAndPull() {
    auto start = std::chrono::steady_clock::now();
    Result<std::string> orders = testing::BuildJune2023Orders(dir_);
    ASSERT_TRUE(orders.ok()) << orders.status().ToString();
    auto built = std::chrono::steady_clock::now();
    for (char c : *orders) lines_ += c == '\n';
    hash_ = std::hash<std::string>()(*orders);
    std::ofstream(tmp_.File("orders.jsonl"), std::ios::binary) << *orders;

    CurlTransport::GlobalInit();
    FakeClock clock(SystemClock().NowMillis());
    hotline12345::SimOptions so;
    so.orders_file = tmp_.File("orders.jsonl");
    so.speed = 0;
    so.rps = 0;
    hotline12345::HotlineSim sim(so, clock);
    ASSERT_TRUE(sim.Start().ok());
    {
      auto ledger = ledger::Ledger::Open(tmp_.File("ledger.db"), {});
      ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
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
      ASSERT_EQ(run.outcome, "ok") << run.error;
      ASSERT_EQ(run.inserted, lines_);
      ASSERT_EQ(run.rejected, 0);
    }
    sim.Stop();
    auto pulled = std::chrono::steady_clock::now();
    auto db = sql::Db::Open(tmp_.File("ledger.db"), SQLITE_OPEN_READONLY);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto ms = [](auto d) {
      return static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
    };
    std::printf("[ month    ] %lld records built in %lld ms, served and pulled in %lld ms\n",
                static_cast<long long>(lines_), ms(built - start), ms(pulled - built));
  }

  int64_t Count(const std::string& query) { return hs::Count(db_, query); }

  void ExpectHotlineTable();
  void ExpectMailboxTable();
  void ExpectNamedUnits();
  void ExpectTrickyCases();
  void ExpectRecordsAgreeWithTheirLogs();
  void ExpectAdjustmentsFlagsChannelsAndPeople();
  void ExpectScoreAsPublished();
  void ExpectAdjustmentsAsPublished();
  void ExpectRankingsAsPublished();

  // hotline-sync ARGS --db <the pulled ledger>, as an operator runs it.
  testing::CliOutput Cli(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(tmp_.File("ledger.db"));
    testing::CliOutput o = testing::RunCli(HS_BINARY, args, tmp_.path().string(), 120);
    EXPECT_EQ(o.code, 0) << args[0] << ": " << o.err;
    return o;
  }

  std::string dir_;
  testing::TempDir tmp_;
  int64_t lines_ = 0;
  size_t hash_ = 0;  // Of the records built.
  sql::Db db_;
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

void MonthFixtureTest::ExpectHotlineTable() {
  auto table = ReadTable(dir_ + "/hotline.tsv");
  ASSERT_EQ(table.size(), 66u);
  std::map<std::string, Counts> got = Recount(db_, false);
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

void MonthFixtureTest::ExpectMailboxTable() {
  auto table = ReadTable(dir_ + "/mailbox.tsv");
  ASSERT_EQ(table.size(), 55u);
  std::map<std::string, Counts> got = Recount(db_, true);
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
void MonthFixtureTest::ExpectNamedUnits() {
  std::map<std::string, Counts> hotline = Recount(db_, false);
  std::map<std::string, Counts> mailbox = Recount(db_, true);
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
void MonthFixtureTest::ExpectTrickyCases() {
  // Sent back by one unit, dispatched to another: due for the second only.
  EXPECT_EQ(Count("SELECT count(DISTINCT r.ticket_id) FROM events r JOIN events d "
                  "ON d.ticket_id = r.ticket_id AND d.seq > r.seq AND d.action = '派单' "
                  "AND d.unit = '市公安交警支队' WHERE r.action = '退单' AND r.unit = '市公安局'"),
            3);
  EXPECT_GE(Count("SELECT count(*) FROM events WHERE action = '退单'"), 12);
  // Dispatched and closed in May, revisited in June: 89 answered revisits the tables need.
  EXPECT_EQ(Count("SELECT count(*) FROM tickets WHERE accepted_at < " + std::to_string(kJuneStart)),
            89);
  EXPECT_EQ(Count("SELECT count(*) FROM tickets t JOIN events e ON e.ticket_id = t.id "
                  "WHERE t.accepted_at < " +
                  std::to_string(kJuneStart) +
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
  EXPECT_EQ(
      Count("SELECT count(*) FROM (SELECT t.unit, t.channel IN ('电话', '信访平台推送') AS h, "
            "count(*) AS n FROM tickets t JOIN events e ON e.ticket_id = t.id "
            "AND e.action = '延期通过' GROUP BY 1, 2) x JOIN (SELECT unit, "
            "channel IN ('电话', '信访平台推送') AS h, count(*) AS n FROM tickets "
            "WHERE accepted_at >= " +
            std::to_string(kJuneStart) + " GROUP BY 1, 2) y USING (unit, h) WHERE x.n * 10 > y.n"),
      0);
  EXPECT_GT(Count("SELECT count(*) FROM events WHERE action = '延期通过'"), 100);
}

// Each record's summary fields agree with its transfer log, as the platform keeps them.
void MonthFixtureTest::ExpectRecordsAgreeWithTheirLogs() {
  auto bad = [&](const std::string& where) {
    return Count("SELECT count(*) FROM tickets t WHERE " + where);
  };
  const std::string last =
      "(SELECT %s FROM events e WHERE e.ticket_id = t.id AND e.kind = 'log' "
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
  EXPECT_EQ(bad("json_extract(t.raw, '$.gdzt') <> CASE " + latest("e.action", "<> '备注'") +
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

void MonthFixtureTest::ExpectAdjustmentsFlagsChannelsAndPeople() {
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
                    "' AND unit = '" + row[0] +
                    "' AND channel IN ('电话', '信访平台推送') "
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

// Lines of text, sorted (rows compared cell for cell whatever their order).
std::vector<std::string> SortedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  std::sort(lines.begin() + (lines.empty() ? 0 : 1), lines.end());  // The header stays first.
  return lines;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// `score --format tsv` is the shared file: the same header, every row cell for cell (the rows in
// grade then order-count order; the bulletin's own order within a grade is not derivable).
void MonthFixtureTest::ExpectScoreAsPublished() {
  for (const char* table : {"hotline", "mailbox"}) {
    SCOPED_TRACE(table);
    const testing::CliOutput o =
        Cli({"score", "--month", "2023-06", "--table", table, "--format", "tsv"});
    const std::vector<std::string> got = SortedLines(o.out);
    const std::vector<std::string> want =
        SortedLines(ReadFile(dir_ + "/" + std::string(table) + ".tsv"));
    EXPECT_EQ(got.size(), std::string(table) == "hotline" ? 67u : 56u);
    EXPECT_EQ(got, want);
  }
}

// The derived adjustments come from the ledger (grades, the eight orders flagged by quality
// review); the rest an operator enters. Then `score --adjustments --format tsv` is annexes 3 and 4.
void MonthFixtureTest::ExpectAdjustmentsAsPublished() {
  Result<testing::TsvTable> published = testing::ReadTsv(dir_ + "/adjustments.tsv");
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  const std::string number_mark = "(热线编号: ";
  for (const auto& row : published->rows) {
    const std::string& detail = row[3];
    if (const size_t at = detail.find(number_mark); at != std::string::npos) {
      const std::string number =
          detail.substr(at + number_mark.size(), detail.find(')', at) - at - number_mark.size());
      Cli({"flag", number, "quality", "--note", "quality review"});
    } else if (row[2] != "热线办理综合考评" && row[2] != "信箱办理综合考评") {
      Cli({"adjust", "add", "--month", "2023-06", "--unit", row[0], "--points", row[1],
           "--indicator", row[2], "--detail", detail});
    }
  }
  const testing::CliOutput o = Cli({"score", "--month", "2023-06", "--adjustments", "--format", "tsv"});
  EXPECT_EQ(SortedLines(o.out), SortedLines(ReadFile(dir_ + "/adjustments.tsv")));
  const testing::CliOutput derived_only = Cli({"adjust", "list", "--month", "2023-06"});
  for (const char* derived : {"市民政局", "市应急管理局", "市农业农村局"}) {
    EXPECT_TRUE(testing::Lacks(derived_only.out, derived)) << "entered, not derived: " << derived;
  }
  for (const char* line : {"市民政局\t-2\t热线办理综合考评", "市民政局\t-4\t信箱办理综合考评",
                           "市应急管理局\t-4\t热线办理综合考评", "市国资委\t-4\t信箱办理综合考评",
                           "市农业农村局\t-2\t信箱办理综合考评"}) {
    EXPECT_TRUE(testing::Has(o.out, line));
  }
}

void MonthFixtureTest::ExpectRankingsAsPublished() {
  const testing::CliOutput o = Cli({"score", "--month", "2023-06", "--summary"});
  for (const char* top :
       {"县市区综合考核分值排名前 3 位：云溪区（97.6 分）、临湘市（97.1 分）、岳阳县（96.9 分）",
        "市直单位（100 件以上）综合考核分值排名前 3 位：市城管局（97.9 分）、市公安交警支队（97.2 分）、"
        "市城投集团公司（96.7 分）",
        "公共事业服务部门综合考核分值排名前 3 位：市公交集团公司（98.4 分）、市水务集团公司（97.4 分）、"
        "市移动公司（95.7 分）",
        "县市区综合考核分值排名前 3 位：临湘市（100 分）、屈原管理区（100 分）、南湖新区（99.52 分）",
        "综合考评：A 类 64 个，B 类 1 个，C 类 1 个", "综合考评：A 类 52 个，B 类 1 个，C 类 2 个"}) {
    EXPECT_TRUE(testing::Has(o.out, top));
  }
}

TEST_F(MonthFixtureTest, June2023ThroughTheSyncPathRecountsToTheBulletin) {
  ASSERT_NO_FATAL_FAILURE(BuildAndPull());
  {
    SCOPED_TRACE("hotline.tsv");
    ExpectHotlineTable();
  }
  {
    SCOPED_TRACE("mailbox.tsv");
    ExpectMailboxTable();
  }
  ExpectNamedUnits();
  ExpectTrickyCases();
  ExpectRecordsAgreeWithTheirLogs();
  ExpectAdjustmentsFlagsChannelsAndPeople();
  // The scorer, through the operators' commands, prints the bulletin.
  ExpectScoreAsPublished();
  ExpectAdjustmentsAsPublished();
  ExpectRankingsAsPublished();
  // The same tables give the same records (compared by hash: they hold invented personal data).
  Result<std::string> again = testing::BuildJune2023Orders(dir_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(std::hash<std::string>()(*again), hash_);
}

}  // namespace
}  // namespace hs
