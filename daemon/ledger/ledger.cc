#include "daemon/ledger/ledger.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "daemon/crypto/crypto.h"
#include "daemon/ledger/assessment.h"
#include "daemon/ledger/ledger_impl.h"
#include "daemon/ledger/migrations.h"
#include "daemon/log/log.h"
#include "daemon/metrics/metrics.h"

namespace hs::ledger {
namespace {

// Column order shared by the insert and update statements: ?1 source … ?34 version.
constexpr std::string_view kInsertTicket = R"(
INSERT INTO tickets (source, external_id, external_ref, channel, kind, category, title, content,
  address, complainant, phone, id_number, unit, unit_code, accepted_at, deadline, extended_deadline,
  state, closed_at, closure_text, revisit_result, revisited_at, rework_count, deputy, enterprise,
  history_count, raw_hash, source_updated_at, raw, first_seen, last_seen, event_count,
  native_state, version)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
  ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)
ON CONFLICT (source, external_id) DO NOTHING)";

constexpr std::string_view kUpdateTicket = R"(
UPDATE tickets SET external_ref = ?3, channel = ?4, kind = ?5, category = ?6, title = ?7,
  content = ?8, address = ?9, complainant = ?10, phone = ?11, id_number = ?12, unit = ?13,
  unit_code = ?14, accepted_at = ?15, deadline = ?16, extended_deadline = ?17, state = ?18,
  closed_at = ?19, closure_text = ?20, revisit_result = ?21, revisited_at = ?22, rework_count = ?23,
  deputy = ?24, enterprise = ?25, history_count = ?26, raw_hash = ?27, source_updated_at = ?28,
  raw = ?29, last_seen = ?31, event_count = ?32, native_state = ?33, version = ?34
WHERE id = ?35 AND source = ?1 AND external_id = ?2)";

constexpr std::string_view kSelectTicket =
    "SELECT id, version, state, history_count, raw_hash, event_count, native_state FROM tickets "
    "WHERE source = ?1 AND external_id = ?2";

constexpr std::string_view kTouchTicket = "UPDATE tickets SET last_seen = ?1 WHERE id = ?2";

// Anonymous parameters, so that InsertEvents can append more rows: (?, …), (?, …).
constexpr std::string_view kInsertEvent = R"(
INSERT INTO events (ticket_id, n, kind, seq, at, action, unit, note, result, external_ref,
  from_state, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))";
constexpr int kEventColumns = 12;

constexpr std::string_view kUpsertReject = R"(
INSERT INTO rejects (source, source_id, reason, raw, digest, first_seen, last_seen)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
ON CONFLICT (source, digest) DO UPDATE SET last_seen = excluded.last_seen,
  seen_count = seen_count + 1, reason = excluded.reason)";

constexpr std::string_view kSaveCursor = R"(
INSERT INTO cursors (source, cursor, updated_at) VALUES (?1, ?2, ?3)
ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at)";

constexpr std::string_view kInsertRun = R"(
INSERT INTO sync_runs (source, started_ms, finished_ms, outcome, pages, fetched, inserted, updated,
  unchanged, stale, rejected, events, idle_runs, error_code, error)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15))";

constexpr std::string_view kUpdateRun = R"(
UPDATE sync_runs SET started_ms = ?2, finished_ms = ?3, outcome = ?4, pages = ?5, fetched = ?6,
  inserted = ?7, updated = ?8, unchanged = ?9, stale = ?10, rejected = ?11, events = ?12,
  idle_runs = ?13, error_code = ?14, error = ?15
WHERE id = ?16 AND source = ?1)";

constexpr std::string_view kUpsertUnit = R"(
INSERT INTO units (code, name) VALUES (?1, ?2)
ON CONFLICT (name) DO UPDATE SET code = excluded.code WHERE units.code = '' AND excluded.code <> '')";

constexpr std::string_view kInsertOutbox = R"(
INSERT INTO outbox (ticket_id, target, action, target_ref, idem_key, payload, state,
  next_attempt_ms, created_ms, last_error)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)
ON CONFLICT (idem_key) DO NOTHING)";

constexpr std::string_view kSupersedeOutbox = R"(
UPDATE outbox SET state = 'dropped', last_error = ?5, done_ms = ?6
WHERE ticket_id = ?1 AND target = ?2 AND action = ?3 AND id < ?4 AND state IN ('pending', 'held'))";

constexpr std::string_view kFindTicket =
    "SELECT id FROM tickets WHERE source = ?1 AND external_id = ?2";
constexpr std::string_view kFindFlag = "SELECT 1 FROM flags WHERE ticket_id = ?1 AND flag = ?2";
constexpr std::string_view kFindCounterpart = R"(
SELECT 1 FROM links WHERE ticket_id = ?1 AND target = ?2
UNION ALL
SELECT 1 FROM outbox WHERE ticket_id = ?1 AND target = ?2 AND action = 'create'
  AND state <> 'dropped' LIMIT 1)";

void BindRun(sql::Stmt& st, const SyncRun& r) {
  st.Bind(1, r.source).Bind(2, r.started_ms);
  if (r.finished_ms > 0)
    st.Bind(3, r.finished_ms);
  else
    st.BindNull(3);
  st.Bind(4, r.outcome)
      .Bind(5, r.pages)
      .Bind(6, r.fetched)
      .Bind(7, r.inserted)
      .Bind(8, r.updated)
      .Bind(9, r.unchanged)
      .Bind(10, r.stale)
      .Bind(11, r.rejected)
      .Bind(12, r.events)
      .Bind(13, r.idle_runs)
      .Bind(14, r.error_code)
      .Bind(15, r.error);
}

// Ticket fields are bound by reference: the ticket outlives the statement's Run().
void BindTicket(sql::Stmt& st, std::string_view source, const Ticket& t, int64_t history_count,
                int64_t event_count, int64_t raw_hash, int64_t now_s) {
  st.BindRef(1, source)
      .BindRef(2, t.external_id)
      .BindRef(3, t.external_ref)
      .BindRef(4, t.channel)
      .BindRef(5, t.kind)
      .BindRef(6, t.category)
      .BindRef(7, t.title)
      .BindRef(8, t.content)
      .BindRef(9, t.address)
      .BindRef(10, t.complainant)
      .BindRef(11, t.phone)
      .BindRef(12, t.id_number)
      .BindRef(13, t.unit)
      .BindRef(14, t.unit_code)
      .Bind(15, t.accepted_at)
      .Bind(16, t.deadline)
      .Bind(17, t.extended_deadline)
      .BindRef(18, t.state)
      .Bind(19, t.closed_at)
      .BindRef(20, t.closure_text)
      .BindRef(21, t.revisit_result)
      .Bind(22, t.revisited_at)
      .Bind(23, t.rework_count)
      .Bind(24, int64_t{t.deputy})
      .Bind(25, int64_t{t.enterprise})
      .Bind(26, history_count)
      .Bind(27, raw_hash)
      .Bind(28, t.updated_at)
      .BindRef(29, t.raw)
      .Bind(30, now_s)
      .Bind(31, now_s)
      .Bind(32, event_count)
      .BindRef(33, t.native_state)
      .Bind(34, t.version);
}

Status SetPragmas(sql::Db& db, const LedgerOptions& o) {
  if (o.synchronous != "FULL" && o.synchronous != "NORMAL") {
    return Status::InvalidArgument("synchronous must be FULL or NORMAL");
  }
  std::string pragmas =
      // Only takes effect on a new, empty database: order rows of ~2 KB pack better into 16 KiB
      // pages.
      "PRAGMA page_size = 16384;"
      "PRAGMA busy_timeout = 5000;"
      "PRAGMA foreign_keys = ON;"
      "PRAGMA secure_delete = ON;"  // Deleted personal data is overwritten, not left in free pages.
      "PRAGMA temp_store = MEMORY;"
      "PRAGMA cache_size = -8192;";  // 8 MiB: enough for the writer; more costs page faults.
  if (!o.read_only) {
    pragmas +=
        "PRAGMA journal_mode = WAL;"
        "PRAGMA synchronous = " +
        o.synchronous +
        ";"
        "PRAGMA wal_autocheckpoint = 1000;"
        "PRAGMA journal_size_limit = 67108864;";
  }
  return db.Exec(pragmas);
}

}  // namespace

Status WriteAudit(sql::Db& db, int64_t now_s, std::string_view actor, std::string_view action,
                  std::string_view subject, std::string_view detail) {
  HS_ASSIGN_OR_RETURN(sql::Stmt* st,
                      db.Cached("INSERT INTO audit (at, actor, action, subject, detail) "
                                "VALUES (?1, ?2, ?3, ?4, ?5)"));
  st->Bind(1, now_s).Bind(2, actor).Bind(3, action).Bind(4, subject).Bind(5, detail);
  return st->Run();
}

Status Ledger::Impl::Prepare() {
  if (prepared) return Status::Ok();
  if (read_only) return Status::Internal("ledger opened read-only");
  HS_ASSIGN_OR_RETURN(select_ticket, sql::Stmt::Prepare(db, kSelectTicket));
  HS_ASSIGN_OR_RETURN(insert_ticket, sql::Stmt::Prepare(db, kInsertTicket));
  HS_ASSIGN_OR_RETURN(update_ticket, sql::Stmt::Prepare(db, kUpdateTicket));
  HS_ASSIGN_OR_RETURN(touch_ticket, sql::Stmt::Prepare(db, kTouchTicket));
  HS_ASSIGN_OR_RETURN(upsert_reject, sql::Stmt::Prepare(db, kUpsertReject));
  HS_ASSIGN_OR_RETURN(save_cursor, sql::Stmt::Prepare(db, kSaveCursor));
  HS_ASSIGN_OR_RETURN(insert_run, sql::Stmt::Prepare(db, kInsertRun));
  HS_ASSIGN_OR_RETURN(update_run, sql::Stmt::Prepare(db, kUpdateRun));
  HS_ASSIGN_OR_RETURN(upsert_unit, sql::Stmt::Prepare(db, kUpsertUnit));
  HS_ASSIGN_OR_RETURN(insert_outbox, sql::Stmt::Prepare(db, kInsertOutbox));
  HS_ASSIGN_OR_RETURN(supersede_outbox, sql::Stmt::Prepare(db, kSupersedeOutbox));
  HS_ASSIGN_OR_RETURN(find_ticket, sql::Stmt::Prepare(db, kFindTicket));
  HS_ASSIGN_OR_RETURN(find_flag, sql::Stmt::Prepare(db, kFindFlag));
  HS_ASSIGN_OR_RETURN(find_counterpart, sql::Stmt::Prepare(db, kFindCounterpart));
  prepared = true;
  return Status::Ok();
}

Ledger::Ledger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ledger::~Ledger() = default;

int Ledger::LatestSchemaVersion() { return AllMigrations().back().version; }

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& path,
                                             const LedgerOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->read_only = options.read_only;
  impl->synchronous = options.synchronous;
  int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  auto db = sql::Db::Open(path, flags);
  if (!db.ok()) {
    return db.status().WithContext(options.read_only
                                       ? "the ledger cannot be read; check [ledger] path and that "
                                         "the daemon has created it"
                                       : "the ledger cannot be opened; check [ledger] path and "
                                         "the directory's permissions");
  }
  impl->db = std::move(db).value();
  Status pragmas = SetPragmas(impl->db, options);
  if (pragmas.code() == StatusCode::kRejected) {
    return pragmas.WithContext(path +
                               " is damaged or not a ledger; stop the service and restore it "
                               "from a backup");
  }
  HS_RETURN_IF_ERROR(pragmas);
  std::unique_ptr<Ledger> ledger(new Ledger(std::move(impl)));

  HS_ASSIGN_OR_RETURN(int version, ledger->SchemaVersion());
  if (version > LatestSchemaVersion()) {
    return Status::Rejected(path + " is at schema version " + std::to_string(version) +
                            " but this hotline-sync knows versions up to " +
                            std::to_string(LatestSchemaVersion()) +
                            "; run the newer hotline-sync that wrote it, or restore a backup");
  }
  if (!options.read_only) {
    if (options.quick_check) {
      HS_ASSIGN_OR_RETURN(std::string check, ledger->QuickCheck());
      if (check != "ok") {
        return Status::Rejected(path + " failed its integrity check (" + check.substr(0, 200) +
                                "); stop the service and restore the ledger from a backup");
      }
    }
    if (options.migrate) HS_RETURN_IF_ERROR(ledger->Migrate().status());
  } else if (version < LatestSchemaVersion()) {
    return Status::Rejected(path + " is at schema version " + std::to_string(version) +
                            ", older than this binary's " + std::to_string(LatestSchemaVersion()) +
                            "; run `hotline-sync migrate` first");
  }
  return ledger;
}

void Ledger::EndReads() {
  std::lock_guard lock(impl_->mu);
  impl_->db.ResetActiveStatements();
}

Result<int> Ledger::SchemaVersion() {
  std::lock_guard lock(impl_->mu);
  HS_ASSIGN_OR_RETURN(std::string v, impl_->db.QueryText("PRAGMA user_version"));
  return std::stoi(v);
}

Result<std::vector<int>> Ledger::Migrate() {
  HS_ASSIGN_OR_RETURN(int current, SchemaVersion());
  std::lock_guard lock(impl_->mu);
  std::vector<int> applied;
  for (const Migration& m : AllMigrations()) {
    if (m.version <= current) continue;
    sql::Transaction txn(impl_->db);
    HS_RETURN_IF_ERROR(txn.status());
    Status s = impl_->db.Exec(m.sql);
    if (!s.ok()) return s.WithContext(std::string("migration ") + std::string(m.name));
    HS_RETURN_IF_ERROR(impl_->db.Exec("PRAGMA user_version = " + std::to_string(m.version)));
    HS_RETURN_IF_ERROR(txn.Commit());
    log::Get("ledger")->info("applied migration {}", m.name);
    applied.push_back(m.version);
  }
  HS_ASSIGN_OR_RETURN(int64_t refilled, RefreshAssessment(impl_->db));
  if (refilled > 0) {
    log::Get("ledger")->info("derived the assessment facts of {} orders again", refilled);
  }
  return applied;
}

Result<std::string> Ledger::QuickCheck() {
  std::lock_guard lock(impl_->mu);
  return impl_->db.QueryText("PRAGMA quick_check(20)");
}

Result<std::string> Ledger::IntegrityCheck() {
  std::lock_guard lock(impl_->mu);
  return impl_->db.QueryText("PRAGMA integrity_check(20)");
}

Result<std::string> Ledger::LoadCursor(std::string_view source) {
  std::lock_guard lock(impl_->mu);
  HS_ASSIGN_OR_RETURN(
      sql::Stmt st, sql::Stmt::Prepare(impl_->db, "SELECT cursor FROM cursors WHERE source = ?1"));
  st.Bind(1, source);
  HS_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Text(0) : std::string();
}

namespace {

// A fast 64-bit hash of a record's bytes to skip unchanged re-reads; not a security hash. Should
// the standard library's hash ever change, each stored record is rewritten once, with no new
// events.
int64_t ChangeHash(std::string_view raw) {
  return static_cast<int64_t>(std::hash<std::string_view>{}(raw));
}

// The number of events InsertEvents adds for these arguments.
int64_t EventsToAdd(const Ticket& t, size_t from, bool state_changed) {
  return static_cast<int64_t>(t.history.size() - std::min(from, t.history.size())) + state_changed;
}

// Appends the ticket's log entries from index `from` on and, when `from_state` is given, the change
// of state, numbered from `first_n`, up to kEventBatch rows per statement.
Status InsertEvents(Ledger::Impl& im, int64_t ticket_id, int64_t first_n, const Ticket& t,
                    size_t from, const std::string* from_state, int64_t now_s, PageStats& stats) {
  const size_t total = static_cast<size_t>(EventsToAdd(t, from, from_state != nullptr));
  size_t i = from;  // The next log entry; past the end: the state change.
  for (size_t done = 0; done < total;) {
    const size_t n = std::min(Ledger::Impl::kEventBatch, total - done);
    sql::Stmt& st = im.insert_events[n - 1];
    if (!st.prepared()) {
      std::string sql(kInsertEvent);
      for (size_t k = 1; k < n; ++k) sql += ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      HS_ASSIGN_OR_RETURN(st, sql::Stmt::Prepare(im.db, sql));
    }
    for (size_t k = 0; k < n; ++k, ++i) {
      const int b = static_cast<int>(k) * kEventColumns;
      st.Bind(b + 1, ticket_id)
          .Bind(b + 2, first_n + static_cast<int64_t>(done + k))
          .Bind(b + 12, now_s);
      if (i < t.history.size()) {
        const HistoryEntry& h = t.history[i];
        st.BindRef(b + 3, "log")
            .Bind(b + 4, int64_t(i))
            .Bind(b + 5, h.at)
            .BindRef(b + 6, h.action)
            .BindRef(b + 7, h.unit)
            .BindRef(b + 8, h.note)
            .BindRef(b + 9, h.result)
            .BindRef(b + 10, h.external_ref)
            .BindRef(b + 11, "");
      } else {
        st.BindRef(b + 3, "state")
            .Bind(b + 4, int64_t{0})
            // A platform without update times (the province) leaves the time unknown.
            .Bind(b + 5, t.updated_at > 0 ? std::optional<int64_t>(t.updated_at) : std::nullopt)
            .BindRef(b + 6, t.state)
            .BindRef(b + 7, t.unit)
            .BindRef(b + 8, "")
            .BindRef(b + 9, "")
            .BindRef(b + 10, "")
            .BindRef(b + 11, *from_state);
      }
    }
    HS_RETURN_IF_ERROR(st.Run());
    done += n;
  }
  stats.events += static_cast<int64_t>(total);
  return Status::Ok();
}

// The cache key of a unit as a ticket names it: a later ticket may bring the code an earlier
// lacked.
std::string UnitKey(const Ticket& t) { return t.unit + '\x1f' + t.unit_code; }

Status UpsertUnit(Ledger::Impl& im, const Ticket& t) {
  if (t.unit.empty() || im.known_units.contains(UnitKey(t))) return Status::Ok();
  im.upsert_unit.Bind(1, t.unit_code).Bind(2, t.unit);
  HS_RETURN_IF_ERROR(im.upsert_unit.Run());
  return Status::Ok();  // Cached only after commit: a rolled-back page must not hide a unit.
}

// Upserts one ticket; fills `change` when it was inserted or changed (not when unchanged or stale).
Status UpsertTicket(Ledger::Impl& im, std::string_view source, const Ticket& t, int64_t now_s,
                    PageStats& stats, std::optional<Change>& change) {
  change.reset();
  const int64_t hash = ChangeHash(t.raw);
  // New orders, the common case in a catch-up, need no look-up first.
  // Its first state is in the row (and its log), not a change the sync saw: no 'state' event.
  BindTicket(im.insert_ticket, source, t, static_cast<int64_t>(t.history.size()),
             EventsToAdd(t, 0, false), hash, now_s);
  HS_RETURN_IF_ERROR(im.insert_ticket.Run());
  if (im.db.Changes() == 1) {
    const int64_t id = im.db.LastInsertId();
    HS_RETURN_IF_ERROR(InsertEvents(im, id, 0, t, 0, nullptr, now_s, stats));
    ++stats.inserted;
    change = Change{source, id, &t, true, {}, 0};
    return UpsertUnit(im, t);
  }
  im.select_ticket.Bind(1, source).Bind(2, t.external_id);
  Result<bool> found = im.select_ticket.Step();
  if (!found.ok()) return found.status();
  if (!*found) return Status::Internal("order " + t.external_id + " neither inserted nor found");
  const int64_t id = im.select_ticket.Int(0);
  const int64_t stored_version = im.select_ticket.Int(1);
  const std::string stored_state = im.select_ticket.Text(2);
  const int64_t stored_history = im.select_ticket.Int(3);
  const int64_t stored_hash = im.select_ticket.Int(4);
  const int64_t stored_events = im.select_ticket.Int(5);
  std::string stored_native = im.select_ticket.Text(6);
  im.select_ticket.Reset();

  if (t.version < stored_version) {
    ++stats.stale;
    return Status::Ok();
  }
  if (hash == stored_hash && t.version == stored_version) {
    im.touch_ticket.Bind(1, now_s).Bind(2, id);
    ++stats.unchanged;
    return im.touch_ticket.Run();
  }
  int64_t history = static_cast<int64_t>(t.history.size());
  if (history < stored_history) {
    ++stats.history_shrunk;
    history = stored_history;
  }
  const size_t from = static_cast<size_t>(stored_history);
  const bool state_changed = t.state != stored_state;
  BindTicket(im.update_ticket, source, t, history,
             stored_events + EventsToAdd(t, from, state_changed), hash, now_s);
  im.update_ticket.Bind(35, id);
  HS_RETURN_IF_ERROR(im.update_ticket.Run());
  HS_RETURN_IF_ERROR(InsertEvents(im, id, stored_events, t, from,
                                  state_changed ? &stored_state : nullptr, now_s, stats));
  ++stats.updated;
  im.route_native = std::move(stored_native);
  change = Change{source, id, &t, false, im.route_native, from};
  return UpsertUnit(im, t);
}

// The router's look-ups, on the writer connection inside the page's transaction.
class TxnContext final : public RouteContext {
 public:
  explicit TxnContext(Ledger::Impl& im) : im_(im) {}
  Result<std::optional<int64_t>> FindTicket(std::string_view source,
                                            std::string_view external_id) override {
    im_.find_ticket.Bind(1, source).Bind(2, external_id);
    HS_ASSIGN_OR_RETURN(bool row, im_.find_ticket.Step());
    std::optional<int64_t> id = row ? std::optional<int64_t>(im_.find_ticket.Int(0)) : std::nullopt;
    im_.find_ticket.Reset();
    return id;
  }
  Result<bool> Flagged(int64_t ticket_id, std::string_view flag) override {
    im_.find_flag.Bind(1, ticket_id).Bind(2, flag);
    HS_ASSIGN_OR_RETURN(bool row, im_.find_flag.Step());
    im_.find_flag.Reset();
    return row;
  }
  Result<std::optional<CaseRecord>> OpenInCase(int64_t ticket_id,
                                               std::string_view target) override {
    HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(im_.db, R"(
SELECT y.id, y.source, y.external_id, CASE WHEN y.source = ?2 THEN y.external_id ELSE l.remote_id END
FROM case_members m
JOIN case_members n ON n.case_id = m.case_id AND n.ticket_id <> m.ticket_id
JOIN tickets y ON y.id = n.ticket_id
LEFT JOIN links l ON l.ticket_id = y.id AND l.target = ?2
LEFT JOIN tickets r ON r.source = ?2 AND r.external_id = l.remote_id
WHERE m.ticket_id = ?1
  AND CASE WHEN y.source = ?2 THEN y.state
           WHEN l.remote_id IS NOT NULL THEN coalesce(r.state, 'pending')
      END NOT IN ('closed', 'revisited', 'archived', 'returned', 'not_accepted')
ORDER BY y.id LIMIT 1)"));
    st.Bind(1, ticket_id).Bind(2, target);
    HS_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<CaseRecord>();
    return std::optional<CaseRecord>(CaseRecord{st.Int(0), st.Text(1), st.Text(2), st.Text(3)});
  }
  Result<bool> HasCounterpart(int64_t ticket_id, std::string_view target) override {
    im_.find_counterpart.Bind(1, ticket_id).Bind(2, target);
    HS_ASSIGN_OR_RETURN(bool row, im_.find_counterpart.Step());
    im_.find_counterpart.Reset();
    return row;
  }

 private:
  Ledger::Impl& im_;
};

}  // namespace

// Queues what the router asks for `change`; counts the rows actually added.
Status Ledger::Impl::QueueOutbox(const Change& change, int64_t now_ms, PageStats& stats) {
  Ledger::Impl& im = *this;
  TxnContext context(im);
  std::vector<OutboxRequest> requests;
  HS_RETURN_IF_ERROR(im.router->Route(change, context, requests));
  for (const OutboxRequest& r : requests) {
    const std::string key =
        IdempotencyKey(change.source, change.ticket->external_id, r.target, r.action, r.revision);
    im.insert_outbox.Bind(1, change.ticket_id)
        .Bind(2, r.target)
        .Bind(3, r.action)
        .Bind(4, r.target_ref)
        .Bind(5, key)
        .Bind(6, r.payload)
        .Bind(7, !r.dropped_reason.empty() ? "dropped" : r.held_reason.empty() ? "pending" : "held")
        .Bind(8, now_ms)
        .Bind(9, !r.dropped_reason.empty() ? r.dropped_reason : r.held_reason);
    HS_RETURN_IF_ERROR(im.insert_outbox.Run());
    if (im.db.Changes() != 1) continue;  // Queued before: the same change read again.
    if (!r.link_to.empty()) {
      HS_ASSIGN_OR_RETURN(sql::Stmt link, sql::Stmt::Prepare(im.db, R"(
INSERT INTO links (ticket_id, target, remote_id, outbox_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT (ticket_id, target) DO NOTHING)"));
      link.Bind(1, change.ticket_id)
          .Bind(2, r.target)
          .Bind(3, r.link_to)
          .Bind(4, im.db.LastInsertId())
          .Bind(5, now_ms / 1000);
      HS_RETURN_IF_ERROR(link.Run());
    }
    if (!r.dropped_reason.empty()) continue;
    ++stats.queued;
    if (r.supersedes) {
      const int64_t id = im.db.LastInsertId();
      im.supersede_outbox.Bind(1, change.ticket_id)
          .Bind(2, r.target)
          .Bind(3, r.action)
          .Bind(4, id)
          .Bind(5, "superseded by #" + std::to_string(id))
          .Bind(6, now_ms);
      HS_RETURN_IF_ERROR(im.supersede_outbox.Run());
    }
  }
  return Status::Ok();
}

namespace {

Status UpsertRejects(Ledger::Impl& im, std::string_view source, const std::vector<Reject>& rejects,
                     int64_t now_s) {
  for (const Reject& r : rejects) {
    im.upsert_reject.Bind(1, source)
        .Bind(2, r.source_id)
        .Bind(3, r.reason)
        .BindBlob(4, r.raw)
        .Bind(5, crypto::Sha256Hex(r.raw))
        .Bind(6, now_s);
    HS_RETURN_IF_ERROR(im.upsert_reject.Run());
  }
  return Status::Ok();
}

Status WriteRun(Ledger::Impl& im, SyncRun& run) {
  if (run.id == 0) {
    BindRun(im.insert_run, run);
    HS_RETURN_IF_ERROR(im.insert_run.Run());
    run.id = im.db.LastInsertId();
    return Status::Ok();
  }
  BindRun(im.update_run, run);
  im.update_run.Bind(16, run.id);
  return im.update_run.Run();
}

}  // namespace

Result<PageStats> Ledger::CommitPage(std::string_view source, const std::vector<Ticket>& tickets,
                                     const std::vector<Reject>& rejects, std::string_view cursor,
                                     SyncRun& run, int64_t now_ms) {
  std::lock_guard lock(impl_->mu);
  Impl& im = *impl_;
  HS_RETURN_IF_ERROR(im.Prepare());
  const int64_t now_s = now_ms / 1000;
  sql::Transaction txn(im.db);
  HS_RETURN_IF_ERROR(txn.status());
  // Tells the match hook whether what it saw in this transaction was committed.
  struct HookFate {
    MatchHook* hook;
    bool committed = false;
    ~HookFate() {
      if (hook != nullptr) committed ? hook->Committed() : hook->Abandoned();
    }
  } fate{im.match_hook};
  PageStats stats;
  std::optional<Change> change;
  for (const Ticket& t : tickets) {
    Status s = UpsertTicket(im, source, t, now_s, stats, change);
    if (s.ok() && change && !(change->inserted && t.history.empty())) {
      s = StoreAssessment(im.db, change->ticket_id, t);
    }
    if (s.ok() && change && im.match_hook != nullptr) s = im.match_hook->Match(*change, im.db, now_s);
    if (s.ok() && change && im.router != nullptr) s = im.QueueOutbox(*change, now_ms, stats);
    if (!s.ok()) return s.WithContext("storing record " + t.external_id);
  }
  HS_RETURN_IF_ERROR(UpsertRejects(im, source, rejects, now_s));
  stats.rejected = static_cast<int64_t>(rejects.size());
  im.save_cursor.Bind(1, source).Bind(2, cursor).Bind(3, now_s);
  HS_RETURN_IF_ERROR(im.save_cursor.Run());

  SyncRun next = run;
  next.pages += 1;
  next.fetched += static_cast<int64_t>(tickets.size() + rejects.size());
  next.inserted += stats.inserted;
  next.updated += stats.updated;
  next.unchanged += stats.unchanged;
  next.stale += stats.stale;
  next.rejected += stats.rejected;
  next.events += stats.events;
  next.finished_ms = now_ms;
  // An empty page of an idle run only moves the cursor; FinishRun logs the run.
  if (next.id != 0 || next.fetched > 0) HS_RETURN_IF_ERROR(WriteRun(im, next));
  static metrics::Histogram& commit_seconds = metrics::Global().GetHistogram(
      "hs_ledger_commit_seconds", "Time SQLite takes to commit one pulled page, in seconds", {});
  const auto commit_started = std::chrono::steady_clock::now();
  HS_RETURN_IF_ERROR(txn.Commit());
  commit_seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - commit_started).count());
  fate.committed = true;
  run = next;
  for (const Ticket& t : tickets) {
    if (!t.unit.empty()) im.known_units.insert(UnitKey(t));
  }
  return stats;
}

Status Ledger::RecordRejects(std::string_view source, const std::vector<Reject>& rejects,
                             int64_t now_ms) {
  std::lock_guard lock(impl_->mu);
  HS_RETURN_IF_ERROR(impl_->Prepare());
  sql::Transaction txn(impl_->db);
  HS_RETURN_IF_ERROR(txn.status());
  HS_RETURN_IF_ERROR(UpsertRejects(*impl_, source, rejects, now_ms / 1000));
  return txn.Commit();
}

Status Ledger::FinishRun(SyncRun& run, int64_t now_ms) {
  std::lock_guard lock(impl_->mu);
  Impl& im = *impl_;
  HS_RETURN_IF_ERROR(im.Prepare());
  sql::Transaction txn(im.db);
  HS_RETURN_IF_ERROR(txn.status());
  run.finished_ms = now_ms;
  const bool idle = run.outcome == "ok" && run.fetched == 0;
  if (idle && run.id == 0) {
    // Extend the previous row when it is an idle successful run too.
    HS_ASSIGN_OR_RETURN(
        sql::Stmt last,
        sql::Stmt::Prepare(
            im.db,
            "SELECT id, idle_runs FROM sync_runs WHERE source = ?1 ORDER BY id DESC LIMIT 1 "));
    last.Bind(1, run.source);
    HS_ASSIGN_OR_RETURN(bool row, last.Step());
    if (row) {
      int64_t id = last.Int(0);
      HS_ASSIGN_OR_RETURN(
          sql::Stmt prev,
          sql::Stmt::Prepare(im.db,
                             "UPDATE sync_runs SET finished_ms = ?1, idle_runs = idle_runs + 1 "
                             "WHERE id = ?2 AND outcome = 'ok' AND fetched = 0"));
      prev.Bind(1, now_ms).Bind(2, id);
      HS_RETURN_IF_ERROR(prev.Run());
      if (im.db.Changes() == 1) run.id = id;
    }
  }
  if (run.id == 0 || !idle) HS_RETURN_IF_ERROR(WriteRun(im, run));
  if (run.outcome == "interrupted") return txn.Commit();  // Neither a success nor a failure.

  HS_ASSIGN_OR_RETURN(sql::Stmt health, sql::Stmt::Prepare(im.db, run.outcome == "ok" ? R"(
INSERT INTO adapter_state (source, last_success_ms, failures_in_a_row) VALUES (?1, ?2, 0)
ON CONFLICT (source) DO UPDATE SET last_success_ms = excluded.last_success_ms,
  failures_in_a_row = 0)"
                                                                                      : R"(
INSERT INTO adapter_state (source, last_failure_ms, last_error, failures_in_a_row)
VALUES (?1, ?2, ?3, 1)
ON CONFLICT (source) DO UPDATE SET last_failure_ms = excluded.last_failure_ms,
  last_error = excluded.last_error, failures_in_a_row = failures_in_a_row + 1)"));
  health.Bind(1, run.source).Bind(2, now_ms);
  if (run.outcome != "ok") health.Bind(3, run.error_code + ": " + run.error);
  HS_RETURN_IF_ERROR(health.Run());
  return txn.Commit();
}

void Ledger::SetRouter(Router* router) {
  std::lock_guard lock(impl_->mu);
  impl_->router = router;
}

void Ledger::SetMatchHook(MatchHook* hook) {
  std::lock_guard lock(impl_->mu);
  impl_->match_hook = hook;
}

std::string IdempotencyKey(std::string_view source, std::string_view external_id,
                           std::string_view target, std::string_view action,
                           std::string_view revision) {
  std::string identity;
  for (std::string_view part : {source, external_id, target, action, revision}) {
    identity += part;
    identity += '\x1f';
  }
  return "hs1-" + crypto::Sha256Hex(identity).substr(0, 40);
}

Result<int64_t> Ledger::MarkInterruptedRuns(int64_t now_ms) {
  std::lock_guard lock(impl_->mu);
  HS_ASSIGN_OR_RETURN(
      sql::Stmt st,
      sql::Stmt::Prepare(
          impl_->db,
          "UPDATE sync_runs SET outcome = 'interrupted', finished_ms = coalesce(finished_ms, ?1), "
          "error = 'the daemon stopped during this run; its committed pages are kept' "
          "WHERE outcome = 'running'"));
  st.Bind(1, now_ms);
  HS_RETURN_IF_ERROR(st.Run());
  return impl_->db.Changes();
}

}  // namespace hs::ledger
