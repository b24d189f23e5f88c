// Scoring a month against a large ledger (issue 5): a ledger of N orders (default 10,000,000) over
// 40 months with each order's assessment facts as the pull path derives them (an assignment, a
// closure for most, an extension, a rework or a revisit answer for some), then `score` for one
// month's hotline and mailbox tables through daemon/score, timed; in the same run the baseline
// answers the same month's per-unit counts by reading every fact (no month range).
//
// Usage: score_bench [orders] [ledger path]. The ledger is built once and reused while it holds
// the same number of orders. Prints, last, `score orders=… ledger_mb=… score_ms=… scan_ms=…`.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_ledger.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/ledger_impl.h"
#include "daemon/routing/rules.h"
#include "daemon/score/scorer.h"

namespace {

using hs::bench::Clock;
using hs::bench::Ms;

constexpr int kMonths = 40;
constexpr int64_t kFirstMonthStart = 1580486400;  // 2020-02-01 00:00:00 Beijing time.
constexpr int64_t kMonthSeconds = 30 * 86400;

hs::Status Fill(hs::sql::Db& db, int64_t orders, const std::vector<std::string>& units) {
  std::mt19937_64 rng(20230601);
  HS_RETURN_IF_ERROR(db.Exec("BEGIN"));
  HS_ASSIGN_OR_RETURN(hs::sql::Stmt ticket, hs::sql::Stmt::Prepare(db, R"(
INSERT INTO tickets (id, source, external_id, channel, state, raw, source_updated_at, first_seen,
                     last_seen, category, deputy, enterprise)
VALUES (?1, 'hotline12345', ?2, ?3, 'archived', '', ?4, ?4, ?4, ?5, ?6, ?7))"));
  HS_ASSIGN_OR_RETURN(hs::sql::Stmt order, hs::sql::Stmt::Prepare(db, R"(
INSERT INTO assessment_orders (ticket_id, n, month, unit, channel, assigned_at, closed_at,
                               deadline, extended_deadline, extended_at, reworked_at)
VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10))"));
  HS_ASSIGN_OR_RETURN(hs::sql::Stmt revisit, hs::sql::Stmt::Prepare(db, R"(
INSERT INTO assessment_revisits (ticket_id, n, month, unit, channel, at, result)
VALUES (?1, 5, ?2, ?3, ?4, ?5, ?6))"));
  const char* categories[] = {"人力资源和社会保障类", "市场管理类", "交通运输与交通秩序类", "城市管理类"};
  const char* results[] = {"满意", "满意", "基本满意", "不满意", "未联系上"};
  for (int64_t id = 1; id <= orders; ++id) {
    const int64_t at = kFirstMonthStart + static_cast<int64_t>(rng() % (kMonths * kMonthSeconds));
    const int ym = hs::ShanghaiMonth(at);
    const std::string& unit = units[rng() % units.size()];
    const char* channel = rng() % 16 == 0 ? "市长信箱" : "电话";
    const int64_t deadline = at + 5 * 86400;
    const bool closed = rng() % 100 < 98;
    const int64_t closed_at = at + static_cast<int64_t>(rng() % (6 * 86400));
    const bool extended = rng() % 20 == 0;
    ticket.Bind(1, id)
        .Bind(2, "YY" + std::to_string(id))
        .Bind(3, channel)
        .Bind(4, at)
        .Bind(5, categories[rng() % 4])
        .Bind(6, int64_t{rng() % 300 == 0})
        .Bind(7, int64_t{rng() % 70 == 0});
    HS_RETURN_IF_ERROR(ticket.Run());
    order.Bind(1, id)
        .Bind(2, int64_t{ym})
        .Bind(3, unit)
        .Bind(4, channel)
        .Bind(5, at)
        .Bind(6, closed ? std::optional<int64_t>(closed_at) : std::nullopt)
        .Bind(7, deadline)
        .Bind(8, extended ? std::optional<int64_t>(deadline + 5 * 86400) : std::nullopt)
        .Bind(9, extended ? std::optional<int64_t>(at + 86400) : std::nullopt)
        .Bind(10, rng() % 30 == 0 ? std::optional<int64_t>(closed_at + 86400) : std::nullopt);
    HS_RETURN_IF_ERROR(order.Run());
    if (closed && rng() % 10 < 9) {
      const int64_t visit = closed_at + 2 * 86400;
      revisit.Bind(1, id)
          .Bind(2, int64_t{hs::ShanghaiMonth(visit)})
          .Bind(3, unit)
          .Bind(4, channel)
          .Bind(5, visit)
          .Bind(6, results[rng() % 5]);
      HS_RETURN_IF_ERROR(revisit.Run());
    }
    if (id % 1'000'000 == 0) {
      HS_RETURN_IF_ERROR(db.Exec("COMMIT; BEGIN"));
      std::fprintf(stderr, "%lld orders written\n", static_cast<long long>(id));
    }
  }
  return db.Exec("COMMIT");
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t orders = argc > 1 ? std::atoll(argv[1]) : 10'000'000;
  const std::string path = argc > 2 ? argv[2] : "score-" + std::to_string(orders) + ".db";
  auto units = hs::routing::LoadUnitRegistry("");
  auto policy = hs::score::LoadPolicy("");
  if (!units.ok() || !policy.ok()) {
    std::fprintf(stderr, "shipped unit registry or policy unreadable\n");
    return 1;
  }
  std::vector<std::string> names;
  for (const auto& u : *units) names.push_back(u.name);

  auto ledger = hs::bench::OpenBuiltOnce(
      path, orders, "orders",
      "DELETE FROM assessment_revisits; DELETE FROM assessment_orders; DELETE FROM tickets;",
      [&](hs::sql::Db& db) { return Fill(db, orders, names); });
  if (ledger == nullptr) return 1;
  hs::sql::Db& db = ledger->impl()->db;
  const double mb = hs::bench::FileMb(path);

  // A month in the middle of the ledger.
  const auto month = *hs::ParseShanghaiMonth("2021-08");
  double best = 1e18, first = 0;
  for (int run = 0; run < 5; ++run) {
    const auto start = Clock::now();
    for (const char* table : {"hotline", "mailbox"}) {
      auto s = hs::score::ScoreTable(*ledger, *policy, *units, table, month, month.end - 1);
      if (!s.ok() || s->rows.empty()) {
        std::fprintf(stderr, "scoring failed: %s\n", s.ok() ? "no rows" : s.status().ToString().c_str());
        return 1;
      }
    }
    const double ms = Ms(Clock::now() - start);
    if (run == 0) first = ms;
    best = std::min(best, ms);
  }
  // Baseline: the same month's per-unit counts with the month's index range unused (`+month`):
  // every fact of the ledger is read.
  double scan = 1e18;
  for (int run = 0; run < 2; ++run) {
    const auto start = Clock::now();
    auto r = db.QueryText(R"(
SELECT count(*) FROM (SELECT unit, count(*), count(*) FILTER (WHERE closed_at <= 1630425599)
FROM assessment_orders WHERE +month = 202108 GROUP BY unit, channel))");
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 1;
    }
    scan = std::min(scan, Ms(Clock::now() - start));
  }
  std::printf("%12s %12s %16s %16s %14s\n", "orders", "ledger MB", "score ms (first)",
              "score ms (best)", "scan ms");
  std::printf("%12lld %12.0f %16.1f %16.1f %14.1f\n", static_cast<long long>(orders), mb, first,
              best, scan);
  std::printf("score orders=%lld ledger_mb=%.0f score_ms=%.1f scan_ms=%.1f\n",
              static_cast<long long>(orders), mb, best, scan);
  return 0;
}
