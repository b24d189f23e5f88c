#include "daemon/ledger/ledger_queries.h"

#include <algorithm>
#include <map>

#include "daemon/ledger/ledger_impl.h"

namespace hs::ledger {
namespace {

SyncRun ReadRun(const sql::Stmt& st) {
  SyncRun r;
  r.id = st.Int(0);
  r.source = st.Text(1);
  r.started_ms = st.Int(2);
  r.finished_ms = st.Int(3);
  r.outcome = st.Text(4);
  r.pages = st.Int(5);
  r.fetched = st.Int(6);
  r.inserted = st.Int(7);
  r.updated = st.Int(8);
  r.unchanged = st.Int(9);
  r.stale = st.Int(10);
  r.rejected = st.Int(11);
  r.events = st.Int(12);
  r.idle_runs = st.Int(13);
  r.error_code = st.Text(14);
  r.error = st.Text(15);
  return r;
}

RejectRow ReadReject(const sql::Stmt& st) {
  RejectRow r;
  r.id = st.Int(0);
  r.source = st.Text(1);
  r.source_id = st.Text(2);
  r.reason = st.Text(3);
  r.raw = st.Text(4);
  r.first_seen = st.Int(5);
  r.last_seen = st.Int(6);
  r.seen_count = st.Int(7);
  return r;
}

constexpr const char* kRejectColumns =
    "SELECT id, source, source_id, reason, raw, first_seen, last_seen, seen_count FROM rejects ";

}  // namespace

Result<std::vector<AdapterStatus>> AdapterStatuses(Ledger& ledger,
                                                   const std::vector<std::string>& configured) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  std::map<std::string, AdapterStatus> by_source;
  for (const std::string& name : configured) by_source[name].source = name;

  HS_ASSIGN_OR_RETURN(
      sql::Stmt tickets,
      sql::Stmt::Prepare(
          im->db,
          "SELECT source, count(*), sum(state IN ('pending', 'in_progress', 'extension_review')), "
          "nullif(max(source_updated_at), 0) FROM tickets GROUP BY source"));
  for (;;) {
    HS_ASSIGN_OR_RETURN(bool row, tickets.Step());
    if (!row) break;
    AdapterStatus& a = by_source[tickets.Text(0)];
    a.tickets = tickets.Int(1);
    a.open_tickets = tickets.Int(2);
    a.newest_change = tickets.OptInt(3);
  }
  HS_ASSIGN_OR_RETURN(
      sql::Stmt rejects,
      sql::Stmt::Prepare(im->db, "SELECT source, count(*) FROM rejects GROUP BY source"));
  for (;;) {
    HS_ASSIGN_OR_RETURN(bool row, rejects.Step());
    if (!row) break;
    by_source[rejects.Text(0)].rejects = rejects.Int(1);
  }
  HS_ASSIGN_OR_RETURN(
      sql::Stmt health,
      sql::Stmt::Prepare(
          im->db,
          "SELECT source, last_success_ms, last_failure_ms, last_error, failures_in_a_row "
          "FROM adapter_state"));
  for (;;) {
    HS_ASSIGN_OR_RETURN(bool row, health.Step());
    if (!row) break;
    AdapterStatus& a = by_source[health.Text(0)];
    a.last_success_ms = health.OptInt(1);
    a.last_failure_ms = health.OptInt(2);
    a.last_error = health.Text(3);
    a.failures_in_a_row = health.Int(4);
  }
  HS_ASSIGN_OR_RETURN(sql::Stmt cursors,
                      sql::Stmt::Prepare(im->db, "SELECT source, updated_at FROM cursors"));
  for (;;) {
    HS_ASSIGN_OR_RETURN(bool row, cursors.Step());
    if (!row) break;
    by_source[cursors.Text(0)].cursor_saved = cursors.Int(1);
  }
  std::vector<AdapterStatus> out;
  for (auto& [source, a] : by_source) {
    a.source = source;
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<SyncRun>> ListRuns(Ledger& ledger, const RunFilter& f) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(im->db, R"(
SELECT id, source, started_ms, coalesce(finished_ms, started_ms), outcome, pages, fetched, inserted,
  updated, unchanged, stale, rejected, events, idle_runs, error_code, error
FROM sync_runs
WHERE (?1 = '' OR source = ?1) AND coalesce(finished_ms, started_ms) >= ?2
  AND (?3 = 0 OR outcome IN ('failed', 'interrupted')) AND id > ?4
ORDER BY id DESC LIMIT ?5)"));
  st.Bind(1, f.source)
      .Bind(2, f.since_ms)
      .Bind(3, int64_t{f.failed_only})
      .Bind(4, f.after_id)
      .Bind(5, int64_t{f.limit});
  HS_ASSIGN_OR_RETURN(std::vector<SyncRun> out, sql::ReadRows(st, ReadRun));
  std::reverse(out.begin(), out.end());
  return out;
}

Result<std::vector<TicketRecord>> FindTickets(Ledger& ledger, const std::string& ref) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(im->db, R"(
SELECT id, source, external_id, external_ref, channel, kind, category, title, content, address,
  complainant, phone, id_number, unit, unit_code, accepted_at, deadline, extended_deadline, state,
  closed_at, closure_text, revisit_result, revisited_at, rework_count, deputy, enterprise,
  source_updated_at, raw, first_seen, last_seen, native_state, version
FROM tickets
WHERE id IN (SELECT id FROM tickets WHERE external_id = ?1
             UNION SELECT id FROM tickets WHERE external_ref = ?1 AND external_ref <> ''
             UNION SELECT id FROM tickets WHERE id = CAST(?1 AS INTEGER) AND CAST(id AS TEXT) = ?1)
ORDER BY id)"));
  st.Bind(1, ref);
  std::vector<TicketRecord> out;
  for (;;) {
    HS_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    TicketRecord r;
    Ticket& t = r.ticket;
    r.id = st.Int(0);
    r.source = st.Text(1);
    t.external_id = st.Text(2);
    t.external_ref = st.Text(3);
    t.channel = st.Text(4);
    t.kind = st.Text(5);
    t.category = st.Text(6);
    t.title = st.Text(7);
    t.content = st.Text(8);
    t.address = st.Text(9);
    t.complainant = st.Text(10);
    t.phone = st.Text(11);
    t.id_number = st.Text(12);
    t.unit = st.Text(13);
    t.unit_code = st.Text(14);
    t.accepted_at = st.OptInt(15);
    t.deadline = st.OptInt(16);
    t.extended_deadline = st.OptInt(17);
    t.state = st.Text(18);
    t.closed_at = st.OptInt(19);
    t.closure_text = st.Text(20);
    t.revisit_result = st.Text(21);
    t.revisited_at = st.OptInt(22);
    t.rework_count = st.Int(23);
    t.deputy = st.Int(24) != 0;
    t.enterprise = st.Int(25) != 0;
    t.updated_at = st.Int(26);
    t.native_state = st.Text(30);
    t.version = st.Int(31);
    t.raw = st.Text(27);
    r.first_seen = st.Int(28);
    r.last_seen = st.Int(29);
    out.push_back(std::move(r));
  }
  HS_ASSIGN_OR_RETURN(sql::Stmt ev, sql::Stmt::Prepare(im->db, R"(
SELECT n, kind, seq, at, action, unit, note, result, external_ref, from_state, recorded_at
FROM events WHERE ticket_id = ?1 ORDER BY coalesce(at, 0), kind = 'state', seq, n)"));
  for (TicketRecord& r : out) {
    ev.Bind(1, r.id);
    for (;;) {
      HS_ASSIGN_OR_RETURN(bool row, ev.Step());
      if (!row) break;
      EventRow e;
      e.n = ev.Int(0);
      e.kind = ev.Text(1);
      e.seq = ev.Int(2);
      e.at = ev.OptInt(3);
      e.action = ev.Text(4);
      e.unit = ev.Text(5);
      e.note = ev.Text(6);
      e.result = ev.Text(7);
      e.external_ref = ev.Text(8);
      e.from_state = ev.Text(9);
      e.recorded_at = ev.Int(10);
      r.events.push_back(std::move(e));
    }
    ev.Reset();
  }
  return out;
}

Result<std::vector<RejectRow>> ListRejects(Ledger& ledger, const std::string& source, int limit) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(
      sql::Stmt st,
      sql::Stmt::Prepare(
          im->db, std::string(kRejectColumns) +
                      "WHERE ?1 = '' OR source = ?1 ORDER BY last_seen DESC, id DESC LIMIT ?2"));
  st.Bind(1, source).Bind(2, int64_t{limit});
  return sql::ReadRows(st, ReadReject);
}

Result<RejectRow> GetReject(Ledger& ledger, int64_t id) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st,
                      sql::Stmt::Prepare(im->db, std::string(kRejectColumns) + "WHERE id = ?1"));
  st.Bind(1, id);
  HS_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row)
    return Status::NotFound("no reject with id " + std::to_string(id) + "; see `rejects list`");
  return ReadReject(st);
}

Result<PersonalData> UnmaskTicket(Ledger& ledger, int64_t ticket_id, const std::string& actor,
                                  const std::string& reason, int64_t now_s) {
  if (actor.empty() || reason.empty()) {
    return Status::InvalidArgument("unmasking needs the operator's name and a reason, for the audit");
  }
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  sql::Transaction txn(im->db);
  HS_RETURN_IF_ERROR(txn.status());
  HS_ASSIGN_OR_RETURN(
      sql::Stmt st,
      sql::Stmt::Prepare(im->db, "SELECT complainant, phone, id_number, address, source, "
                                 "external_id FROM tickets WHERE id = ?1"));
  st.Bind(1, ticket_id);
  HS_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound("no ticket with ledger id " + std::to_string(ticket_id));
  PersonalData p{st.Text(0), st.Text(1), st.Text(2), st.Text(3)};
  HS_RETURN_IF_ERROR(WriteAudit(im->db, now_s, actor, "unmask",
                                st.Text(4) + " " + st.Text(5) + " (ticket " +
                                    std::to_string(ticket_id) + ")",
                                reason));
  HS_RETURN_IF_ERROR(txn.Commit());
  return p;
}

Result<Totals> CountAll(Ledger& ledger) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(
      sql::Stmt st,
      sql::Stmt::Prepare(im->db,
                         "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM events), "
                         "(SELECT count(*) FROM rejects), (SELECT count(*) FROM sync_runs)"));
  HS_ASSIGN_OR_RETURN(bool row, st.Step());
  (void)row;
  return Totals{st.Int(0), st.Int(1), st.Int(2), st.Int(3)};
}

}  // namespace hs::ledger
