#include "adapters/petition/client.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "adapters/hotline12345/client.h"  // ValidateBaseUrl.
#include "daemon/core/json.h"
#include "daemon/core/time_util.h"

namespace hs::petition {
namespace {

constexpr int kMaxPageSize = 200;
constexpr int64_t kMaxTokenMarginMs = 60'000;
constexpr int64_t kMaxExpiresInS = 366LL * 86'400;
constexpr size_t kMaxTokenBytes = 4096;
constexpr size_t kMaxPlatformMessageBytes = 200;
constexpr int kMaxLookupRestarts = 5;
constexpr int64_t kLookupSlackMs = 60'000;
constexpr const char* kQueryPath = "/xf/api/petitions/query";

// The adapter's cursor, stored by the core as JSON. A window is [from, to] in updatedAt
// milliseconds; to == 0: no window is open and the next Pull opens [from, now - window_lag].
// Within a window each page starts where the previous one ended: page 1 of [last updatedAt read,
// to]. The contract's page numbers are positions computed at each request, so a petition updated
// inside the window (the platform's clock behind ours) moves to its end and shifts every row after
// it up by one: a reader going by page number skips one. Going by updatedAt skips none: a row that
// moves is read where it lands. Page numbers are used only where updatedAt cannot advance:
//   rest != 0: more than a page of petitions share the instant `from` (to == from); they are read
//     by page number (an update moves a row out of the instant: the total changes and the instant
//     is read again), then the window goes on at from + 1 up to `rest`;
//   page > 1 otherwise: a full page whose rows the adapter rejected hides where it ends; the
//     window is read on by page number as the contract describes (restarting when total changes).
//   total: the total of the page-numbered reading as its first page gave it (-1 before);
//   high: the largest updatedAt read in the window.
struct Cursor {
  int64_t from = 0;
  int64_t to = 0;
  int64_t page = 1;
  int64_t total = -1;
  int64_t high = 0;
  int64_t rest = 0;
};

std::string EncodeCursor(const Cursor& c) {
  return "{\"from\":" + std::to_string(c.from) + ",\"to\":" + std::to_string(c.to) +
         ",\"page\":" + std::to_string(c.page) + ",\"total\":" + std::to_string(c.total) +
         ",\"high\":" + std::to_string(c.high) + ",\"rest\":" + std::to_string(c.rest) + "}";
}

Result<Cursor> DecodeCursor(const std::string& text) {
  Cursor c;
  if (text.empty()) return c;
  rapidjson::Document doc;
  HS_RETURN_IF_ERROR(json::Parse(text, doc));
  auto get = [&](const char* key, int64_t min, int64_t& out) {
    const rapidjson::Value* v = json::Member(doc, key);
    if (v == nullptr || !v->IsInt64() || v->GetInt64() < min) return false;
    out = v->GetInt64();
    return true;
  };
  if (!get("from", 0, c.from) || !get("to", 0, c.to) || !get("page", 1, c.page) ||
      !get("total", -1, c.total) || !get("high", 0, c.high)) {
    return Status::InvalidArgument("saved cursor has an unexpected shape");
  }
  // Cursors saved before `rest` existed have none.
  if (json::Member(doc, "rest") != nullptr && !get("rest", 0, c.rest)) {
    return Status::InvalidArgument("saved cursor has an unexpected shape");
  }
  return c;
}

// A platform failure's errorCode and message, when the body is its JSON envelope.
struct ErrorBody {
  std::string code;
  std::string message;
};

ErrorBody ReadError(const HttpResponse& resp) {
  ErrorBody e;
  rapidjson::Document doc;
  if (!json::Parse(resp.body, doc).ok() || !doc.IsObject()) return e;
  auto text = [&](const char* key, size_t max_bytes) {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || !it->value.IsString()) return std::string();
    std::string s(it->value.GetString(), std::min<size_t>(it->value.GetStringLength(), max_bytes));
    for (char& ch : s) {
      if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
    }
    return s;
  };
  e.code = text("errorCode", 64);
  e.message = text("message", kMaxPlatformMessageBytes);
  return e;
}

// Maps a non-2xx answer to a Status. `what` names the call, e.g. "POST /xf/api/petitions".
Status Classify(const HttpResponse& resp, const std::string& what) {
  if (resp.status == 200 || resp.status == 201) return Status::Ok();
  ErrorBody e = ReadError(resp);
  std::string desc = "platform answered HTTP " + std::to_string(resp.status) +
                     (e.code.empty() ? "" : " " + e.code) +
                     (e.message.empty() ? "" : ": " + e.message) + " (" + what + ")";
  switch (resp.status) {
    case 400:
      return Status::InvalidArgument(desc);
    case 401:
      if (e.code == "INVALID_CLIENT") {
        return Status::Unauthenticated(
            desc + "; check [adapters.petition] client_id and the secret in client_secret_file");
      }
      return Status::Unauthenticated(desc);
    case 404:
      return Status::NotFound(desc);
    case 409:
      return Status::Rejected(desc +
                              ": the Idempotency-Key was used before with another body or for "
                              "another call; this is a bug in the sender, do not resend as is");
    case 413:
      return Status::Rejected(desc + ": the body is over the platform's 512 KiB limit");
    case 429:
      return Status::Unavailable(desc).set_retry_after_ms(resp.RetryAfterMs(1000));
    case 503:
      return Status::Unavailable(desc + (e.code == "MAINTENANCE"
                                             ? "; the platform's nightly maintenance (01:00-01:30)"
                                             : ""))
          .set_retry_after_ms(resp.RetryAfterMs(0));
    default:
      if (resp.status >= 500) return Status::Unavailable(desc);
      return Status::Rejected(desc + "; check base_url (requests go to BASE/xf/…)");
  }
}

// 1..64 printable ASCII characters, as the contract requires of Idempotency-Key.
bool ValidKey(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  return std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// A petitionNo that can be put in a URL path as is.
bool SafePathSegment(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

std::string_view StringMember(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return {};
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

class PetitionAdapter final : public adapters::Adapter {
 public:
  PetitionAdapter(Options o, const adapters::Deps& deps) : o_(std::move(o)), deps_(deps) {
    while (!o_.base_url.empty() && o_.base_url.back() == '/') o_.base_url.pop_back();
    if (o_.categories.size() == 0) {
      auto shipped = CategoryMap::Shipped();
      if (shipped.ok()) {
        o_.categories = std::move(shipped).value();
      } else {
        deps_.logger->error("{}", shipped.status().message());
      }
    }
  }

  std::string_view name() const override { return "petition"; }

  Result<adapters::Page> Pull(const std::string& cursor_text, Reject& page_reject) override {
    auto decoded = DecodeCursor(cursor_text);
    Cursor c;
    if (decoded.ok()) {
      c = *decoded;
    } else {
      deps_.logger->error(
          "saved cursor is unreadable ({}); reading from the start, which repeats records "
          "harmlessly",
          decoded.status().message());
    }
    if (c.to == 0) {  // A new window, ending in the past.
      c.to = std::max(c.from, deps_.clock->NowMillis() - o_.window_lag_ms);
      c.page = 1;
      c.total = -1;
      c.high = c.from;
    }
    adapters::Page page;
    HS_ASSIGN_OR_RETURN(PageBody q,
                        Query(c.from, c.to, c.page, o_.page_size, page.requests, &page_reject));
    MapPage(q, o_.categories, page.tickets, page.rejects);
    int64_t last = c.from;  // The largest updatedAt of the page's petitions, within the window.
    for (const Ticket& t : page.tickets) last = std::max(last, std::min(t.version, c.to));
    c.high = std::max(c.high, last);
    const bool short_page = static_cast<int64_t>(q.records.size()) < o_.page_size;
    const bool by_number = c.rest != 0 || c.page > 1;
    page.has_more = true;
    if (by_number && c.total >= 0 && q.total != c.total) {
      // Rows moved while we paged by number: positions shifted, so rows may have been skipped.
      deps_.logger->info("total of window [{}, {}] went from {} to {} at page {}; rereading it",
                         c.from, c.to, c.total, q.total, c.page);
      c.page = 1;
      c.total = -1;
    } else if (short_page && c.rest != 0) {  // The instant is done; the window goes on after it.
      c.from = c.to + 1;
      c.to = c.rest;
      c.rest = 0;
      c.page = 1;
      c.total = -1;
    } else if (short_page) {  // The window is done.
      c.from = std::max(c.from, c.high - o_.lookback_ms);
      c.to = 0;
      c.page = 1;
      c.total = -1;
      c.high = 0;
      page.has_more = false;
    } else if (by_number) {
      c.total = q.total;
      ++c.page;
    } else if (last > c.from) {  // The next page starts at this one's last instant.
      c.from = last;
    } else if (page.rejects.empty()) {  // A whole page at one instant: read it by number.
      c.rest = c.to;
      c.to = c.from;
      c.page = 1;
      c.total = -1;
    } else {  // Rejected rows hide where the page ends: read on by number.
      c.total = q.total;
      c.page = 2;
    }
    page.next_cursor = EncodeCursor(c);
    return page;
  }

  Status CheckHealth() override {
    int requests = 0;
    const int64_t to = std::max<int64_t>(0, deps_.clock->NowMillis() - o_.window_lag_ms);
    return Query(0, to, 1, 1, requests, nullptr).status();
  }

  Result<adapters::PushResult> Push(const adapters::PushItem& item) override {
    std::string path;
    if (item.action == "create") {
      path = "/xf/api/petitions";
    } else if (item.action == "progress") {
      if (!SafePathSegment(item.target_ref)) {
        return Status::Rejected("progress item " + std::to_string(item.id) +
                                " has no usable petitionNo in target_ref");
      }
      path = "/xf/api/petitions/" + item.target_ref + "/progress";
    } else {
      return Status::Rejected("the petition adapter takes create and progress, not " + item.action);
    }
    if (!ValidKey(item.idempotency_key)) {
      return Status::Rejected("idempotency key must be 1 to 64 printable ASCII characters");
    }
    int requests = 0;
    const std::string what = "POST " + path;
    HS_ASSIGN_OR_RETURN(HttpResponse resp,
                        Call(path, item.payload, {{"Idempotency-Key", item.idempotency_key}},
                             requests, /*may_take_effect=*/true));
    if (resp.status != 200 && resp.status != 201) {
      Status s = Classify(resp, what);
      if (resp.status >= 500 && resp.status != 503) s.set_outcome_unknown();
      return s;
    }
    rapidjson::Document doc;
    std::string_view no;
    if (json::Parse(resp.body, doc).ok()) no = StringMember(doc, "petitionNo");
    if (no.empty() || no.size() > 64) {
      return Status::Unavailable("platform answered HTTP " + std::to_string(resp.status) +
                                 " without a petitionNo (" + what +
                                 "); a retry with the same key is a replay")
          .set_outcome_unknown();
    }
    adapters::PushResult out;
    out.outcome = adapters::PushResult::Outcome::kDone;
    out.remote_id = std::string(no);
    return out;
  }

  int64_t IdempotencyRetentionMs() const override { return kIdempotencyRetentionMs; }

  Result<std::string> Lookup(const adapters::PushItem& item) override {
    if (item.action == "progress") {
      return Status::Rejected("cannot tell whether a progress note arrived; check petition " +
                              item.target_ref + ", then `outbox retry` or `outbox drop`");
    }
    if (item.action != "create") {
      return Status::Rejected("the petition adapter takes create and progress, not " + item.action);
    }
    rapidjson::Document payload;
    std::string_view source_no;
    if (json::Parse(item.payload, payload).ok()) source_no = StringMember(payload, "sourceNo");
    if (source_no.empty()) return Status::Rejected("create payload has no sourceNo to look up");
    const int64_t from = std::max<int64_t>(0, item.first_attempt_ms - kLookupSlackMs);
    const int64_t to = std::max(from, deps_.clock->NowMillis() - o_.window_lag_ms);
    int requests = 0;
    int restarts = 0;
    int64_t total = -1;
    for (int64_t page_no = 1;; ++page_no) {
      HS_ASSIGN_OR_RETURN(PageBody q, Query(from, to, page_no, o_.page_size, requests, nullptr));
      for (const std::string& bytes : q.records) {
        rapidjson::Document rec;
        if (!json::Parse(bytes, rec).ok()) continue;
        if (StringMember(rec, "sourceSystem") == "12345" &&
            StringMember(rec, "sourceNo") == source_no && !RecordId(rec).empty()) {
          return std::string(RecordId(rec));
        }
      }
      if (total >= 0 && q.total != total) {
        if (++restarts > kMaxLookupRestarts) {
          return Status::Unavailable("petitions kept changing while looking up sourceNo");
        }
        total = -1;
        page_no = 0;
        continue;
      }
      if (static_cast<int64_t>(q.records.size()) < o_.page_size) return std::string();
      total = q.total;
    }
  }

 private:
  // POST BASE+path with the bearer token; on 401 TOKEN_EXPIRED or UNAUTHORIZED fetches a new token
  // and repeats the call once. Transport failures of the call itself are marked outcome-unknown
  // when `may_take_effect`. Non-2xx answers are returned as responses.
  Result<HttpResponse> Call(const std::string& path, const std::string& body,
                            const HttpHeaders& extra, int& requests, bool may_take_effect) {
    for (int attempt = 0;; ++attempt) {
      HS_RETURN_IF_ERROR(EnsureToken(requests));
      HttpRequest req;
      req.method = "POST";
      req.url = o_.base_url + path;
      req.headers = {{"Authorization", "Bearer " + token_},
                     {"Content-Type", "application/json; charset=utf-8"},
                     {"Accept", "application/json"}};
      req.headers.insert(req.headers.end(), extra.begin(), extra.end());
      req.body = body;
      ++requests;
      Result<HttpResponse> resp = deps_.transport->Send(req);
      if (!resp.ok()) {
        Status s = resp.status().WithContext("POST " + path);
        if (may_take_effect && s.code() == StatusCode::kUnavailable) s.set_outcome_unknown();
        return s;
      }
      if (resp->status == 401 && attempt == 0) {
        std::string code = ReadError(*resp).code;
        if (code == "TOKEN_EXPIRED" || code == "UNAUTHORIZED") {
          deps_.logger->info("token refused ({}); fetching a new one", code);
          token_.clear();
          continue;
        }
      }
      return resp;
    }
  }

  // Fetches a token unless the cached one has time left.
  Status EnsureToken(int& requests) {
    const int64_t sent_mono = deps_.clock->MonotonicMillis();
    if (!token_.empty() && sent_mono < token_refresh_mono_) return Status::Ok();
    token_.clear();
    HttpRequest req;
    req.method = "POST";
    req.url = o_.base_url + "/xf/oauth/token";
    req.headers = {{"Content-Type", "application/json; charset=utf-8"},
                   {"Accept", "application/json"}};
    req.body = "{\"clientId\":";
    json::AppendQuoted(req.body, o_.client_id);
    req.body += ",\"clientSecret\":";
    json::AppendQuoted(req.body, o_.client_secret);
    req.body += "}";
    ++requests;
    HS_ASSIGN_OR_RETURN(HttpResponse resp, deps_.transport->Send(req));
    HS_RETURN_IF_ERROR(Classify(resp, "POST /xf/oauth/token"));
    rapidjson::Document doc;
    std::string_view token;
    int64_t expires_s = 0;
    if (json::Parse(resp.body, doc).ok() && doc.IsObject()) {
      token = StringMember(doc, "accessToken");
      auto it = doc.FindMember("expiresIn");
      if (it != doc.MemberEnd() && it->value.IsInt64()) expires_s = it->value.GetInt64();
    }
    const bool printable =
        std::all_of(token.begin(), token.end(), [](char ch) { return ch > 0x20 && ch <= 0x7e; });
    if (token.empty() || token.size() > kMaxTokenBytes || !printable || expires_s < 1 ||
        expires_s > kMaxExpiresInS) {
      return Status::Unavailable(
          "token answer is not {accessToken, expiresIn} (POST /xf/oauth/token)");
    }
    const int64_t ttl_ms = expires_s * 1000;
    token_ = std::string(token);
    token_refresh_mono_ = sent_mono + ttl_ms - std::min(kMaxTokenMarginMs, ttl_ms / 10);
    deps_.logger->debug("new token, valid for {}", FormatDurationMillis(ttl_ms));
    return Status::Ok();
  }

  // One query page. A body that cannot be read fills *page_reject (when given) and is Rejected.
  Result<PageBody> Query(int64_t from, int64_t to, int64_t page_no, int page_size, int& requests,
                         Reject* page_reject) {
    const std::string body = "{\"updatedFrom\":" + std::to_string(from) +
                             ",\"updatedTo\":" + std::to_string(to) +
                             ",\"pageNo\":" + std::to_string(page_no) +
                             ",\"pageSize\":" + std::to_string(page_size) + "}";
    HS_ASSIGN_OR_RETURN(HttpResponse resp, Call(kQueryPath, body, {}, requests, false));
    HS_RETURN_IF_ERROR(Classify(resp, std::string("POST ") + kQueryPath));
    PageBody q;
    Status parsed = ReadPageBody(std::move(resp.body), q);
    if (!parsed.ok()) {
      std::string where = std::string("POST ") + kQueryPath +
                          " updatedFrom=" + std::to_string(from) +
                          " updatedTo=" + std::to_string(to) + " pageNo=" + std::to_string(page_no);
      if (page_reject != nullptr) *page_reject = {where, parsed.message(), q.text};
      return Status::Rejected(parsed.message() + " (" + where + ")");
    }
    return q;
  }

  Options o_;
  adapters::Deps deps_;
  std::string token_;
  int64_t token_refresh_mono_ = 0;  // Monotonic time after which the token is fetched anew.
};

}  // namespace

Result<Options> ReadOptions(config::Section& s) {
  Options o;
  o.base_url = s.RequiredString("base_url");
  o.client_id = s.RequiredString("client_id");
  o.client_secret = s.Secret("client_secret_file");
  o.page_size = static_cast<int>(s.Int("page_size", kMaxPageSize, 1, kMaxPageSize));
  o.window_lag_ms = s.DurationMillis("window_lag", "5s", 5'000, 3'600'000);
  o.lookback_ms = s.DurationMillis("lookback", "0s", 0, 86'400'000);
  std::string categories_file = s.Path("categories_file", "");
  if (!o.base_url.empty()) {
    Status url = hotline12345::ValidateBaseUrl(o.base_url);
    std::string trimmed = o.base_url;
    while (!trimmed.empty() && trimmed.back() == '/') trimmed.pop_back();
    if (!url.ok()) {
      s.Fail("base_url", url.message());
    } else if (trimmed.ends_with("/xf")) {
      s.Fail("base_url", "must not end in /xf: the adapter adds /xf/… itself");
    }
  }
  Result<CategoryMap> categories = Status::Internal("unset");
  if (categories_file.empty()) {
    categories = CategoryMap::Shipped();
  } else {
    std::ifstream in(categories_file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      categories = Status::NotFound(categories_file + " cannot be read");
    } else {
      categories = CategoryMap::FromToml(text.str(), categories_file);
    }
  }
  if (categories.ok()) {
    o.categories = std::move(categories).value();
  } else {
    s.Fail("categories_file", categories.status().message());
  }
  return o;
}

Result<std::unique_ptr<adapters::Adapter>> Create(config::Section& section,
                                                  const adapters::Deps& deps) {
  HS_ASSIGN_OR_RETURN(Options o, ReadOptions(section));
  HS_RETURN_IF_ERROR(section.Finish());
  return CreateWithOptions(std::move(o), deps);
}

std::unique_ptr<adapters::Adapter> CreateWithOptions(Options options, const adapters::Deps& deps) {
  return std::make_unique<PetitionAdapter>(std::move(options), deps);
}

}  // namespace hs::petition
