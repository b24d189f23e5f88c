// Cases, match decisions and complainant keys in the ledger (migration 0003; issue 4). The write
// side runs inside a page's transaction, called by the match hook; the operator side (dupes) runs
// its own audited transactions. An operator's verdict on a pair is final: automatic matching never
// joins what an operator set apart. Thread-safety: as Ledger.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/ledger/ledger.h"

namespace hs::ledger {

// --- Inside the page's transaction (the match hook) ---

// Replaces the ticket's complainant keys; `keys` holds (kind, key) with kind "phone" or "id".
Status StoreMatchKeys(sql::Db& db, int64_t ticket_id,
                      const std::vector<std::pair<std::string, std::string>>& keys);

// "together", "apart" or "" for no operator verdict on the pair.
Result<std::string> VerdictOn(sql::Db& db, int64_t a, int64_t b);

// Whether one ticket was made from the other by a push (links, or one's external number naming
// the other's): the same record mirrored, not a repeat complaint.
Result<bool> AreCounterparts(sql::Db& db, int64_t a, int64_t b);

// The case a ticket is in, if any.
Result<std::optional<int64_t>> CaseOfTicket(sql::Db& db, int64_t ticket_id);

// The tickets in the same case as `ticket_id`, without it, newest first, at most `limit`; empty
// when it is in no case.
Result<std::vector<int64_t>> CaseMates(sql::Db& db, int64_t ticket_id, int limit);

struct NewDecision {
  int64_t a_id = 0, b_id = 0;  // Any order; stored smaller first.
  std::string relation;        // same or related
  double confidence = 0;
  bool apply = false;    // Applied (join the case) or pending for an operator.
  std::string evidence;  // JSON
};
// Stores the decision unless the pair has one; applied ones join the two tickets' cases unless an
// operator set a member of one apart from a member of the other (then it waits as pending).
// Returns the decision's id, or 0 when the pair was decided before.
Result<int64_t> StoreDecision(sql::Db& db, const NewDecision& d, int64_t now_s);

// --- Operators ---

struct TicketSummary {
  int64_t id = 0;
  std::string source, external_id, title, content, category, unit, state, channel;
  std::optional<int64_t> accepted_at;
};

struct DecisionView {
  int64_t id = 0;
  TicketSummary a, b;
  std::string relation, state, evidence, decided_by;
  double confidence = 0;
  int64_t created_at = 0, decided_at = 0;
};

struct CaseView {
  int64_t id = 0;
  int64_t created_at = 0, updated_at = 0;
  std::vector<TicketSummary> members;   // By time accepted.
  std::vector<std::string> via;         // How each member joined.
  std::vector<DecisionView> decisions;  // Among the members.
};

struct MatchSummary {
  int64_t cases = 0, tickets_in_cases = 0;
  int64_t applied = 0, pending = 0, confirmed = 0, rejected = 0;  // Decisions by state.
};
Result<MatchSummary> SummariseMatching(Ledger& ledger);

// Pending decisions, most confident first.
Result<std::vector<DecisionView>> PendingDecisions(Ledger& ledger, int limit);
// Decisions in `state` (pending, applied, confirmed, rejected), most confident first.
Result<std::vector<DecisionView>> DecisionsIn(Ledger& ledger, std::string_view state, int limit);
// Errors: NotFound.
Result<DecisionView> GetDecision(Ledger& ledger, int64_t id);
Result<CaseView> GetCase(Ledger& ledger, int64_t id);
// The case a ticket belongs to.
Result<std::optional<int64_t>> CaseOf(Ledger& ledger, int64_t ticket_id);

// Confirms a pending or applied decision: the two tickets in one case, a final verdict. Audited.
Status ConfirmDecision(Ledger& ledger, int64_t decision_id, const std::string& actor,
                       int64_t now_s);
// Rejects a pending decision: the pair apart, finally. An applied one is undone with SplitTicket.
Status RejectDecision(Ledger& ledger, int64_t decision_id, const std::string& actor, int64_t now_s);
// Puts two tickets (ledger ids) in one case, merging their cases. Audited.
Status MergeTickets(Ledger& ledger, int64_t a, int64_t b, const std::string& actor, int64_t now_s);
// Takes a ticket out of its case; it is set apart from every other member, finally. Audited.
Status SplitTicket(Ledger& ledger, int64_t case_id, int64_t ticket_id, const std::string& actor,
                   int64_t now_s);

}  // namespace hs::ledger
