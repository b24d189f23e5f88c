// The deadline watch's queries (DESIGN.md flow 5): open provincial dispatches and hotline orders
// near or past their deadline, and the record of warnings already logged.
// Thread-safety: as Ledger.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/ledger/ledger.h"

namespace hs::ledger {

struct DeadlineQuery {
  int64_t now_s = 0;
  std::string provincial = "provincial";  // Adapter names.
  std::string hotline = "hotline12345";
  int64_t provincial_lead_s = 48 * 3600;  // Near: due within this.
  int64_t hotline_lead_s = 24 * 3600;
  int limit = 1000;
};

struct DeadlineRow {
  int64_t ticket_id = 0;
  std::string source, external_id, unit, state, native_state, title;
  int64_t deadline = 0;  // The extended deadline when one was granted.
  bool overdue = false;
};

// Open items due within their lead time or overdue, soonest first: dispatches not yet answered
// (PENDING, ACCEPTED, REOPENED) and orders not yet closed (待签收, 办理中, 延期审核中).
Result<std::vector<DeadlineRow>> AtRiskDeadlines(Ledger& ledger, const DeadlineQuery& q);

struct DeadlineCounts {
  int64_t near = 0, overdue = 0;
};
// Per source (provincial first), counts of AtRiskDeadlines.
Result<std::vector<std::pair<std::string, DeadlineCounts>>> CountDeadlines(Ledger& ledger,
                                                                           const DeadlineQuery& q);

// Records that `row` was warned about at its level; false when it had been already.
Result<bool> MarkWarned(Ledger& ledger, const DeadlineRow& row, int64_t now_s);

}  // namespace hs::ledger
