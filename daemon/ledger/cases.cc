#include "daemon/ledger/cases.h"

#include <algorithm>

#include "daemon/ledger/ledger_impl.h"
#include "daemon/ledger/sqlite.h"

namespace hs::ledger {
namespace {

// Statements are prepared once per connection (matching runs them for every ticket).
Result<sql::Stmt*> Prepare(sql::Db& db, std::string_view text) { return db.Cached(text); }

// Whether an operator set apart a member of one side from a member of the other. A side is a case
// (its members) or, with case 0, the ticket alone.
Result<bool> SetApart(sql::Db& db, int64_t case_x, int64_t ticket_x, int64_t case_y,
                      int64_t ticket_y) {
  // Most ledgers have no such verdict at all: then the members need not be read.
  HS_ASSIGN_OR_RETURN(sql::Stmt* any,
                      Prepare(db, "SELECT 1 FROM match_verdicts WHERE verdict = 'apart' LIMIT 1"));
  HS_ASSIGN_OR_RETURN(bool some, any->Step());
  if (!some) return false;
  HS_ASSIGN_OR_RETURN(sql::Stmt* st, Prepare(db, R"(
WITH x(id) AS (SELECT ticket_id FROM case_members WHERE case_id = ?1 AND ?1 <> 0
               UNION SELECT ?2),
     y(id) AS (SELECT ticket_id FROM case_members WHERE case_id = ?3 AND ?3 <> 0
               UNION SELECT ?4)
SELECT 1 FROM match_verdicts v
WHERE v.verdict = 'apart'
  AND ((v.a_id IN x AND v.b_id IN y) OR (v.a_id IN y AND v.b_id IN x))
LIMIT 1)"));
  st->Bind(1, case_x).Bind(2, ticket_x).Bind(3, case_y).Bind(4, ticket_y);
  return st->Step();
}

Status AddMember(sql::Db& db, int64_t case_id, int64_t ticket_id, const std::string& via,
                 int64_t now_s) {
  HS_ASSIGN_OR_RETURN(sql::Stmt* st, Prepare(db, R"(
INSERT INTO case_members (ticket_id, case_id, joined_at, via) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (ticket_id) DO UPDATE SET case_id = excluded.case_id, joined_at = excluded.joined_at,
                                      via = excluded.via)"));
  st->Bind(1, ticket_id).Bind(2, case_id).Bind(3, now_s).Bind(4, via);
  return st->Run();
}

Status Touch(sql::Db& db, int64_t case_id, int64_t now_s) {
  HS_ASSIGN_OR_RETURN(sql::Stmt* st,
                      Prepare(db, "UPDATE cases SET updated_at = ?2 WHERE id = ?1"));
  st->Bind(1, case_id).Bind(2, now_s);
  return st->Run();
}

// Puts a and b in one case. Unless `operator_says`, refuses (returns false) when an operator set
// apart members of the two sides.
Result<bool> Join(sql::Db& db, int64_t a, int64_t b, const std::string& via, int64_t now_s,
                  bool operator_says) {
  HS_ASSIGN_OR_RETURN(std::optional<int64_t> ca, CaseOfTicket(db, a));
  HS_ASSIGN_OR_RETURN(std::optional<int64_t> cb, CaseOfTicket(db, b));
  if (ca && cb && *ca == *cb) return true;
  if (!operator_says) {
    HS_ASSIGN_OR_RETURN(bool apart, SetApart(db, ca.value_or(0), a, cb.value_or(0), b));
    if (apart) return false;
  }
  if (ca && cb) {
    // The older case keeps its number.
    const int64_t keep = std::min(*ca, *cb), gone = std::max(*ca, *cb);
    HS_ASSIGN_OR_RETURN(sql::Stmt* move,
                        Prepare(db, "UPDATE case_members SET case_id = ?1 WHERE case_id = ?2"));
    move->Bind(1, keep).Bind(2, gone);
    HS_RETURN_IF_ERROR(move->Run());
    HS_ASSIGN_OR_RETURN(sql::Stmt* drop, Prepare(db, "DELETE FROM cases WHERE id = ?1"));
    drop->Bind(1, gone);
    HS_RETURN_IF_ERROR(drop->Run());
    HS_RETURN_IF_ERROR(Touch(db, keep, now_s));
    return true;
  }
  if (ca || cb) {
    const int64_t c = ca ? *ca : *cb;
    HS_RETURN_IF_ERROR(AddMember(db, c, ca ? b : a, via, now_s));
    HS_RETURN_IF_ERROR(Touch(db, c, now_s));
    return true;
  }
  HS_ASSIGN_OR_RETURN(sql::Stmt* create,
                      Prepare(db, "INSERT INTO cases (created_at, updated_at) VALUES (?1, ?1)"));
  create->Bind(1, now_s);
  HS_RETURN_IF_ERROR(create->Run());
  const int64_t c = db.LastInsertId();
  HS_RETURN_IF_ERROR(AddMember(db, c, a, via, now_s));
  HS_RETURN_IF_ERROR(AddMember(db, c, b, via, now_s));
  return true;
}

Status SetVerdict(sql::Db& db, int64_t a, int64_t b, std::string_view verdict,
                  const std::string& actor, int64_t now_s) {
  HS_ASSIGN_OR_RETURN(sql::Stmt* st, Prepare(db, R"(
INSERT INTO match_verdicts (a_id, b_id, verdict, actor, at) VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT (a_id, b_id) DO UPDATE SET verdict = excluded.verdict, actor = excluded.actor,
                                      at = excluded.at)"));
  st->Bind(1, std::min(a, b))
      .Bind(2, std::max(a, b))
      .Bind(3, verdict)
      .Bind(4, actor)
      .Bind(5, now_s);
  return st->Run();
}

constexpr std::string_view kSummaryColumns =
    "t.id, t.source, t.external_id, t.title, t.content, t.category, t.unit, t.state, t.channel, "
    "t.accepted_at";

TicketSummary ReadSummary(sql::Stmt& st, int from) {
  TicketSummary t;
  t.id = st.Int(from);
  t.source = st.Text(from + 1);
  t.external_id = st.Text(from + 2);
  t.title = st.Text(from + 3);
  t.content = st.Text(from + 4);
  t.category = st.Text(from + 5);
  t.unit = st.Text(from + 6);
  t.state = st.Text(from + 7);
  t.channel = st.Text(from + 8);
  t.accepted_at = st.OptInt(from + 9);
  return t;
}

std::string DecisionQuery(std::string_view where) {
  std::string a(kSummaryColumns), b(kSummaryColumns);
  for (size_t p = b.find("t."); p != std::string::npos; p = b.find("t.", p)) b.replace(p, 2, "u.");
  return "SELECT d.id, d.relation, d.state, d.evidence, d.decided_by, d.confidence, d.created_at, "
         "d.decided_at, " +
         a + ", " + b +
         " FROM match_decisions d JOIN tickets t ON t.id = d.a_id JOIN tickets u ON u.id = d.b_id "
         "WHERE " +
         std::string(where);
}

DecisionView ReadDecision(sql::Stmt& st) {
  DecisionView d;
  d.id = st.Int(0);
  d.relation = st.Text(1);
  d.state = st.Text(2);
  d.evidence = st.Text(3);
  d.decided_by = st.Text(4);
  d.confidence = st.Double(5);
  d.created_at = st.Int(6);
  d.decided_at = st.Int(7);
  d.a = ReadSummary(st, 8);
  d.b = ReadSummary(st, 18);
  return d;
}

// Runs `body` in one transaction on the writer connection of `ledger`.
template <typename Body>
Status InTransaction(Ledger& ledger, Body body) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  sql::Transaction txn(im->db);
  HS_RETURN_IF_ERROR(txn.status());
  HS_RETURN_IF_ERROR(body(im->db));
  return txn.Commit();
}

Result<DecisionView> DecisionIn(sql::Db& db, int64_t id) {
  HS_ASSIGN_OR_RETURN(sql::Stmt* st, Prepare(db, DecisionQuery("d.id = ?1")));
  st->Bind(1, id);
  HS_ASSIGN_OR_RETURN(std::vector<DecisionView> rows, sql::ReadRows(*st, ReadDecision));
  if (rows.empty()) {
    return Status::NotFound("no match decision #" + std::to_string(id) +
                            "; `hotline-sync dupes list` shows those waiting");
  }
  return rows.front();
}

Status DecideBy(sql::Db& db, int64_t id, std::string_view state, const std::string& actor,
                int64_t now_s) {
  HS_ASSIGN_OR_RETURN(sql::Stmt* st, Prepare(db, R"(
UPDATE match_decisions SET state = ?2, decided_by = ?3, decided_at = ?4 WHERE id = ?1)"));
  st->Bind(1, id).Bind(2, state).Bind(3, "operator " + actor).Bind(4, now_s);
  return st->Run();
}

}  // namespace

Status StoreMatchKeys(sql::Db& db, int64_t ticket_id,
                      const std::vector<std::pair<std::string, std::string>>& keys) {
  HS_ASSIGN_OR_RETURN(sql::Stmt* clear,
                      Prepare(db, "DELETE FROM match_keys WHERE ticket_id = ?1"));
  clear->Bind(1, ticket_id);
  HS_RETURN_IF_ERROR(clear->Run());
  HS_ASSIGN_OR_RETURN(sql::Stmt* insert, Prepare(db, R"(
INSERT INTO match_keys (ticket_id, kind, key) VALUES (?1, ?2, ?3)
ON CONFLICT (ticket_id, kind) DO UPDATE SET key = excluded.key)"));
  for (const auto& [kind, key] : keys) {
    insert->Bind(1, ticket_id).Bind(2, kind).Bind(3, key);
    HS_RETURN_IF_ERROR(insert->Run());
  }
  return Status::Ok();
}

Result<std::string> VerdictOn(sql::Db& db, int64_t a, int64_t b) {
  HS_ASSIGN_OR_RETURN(
      sql::Stmt* st,
      Prepare(db, "SELECT verdict FROM match_verdicts WHERE a_id = ?1 AND b_id = ?2"));
  st->Bind(1, std::min(a, b)).Bind(2, std::max(a, b));
  HS_ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? st->Text(0) : std::string();
}

Result<bool> AreCounterparts(sql::Db& db, int64_t a, int64_t b) {
  HS_ASSIGN_OR_RETURN(sql::Stmt* st, Prepare(db, R"(
SELECT 1 FROM tickets x JOIN tickets y ON y.id = ?2
WHERE x.id = ?1 AND (
  EXISTS (SELECT 1 FROM links l WHERE l.ticket_id = x.id AND l.target = y.source
                                  AND l.remote_id = y.external_id)
  OR EXISTS (SELECT 1 FROM links l WHERE l.ticket_id = y.id AND l.target = x.source
                                     AND l.remote_id = x.external_id)
  OR (x.external_ref <> '' AND (x.external_ref = y.external_id
                                OR x.external_ref LIKE y.external_id || '/%'))
  OR (y.external_ref <> '' AND (y.external_ref = x.external_id
                                OR y.external_ref LIKE x.external_id || '/%')))
LIMIT 1)"));
  st->Bind(1, a).Bind(2, b);
  return st->Step();
}

Result<std::optional<int64_t>> CaseOfTicket(sql::Db& db, int64_t ticket_id) {
  HS_ASSIGN_OR_RETURN(sql::Stmt* st,
                      Prepare(db, "SELECT case_id FROM case_members WHERE ticket_id = ?1"));
  st->Bind(1, ticket_id);
  HS_ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? std::optional<int64_t>(st->Int(0)) : std::nullopt;
}

Result<std::vector<int64_t>> CaseMates(sql::Db& db, int64_t ticket_id, int limit) {
  HS_ASSIGN_OR_RETURN(sql::Stmt* st, Prepare(db, R"(
SELECT n.ticket_id FROM case_members m JOIN case_members n ON n.case_id = m.case_id
WHERE m.ticket_id = ?1 AND n.ticket_id <> ?1 ORDER BY n.ticket_id DESC LIMIT ?2)"));
  st->Bind(1, ticket_id).Bind(2, static_cast<int64_t>(limit));
  return sql::ReadRows(*st, [](sql::Stmt& s) { return s.Int(0); });
}

Result<int64_t> StoreDecision(sql::Db& db, const NewDecision& d, int64_t now_s) {
  const int64_t a = std::min(d.a_id, d.b_id), b = std::max(d.a_id, d.b_id);
  HS_ASSIGN_OR_RETURN(sql::Stmt* st, Prepare(db, R"(
INSERT INTO match_decisions (a_id, b_id, relation, confidence, state, evidence, created_at,
                             decided_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
ON CONFLICT (a_id, b_id) DO NOTHING)"));
  st->Bind(1, a)
      .Bind(2, b)
      .Bind(3, d.relation)
      .BindDouble(4, d.confidence)
      .Bind(5, d.apply ? "applied" : "pending")
      .Bind(6, d.evidence)
      .Bind(7, now_s);
  HS_RETURN_IF_ERROR(st->Run());
  if (db.Changes() != 1) return int64_t{0};
  const int64_t id = db.LastInsertId();
  if (d.apply) {
    HS_ASSIGN_OR_RETURN(bool joined, Join(db, a, b, "decision #" + std::to_string(id), now_s,
                                          /*operator_says=*/false));
    if (!joined) {
      HS_ASSIGN_OR_RETURN(sql::Stmt* wait, Prepare(db, R"(
UPDATE match_decisions SET state = 'pending' WHERE id = ?1)"));
      wait->Bind(1, id);
      HS_RETURN_IF_ERROR(wait->Run());
    }
  }
  return id;
}

Result<std::vector<DecisionView>> PendingDecisions(Ledger& ledger, int limit) {
  return DecisionsIn(ledger, "pending", limit);
}

Result<std::vector<DecisionView>> DecisionsIn(Ledger& ledger, std::string_view state, int limit) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(
      sql::Stmt* st,
      Prepare(im->db, DecisionQuery("d.state = ?2 ORDER BY d.confidence DESC, d.id LIMIT ?1")));
  st->Bind(1, static_cast<int64_t>(limit)).Bind(2, state);
  return sql::ReadRows(*st, ReadDecision);
}

Result<MatchSummary> SummariseMatching(Ledger& ledger) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt* st, Prepare(im->db, R"(
SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_members),
       count(*) FILTER (WHERE state = 'applied'), count(*) FILTER (WHERE state = 'pending'),
       count(*) FILTER (WHERE state = 'confirmed'), count(*) FILTER (WHERE state = 'rejected')
FROM match_decisions)"));
  HS_ASSIGN_OR_RETURN(bool row, st->Step());
  MatchSummary m;
  if (row) {
    m.cases = st->Int(0);
    m.tickets_in_cases = st->Int(1);
    m.applied = st->Int(2);
    m.pending = st->Int(3);
    m.confirmed = st->Int(4);
    m.rejected = st->Int(5);
  }
  return m;
}

Result<DecisionView> GetDecision(Ledger& ledger, int64_t id) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  return DecisionIn(im->db, id);
}

Result<CaseView> GetCase(Ledger& ledger, int64_t id) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt* c,
                      Prepare(im->db, "SELECT created_at, updated_at FROM cases WHERE id = ?1"));
  c->Bind(1, id);
  HS_ASSIGN_OR_RETURN(bool found, c->Step());
  if (!found) return Status::NotFound("no case " + std::to_string(id));
  CaseView v;
  v.id = id;
  v.created_at = c->Int(0);
  v.updated_at = c->Int(1);
  HS_ASSIGN_OR_RETURN(sql::Stmt* m,
                      Prepare(im->db, "SELECT " + std::string(kSummaryColumns) +
                                          ", m.via FROM case_members m JOIN tickets t ON "
                                          "t.id = m.ticket_id WHERE m.case_id = ?1 "
                                          "ORDER BY coalesce(t.accepted_at, t.first_seen), t.id"));
  m->Bind(1, id);
  for (;;) {
    HS_ASSIGN_OR_RETURN(bool row, m->Step());
    if (!row) break;
    v.members.push_back(ReadSummary(*m, 0));
    v.via.push_back(m->Text(10));
  }
  HS_ASSIGN_OR_RETURN(sql::Stmt* d, Prepare(im->db, DecisionQuery(R"(
d.a_id IN (SELECT ticket_id FROM case_members WHERE case_id = ?1)
AND d.b_id IN (SELECT ticket_id FROM case_members WHERE case_id = ?1) ORDER BY d.id)")));
  d->Bind(1, id);
  HS_ASSIGN_OR_RETURN(v.decisions, sql::ReadRows(*d, ReadDecision));
  return v;
}

Result<std::optional<int64_t>> CaseOf(Ledger& ledger, int64_t ticket_id) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  return CaseOfTicket(im->db, ticket_id);
}

Status ConfirmDecision(Ledger& ledger, int64_t decision_id, const std::string& actor,
                       int64_t now_s) {
  return InTransaction(ledger, [&](sql::Db& db) -> Status {
    HS_ASSIGN_OR_RETURN(DecisionView d, DecisionIn(db, decision_id));
    if (d.state == "rejected") {
      return Status::Rejected("decision #" + std::to_string(decision_id) + " was rejected by " +
                              d.decided_by +
                              "; merge the two tickets by number if they are one matter");
    }
    HS_RETURN_IF_ERROR(DecideBy(db, decision_id, "confirmed", actor, now_s));
    HS_RETURN_IF_ERROR(SetVerdict(db, d.a.id, d.b.id, "together", actor, now_s));
    HS_RETURN_IF_ERROR(
        Join(db, d.a.id, d.b.id, "operator " + actor, now_s, /*operator_says=*/true).status());
    return WriteAudit(db, now_s, actor, "dupes.merge", "decision #" + std::to_string(decision_id),
                      d.relation);
  });
}

Status RejectDecision(Ledger& ledger, int64_t decision_id, const std::string& actor,
                      int64_t now_s) {
  return InTransaction(ledger, [&](sql::Db& db) -> Status {
    HS_ASSIGN_OR_RETURN(DecisionView d, DecisionIn(db, decision_id));
    if (d.state != "pending") {
      return Status::Rejected(
          "decision #" + std::to_string(decision_id) + " is " + d.state +
          ", not waiting for review; to undo an applied match use `dupes split CASE TICKET`");
    }
    HS_RETURN_IF_ERROR(DecideBy(db, decision_id, "rejected", actor, now_s));
    HS_RETURN_IF_ERROR(SetVerdict(db, d.a.id, d.b.id, "apart", actor, now_s));
    return WriteAudit(db, now_s, actor, "dupes.reject", "decision #" + std::to_string(decision_id),
                      d.relation);
  });
}

Status MergeTickets(Ledger& ledger, int64_t a, int64_t b, const std::string& actor, int64_t now_s) {
  if (a == b) return Status::InvalidArgument("a ticket cannot be merged with itself");
  return InTransaction(ledger, [&](sql::Db& db) -> Status {
    HS_RETURN_IF_ERROR(SetVerdict(db, a, b, "together", actor, now_s));
    HS_RETURN_IF_ERROR(Join(db, a, b, "operator " + actor, now_s, /*operator_says=*/true).status());
    HS_ASSIGN_OR_RETURN(sql::Stmt* st, Prepare(db, R"(
UPDATE match_decisions SET state = 'confirmed', decided_by = ?3, decided_at = ?4
WHERE a_id = ?1 AND b_id = ?2)"));
    st->Bind(1, std::min(a, b)).Bind(2, std::max(a, b)).Bind(3, "operator " + actor).Bind(4, now_s);
    HS_RETURN_IF_ERROR(st->Run());
    return WriteAudit(db, now_s, actor, "dupes.merge",
                      "tickets " + std::to_string(a) + " and " + std::to_string(b), "");
  });
}

Status SplitTicket(Ledger& ledger, int64_t case_id, int64_t ticket_id, const std::string& actor,
                   int64_t now_s) {
  return InTransaction(ledger, [&](sql::Db& db) -> Status {
    HS_ASSIGN_OR_RETURN(std::optional<int64_t> c, CaseOfTicket(db, ticket_id));
    if (!c || *c != case_id) {
      return Status::NotFound("ticket " + std::to_string(ticket_id) + " is not in case " +
                              std::to_string(case_id) + "; `hotline-sync dupes show " +
                              std::to_string(case_id) + "` lists its members");
    }
    HS_ASSIGN_OR_RETURN(sql::Stmt* others, Prepare(db, R"(
SELECT ticket_id FROM case_members WHERE case_id = ?1 AND ticket_id <> ?2)"));
    others->Bind(1, case_id).Bind(2, ticket_id);
    HS_ASSIGN_OR_RETURN(std::vector<int64_t> rest,
                        sql::ReadRows(*others, [](sql::Stmt& s) { return s.Int(0); }));
    for (int64_t other : rest) {
      HS_RETURN_IF_ERROR(SetVerdict(db, ticket_id, other, "apart", actor, now_s));
    }
    HS_ASSIGN_OR_RETURN(sql::Stmt* reject, Prepare(db, R"(
UPDATE match_decisions SET state = 'rejected', decided_by = ?3, decided_at = ?4
WHERE (a_id = ?1 AND b_id IN (SELECT ticket_id FROM case_members WHERE case_id = ?2))
   OR (b_id = ?1 AND a_id IN (SELECT ticket_id FROM case_members WHERE case_id = ?2)))"));
    reject->Bind(1, ticket_id).Bind(2, case_id).Bind(3, "operator " + actor).Bind(4, now_s);
    HS_RETURN_IF_ERROR(reject->Run());
    HS_ASSIGN_OR_RETURN(sql::Stmt* leave,
                        Prepare(db, "DELETE FROM case_members WHERE ticket_id = ?1"));
    leave->Bind(1, ticket_id);
    HS_RETURN_IF_ERROR(leave->Run());
    if (rest.size() <= 1) {  // A case of one is no case.
      HS_ASSIGN_OR_RETURN(sql::Stmt* dissolve, Prepare(db, R"(
DELETE FROM case_members WHERE case_id = ?1)"));
      dissolve->Bind(1, case_id);
      HS_RETURN_IF_ERROR(dissolve->Run());
      HS_ASSIGN_OR_RETURN(sql::Stmt* drop, Prepare(db, "DELETE FROM cases WHERE id = ?1"));
      drop->Bind(1, case_id);
      HS_RETURN_IF_ERROR(drop->Run());
    } else {
      HS_RETURN_IF_ERROR(Touch(db, case_id, now_s));
    }
    return WriteAudit(db, now_s, actor, "dupes.split", "case " + std::to_string(case_id),
                      "ticket " + std::to_string(ticket_id));
  });
}

}  // namespace hs::ledger
