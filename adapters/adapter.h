// Adapter: translates one platform's API into canonical tickets. Read this first.
//
// An adapter holds no retry, storage or matching logic: the sync loop (daemon/sync) owns those. It
// maps the platform's answers to Status codes (Unavailable: retry later, honouring retry_after_ms;
// Unauthenticated: credentials refused; Rejected/InvalidArgument: do not retry as is) and its
// records to Tickets, sending what it cannot map to rejects.
//
// Thread-safety: an adapter instance is used by one sync loop thread.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/core/clock.h"
#include "daemon/core/http.h"
#include "daemon/core/result.h"
#include "daemon/core/ticket.h"

namespace hs::adapters {

// What a pull returned: records changed after the cursor, and where the next pull starts.
struct Page {
  std::vector<Ticket> tickets;
  std::vector<Reject> rejects;  // Records that could not be mapped; the page goes on without them.
  std::string next_cursor;  // Opaque; stored by the core in the same transaction as the records.
  bool has_more = false;    // True: pull again at once with next_cursor.
  int requests = 0;         // HTTP requests made, for rate keeping and metrics.
};

// What the core gives an adapter. The pointers outlive the adapter.
struct Deps {
  HttpTransport* transport = nullptr;
  Clock* clock = nullptr;
  std::shared_ptr<spdlog::logger> logger;
};

// One outbox item as the pusher hands it to its target adapter (DESIGN.md flow 3). The payload and
// the key were fixed when the item was queued; a retry sends exactly the same bytes.
struct PushItem {
  int64_t id = 0;                // Outbox row id, for logs.
  std::string action;            // Per target; see each adapter's header for the actions it takes.
  std::string target_ref;        // The remote record the action applies to; "" for a create.
  std::string idempotency_key;   // 1..64 printable ASCII characters, stable across retries.
  std::string payload;           // UTF-8 JSON: the request body in the platform's field names.
  int64_t first_attempt_ms = 0;  // When the item was first sent (0: never), for retention checks.
};

struct PushResult {
  enum class Outcome {
    kDone,  // Took effect now or earlier (a replay, 40901, ALREADY_SUBMITTED): never send again.
    kHeld,  // Refused as incomplete (the province's 422): wait for an operator or a new version.
  };
  Outcome outcome = Outcome::kDone;
  std::string
      remote_id;       // The remote record's id (a created petition's petitionNo, a gdbh), or "".
  std::string detail;  // For kHeld: what is missing, in the platform's names, e.g. "contacted".
};

class Adapter {
 public:
  virtual ~Adapter() = default;

  // The configuration name, e.g. "hotline12345"; also the ledger's `source`.
  virtual std::string_view name() const = 0;

  // Records changed after `cursor` ("" = from the start). Errors: Unavailable (network, 5xx, 429
  // with retry_after_ms), Unauthenticated (credentials refused), Rejected (a body that cannot be
  // read at all; `page_reject` then holds it for the rejects table), InvalidArgument (a request the
  // platform calls malformed: a bug or a configuration error).
  virtual Result<Page> Pull(const std::string& cursor, Reject& page_reject) = 0;

  // A cheap authenticated call. Errors as Pull.
  virtual Status CheckHealth() = 0;

  // Sends one outbox item. Errors: Unavailable (429, 5xx, network; retry with the same key, after
  // retry_after_ms when set) — set_outcome_unknown() when the request may have reached the platform
  // (a timeout or reset after sending, a proxy's 502/504), so that the pusher knows a retry may be
  // a replay; Unauthenticated; NotFound (the target record does not exist); Rejected (the platform
  // refuses it for good, e.g. 409 INVALID_STATE or a key reused with another body); InvalidArgument
  // (a body the platform calls malformed). The default refuses: a pull-only adapter.
  virtual Result<PushResult> Push(const PushItem& item);

  // How long the platform remembers an idempotency key, in ms; 0: forever (it deduplicates on the
  // record itself). After that a retry of an item with an unknown outcome first asks Lookup.
  virtual int64_t IdempotencyRetentionMs() const { return 0; }

  // Whether an item whose outcome is unknown took effect: the remote id when it did, "" when it did
  // not. Errors: Unavailable; Rejected when the platform cannot tell (the operator decides).
  virtual Result<std::string> Lookup(const PushItem& item);
};

}  // namespace hs::adapters
