// What operators and monitoring read every few seconds, against a year's ledger: status counts
// (status, /metrics, /readyz and the web page), one ticket by its number (`ticket REF`), the
// matching summary, and the deadline watch. A ledger of N tickets (default 360,000: a year of a
// city's hotline, petitions and dispatches) with records of their real size (~1.4 KB raw) and four
// match decisions each is built once and reused. Each read is timed with the ledger as shipped,
// then, as the baseline in the same run, as it was before migration 0005: its indexes dropped, and
// the ticket lookup's previous query; the indexes are put back at the end.
//
// Usage: status_bench [tickets] [ledger path]. Prints a table and, last,
// `status tickets=… ledger_mb=… status_ms=… status_base_ms=… ticket_ms=… ticket_base_ms=…`.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_ledger.h"
#include "daemon/core/time_util.h"
#include "daemon/ledger/cases.h"
#include "daemon/ledger/deadlines.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/ledger_impl.h"
#include "daemon/ledger/ledger_queries.h"

namespace {

using hs::bench::Clock;
using hs::bench::Ms;

constexpr int64_t kYearStart = 1672502400;  // 2023-01-01 00:00:00 Beijing time.
constexpr int kDecisionsPerTicket = 4;
const char* const kSources[] = {"hotline12345", "hotline12345", "hotline12345", "hotline12345",
                                "hotline12345", "hotline12345", "petition",     "provincial"};
// Migration 0005's indexes: dropped for the baseline, then made again from their own SQL.
const char* const kIndexNames[] = {"tickets_by_source_state", "tickets_by_external_id",
                                   "match_decisions_by_state"};

hs::Status Fill(hs::sql::Db& db, int64_t tickets) {
  std::mt19937_64 rng(20230601);
  HS_RETURN_IF_ERROR(db.Exec("BEGIN"));
  HS_ASSIGN_OR_RETURN(hs::sql::Stmt ticket, hs::sql::Stmt::Prepare(db, R"(
INSERT INTO tickets (id, source, external_id, title, content, state, deadline, raw,
                     source_updated_at, first_seen, last_seen, native_state)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?9, ?10))"));
  HS_ASSIGN_OR_RETURN(hs::sql::Stmt decision, hs::sql::Stmt::Prepare(db, R"(
INSERT INTO match_decisions (a_id, b_id, relation, confidence, state, evidence, created_at,
                             decided_at)
VALUES (?1, ?2, 'related', ?3, ?4, ?5, ?6, ?6))"));
  const std::string content(600, 'x');  // Bytes, not characters: the size is what matters here.
  const std::string raw(1400, 'r');
  const std::string evidence(240, 'e');
  const char* open[] = {"pending", "in_progress", "extension_review"};
  for (int64_t id = 1; id <= tickets; ++id) {
    const int64_t at = kYearStart + id * 365 * 86400 / tickets;
    // The last fortnight's tickets are mostly open; older ones closed or archived.
    const bool recent = id > tickets - tickets / 26;
    const std::string_view source = kSources[rng() % std::size(kSources)];
    const bool is_open = recent && rng() % 10 < 7;
    const char* state = is_open ? open[rng() % 3] : (rng() % 4 == 0 ? "closed" : "archived");
    const char* native = "";
    if (source == "provincial") {  // Dispatches: accepted while open, else closed.
      state = is_open ? "in_progress" : "closed";
      native = is_open ? "ACCEPTED" : "CLOSED";
    }
    ticket.Bind(1, id)
        .Bind(2, source)
        .Bind(3, "YY" + std::to_string(1000000000 + id))
        .Bind(4, "title " + std::to_string(id))
        .Bind(5, content)
        .Bind(6, state)
        .Bind(7, at + 5 * 86400)
        .Bind(8, raw)
        .Bind(9, at)
        .Bind(10, native);
    HS_RETURN_IF_ERROR(ticket.Run());
    for (int k = 1; k <= kDecisionsPerTicket && id > k * 7; ++k) {
      const int r = static_cast<int>(rng() % 100);
      decision.Bind(1, id - k * 7)
          .Bind(2, id)
          .BindDouble(3, 0.35 + static_cast<double>(rng() % 60) / 100)
          .Bind(4, r < 70   ? "applied"
                   : r < 95 ? "pending"
                   : r < 98 ? "confirmed"
                            : "rejected")
          .Bind(5, evidence)
          .Bind(6, at);
      HS_RETURN_IF_ERROR(decision.Run());
    }
    if (id % 100'000 == 0) {
      HS_RETURN_IF_ERROR(db.Exec("COMMIT; BEGIN"));
      std::fprintf(stderr, "%lld tickets written\n", static_cast<long long>(id));
    }
  }
  return db.Exec("COMMIT");
}

// The best of `runs` timings of `read`, in ms; -1 when it fails.
double Best(int runs, const std::function<bool()>& read) {
  double best = 1e18;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    if (!read()) return -1;
    best = std::min(best, Ms(Clock::now() - start));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t tickets = argc > 1 ? std::atoll(argv[1]) : 360'000;
  const std::string path = argc > 2 ? argv[2] : "status-" + std::to_string(tickets) + ".db";
  auto ledger = hs::bench::OpenBuiltOnce(path, tickets, "tickets",
                                         "DELETE FROM match_decisions; DELETE FROM tickets;",
                                         [&](hs::sql::Db& db) { return Fill(db, tickets); });
  if (ledger == nullptr) return 1;
  hs::sql::Db& db = ledger->impl()->db;
  const double mb = hs::bench::FileMb(path);

  hs::ledger::Ledger& l = *ledger;
  const std::vector<std::string> adapters = {"hotline12345", "petition", "provincial"};
  const std::string some_ticket = "YY" + std::to_string(1000000000 + tickets / 2);
  hs::ledger::DeadlineQuery deadlines;
  deadlines.now_s = kYearStart + 365 * 86400;
  struct Read {
    const char* name;
    std::function<bool()> run;
    std::function<bool()> before;  // What the daemon ran before, when not `run` (the baseline).
    double ms = 0, base_ms = 0;
  };
  // The lookup as it was before migration 0005: one OR over three columns, which no index serves.
  auto lookup_before = [&] {
    auto st = hs::sql::Stmt::Prepare(db, R"(
SELECT id, raw FROM tickets
WHERE external_id = ?1 OR (external_ref = ?1 AND ?1 <> '') OR CAST(id AS TEXT) = ?1 ORDER BY id)");
    if (!st.ok()) return false;
    st->Bind(1, some_ticket);
    auto row = st->Step();
    return row.ok() && *row;
  };
  std::vector<Read> reads = {
      {"status counts", [&] { return hs::ledger::AdapterStatuses(l, adapters).ok(); }, {}},
      {"ticket by number",
       [&] {
         auto r = hs::ledger::FindTickets(l, some_ticket);
         return r.ok() && r->size() == 1;
       },
       lookup_before},
      {"matching summary", [&] { return hs::ledger::SummariseMatching(l).ok(); }, {}},
      {"deadline counts", [&] { return hs::ledger::CountDeadlines(l, deadlines).ok(); }, {}},
  };
  for (Read& r : reads) r.ms = Best(5, r.run);
  std::vector<std::string> create;
  l.EndReads();  // A read left open by a cached statement would lock the schema.
  for (const char* name : kIndexNames) {
    auto sql =
        db.QueryText(std::string("SELECT sql FROM sqlite_master WHERE name = '") + name + "'");
    hs::Status dropped = sql.ok() ? db.Exec(std::string("DROP INDEX ") + name) : sql.status();
    if (!dropped.ok()) {
      std::fprintf(stderr, "index %s: %s\n", name, dropped.ToString().c_str());
      return 1;
    }
    create.push_back(*sql);
  }
  for (Read& r : reads) r.base_ms = Best(3, r.before ? r.before : r.run);
  for (const std::string& sql : create) {
    if (hs::Status s = db.Exec(sql); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  std::printf("%lld tickets, %lld match decisions, ledger %.0f MB (best of 5, and of 3 without)\n",
              static_cast<long long>(tickets),
              static_cast<long long>(tickets * kDecisionsPerTicket), mb);
  std::printf("%-18s %14s %22s %8s\n", "read", "ms", "ms without 0005 indexes", "ratio");
  for (const Read& r : reads) {
    if (r.ms < 0 || r.base_ms < 0) {
      std::fprintf(stderr, "%s failed\n", r.name);
      return 1;
    }
    std::printf("%-18s %14.2f %22.2f %8.0f\n", r.name, r.ms, r.base_ms, r.base_ms / r.ms);
  }
  std::printf(
      "status tickets=%lld ledger_mb=%.0f status_ms=%.2f status_base_ms=%.2f ticket_ms=%.2f "
      "ticket_base_ms=%.2f\n",
      static_cast<long long>(tickets), mb, reads[0].ms, reads[0].base_ms, reads[1].ms,
      reads[1].base_ms);
  return 0;
}
