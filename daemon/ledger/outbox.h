// The outbox (DESIGN.md flow 3, RELIABILITY.md "Delivery"): pushes queued by CommitPage, taken by
// one pusher per target, marked sent, held, retried or dead. Operators list, retry and drop items.
// Thread-safety: as Ledger (every call serialises on the ledger's mutex, one transaction each).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/ledger/ledger.h"

namespace hs::ledger {

struct OutboxItem {
  int64_t id = 0;
  int64_t ticket_id = 0;
  std::string source, external_id;  // The ticket whose change queued it.
  std::string target, action;
  std::string target_ref;  // Resolved by DueOutbox when queued as "" (the ticket's link on target).
  std::string idem_key, payload;
  std::string state;  // pending, held, sent, dead, dropped.
  int64_t attempts = 0;
  int64_t next_attempt_ms = 0;
  std::optional<int64_t> first_attempt_ms;
  bool outcome_unknown = false;
  std::string last_error, remote_id;
  int64_t created_ms = 0;
  std::optional<int64_t> done_ms;
};

// Pending items of `target` due by `now_ms`, oldest due first, at most `limit`; of each ticket's
// unfinished items (pending, held, dead) only the oldest is ever returned, so that a ticket's
// pushes keep their order while other tickets go on.
Result<std::vector<OutboxItem>> DueOutbox(Ledger& ledger, const std::string& target, int64_t now_ms,
                                          int limit);
// When the next item DueOutbox would return falls due, or nullopt when none would be.
Result<std::optional<int64_t>> NextDueMs(Ledger& ledger, const std::string& target);

// The push took effect: state sent, and for a create a link from the ticket to `remote_id`.
// Committed with synchronous=FULL.
Status MarkSent(Ledger& ledger, const OutboxItem& item, const std::string& remote_id,
                int64_t now_ms);
// Refused as incomplete: held with `missing` for operators.
Status MarkHeld(Ledger& ledger, int64_t id, const std::string& missing, int64_t now_ms);
// A failed try: counted, retried at `next_attempt_ms`, or dead when `dead`.
Status MarkFailed(Ledger& ledger, int64_t id, const std::string& error, bool outcome_unknown,
                  bool dead, int64_t next_attempt_ms, int64_t now_ms);

struct OutboxFilter {
  std::string state;   // "" = every state but sent and dropped.
  std::string target;  // "" = all.
  int limit = 50;
};
Result<std::vector<OutboxItem>> ListOutbox(Ledger& ledger, const OutboxFilter& filter);
// Errors: NotFound.
Result<OutboxItem> GetOutbox(Ledger& ledger, int64_t id);

// Operator actions, audited. Retry: a dead or held item goes back to pending now, its tries reset
// (an item whose outcome was unknown keeps its key, so a resend is still a replay). Drop: a
// pending, held or dead item is given up. Errors: NotFound; InvalidArgument when the item's state
// does not allow it (the message says which states do).
Status RetryOutbox(Ledger& ledger, int64_t id, const std::string& actor, int64_t now_ms);
Status DropOutbox(Ledger& ledger, int64_t id, const std::string& actor, const std::string& reason,
                  int64_t now_ms);

struct OutboxCount {
  std::string target, state;
  int64_t count = 0;
  std::optional<int64_t> oldest_ms;  // created_ms of the oldest in this state.
};
Result<std::vector<OutboxCount>> CountOutbox(Ledger& ledger);

// A record of the same matter on another platform, as `ticket REF` shows it.
struct Counterpart {
  std::string source, external_id;
  int64_t ticket_id = 0;  // 0 when the ledger has not read that record yet.
  std::string native_state;
  std::string relation;  // e.g. "pushed by this ticket", "made from this ticket's record".
};
// Records linked to the ticket: made by its pushes (links), naming it as their source (external
// number = its number, or a reopened dispatch's order), or named by it (its external number).
Result<std::vector<Counterpart>> CounterpartsOf(Ledger& ledger, int64_t ticket_id);

// Outbox items the ticket's changes queued, oldest first.
Result<std::vector<OutboxItem>> OutboxOfTicket(Ledger& ledger, int64_t ticket_id);

// Sets an operator flag on the ticket described by `change` (loaded from the ledger) and, in the
// same transaction, queues what the ledger's router asks for it now. Audited. Returns the number
// of items queued.
Result<int64_t> FlagAndRoute(Ledger& ledger, const Change& change, const std::string& flag,
                             const std::string& note, const std::string& actor, int64_t now_ms);

}  // namespace hs::ledger
