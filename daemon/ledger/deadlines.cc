#include "daemon/ledger/deadlines.h"

#include "daemon/ledger/ledger_impl.h"

namespace hs::ledger {
namespace {

// Both kinds of open item with their effective deadline; ?1 now, ?2/?3 provincial name and lead,
// ?4/?5 hotline name and lead. The provincial states are those the adapter maps PENDING, ACCEPTED
// and REOPENED to (adapters/provincial/mapping.cc): they let the open dispatches be found through
// tickets_by_source_state instead of reading every dispatch.
constexpr std::string_view kAtRisk = R"(
WITH open_items AS (
  SELECT id, source, external_id, unit, state, native_state, title, deadline AS due, ?3 AS lead
  FROM tickets WHERE source = ?2 AND state IN ('pending', 'in_progress', 'reopened')
    AND native_state IN ('PENDING', 'ACCEPTED', 'REOPENED') AND deadline IS NOT NULL
  UNION ALL
  SELECT id, source, external_id, unit, state, native_state, title,
    coalesce(extended_deadline, deadline) AS due, ?5 AS lead
  FROM tickets WHERE source = ?4 AND state IN ('pending', 'in_progress', 'extension_review')
    AND deadline IS NOT NULL
)
SELECT id, source, external_id, unit, state, native_state, title, due, due <= ?1 AS overdue
FROM open_items WHERE due <= ?1 + lead)";

void Bind(sql::Stmt& st, const DeadlineQuery& q) {
  st.Bind(1, q.now_s)
      .Bind(2, q.provincial)
      .Bind(3, q.provincial_lead_s)
      .Bind(4, q.hotline)
      .Bind(5, q.hotline_lead_s);
}

}  // namespace

Result<std::vector<DeadlineRow>> AtRiskDeadlines(Ledger& ledger, const DeadlineQuery& q) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st,
                      sql::Stmt::Prepare(im->db, std::string(kAtRisk) + " ORDER BY 8, 1 LIMIT ?6"));
  Bind(st, q);
  st.Bind(6, int64_t{q.limit});
  return sql::ReadRows(st, [](const sql::Stmt& r) {
    return DeadlineRow{r.Int(0),  r.Text(1), r.Text(2), r.Text(3),    r.Text(4),
                       r.Text(5), r.Text(6), r.Int(7),  r.Int(8) != 0};
  });
}

Result<std::vector<std::pair<std::string, DeadlineCounts>>> CountDeadlines(Ledger& ledger,
                                                                           const DeadlineQuery& q) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(
      sql::Stmt st,
      sql::Stmt::Prepare(im->db, "SELECT source, sum(NOT overdue), sum(overdue) FROM (" +
                                     std::string(kAtRisk) +
                                     ") GROUP BY source ORDER BY source <> ?2, source"));
  Bind(st, q);
  return sql::ReadRows(st, [](const sql::Stmt& r) {
    return std::pair<std::string, DeadlineCounts>{r.Text(0), {r.Int(1), r.Int(2)}};
  });
}

Result<bool> MarkWarned(Ledger& ledger, const DeadlineRow& row, int64_t now_s) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(im->db, R"(
INSERT INTO deadline_warnings (ticket_id, deadline, level, warned_at) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT DO NOTHING)"));
  st.Bind(1, row.ticket_id)
      .Bind(2, row.deadline)
      .Bind(3, row.overdue ? "overdue" : "near")
      .Bind(4, now_s);
  HS_RETURN_IF_ERROR(st.Run());
  return im->db.Changes() == 1;
}

}  // namespace hs::ledger
