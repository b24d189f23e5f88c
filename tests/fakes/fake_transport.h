// A scripted HttpTransport for unit tests: answers requests from a queue and records what was sent.
// Not thread-safe.
#pragma once

#include <deque>
#include <vector>

#include "daemon/core/http.h"

namespace hs::testing {

class FakeTransport final : public HttpTransport {
 public:
  // Queues one answer: a response, or an error Status.
  void Respond(int status, std::string body, HttpHeaders headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    answers_.emplace_back(std::move(r));
  }
  void Fail(Status s) { answers_.emplace_back(std::move(s)); }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    sent_.push_back(request);
    if (answers_.empty()) return Status::Internal("FakeTransport: no scripted answer left");
    Result<HttpResponse> r = std::move(answers_.front());
    answers_.pop_front();
    return r;
  }

  const std::vector<HttpRequest>& sent() const { return sent_; }

 private:
  std::deque<Result<HttpResponse>> answers_;
  std::vector<HttpRequest> sent_;
};

}  // namespace hs::testing
