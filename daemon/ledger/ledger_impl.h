// Private to daemon/ledger: the connection and prepared statements behind Ledger.
#pragma once

#include <mutex>
#include <set>
#include <string>

#include "daemon/ledger/ledger.h"
#include "daemon/ledger/sqlite.h"

namespace hs::ledger {

struct Ledger::Impl {
  std::mutex mu;
  sql::Db db;
  std::string path;
  bool read_only = false;
  std::string synchronous;  // As opened: NORMAL or FULL.

  // Prepared on first write (a read-only ledger never prepares them).
  bool prepared = false;
  sql::Stmt select_ticket, insert_ticket, update_ticket, touch_ticket, upsert_reject, save_cursor,
      insert_run, update_run, upsert_unit;
  sql::Stmt insert_outbox, supersede_outbox, find_ticket, find_flag, find_counterpart;
  Router* router = nullptr;
  MatchHook* match_hook = nullptr;
  std::string route_native;                        // The previous native state a Change points to.
  std::set<std::string, std::less<>> known_units;  // Units already upserted, as "name\x1fcode".
  // insert_events[n - 1] inserts n log entries in one statement; prepared on first use.
  static constexpr size_t kEventBatch = 8;
  sql::Stmt insert_events[kEventBatch];

  Status Prepare();
  // Inside an open transaction: queues what `router` asks for the change.
  Status QueueOutbox(const Change& change, int64_t now_ms, PageStats& stats);
};

// Writes one row of the audit table (who did what to which subject), inside the caller's
// transaction.
Status WriteAudit(sql::Db& db, int64_t now_s, std::string_view actor, std::string_view action,
                  std::string_view subject, std::string_view detail);

}  // namespace hs::ledger
