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

namespace hs::sql {
class Db;
}

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
  int64_t queued = 0;          // Outbox items the page's changes queued.
};

// A ticket the page just inserted or changed, as routing sees it (DESIGN.md flow 3).
struct Change {
  std::string_view source;
  int64_t ticket_id = 0;
  const Ticket* ticket = nullptr;
  bool inserted = false;
  std::string_view previous_native_state;  // "" when inserted.
  size_t previous_history = 0;             // Log entries already in the ledger before this change.
};

// A push a change calls for. The ledger stores it in the page's transaction with the idempotency
// key derived from (source, external id, target, action, revision): the same change read twice
// queues one push.
struct OutboxRequest {
  std::string target;       // Adapter name.
  std::string action;       // As the target adapter names it: create, progress, note, accept…
  std::string target_ref;   // The remote record; "" = the one this ticket's create made on target.
  std::string revision;     // Distinguishes pushes of one action for one ticket, e.g. a log index.
  std::string payload;      // The request body.
  std::string held_reason;  // Not empty: queued as held, e.g. closure elements missing.
  // Not empty: queued as dropped with this reason, so that the same push is never made later (a
  // create not made because the ticket joined a record open elsewhere).
  std::string dropped_reason;
  // Not empty: the ticket is linked to this record on `target` (links), as if its create had made
  // it: later pushes with an empty target_ref go there.
  std::string link_to;
  // Pending or held pushes of the same ticket, target and action are dropped as superseded.
  bool supersedes = false;
};

// Another ticket of a case (DESIGN.md flow 2) and its record on a target platform.
struct CaseRecord {
  int64_t ticket_id = 0;
  std::string source, external_id;  // The other ticket.
  std::string remote_id;            // Its record on the target: itself, or what its push made.
};

// Look-ups routing may make inside the page's transaction.
class RouteContext {
 public:
  virtual ~RouteContext() = default;
  // Another ticket of the ticket's case that is open on `target` (a record there, or linked to
  // one): a repeat of a matter open elsewhere joins it instead of being pushed again. nullopt when
  // the ticket has no case or none is open there. The default knows no cases.
  virtual Result<std::optional<CaseRecord>> OpenInCase(int64_t /*ticket_id*/,
                                                       std::string_view /*target*/) {
    return std::optional<CaseRecord>();
  }
  // The ledger id of a ticket, or nullopt.
  virtual Result<std::optional<int64_t>> FindTicket(std::string_view source,
                                                    std::string_view external_id) = 0;
  // Whether an operator set `flag` on the ticket (table flags).
  virtual Result<bool> Flagged(int64_t ticket_id, std::string_view flag) = 0;
  // Whether the ticket has, or has queued, a create on `target` (not dropped).
  virtual Result<bool> HasCounterpart(int64_t ticket_id, std::string_view target) = 0;
};

// Decides what pushes a change calls for; set on the ledger with SetRouter.
class Router {
 public:
  virtual ~Router() = default;
  virtual Status Route(const Change& change, RouteContext& context,
                       std::vector<OutboxRequest>& out) = 0;
};

// Matching (DESIGN.md flow 2): sees every ticket CommitPage inserts or changes, before routing and
// inside the page's transaction, so that cases and decisions commit with the tickets. Committed and
// Abandoned tell it the transaction's fate, so that state it keeps in memory follows the ledger.
class MatchHook {
 public:
  virtual ~MatchHook() = default;
  virtual Status Match(const Change& change, sql::Db& db, int64_t now_s) = 0;
  virtual void Committed() = 0;
  virtual void Abandoned() = 0;
};

// An outbox item's idempotency key: "hs1-" and 40 hex digits of SHA-256 over its identity.
std::string IdempotencyKey(std::string_view source, std::string_view external_id,
                           std::string_view target, std::string_view action,
                           std::string_view revision);

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
  // Ends the read snapshot the last queries may have left open (statements kept prepared between
  // calls). A long-lived reader (the web listener) calls it after each request, so that the next
  // one sees the newest commits and the WAL can be checkpointed past it.
  void EndReads();
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

  // Routes every ticket CommitPage inserts or changes through `router` (nullptr: none), queueing
  // the pushes it asks for in the same transaction. The router outlives its use here.
  void SetRouter(Router* router);
  // Matches every ticket CommitPage inserts or changes through `hook` (nullptr: none), before
  // routing. The hook outlives its use here.
  void SetMatchHook(MatchHook* hook);

  // For the read-side queries (ledger_queries.h).
  struct Impl;
  Impl* impl() { return impl_.get(); }

 private:
  explicit Ledger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hs::ledger
