#include "daemon/ledger/outbox.h"

#include "daemon/ledger/ledger_impl.h"

namespace hs::ledger {
namespace {

constexpr std::string_view kItemColumns = R"(
SELECT o.id, o.ticket_id, t.source, t.external_id, o.target, o.action,
  CASE WHEN o.target_ref <> '' THEN o.target_ref ELSE coalesce(l.remote_id, '') END,
  o.idem_key, o.payload, o.state, o.attempts, o.next_attempt_ms, o.first_attempt_ms,
  o.outcome_unknown, o.last_error, o.remote_id, o.created_ms, o.done_ms
FROM outbox o JOIN tickets t ON t.id = o.ticket_id
LEFT JOIN links l ON l.ticket_id = o.ticket_id AND l.target = o.target
)";

OutboxItem ReadItem(const sql::Stmt& st) {
  OutboxItem o;
  o.id = st.Int(0);
  o.ticket_id = st.Int(1);
  o.source = st.Text(2);
  o.external_id = st.Text(3);
  o.target = st.Text(4);
  o.action = st.Text(5);
  o.target_ref = st.Text(6);
  o.idem_key = st.Text(7);
  o.payload = st.Text(8);
  o.state = st.Text(9);
  o.attempts = st.Int(10);
  o.next_attempt_ms = st.Int(11);
  o.first_attempt_ms = st.OptInt(12);
  o.outcome_unknown = st.Int(13) != 0;
  o.last_error = st.Text(14);
  o.remote_id = st.Text(15);
  o.created_ms = st.Int(16);
  o.done_ms = st.OptInt(17);
  return o;
}

Result<std::vector<OutboxItem>> ReadItems(sql::Stmt& st) { return sql::ReadRows(st, ReadItem); }

// Runs `sql` on item `id` in one transaction when the item's state is one of `allowed`.
Status OperatorUpdate(Ledger& ledger, int64_t id, std::string_view allowed_states,
                      const std::string& sql, std::string_view action, const std::string& actor,
                      const std::string& detail, int64_t now_ms) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  sql::Transaction txn(im->db);
  HS_RETURN_IF_ERROR(txn.status());
  HS_ASSIGN_OR_RETURN(sql::Stmt get,
                      sql::Stmt::Prepare(im->db, "SELECT state FROM outbox WHERE id = ?1"));
  get.Bind(1, id);
  HS_ASSIGN_OR_RETURN(bool row, get.Step());
  if (!row) {
    return Status::NotFound("no outbox item #" + std::to_string(id) + "; see `outbox list`");
  }
  const std::string state = get.Text(0);
  get.Reset();
  if (allowed_states.find(state) == std::string_view::npos) {
    return Status::InvalidArgument("outbox item #" + std::to_string(id) + " is " + state + "; " +
                                   std::string(action) + " applies to items that are " +
                                   std::string(allowed_states));
  }
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(im->db, sql));
  st.Bind(1, id).Bind(2, now_ms);
  HS_RETURN_IF_ERROR(st.Run());
  HS_RETURN_IF_ERROR(
      WriteAudit(im->db, now_ms / 1000, actor, action, "outbox #" + std::to_string(id), detail));
  return txn.Commit();
}

}  // namespace

Result<std::vector<OutboxItem>> DueOutbox(Ledger& ledger, const std::string& target, int64_t now_ms,
                                          int limit) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(im->db, std::string(kItemColumns) + R"(
WHERE o.target = ?1 AND o.state = 'pending' AND o.next_attempt_ms <= ?2
  AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.ticket_id = o.ticket_id AND p.id < o.id
                  AND p.state IN ('pending', 'held', 'dead'))
ORDER BY o.next_attempt_ms, o.id LIMIT ?3)"));
  st.Bind(1, target).Bind(2, now_ms).Bind(3, int64_t{limit});
  return ReadItems(st);
}

Result<std::optional<int64_t>> NextDueMs(Ledger& ledger, const std::string& target) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(im->db, R"(
SELECT min(o.next_attempt_ms) FROM outbox o WHERE o.target = ?1 AND o.state = 'pending'
  AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.ticket_id = o.ticket_id AND p.id < o.id
                  AND p.state IN ('pending', 'held', 'dead')))"));
  st.Bind(1, target);
  HS_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<int64_t>();
  return st.OptInt(0);
}

Status MarkSent(Ledger& ledger, const OutboxItem& item, const std::string& remote_id,
                int64_t now_ms) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  // The mark is what stops a resend: make it durable before the next push goes out.
  HS_RETURN_IF_ERROR(im->db.Exec("PRAGMA synchronous = FULL"));
  Status s = [&]() -> Status {
    sql::Transaction txn(im->db);
    HS_RETURN_IF_ERROR(txn.status());
    HS_ASSIGN_OR_RETURN(
        sql::Stmt st,
        sql::Stmt::Prepare(im->db,
                           "UPDATE outbox SET state = 'sent', remote_id = ?2, done_ms = ?3, "
                           "attempts = attempts + 1, first_attempt_ms = coalesce(first_attempt_ms, "
                           "?3), last_error = '' WHERE id = ?1 AND state = 'pending'"));
    st.Bind(1, item.id).Bind(2, remote_id).Bind(3, now_ms);
    HS_RETURN_IF_ERROR(st.Run());
    if (item.action == "create" && !remote_id.empty()) {
      HS_ASSIGN_OR_RETURN(
          sql::Stmt link,
          sql::Stmt::Prepare(im->db,
                             "INSERT INTO links (ticket_id, target, remote_id, outbox_id, "
                             "created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                             "ON CONFLICT (ticket_id, target) DO NOTHING"));
      link.Bind(1, item.ticket_id)
          .Bind(2, item.target)
          .Bind(3, remote_id)
          .Bind(4, item.id)
          .Bind(5, now_ms / 1000);
      HS_RETURN_IF_ERROR(link.Run());
    }
    return txn.Commit();
  }();
  Status restore = im->db.Exec("PRAGMA synchronous = " + im->synchronous);
  HS_RETURN_IF_ERROR(s);
  return restore;
}

Status MarkHeld(Ledger& ledger, int64_t id, const std::string& missing, int64_t now_ms) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(
      sql::Stmt st,
      sql::Stmt::Prepare(im->db,
                         "UPDATE outbox SET state = 'held', last_error = ?2, attempts = attempts "
                         "+ 1, first_attempt_ms = coalesce(first_attempt_ms, ?3) "
                         "WHERE id = ?1 AND state = 'pending'"));
  st.Bind(1, id).Bind(2, missing).Bind(3, now_ms);
  return st.Run();
}

Status MarkFailed(Ledger& ledger, int64_t id, const std::string& error, bool outcome_unknown,
                  bool dead, int64_t next_attempt_ms, int64_t now_ms) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(im->db, R"(
UPDATE outbox SET state = ?2, last_error = ?3, attempts = attempts + 1,
  outcome_unknown = max(outcome_unknown, ?4), next_attempt_ms = ?5,
  first_attempt_ms = coalesce(first_attempt_ms, ?6), done_ms = CASE WHEN ?2 = 'dead' THEN ?6 END
WHERE id = ?1 AND state = 'pending')"));
  st.Bind(1, id)
      .Bind(2, dead ? "dead" : "pending")
      .Bind(3, error)
      .Bind(4, int64_t{outcome_unknown})
      .Bind(5, next_attempt_ms)
      .Bind(6, now_ms);
  return st.Run();
}

Result<std::vector<OutboxItem>> ListOutbox(Ledger& ledger, const OutboxFilter& filter) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(im->db, std::string(kItemColumns) + R"(
WHERE (?1 = '' AND o.state NOT IN ('sent', 'dropped') OR o.state = ?1)
  AND (?2 = '' OR o.target = ?2)
ORDER BY o.id DESC LIMIT ?3)"));
  st.Bind(1, filter.state).Bind(2, filter.target).Bind(3, int64_t{filter.limit});
  return ReadItems(st);
}

Result<OutboxItem> GetOutbox(Ledger& ledger, int64_t id) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st,
                      sql::Stmt::Prepare(im->db, std::string(kItemColumns) + "WHERE o.id = ?1"));
  st.Bind(1, id);
  HS_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row)
    return Status::NotFound("no outbox item #" + std::to_string(id) + "; see `outbox list`");
  return ReadItem(st);
}

Status RetryOutbox(Ledger& ledger, int64_t id, const std::string& actor, int64_t now_ms) {
  return OperatorUpdate(ledger, id, "dead or held",
                        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_ms = ?2, "
                        "done_ms = NULL WHERE id = ?1",
                        "outbox.retry", actor, "", now_ms);
}

Status DropOutbox(Ledger& ledger, int64_t id, const std::string& actor, const std::string& reason,
                  int64_t now_ms) {
  return OperatorUpdate(ledger, id, "pending, held or dead",
                        "UPDATE outbox SET state = 'dropped', done_ms = ?2, "
                        "last_error = 'dropped by an operator' WHERE id = ?1",
                        "outbox.drop", actor, reason, now_ms);
}

Result<std::vector<OutboxCount>> CountOutbox(Ledger& ledger) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(im->db, R"(
SELECT target, state, count(*), min(created_ms) FROM outbox
WHERE state <> 'sent' AND state <> 'dropped' GROUP BY target, state
UNION ALL
SELECT target, 'sent', count(*), NULL FROM outbox WHERE state = 'sent' GROUP BY target
ORDER BY 1, 2)"));
  return sql::ReadRows(st, [](const sql::Stmt& r) {
    return OutboxCount{r.Text(0), r.Text(1), r.Int(2), r.OptInt(3)};
  });
}

Result<std::vector<Counterpart>> CounterpartsOf(Ledger& ledger, int64_t ticket_id) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(im->db, R"(
WITH me AS (SELECT id, source, external_id, external_ref FROM tickets WHERE id = ?1)
SELECT l.target, l.remote_id, coalesce(t.id, 0), coalesce(t.native_state, ''),
  'pushed by this ticket'
FROM links l JOIN me ON l.ticket_id = me.id
LEFT JOIN tickets t ON t.source = l.target AND t.external_id = l.remote_id
UNION
SELECT src.source, src.external_id, src.id, src.native_state, 'pushed this ticket'
FROM links l JOIN me ON l.target = me.source AND l.remote_id = me.external_id
JOIN tickets src ON src.id = l.ticket_id
UNION
SELECT t.source, t.external_id, t.id, t.native_state, 'made from this ticket''s record'
FROM tickets t JOIN me ON t.id <> me.id
WHERE t.external_ref = me.external_id OR t.external_ref LIKE me.external_id || '/R%'
UNION
SELECT t.source, t.external_id, t.id, t.native_state, 'this ticket was made from it'
FROM tickets t JOIN me ON t.id <> me.id AND me.external_ref <> ''
WHERE t.external_id = me.external_ref
   OR (instr(me.external_ref, '/R') > 0
       AND t.external_id = substr(me.external_ref, 1, instr(me.external_ref, '/R') - 1))
ORDER BY 1, 2)"));
  st.Bind(1, ticket_id);
  return sql::ReadRows(st, [](const sql::Stmt& r) {
    return Counterpart{r.Text(0), r.Text(1), r.Int(2), r.Text(3), r.Text(4)};
  });
}

Result<std::vector<OutboxItem>> OutboxOfTicket(Ledger& ledger, int64_t ticket_id) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st,
                      sql::Stmt::Prepare(im->db, std::string(kItemColumns) +
                                                     "WHERE o.ticket_id = ?1 ORDER BY o.id"));
  st.Bind(1, ticket_id);
  return ReadItems(st);
}

Result<int64_t> FlagAndRoute(Ledger& ledger, const Change& change, const std::string& flag,
                             const std::string& note, const std::string& actor, int64_t now_ms) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_RETURN_IF_ERROR(im->Prepare());
  sql::Transaction txn(im->db);
  HS_RETURN_IF_ERROR(txn.status());
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(im->db, R"(
INSERT INTO flags (ticket_id, flag, note, actor, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT (ticket_id, flag) DO NOTHING)"));
  st.Bind(1, change.ticket_id).Bind(2, flag).Bind(3, note).Bind(4, actor).Bind(5, now_ms / 1000);
  HS_RETURN_IF_ERROR(st.Run());
  HS_ASSIGN_OR_RETURN(sql::Stmt audit,
                      sql::Stmt::Prepare(im->db,
                                         "INSERT INTO audit (at, actor, action, subject, detail) "
                                         "VALUES (?1, ?2, 'flag', ?3, ?4)"));
  audit.Bind(1, now_ms / 1000)
      .Bind(2, actor)
      .Bind(3, std::string(change.source) + " " + change.ticket->external_id)
      .Bind(4, flag + (note.empty() ? "" : ": " + note));
  HS_RETURN_IF_ERROR(audit.Run());
  PageStats stats;
  if (im->router != nullptr) HS_RETURN_IF_ERROR(im->QueueOutbox(change, now_ms, stats));
  HS_RETURN_IF_ERROR(txn.Commit());
  return stats.queued;
}

}  // namespace hs::ledger
