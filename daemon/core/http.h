// The HTTP client interface the adapters use. Production: net/curl_transport; tests: scripted fakes
// or the simulated platforms on loopback. A transport instance is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "daemon/core/result.h"

namespace hs {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";  // GET or POST.
  std::string url;             // Absolute, http or https, query already encoded.
  HttpHeaders headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // Names lower-cased.
  std::string body;

  // The first header with this lower-case name, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
  // Retry-After (delay in seconds) in milliseconds, clamped to 1 s..1 h; `fallback_ms` when absent
  // or not a number of seconds.
  int64_t RetryAfterMs(int64_t fallback_ms) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends one request and returns whatever status the server gave (a 5xx is a response, not an
  // error). Errors: Unavailable for connect failures, timeouts, resets and truncated bodies;
  // Rejected for a body over the transport's cap or a refused scheme; InvalidArgument for a
  // malformed URL.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace hs
