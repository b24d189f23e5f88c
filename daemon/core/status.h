// Status: the outcome of an operation that can fail, with a code that drives what the caller does
// next. Modelled on leveldb's Status. Immutable value type; safe to share between threads once
// built.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hs {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,  // The caller sent something malformed; retrying the same request will not
                     // help.
  kNotFound,         // The named thing does not exist.
  kUnavailable,      // Transient: network, 5xx, 429, busy. Retry with backoff.
  kUnauthenticated,  // Credentials refused: refresh and retry once, else the operator must act.
  kRejected,         // The remote or the input is permanently unacceptable: do not retry as is.
  kInternal,         // A bug or an unexpected state on our side.
};

// The English name of a code, e.g. "Unavailable", for logs and JSON output.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // Ok.

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status Unauthenticated(std::string msg) {
    return {StatusCode::kUnauthenticated, std::move(msg)};
  }
  static Status Rejected(std::string msg) { return {StatusCode::kRejected, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // A server's Retry-After hint in milliseconds; 0 when none was given.
  int64_t retry_after_ms() const { return retry_after_ms_; }
  Status& set_retry_after_ms(int64_t ms) {
    retry_after_ms_ = ms;
    return *this;
  }

  // For a failed push: the request may have reached the remote and taken effect (a timeout or a
  // reset after sending). A retry is then a replay and must carry the same idempotency key.
  bool outcome_unknown() const { return outcome_unknown_; }
  Status& set_outcome_unknown() {
    outcome_unknown_ = true;
    return *this;
  }

  // "Unavailable: connection refused", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "context: message".
  Status WithContext(std::string_view context) const;

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}

  StatusCode code_ = StatusCode::kOk;
  int64_t retry_after_ms_ = 0;
  bool outcome_unknown_ = false;
  std::string message_;
};

}  // namespace hs

// Returns the status from the enclosing function when it is not ok.
#define HS_RETURN_IF_ERROR(expr)     \
  do {                               \
    ::hs::Status hs_st_ = (expr);    \
    if (!hs_st_.ok()) return hs_st_; \
  } while (0)
