// The assessment's facts in the ledger (migration 0004; issue 5): each order's assignments to
// units and its revisit answers, derived from its transfer log, kept current inside each page's
// transaction and refilled when the derivation changes. The scorer (daemon/score) reads them by
// month. Thread-safety: as Ledger.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/core/ticket.h"
#include "daemon/ledger/ledger.h"

namespace hs::ledger {

// One time an order was given to a unit (a 派单 or 转派 to it), and what happened while it held it.
struct Assignment {
  std::string unit;
  int64_t assigned_at = 0;
  std::optional<int64_t> reassigned_at;  // Given to another unit.
  std::optional<int64_t> closed_at;      // Its first 办结.
  std::optional<int64_t> extended_at;    // Its first 延期通过.
  std::optional<int64_t> reworked_at;    // Its first 返工.
};

struct Revisit {
  int64_t n = 0;  // The entry's place in the log.
  std::string unit;
  int64_t at = 0;
  std::string result;
};

struct AssessmentFacts {
  std::vector<Assignment> assignments;
  std::vector<Revisit> revisits;
};

// The facts of one order's transfer log (oldest first). Entries without a time are skipped.
AssessmentFacts DeriveAssessment(const std::vector<HistoryEntry>& log);

// Inside a page's transaction: replaces the ticket's facts.
Status StoreAssessment(sql::Db& db, int64_t ticket_id, const Ticket& t);

// Refills every ticket's facts from the stored events when they were derived by an older version
// (at open, after migrations). Returns the number of tickets read, 0 when current.
Result<int64_t> RefreshAssessment(sql::Db& db);

// --- Adjustments operators enter (audited) ---

struct EnteredAdjustment {
  int64_t id = 0;
  int month = 0;  // 202306
  std::string unit;
  int64_t points_micros = 0;
  std::string indicator, detail, actor;
  int64_t created_at = 0;
};

// Stores `a` (its id and created_at are set here) with an audit row. Returns the new id.
Result<int64_t> AddAdjustment(Ledger& ledger, const EnteredAdjustment& a, int64_t now_s);
Result<std::vector<EnteredAdjustment>> ListAdjustments(Ledger& ledger, int month);
// Deletes one, with an audit row keeping what it was. Errors: NotFound.
Status RemoveAdjustment(Ledger& ledger, int64_t id, const std::string& actor,
                        const std::string& reason, int64_t now_s);

}  // namespace hs::ledger
