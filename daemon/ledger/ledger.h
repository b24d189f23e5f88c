// Ledger: the SQLite store of everything hotline-sync has read, and its sync log.
//
// One writer connection per daemon (the sync loops share it under a mutex held for one transaction
// at a time); CLI commands open their own read-only connection. Every pragma is set explicitly
// (RELIABILITY.md: Debian's SQLite defaults differ from upstream). Schema changes are the numbered
// migrations in schema/, applied by Open() and by `hotline-sync migrate`.
//
// Thread-safety: all methods may be called from any thread; they serialise on an internal mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/core/ticket.h"

namespace hs::ledger {

struct LedgerOptions {
  bool read_only = false;
  // FULL: every commit reaches the disk before it returns. NORMAL (WAL): a power cut may lose the
  // last commits, never corrupts; a pull then repeats them, since cursor and records roll back
  // together. FULL is for commits that let us tell a remote "received".
  std::string synchronous = "NORMAL";
  bool quick_check = true;  // Run PRAGMA quick_check when opening for writing.
  bool migrate = true;      // Apply pending migrations when opening for writing.
};

// One pull run as it goes: counts accumulate page by page and are written with each page.
struct SyncRun {
  int64_t id = 0;  // 0 until first written.
  std::string source;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
  std::string outcome = "running";  // running, ok, failed, interrupted.
  int64_t pages = 0;
  int64_t fetched = 0;
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t stale = 0;
  int64_t rejected = 0;
  int64_t events = 0;
  int64_t idle_runs = 0;
  std::string error_code;
  std::string error;
};

// What one committed page did.
struct PageStats {
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;  // Same version re-read (look-back window, repeated page).
  int64_t stale = 0;      // Older than what the ledger has: ignored.
  int64_t rejected = 0;
  int64_t events = 0;
  int64_t history_shrunk = 0;  // Platform logs shorter than before: the ledger keeps its entries.
};

class Ledger {
 public:
  ~Ledger();

  // Opens (creating if needed), sets pragmas, migrates and checks. Errors: Unavailable when the
  // file cannot be opened; Rejected when the database is newer than this binary or fails
  // quick_check (the message says what to do); Internal for other SQLite failures.
  static Result<std::unique_ptr<Ledger>> Open(const std::string& path,
                                              const LedgerOptions& options);

  // The newest schema version this binary knows.
  static int LatestSchemaVersion();
  Result<int> SchemaVersion();
  // Applies pending migrations; returns the versions applied.
  Result<std::vector<int>> Migrate();

  // "ok" or the problems quick_check / integrity_check found.
  Result<std::string> QuickCheck();
  Result<std::string> IntegrityCheck();

  // The saved cursor of an adapter, "" when none.
  Result<std::string> LoadCursor(std::string_view source);

  // In ONE transaction: upserts the tickets (keeping the newest version of each), appends their new
  // log entries and state changes as events, stores the rejects, saves `cursor` and the run's
  // counts. On error nothing is written and `run` is unchanged. Errors: Unavailable (busy, disk
  // full, I/O).
  Result<PageStats> CommitPage(std::string_view source, const std::vector<Ticket>& tickets,
                               const std::vector<Reject>& rejects, std::string_view cursor,
                               SyncRun& run, int64_t now_ms);

  // Stores rejects without moving the cursor (a page that could not be read at all).
  Status RecordRejects(std::string_view source, const std::vector<Reject>& rejects, int64_t now_ms);

  // Writes the run's final row and, for an ok or failed run, the adapter's health. An empty
  // successful run following another one extends that row (idle_runs) instead of adding one.
  Status FinishRun(SyncRun& run, int64_t now_ms);

  // Marks runs left 'running' by a previous process as 'interrupted'. Returns how many.
  Result<int64_t> MarkInterruptedRuns(int64_t now_ms);

  // For the read-side queries (ledger_queries.h).
  struct Impl;
  Impl* impl() { return impl_.get(); }

 private:
  explicit Ledger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hs::ledger
