#include "daemon/net/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <string>

#include "daemon/metrics/metrics.h"

namespace hs {
namespace {

struct Sink {
  std::string* body;
  HttpHeaders* headers;
  int64_t cap;
  bool over_cap = false;
};

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  if (static_cast<int64_t>(sink->body->size() + len) > sink->cap) {
    sink->over_cap = true;
    return 0;  // Makes libcurl fail the transfer with CURLE_WRITE_ERROR.
  }
  sink->body->append(data, len);
  return len;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  std::string_view line(data, len);
  if (line.starts_with("HTTP/")) {
    sink->headers->clear();  // A new response (after 100-continue): drop the previous headers.
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  sink->headers->emplace_back(std::move(name), std::string(value));
  return len;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel->load() ? 1 : 0;  // Non-zero aborts the transfer.
}

// The error class of a failed transfer, for hs_http_errors_total. A timeout before the connection
// was made is `connect`: an unreachable platform, not a slow one.
const char* ErrorClass(CURLcode rc, CURL* c) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connected_us = 0;
      curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connected_us);
      return connected_us == 0 ? "connect" : "timeout";
    }
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "connect";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CONNECT_ERROR:
      return "tls";
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
      return "too_large";
    case CURLE_ABORTED_BY_CALLBACK:
      return "cancelled";
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return "reset";
    default:
      return "other";
  }
}

Status ClassifyCurlError(CURLcode rc, const char* detail, const Sink& sink) {
  std::string msg = std::string(curl_easy_strerror(rc));
  if (detail[0] != '\0') msg += std::string(" (") + detail + ")";
  switch (rc) {
    case CURLE_WRITE_ERROR:
      if (sink.over_cap) {
        return Status::Rejected("response body larger than the cap of " + std::to_string(sink.cap) +
                                " bytes");
      }
      return Status::Internal(msg);
    case CURLE_FILESIZE_EXCEEDED:
      return Status::Rejected("response body larger than the cap of " + std::to_string(sink.cap) +
                              " bytes");
    case CURLE_ABORTED_BY_CALLBACK:
      return Status::Unavailable("request abandoned: the daemon is stopping");
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Status::InvalidArgument(msg);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return Status::Rejected("TLS verification failed: " + msg +
                              "; check the platform's certificate and ca_file");
    default:
      // Connect failures, timeouts, resets, truncated bodies (CURLE_PARTIAL_FILE), receive errors.
      return Status::Unavailable(msg);
  }
}

}  // namespace

struct CurlTransport::Impl {
  CurlOptions options;
  CURL* easy = nullptr;
  metrics::Histogram* latency = nullptr;  // Null when not counted.

  void CountError(const char* error_class) const {
    if (latency == nullptr) return;
    metrics::Global()
        .GetCounter("hs_http_errors_total",
                    "Requests to a platform that failed, by adapter, direction and class",
                    {{"adapter", options.metrics_adapter},
                     {"direction", options.metrics_direction},
                     {"class", error_class}})
        .Add();
  }
};

void CurlTransport::GlobalInit() {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::signal(SIGPIPE, SIG_IGN);
}

CurlTransport::CurlTransport(CurlOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->easy = curl_easy_init();
  if (impl_->easy == nullptr) throw std::runtime_error("curl_easy_init failed");
  if (!impl_->options.metrics_adapter.empty()) {
    impl_->latency = &metrics::Global().GetHistogram(
        "hs_http_request_duration_seconds",
        "Time from sending a request to a platform to its whole response, in seconds",
        {{"adapter", impl_->options.metrics_adapter},
         {"direction", impl_->options.metrics_direction}});
  }
}

CurlTransport::~CurlTransport() { curl_easy_cleanup(impl_->easy); }

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  CURL* c = impl_->easy;
  const CurlOptions& o = impl_->options;
  curl_easy_reset(c);  // Keeps the connection cache; forgets the previous request's options.

  HttpResponse response;
  Sink sink{&response.body, &response.headers, o.max_body_bytes};
  char error[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(o.total_timeout_ms));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(o.low_speed_bytes));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.low_speed_seconds));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_body_bytes));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!o.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, o.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // Any encoding libcurl can decode.
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  if (o.cancel != nullptr) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(o.cancel));
  }

  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  if (request.method == "POST") {
    headers = curl_slist_append(headers, "Expect:");  // No 100-continue round trip.
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_slist_free_all(headers);
    return Status::InvalidArgument("unsupported HTTP method " + request.method);
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  const auto started = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (impl_->latency != nullptr) {
    impl_->latency->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  if (rc != CURLE_OK) {
    impl_->CountError(ErrorClass(rc, c));
    return ClassifyCurlError(rc, error, sink);
  }

  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  response.status = static_cast<int>(code);
  if (code == 429) {
    impl_->CountError("http_429");
  } else if (code >= 500) {
    impl_->CountError("http_5xx");
  } else if (code >= 400) {
    impl_->CountError("http_4xx");
  }
  return response;
}

}  // namespace hs
