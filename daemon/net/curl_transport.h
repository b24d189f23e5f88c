// CurlTransport: HttpTransport over one libcurl easy handle (connections are kept alive between
// requests). The only file that includes <curl/curl.h>. Not thread-safe: one instance per thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "daemon/core/http.h"

namespace hs {

struct CurlOptions {
  int64_t connect_timeout_ms = 10'000;
  int64_t total_timeout_ms = 60'000;
  // A transfer slower than low_speed_bytes per second for low_speed_seconds is aborted.
  int64_t low_speed_bytes = 1024;
  int64_t low_speed_seconds = 30;
  int64_t max_body_bytes =
      32 << 20;         // Enforced in the write callback: chunked bodies have no size.
  std::string ca_file;  // Empty: the system's trust store.
  // When set and true, a transfer in progress is abandoned within about a second (Unavailable).
  const std::atomic<bool>* cancel = nullptr;
  // Labels of this transport's metrics (hs_http_*): the adapter and pull or push. Empty adapter:
  // not counted (the CLI's one-off requests).
  std::string metrics_adapter, metrics_direction;
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlOptions options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override;

  // Process-wide libcurl set-up; call once from main before any thread starts. Also ignores
  // SIGPIPE.
  static void GlobalInit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hs
