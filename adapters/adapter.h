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
};

}  // namespace hs::adapters
