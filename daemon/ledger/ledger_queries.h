// Read-side queries of the ledger for operator commands (status, log, ticket, rejects). They run on
// a read-only connection and never hold a transaction beyond one statement.
// Thread-safety: as Ledger.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/ledger/ledger.h"

namespace hs::ledger {

struct AdapterStatus {
  std::string source;
  int64_t tickets = 0;
  int64_t open_tickets = 0;  // Not yet closed (待签收, 办理中, 延期审核中).
  int64_t rejects = 0;
  std::optional<int64_t> last_success_ms;
  std::optional<int64_t> last_failure_ms;
  std::string last_error;
  int64_t failures_in_a_row = 0;
  std::optional<int64_t> newest_change;  // Newest platform update time seen (Unix seconds).
  std::optional<int64_t> cursor_saved;   // When the cursor last moved (Unix seconds).
};

// One row per adapter found in the ledger, plus each name in `configured` not found there.
Result<std::vector<AdapterStatus>> AdapterStatuses(Ledger& ledger,
                                                   const std::vector<std::string>& configured);

struct RunFilter {
  std::string source;    // "" = all.
  int64_t since_ms = 0;  // Runs that started at or after.
  bool failed_only = false;
  int64_t after_id = 0;  // Runs with a larger id (for --follow).
  int limit = 20;        // The newest `limit` runs, returned oldest first.
};
Result<std::vector<SyncRun>> ListRuns(Ledger& ledger, const RunFilter& filter);

struct EventRow {
  int64_t n = 0;     // The ticket's events in the order recorded: 0, 1, 2…
  std::string kind;  // log or state.
  int64_t seq = 0;
  std::optional<int64_t> at;
  std::string action, unit, note, result, external_ref, from_state;
  int64_t recorded_at = 0;
};

struct TicketRecord {
  int64_t id = 0;
  std::string source;
  Ticket ticket;  // history left empty: see events.
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  std::vector<EventRow> events;
};

// Tickets whose ledger id, platform number (gdbh) or external number (wbbh) is `ref`.
Result<std::vector<TicketRecord>> FindTickets(Ledger& ledger, const std::string& ref);

struct RejectRow {
  int64_t id = 0;
  std::string source, source_id, reason, raw;
  int64_t first_seen = 0, last_seen = 0, seen_count = 0;
};
Result<std::vector<RejectRow>> ListRejects(Ledger& ledger, const std::string& source, int limit);
// Errors: NotFound.
Result<RejectRow> GetReject(Ledger& ledger, int64_t id);

// A complainant's personal data, unmasked.
struct PersonalData {
  std::string complainant, phone, id_number, address;
};
// Ticket `ticket_id`'s personal data for one operator with a reason, audited ("unmask") in the same
// transaction: no look without its audit row. Needs a writable ledger. Errors: NotFound;
// InvalidArgument when the actor or the reason is empty.
Result<PersonalData> UnmaskTicket(Ledger& ledger, int64_t ticket_id, const std::string& actor,
                                  const std::string& reason, int64_t now_s);

// Counts for tests and reports: tickets, events, rejects rows.
struct Totals {
  int64_t tickets = 0, events = 0, rejects = 0, runs = 0;
};
Result<Totals> CountAll(Ledger& ledger);

}  // namespace hs::ledger
