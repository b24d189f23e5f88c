#include "adapters/hotline12345/client.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <charconv>

#include "adapters/hotline12345/mapping.h"
#include "daemon/core/json.h"
#include "daemon/core/time_util.h"
#include "daemon/crypto/crypto.h"

namespace hs::hotline12345 {
namespace {

constexpr int kMaxPageSize = 500;

// The adapter's cursor, stored by the core as JSON:
//   since: the paging run's `since` ("" = from the start); next: the platform's next_cursor;
//   next_at_ms: when `next` was issued; high: newest gxsj read in this run (Unix seconds).
struct Cursor {
  std::string since;
  std::string next;
  int64_t next_at_ms = 0;
  int64_t high = 0;
};

std::string EncodeCursor(const Cursor& c) {
  std::string out = "{\"since\":";
  json::AppendQuoted(out, c.since);
  out += ",\"next\":";
  json::AppendQuoted(out, c.next);
  out += ",\"next_at_ms\":" + std::to_string(c.next_at_ms) + ",\"high\":" + std::to_string(c.high) +
         "}";
  return out;
}

Result<Cursor> DecodeCursor(const std::string& text) {
  Cursor c;
  if (text.empty()) return c;
  rapidjson::Document doc;
  HS_RETURN_IF_ERROR(json::Parse(text, doc));
  auto str = [&](const char* k) -> const rapidjson::Value* {
    auto it = doc.FindMember(k);
    return it == doc.MemberEnd() ? nullptr : &it->value;
  };
  const auto* since = doc.IsObject() ? str("since") : nullptr;
  const auto* next = doc.IsObject() ? str("next") : nullptr;
  const auto* at = doc.IsObject() ? str("next_at_ms") : nullptr;
  const auto* high = doc.IsObject() ? str("high") : nullptr;
  if (since == nullptr || !since->IsString() || next == nullptr || !next->IsString() ||
      at == nullptr || !at->IsInt64() || high == nullptr || !high->IsInt64()) {
    return Status::InvalidArgument("saved cursor has an unexpected shape");
  }
  c.since = since->GetString();
  c.next = next->GetString();
  c.next_at_ms = at->GetInt64();
  c.high = high->GetInt64();
  if (!c.since.empty()) HS_RETURN_IF_ERROR(ParseShanghaiTime(c.since).status());
  return c;
}

// localhost, [::1] or a dotted IPv4 literal in 127.0.0.0/8 (not a name that starts with "127.").
bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  int octets = 0;
  for (size_t i = 0; i <= host.size(); ++octets) {
    size_t dot = host.find('.', i);
    std::string_view part =
        host.substr(i, dot == std::string_view::npos ? std::string_view::npos : dot - i);
    int value = -1;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc() || end != part.data() + part.size() || part.empty() || value > 255 ||
        (octets == 0 && value != 127)) {
      return false;
    }
    if (dot == std::string_view::npos) break;
    i = dot + 1;
  }
  return octets == 3;
}

// Splits "scheme://host[:port]/path" into scheme, host and path (without trailing '/').
struct Url {
  std::string scheme, host, path;
};
Result<Url> SplitUrl(const std::string& url) {
  size_t p = url.find("://");
  if (p == std::string::npos) return Status::InvalidArgument("base_url must start with https://");
  Url u;
  u.scheme = url.substr(0, p);
  size_t host_start = p + 3;
  size_t slash = url.find('/', host_start);
  std::string hostport =
      url.substr(host_start, slash == std::string::npos ? std::string::npos : slash - host_start);
  if (hostport.empty()) return Status::InvalidArgument("base_url has no host");
  if (hostport.find_first_of("@?#") != std::string::npos) {
    return Status::InvalidArgument("base_url must not hold credentials, a query or a fragment");
  }
  u.host = hostport.starts_with("[") ? hostport.substr(0, hostport.find(']') + 1)
                                     : hostport.substr(0, hostport.find(':'));
  u.path = slash == std::string::npos ? "" : url.substr(slash);
  while (!u.path.empty() && u.path.back() == '/') u.path.pop_back();
  return u;
}

class HotlineAdapter final : public adapters::Adapter {
 public:
  HotlineAdapter(Options o, const adapters::Deps& deps)
      : o_(std::move(o)),
        deps_(deps),
        record_buffer_(std::make_unique<char[]>(kRecordBufferBytes)),
        record_pool_(record_buffer_.get(), kRecordBufferBytes) {
    while (!o_.base_url.empty() && o_.base_url.back() == '/') o_.base_url.pop_back();
    auto url = SplitUrl(o_.base_url);
    path_prefix_ = url.ok() ? url->path : "";
  }

  std::string_view name() const override { return "hotline12345"; }

  Result<adapters::Page> Pull(const std::string& cursor_text, Reject& page_reject) override {
    auto decoded = DecodeCursor(cursor_text);
    Cursor cursor;
    if (decoded.ok()) {
      cursor = *decoded;
    } else {
      deps_.logger->error(
          "saved cursor is unreadable ({}); reading from the start, which repeats "
          "records harmlessly",
          decoded.status().message());
    }
    const int64_t now_ms = deps_.clock->NowMillis();
    bool resume = !cursor.next.empty() && now_ms - cursor.next_at_ms < o_.cursor_max_age_ms;
    adapters::Page page;
    Result<PageBody> data = Fetch(cursor.since, resume ? cursor.next : "", page, page_reject);
    if (!data.ok() && resume && data.status().code() == StatusCode::kNotFound) {
      deps_.logger->info("cursor expired (40010); restarting from since={}",
                         cursor.since.empty() ? "the start" : cursor.since);
      resume = false;
      data = Fetch(cursor.since, "", page, page_reject);
    }
    if (!data.ok()) return data.status();
    if (!resume) cursor.high = 0;  // A new paging run.
    HS_RETURN_IF_ERROR(ReadPage(*data, now_ms, cursor, page, page_reject));
    page.next_cursor = EncodeCursor(cursor);
    return page;
  }

  Status CheckHealth() override {
    adapters::Page page;
    Reject ignored;
    return Request({{"limit", "1"}}, page, ignored).status();
  }

  // Actions: "create" (POST /gongdan; payload: the new order's fields with wbbh) and "note"
  // (POST /gongdan/{target_ref}/lzjl; payload {"dz": "备注", "sm", "wbbh"}). The platform
  // deduplicates both on wbbh, forever: a repeat is 40901 with the first gdbh, or a no-op.
  Result<adapters::PushResult> Push(const adapters::PushItem& item) override {
    std::string rel_path;
    if (item.action == "create") {
      rel_path = "/gongdan";
    } else if (item.action == "note" && !item.target_ref.empty()) {
      rel_path = "/gongdan/" + PercentEncode(item.target_ref) + "/lzjl";
    } else {
      return Status::InvalidArgument("hotline12345 cannot push action '" + item.action +
                                     "' with target '" + item.target_ref + "'");
    }
    auto resp = SignedSend("POST", rel_path, "", item.payload);
    if (!resp.ok()) {
      Status s = resp.status();
      if (s.code() == StatusCode::kUnavailable) s.set_outcome_unknown();
      return s;
    }
    if (resp->status == 502 || resp->status == 504) {
      return Status::Unavailable("proxy answered HTTP " + std::to_string(resp->status))
          .set_outcome_unknown();
    }
    HS_RETURN_IF_ERROR(ClassifyHttp(*resp));
    rapidjson::Document doc;
    Status parsed = json::Parse(resp->body, doc);
    if (parsed.ok() && (!doc.IsObject() || !doc.HasMember("code") || !doc["code"].IsInt64())) {
      parsed = Status::InvalidArgument("not the platform's envelope {code, msg, data}");
    }
    if (!parsed.ok()) {
      return Status::Unavailable("unreadable answer to POST " + rel_path + ": " + parsed.message())
          .set_outcome_unknown();
    }
    adapters::PushResult out;
    const int64_t code = doc["code"].GetInt64();
    if (code != 0 && !(code == 40901 && item.action == "create")) {
      Status s = ClassifyCode(doc);
      return s.WithContext("POST " + rel_path);
    }
    if (item.action == "note") {
      out.remote_id = item.target_ref;
      return out;
    }
    auto data = doc.FindMember("data");
    if (data == doc.MemberEnd() || !data->value.IsObject() || !data->value.HasMember("gdbh") ||
        !data->value["gdbh"].IsString() || data->value["gdbh"].GetStringLength() == 0) {
      return Status::Unavailable("answer to POST /gongdan has no data.gdbh").set_outcome_unknown();
    }
    out.remote_id = data->value["gdbh"].GetString();
    return out;
  }

 private:
  // GET /gongdan; the page on success. 40010 (cursor expired) is NotFound.
  Result<PageBody> Fetch(const std::string& since, const std::string& next, adapters::Page& page,
                         Reject& page_reject) {
    QueryParams q{{"limit", std::to_string(o_.page_size)}};
    if (!since.empty()) q.emplace_back("since", since);
    if (!next.empty()) q.emplace_back("cursor", next);
    return Request(std::move(q), page, page_reject);
  }

  // Sends a signed request to base_url + rel_path (e.g. "/gongdan").
  Result<HttpResponse> SignedSend(const std::string& method, const std::string& rel_path,
                                  const std::string& canonical_query, const std::string& body) {
    const std::string ts = std::to_string(deps_.clock->NowMillis() / 1000);
    const std::string nonce = crypto::RandomHex(12);
    HttpRequest req;
    req.method = method;
    req.url = o_.base_url + rel_path + (canonical_query.empty() ? "" : "?" + canonical_query);
    req.headers = {{"X-App-Key", o_.app_key},
                   {"X-Timestamp", ts},
                   {"X-Nonce", nonce},
                   {"X-Sign", Sign(o_.app_secret, StringToSign(method, path_prefix_ + rel_path,
                                                               canonical_query, ts, nonce, body))},
                   {"Accept", "application/json"}};
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
    return deps_.transport->Send(req);
  }

  Result<PageBody> Request(QueryParams query, adapters::Page& page, Reject& page_reject) {
    const std::string path = path_prefix_ + "/gongdan";
    const std::string canonical = CanonicalQuery(query);
    ++page.requests;
    HS_ASSIGN_OR_RETURN(HttpResponse resp, SignedSend("GET", "/gongdan", canonical, ""));
    HS_RETURN_IF_ERROR(ClassifyHttp(resp));
    PageBody body;
    Status parsed = ReadPageBody(std::move(resp.body), body);
    if (!parsed.ok()) {
      std::string where = "GET " + path + (canonical.empty() ? "" : "?" + canonical);
      page_reject = {where, parsed.message(), body.text};
      return Status::Rejected(parsed.message() + " (" + where + ")");
    }
    HS_RETURN_IF_ERROR(ClassifyCode(body.envelope));
    return body;
  }

  static Status ClassifyHttp(const HttpResponse& resp) {
    if (resp.status == 200) return Status::Ok();
    if (resp.status == 429) {
      return Status::Unavailable("rate limited by the platform (HTTP 429)")
          .set_retry_after_ms(resp.RetryAfterMs(1000));
    }
    if (resp.status >= 500) {  // A gateway in front of the platform may say when to come back.
      return Status::Unavailable("platform answered HTTP " + std::to_string(resp.status))
          .set_retry_after_ms(resp.RetryAfterMs(0));
    }
    return Status::Rejected("platform answered HTTP " + std::to_string(resp.status) +
                            "; check base_url (it should end in /api/v2)");
  }

  static Status ClassifyCode(const rapidjson::Document& doc) {
    int64_t code = doc["code"].GetInt64();
    if (code == 0) {
      if (!doc.HasMember("data")) return Status::Rejected("envelope with code 0 has no data");
      return Status::Ok();
    }
    std::string msg = "platform code " + std::to_string(code);
    auto m = doc.FindMember("msg");
    if (m != doc.MemberEnd() && m->value.IsString()) msg += " " + std::string(m->value.GetString());
    switch (code) {
      case 40010:
        return Status::NotFound(msg + " (cursor expired)");
      case 40101:
        return Status::Unauthenticated(msg +
                                       ": this machine's clock is more than 300 s off the "
                                       "platform's; check NTP (timedatectl)");
      case 40102:
        return Status::Unavailable(msg + ": nonce reused; the next try uses a new one");
      case 40103:
        return Status::Unauthenticated(msg +
                                       ": signature refused; check the secret in app_secret_file");
      case 40104:
        return Status::Unauthenticated(msg +
                                       ": unknown app_key; check [adapters.hotline12345] app_key");
      case 42201:
        return Status::InvalidArgument(msg + ": the platform refused the request's parameters");
      case 40400:
        return Status::NotFound(msg);
      default:
        if (code >= 50000) return Status::Unavailable(msg);
        return Status::Rejected(msg);
    }
  }

  // Maps the records of `body` and moves the cursor.
  Status ReadPage(const PageBody& body, int64_t now_ms, Cursor& cursor, adapters::Page& page,
                  Reject& page_reject) {
    const size_t first = page.tickets.size();
    PageLinks links;
    Status mapped = MapPage(body, record_pool_, page.tickets, page.rejects, links);
    if (!mapped.ok()) {
      page_reject = {"GET /gongdan since=" + cursor.since, mapped.message(), body.text};
      return Status::Rejected("page " + mapped.message());
    }
    const int64_t now_s = now_ms / 1000;
    for (size_t i = first; i < page.tickets.size(); ++i) {
      const Ticket& t = page.tickets[i];
      if (t.updated_at > now_s + 300) {
        deps_.logger->warn("order {} was updated {} ahead of this machine's clock", t.external_id,
                           FormatDurationMillis((t.updated_at - now_s) * 1000));
      }
      cursor.high = std::max(cursor.high, std::min(t.updated_at, now_s));
    }
    page.has_more = links.has_more;
    if (page.has_more) {
      cursor.next = std::move(links.next_cursor);
      cursor.next_at_ms = now_ms;
      return Status::Ok();
    }
    // The paging run is complete: the next one starts a look-back before the newest change read.
    cursor.next.clear();
    cursor.next_at_ms = 0;
    if (cursor.high > 0) {
      int64_t start = cursor.high - o_.lookback_ms / 1000;
      auto old =
          cursor.since.empty() ? Result<int64_t>(int64_t{0}) : ParseShanghaiTime(cursor.since);
      if (!old.ok() || start > *old) cursor.since = FormatShanghaiTime(start);
    }
    cursor.high = 0;
    return Status::Ok();
  }

  Options o_;
  adapters::Deps deps_;
  std::string path_prefix_;
  // A record's DOM is built in this buffer, reused record after record (larger ones spill to the
  // heap).
  static constexpr size_t kRecordBufferBytes = 256 * 1024;
  std::unique_ptr<char[]> record_buffer_;
  rapidjson::MemoryPoolAllocator<> record_pool_;
};

}  // namespace

Status ValidateBaseUrl(const std::string& url) {
  HS_ASSIGN_OR_RETURN(Url u, SplitUrl(url));
  if (u.scheme == "https") return Status::Ok();
  if (u.scheme == "http" && IsLoopbackHost(u.host)) return Status::Ok();
  if (u.scheme == "http") {
    return Status::InvalidArgument(
        "plain http is allowed only on loopback (127.0.0.1, localhost); use https");
  }
  return Status::InvalidArgument("base_url must be https:// (or http:// on loopback)");
}

Result<Options> ReadOptions(config::Section& s) {
  Options o;
  o.base_url = s.RequiredString("base_url");
  o.app_key = s.RequiredString("app_key");
  o.app_secret = s.Secret("app_secret_file");
  o.page_size = static_cast<int>(s.Int("page_size", 500, 1, kMaxPageSize));
  o.lookback_ms = s.DurationMillis("lookback", "60s", 0, 86'400'000);
  if (!o.base_url.empty()) {
    Status url = ValidateBaseUrl(o.base_url);
    if (!url.ok()) s.Fail("base_url", url.message());
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
  return std::make_unique<HotlineAdapter>(std::move(options), deps);
}

}  // namespace hs::hotline12345
