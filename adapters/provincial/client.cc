#include "adapters/provincial/client.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <charconv>

#include "adapters/hotline12345/client.h"
#include "adapters/provincial/mapping.h"
#include "adapters/provincial/signing.h"
#include "daemon/core/gbk.h"
#include "daemon/core/json.h"

namespace hs::provincial {
namespace {

constexpr int kMaxPageSize = 100;
constexpr size_t kMaxIdBytes = 64;
constexpr const char* kGbkJson = "application/json;charset=GBK";

// The adapter's cursor, stored by the core as JSON:
//   afterRevision: the highest revision read and handed over (the feed resumes after it);
//   inRun: a paging run is under way (the pending queue was read on its first page).
struct Cursor {
  int64_t after_revision = 0;
  bool in_run = false;
};

std::string EncodeCursor(const Cursor& c) {
  return "{\"afterRevision\":" + std::to_string(c.after_revision) +
         ",\"inRun\":" + (c.in_run ? "true" : "false") + "}";
}

Result<Cursor> DecodeCursor(const std::string& text) {
  Cursor c;
  if (text.empty()) return c;
  rapidjson::Document doc;
  HS_RETURN_IF_ERROR(json::Parse(text, doc));
  if (!doc.IsObject() || !doc.HasMember("afterRevision") || !doc["afterRevision"].IsInt64() ||
      doc["afterRevision"].GetInt64() < 0 || !doc.HasMember("inRun") || !doc["inRun"].IsBool()) {
    return Status::InvalidArgument("saved cursor has an unexpected shape");
  }
  c.after_revision = doc["afterRevision"].GetInt64();
  c.in_run = doc["inRun"].GetBool();
  return c;
}

// The platform's word in a body ({"result": "…"}), or "" when the body has none.
std::string ResultWord(const rapidjson::Document& doc) {
  if (!doc.IsObject()) return {};
  auto it = doc.FindMember("result");
  if (it == doc.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// An error body decoded as well as it can be; a null document when it cannot.
void ReadErrorBody(const std::string& body, rapidjson::Document& doc) {
  auto utf8 = gbk::GbkToUtf8(body);
  if (!utf8.ok() || !json::Parse(*utf8, doc).ok()) doc.SetNull();
}

bool ValidDispatchId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
           c == '_' || c == '.';
  });
}

class ProvincialAdapter final : public adapters::Adapter {
 public:
  ProvincialAdapter(Options o, const adapters::Deps& deps)
      : o_(std::move(o)),
        deps_(deps),
        record_buffer_(std::make_unique<char[]>(kRecordBufferBytes)),
        record_pool_(record_buffer_.get(), kRecordBufferBytes) {
    while (!o_.base_url.empty() && o_.base_url.back() == '/') o_.base_url.pop_back();
  }

  std::string_view name() const override { return "provincial"; }

  Result<adapters::Page> Pull(const std::string& cursor_text, Reject& page_reject) override {
    auto decoded = DecodeCursor(cursor_text);
    Cursor cursor;
    if (decoded.ok()) {
      cursor = *decoded;
    } else {
      deps_.logger->error(
          "saved cursor is unreadable ({}); reading the feed from the start, which repeats "
          "records harmlessly",
          decoded.status().message());
    }
    adapters::Page page;
    const std::string limit = std::to_string(o_.page_size);
    if (!cursor.in_run) {  // A run's first page also reads the queue of dispatches not accepted.
      HS_ASSIGN_OR_RETURN(PageBody pending, Fetch("/prov/api/dispatch?state=PENDING&limit=" + limit,
                                                  page, page_reject));
      int64_t ignored = 0;
      ReadItems(pending, page, ignored);
    }
    const std::string query =
        "/prov/api/dispatch/changes?afterRevision=" + std::to_string(cursor.after_revision) +
        "&limit=" + limit;
    HS_ASSIGN_OR_RETURN(PageBody changes, Fetch(query, page, page_reject));
    auto last = changes.envelope.FindMember("lastRevision");
    if (last == changes.envelope.MemberEnd() || !last->value.IsInt64() ||
        last->value.GetInt64() < cursor.after_revision) {
      page_reject = {"GET " + query, "lastRevision is missing or behind afterRevision",
                     changes.text};
      return Status::Rejected("changes page has no usable lastRevision (GET " + query + ")");
    }
    const size_t rejects_before = page.rejects.size();
    int64_t highest = cursor.after_revision;
    ReadItems(changes, page, highest);
    int64_t next = cursor.after_revision;
    if (!changes.items.empty()) {
      // lastRevision is the last item's; never beyond what this page showed, unless an item that
      // could not be read (its revision unknown) may carry it.
      next = page.rejects.size() > rejects_before ? last->value.GetInt64()
                                                  : std::min(last->value.GetInt64(), highest);
    }
    page.has_more =
        static_cast<int>(changes.items.size()) >= o_.page_size && next > cursor.after_revision;
    cursor.after_revision = next;
    cursor.in_run = page.has_more;
    page.next_cursor = EncodeCursor(cursor);
    return page;
  }

  Status CheckHealth() override {
    adapters::Page page;
    Reject ignored;
    return Fetch("/prov/api/dispatch?state=PENDING&limit=1", page, ignored).status();
  }

  Result<adapters::PushResult> Push(const adapters::PushItem& item) override {
    if (item.action != "accept" && item.action != "result" && item.action != "return") {
      return Status::InvalidArgument("provincial: unknown push action \"" + item.action +
                                     "\" (accept, result, return)");
    }
    if (!ValidDispatchId(item.target_ref)) {
      return Status::InvalidArgument("provincial: target_ref is not a dispatchId");
    }
    std::string payload = item.payload.empty() && item.action == "accept" ? "{}" : item.payload;
    rapidjson::Document doc;
    Status parsed = json::Parse(payload, doc);
    if (!parsed.ok() || !doc.IsObject()) {
      return Status::InvalidArgument("provincial " + item.action + " payload of outbox item " +
                                     std::to_string(item.id) + " is not a JSON object");
    }
    HS_ASSIGN_OR_RETURN(std::string body, gbk::Utf8ToGbkJson(payload));
    const std::string what = item.action + " of dispatch " + item.target_ref;
    HttpRequest req = Signed("POST", "/prov/api/dispatch/" + item.target_ref + "/" + item.action);
    req.headers.emplace_back("Content-Type", kGbkJson);
    req.body = std::move(body);
    Result<HttpResponse> sent = deps_.transport->Send(req);
    if (!sent.ok()) {
      Status s = sent.status().WithContext(what);
      // A timeout or a reset may come after the platform acted on the request.
      if (s.code() == StatusCode::kUnavailable) s.set_outcome_unknown();
      return s;
    }
    return ReadPushAnswer(*sent, item, what);
  }

 private:
  HttpRequest Signed(const std::string& method, const std::string& path_and_query) {
    const std::string ts = std::to_string(deps_.clock->NowMillis());
    HttpRequest req;
    req.method = method;
    req.url = o_.base_url + path_and_query;
    req.headers = {{"X-City-Code", o_.city_code},
                   {"X-Timestamp", ts},
                   {"X-Signature", Signature(o_.city_code, ts, o_.secret)},
                   {"Accept", "application/json"}};
    return req;
  }

  // Status codes every endpoint shares; Ok for 200.
  Status ClassifyHttp(const HttpResponse& resp, const std::string& what) {
    if (resp.status == 200) return Status::Ok();
    if (resp.status == 403) {
      return Status::Unauthenticated(
          what +
          ": the province refused the request (403 FORBIDDEN). Likely causes: this "
          "machine's clock is more than 5 minutes off (check with `timedatectl` that the "
          "clock is synchronised by NTP), the secret in secret_file is wrong, or city_code " +
          o_.city_code + " is not the city this key belongs to");
    }
    if (resp.status == 429) {
      return Status::Unavailable(what + ": rate limited by the province (429 RATE_LIMITED)")
          .set_retry_after_ms(resp.RetryAfterMs(1000));
    }
    if (resp.status >= 500) {
      return Status::Unavailable(what + ": the province answered HTTP " +
                                 std::to_string(resp.status))
          .set_retry_after_ms(resp.RetryAfterMs(0));
    }
    if (resp.status == 413) {
      return Status::Rejected(what + ": body over the province's 1 MiB limit (413)");
    }
    if (resp.status == 404) return Status::NotFound(what + ": no such dispatch or path (404)");
    if (resp.status == 400) {
      return Status::InvalidArgument(what + ": the province called the request malformed (400)");
    }
    return Status::Rejected(what + ": the province answered HTTP " + std::to_string(resp.status) +
                            "; check base_url (the adapter adds /prov/api/…)");
  }

  // GET one list; the page's envelope and item bytes on success.
  Result<PageBody> Fetch(const std::string& path_and_query, adapters::Page& page,
                         Reject& page_reject) {
    ++page.requests;
    const std::string what = "GET " + path_and_query;
    HS_ASSIGN_OR_RETURN(HttpResponse resp, deps_.transport->Send(Signed("GET", path_and_query)));
    HS_RETURN_IF_ERROR(ClassifyHttp(resp, what));
    PageBody feed;
    Status parsed = ReadPageBody(std::move(resp.body), feed);
    if (!parsed.ok()) {
      page_reject = {what, parsed.message(), feed.text};
      return Status::Rejected(parsed.message() + " (" + what + ")");
    }
    return feed;
  }

  // Maps the items of `feed` into page.tickets or page.rejects; raises `highest` to the highest
  // revision mapped.
  void ReadItems(const PageBody& feed, adapters::Page& page, int64_t& highest) {
    const size_t first = page.tickets.size();
    MapPage(feed, record_pool_, page.tickets, page.rejects);
    for (size_t i = first; i < page.tickets.size(); ++i) {
      highest = std::max(highest, page.tickets[i].version);
    }
  }

  Result<adapters::PushResult> ReadPushAnswer(const HttpResponse& resp,
                                              const adapters::PushItem& item,
                                              const std::string& what) {
    rapidjson::Document doc;
    ReadErrorBody(resp.body, doc);
    const std::string word = ResultWord(doc);
    adapters::PushResult done;
    done.remote_id = item.target_ref;
    if (resp.status == 200) return done;
    if (resp.status == 409 && word == "ALREADY_SUBMITTED" && item.action == "result") {
      deps_.logger->info(
          "{}: a result already stands (409 ALREADY_SUBMITTED); the first one counts", what);
      return done;
    }
    if (resp.status == 409) {
      return Status::Rejected(what + ": refused (409 " + (word.empty() ? "?" : word) +
                              "): " + StateProblem(item.action));
    }
    if (resp.status == 422) {
      std::string missing;
      const rapidjson::Value* m = json::Member(doc, "missing");
      if (m != nullptr && m->IsArray()) {
        for (const auto& v : m->GetArray()) {
          if (v.IsString()) missing += (missing.empty() ? "" : ", ") + std::string(v.GetString());
        }
      }
      adapters::PushResult held;
      held.outcome = adapters::PushResult::Outcome::kHeld;
      held.remote_id = item.target_ref;
      held.detail = missing.empty() ? "(the province named no field)" : missing;
      return held;
    }
    Status s = ClassifyHttp(resp, what);
    if (s.ok()) s = Status::Internal(what + ": unexpected answer");
    if (resp.status == 502 || resp.status == 504) s.set_outcome_unknown();  // A proxy timed out.
    return s;
  }

  static std::string StateProblem(const std::string& action) {
    if (action == "accept") {
      return "the dispatch was returned to the province (RETURNED) and can no longer be accepted";
    }
    if (action == "result") {
      return "a result can be submitted only in ACCEPTED or REOPENED; the dispatch is PENDING "
             "(accept it first) or RETURNED";
    }
    return "a dispatch can be returned only while PENDING or ACCEPTED; it already has a result, "
           "was reopened or is closed";
  }

  Options o_;
  adapters::Deps deps_;
  // An item's DOM is built in this buffer, reused item after item (larger ones spill to the heap).
  static constexpr size_t kRecordBufferBytes = 256 * 1024;
  std::unique_ptr<char[]> record_buffer_;
  rapidjson::MemoryPoolAllocator<> record_pool_;
};

}  // namespace

Result<Options> ReadOptions(config::Section& s) {
  Options o;
  o.base_url = s.RequiredString("base_url");
  o.city_code = s.RequiredString("city_code");
  o.secret = s.Secret("secret_file");
  o.page_size = static_cast<int>(s.Int("page_size", kMaxPageSize, 1, kMaxPageSize));
  if (!o.base_url.empty()) {
    Status url = hotline12345::ValidateBaseUrl(o.base_url);
    if (!url.ok()) s.Fail("base_url", url.message());
  }
  if (!o.city_code.empty() &&
      (o.city_code.size() != 6 || !std::all_of(o.city_code.begin(), o.city_code.end(),
                                               [](char c) { return c >= '0' && c <= '9'; }))) {
    s.Fail("city_code", "must be the city's six-digit division code, e.g. 430600");
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
  return std::make_unique<ProvincialAdapter>(std::move(options), deps);
}

}  // namespace hs::provincial
