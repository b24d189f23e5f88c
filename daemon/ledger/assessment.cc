#include "daemon/ledger/assessment.h"

#include "daemon/core/time_util.h"
#include "daemon/ledger/ledger_impl.h"

namespace hs::ledger {
namespace {

// Raise when DeriveAssessment changes: ledgers are refilled at their next open.
constexpr int64_t kVersion = 1;

Result<sql::Stmt*> Prepare(sql::Db& db, std::string_view text) { return db.Cached(text); }

void First(std::optional<int64_t>& slot, int64_t at) {
  if (!slot) slot = at;
}

Status Store(sql::Db& db, int64_t ticket_id, const std::string& channel,
             std::optional<int64_t> deadline, std::optional<int64_t> extended_deadline,
             const AssessmentFacts& facts) {
  HS_ASSIGN_OR_RETURN(sql::Stmt* del_orders,
                      Prepare(db, "DELETE FROM assessment_orders WHERE ticket_id = ?1"));
  del_orders->Bind(1, ticket_id);
  HS_RETURN_IF_ERROR(del_orders->Run());
  HS_ASSIGN_OR_RETURN(sql::Stmt* del_revisits,
                      Prepare(db, "DELETE FROM assessment_revisits WHERE ticket_id = ?1"));
  del_revisits->Bind(1, ticket_id);
  HS_RETURN_IF_ERROR(del_revisits->Run());
  HS_ASSIGN_OR_RETURN(sql::Stmt* order, Prepare(db, R"(
INSERT INTO assessment_orders (ticket_id, n, month, unit, channel, assigned_at, reassigned_at,
                               closed_at, deadline, extended_deadline, extended_at, reworked_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12))"));
  for (size_t i = 0; i < facts.assignments.size(); ++i) {
    const Assignment& a = facts.assignments[i];
    order->Bind(1, ticket_id)
        .Bind(2, static_cast<int64_t>(i))
        .Bind(3, int64_t{ShanghaiMonth(a.assigned_at)})
        .Bind(4, a.unit)
        .Bind(5, channel)
        .Bind(6, a.assigned_at)
        .Bind(7, a.reassigned_at)
        .Bind(8, a.closed_at)
        .Bind(9, deadline)
        .Bind(10, a.extended_at ? extended_deadline : std::nullopt)
        .Bind(11, a.extended_at)
        .Bind(12, a.reworked_at);
    HS_RETURN_IF_ERROR(order->Run());
  }
  HS_ASSIGN_OR_RETURN(sql::Stmt* revisit, Prepare(db, R"(
INSERT INTO assessment_revisits (ticket_id, n, month, unit, channel, at, result)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))"));
  for (const Revisit& r : facts.revisits) {
    revisit->Bind(1, ticket_id)
        .Bind(2, r.n)
        .Bind(3, int64_t{ShanghaiMonth(r.at)})
        .Bind(4, r.unit)
        .Bind(5, channel)
        .Bind(6, r.at)
        .Bind(7, r.result);
    HS_RETURN_IF_ERROR(revisit->Run());
  }
  return Status::Ok();
}

}  // namespace

AssessmentFacts DeriveAssessment(const std::vector<HistoryEntry>& log) {
  AssessmentFacts f;
  for (size_t i = 0; i < log.size(); ++i) {
    const HistoryEntry& e = log[i];
    if (e.at <= 0) continue;
    Assignment* held = f.assignments.empty() || f.assignments.back().reassigned_at
                           ? nullptr
                           : &f.assignments.back();
    if (e.action == "派单" || e.action == "转派") {
      if (e.unit.empty() || (held != nullptr && held->unit == e.unit)) continue;
      if (held != nullptr) held->reassigned_at = e.at;
      f.assignments.push_back(Assignment{e.unit, e.at, {}, {}, {}, {}});
    } else if (held == nullptr) {
      continue;  // Before any dispatch: the centre's own steps.
    } else if (e.action == "办结") {
      First(held->closed_at, e.at);
    } else if (e.action == "延期通过") {
      First(held->extended_at, e.at);
    } else if (e.action == "返工") {
      First(held->reworked_at, e.at);
    } else if (e.action == "回访" && !e.result.empty()) {
      f.revisits.push_back(
          Revisit{static_cast<int64_t>(i), e.unit.empty() ? held->unit : e.unit, e.at, e.result});
    }
  }
  return f;
}

Status StoreAssessment(sql::Db& db, int64_t ticket_id, const Ticket& t) {
  return Store(db, ticket_id, t.channel, t.deadline, t.extended_deadline,
               DeriveAssessment(t.history));
}

Result<int64_t> RefreshAssessment(sql::Db& db) {
  HS_ASSIGN_OR_RETURN(sql::Stmt version,
                      sql::Stmt::Prepare(db, "SELECT version FROM derived WHERE name = 'assessment'"));
  HS_ASSIGN_OR_RETURN(bool row, version.Step());
  if (row && version.Int(0) == kVersion) return int64_t{0};
  version.Reset();

  sql::Transaction txn(db);
  HS_RETURN_IF_ERROR(txn.status());
  HS_RETURN_IF_ERROR(db.Exec("DELETE FROM assessment_orders; DELETE FROM assessment_revisits;"));
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(db, R"(
SELECT t.id, t.channel, t.deadline, t.extended_deadline, e.at, e.action, e.unit, e.result
FROM tickets t JOIN events e ON e.ticket_id = t.id AND e.kind = 'log'
WHERE t.id IN (SELECT ticket_id FROM events WHERE kind = 'log' AND action IN ('派单', '转派'))
ORDER BY t.id, e.n)"));
  int64_t tickets = 0, current = -1;
  std::string channel;
  std::optional<int64_t> deadline, extended;
  std::vector<HistoryEntry> log;
  auto flush = [&]() -> Status {
    if (current < 0) return Status::Ok();
    ++tickets;
    return Store(db, current, channel, deadline, extended, DeriveAssessment(log));
  };
  for (;;) {
    HS_ASSIGN_OR_RETURN(bool more, st.Step());
    if (!more || st.Int(0) != current) {
      HS_RETURN_IF_ERROR(flush());
      if (!more) break;
      current = st.Int(0);
      channel = st.Text(1);
      deadline = st.OptInt(2);
      extended = st.OptInt(3);
      log.clear();
    }
    HistoryEntry e;
    e.at = st.OptInt(4).value_or(0);
    e.action = st.Text(5);
    e.unit = st.Text(6);
    e.result = st.Text(7);
    log.push_back(std::move(e));
  }
  HS_ASSIGN_OR_RETURN(sql::Stmt mark, sql::Stmt::Prepare(db, R"(
INSERT INTO derived (name, version) VALUES ('assessment', ?1)
ON CONFLICT (name) DO UPDATE SET version = excluded.version)"));
  mark.Bind(1, kVersion);
  HS_RETURN_IF_ERROR(mark.Run());
  HS_RETURN_IF_ERROR(txn.Commit());
  return tickets;
}

namespace {

std::string Describe(const EnteredAdjustment& a) {
  return std::to_string(a.month) + " " + a.unit + " " + std::to_string(a.points_micros) +
         "µ " + a.indicator + ": " + a.detail;
}

}  // namespace

Result<int64_t> AddAdjustment(Ledger& ledger, const EnteredAdjustment& a, int64_t now_s) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  sql::Transaction txn(im->db);
  HS_RETURN_IF_ERROR(txn.status());
  HS_ASSIGN_OR_RETURN(sql::Stmt* st, Prepare(im->db, R"(
INSERT INTO adjustments (month, unit, points, indicator, detail, actor, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))"));
  st->Bind(1, int64_t{a.month})
      .Bind(2, a.unit)
      .Bind(3, a.points_micros)
      .Bind(4, a.indicator)
      .Bind(5, a.detail)
      .Bind(6, a.actor)
      .Bind(7, now_s);
  HS_RETURN_IF_ERROR(st->Run());
  const int64_t id = im->db.LastInsertId();
  HS_RETURN_IF_ERROR(
      WriteAudit(im->db, now_s, a.actor, "adjust.add", "adjustment #" + std::to_string(id), Describe(a)));
  HS_RETURN_IF_ERROR(txn.Commit());
  return id;
}

Result<std::vector<EnteredAdjustment>> ListAdjustments(Ledger& ledger, int month) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt* st, Prepare(im->db, R"(
SELECT id, month, unit, points, indicator, detail, actor, created_at FROM adjustments
WHERE month = ?1 ORDER BY id)"));
  st->Bind(1, int64_t{month});
  return sql::ReadRows(*st, [](sql::Stmt& s) {
    return EnteredAdjustment{s.Int(0),  static_cast<int>(s.Int(1)), s.Text(2), s.Int(3),
                             s.Text(4), s.Text(5),                 s.Text(6), s.Int(7)};
  });
}

Status RemoveAdjustment(Ledger& ledger, int64_t id, const std::string& actor,
                        const std::string& reason, int64_t now_s) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  sql::Transaction txn(im->db);
  HS_RETURN_IF_ERROR(txn.status());
  HS_ASSIGN_OR_RETURN(sql::Stmt* find, Prepare(im->db, R"(
SELECT month, unit, points, indicator, detail FROM adjustments WHERE id = ?1)"));
  find->Bind(1, id);
  HS_ASSIGN_OR_RETURN(bool row, find->Step());
  if (!row) return Status::NotFound("no adjustment #" + std::to_string(id) + "; see adjust list");
  EnteredAdjustment a{id, static_cast<int>(find->Int(0)), find->Text(1), find->Int(2),
                      find->Text(3), find->Text(4), actor, now_s};
  find->Reset();
  HS_ASSIGN_OR_RETURN(sql::Stmt* del, Prepare(im->db, "DELETE FROM adjustments WHERE id = ?1"));
  del->Bind(1, id);
  HS_RETURN_IF_ERROR(del->Run());
  HS_RETURN_IF_ERROR(WriteAudit(im->db, now_s, actor, "adjust.remove",
                           "adjustment #" + std::to_string(id),
                           Describe(a) + (reason.empty() ? "" : " (" + reason + ")")));
  return txn.Commit();
}

}  // namespace hs::ledger
