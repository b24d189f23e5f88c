#include "adapters/provincial/mapping.h"

#include <optional>
#include <string>

#include "daemon/core/field_reader.h"
#include "daemon/core/gbk.h"
#include "daemon/core/json.h"
#include "daemon/core/json_split.h"
#include "daemon/core/time_util.h"

namespace hs::provincial {
namespace {

constexpr size_t kMaxIdBytes = 64;
constexpr int64_t kMaxRevision = int64_t{1} << 53;  // Exact in every JSON reader.

bool IsOrigin(std::string_view s) {
  return s == kOriginStateCouncil || s == kOriginGovService || s == kOriginGovernor ||
         s == kOriginXiangYiBan;
}

// The province's fields: it sends every field, null when empty, so a required null is named as
// such; its times are ISO 8601 with an offset.
class Reader : public json::FieldReader {
 public:
  Reader(const rapidjson::Value& obj, std::string prefix)
      : FieldReader(obj, std::move(prefix), RequiredNull::kMustNotBeNull) {}

  std::optional<int64_t> Time(const char* key) {
    return Parsed(key, true, "an ISO 8601 time string", ParseIsoTime);
  }
};

}  // namespace

Result<int64_t> ParseIsoTime(std::string_view s) {
  constexpr const char* kShape = "time is not ISO 8601 with an offset (2023-06-12T09:31:05+08:00)";
  if (s.size() < 20 || s[10] != 'T') return Status::InvalidArgument(kShape);
  std::string local(s.substr(0, 19));
  local[10] = ' ';
  auto t = ParseShanghaiTime(local);  // As if the offset were +08:00; corrected below.
  if (!t.ok()) {
    if (t.status().message().find("does not exist") != std::string::npos) return t.status();
    return Status::InvalidArgument(kShape);
  }
  std::string_view offset = s.substr(19);
  int64_t offset_s = 0;
  if (offset != "Z") {
    auto digit = [&](size_t i) { return offset[i] >= '0' && offset[i] <= '9'; };
    if (offset.size() != 6 || (offset[0] != '+' && offset[0] != '-') || !digit(1) || !digit(2) ||
        offset[3] != ':' || !digit(4) || !digit(5)) {
      return Status::InvalidArgument(kShape);
    }
    int hh = (offset[1] - '0') * 10 + (offset[2] - '0');
    int mm = (offset[4] - '0') * 10 + (offset[5] - '0');
    if (hh > 23 || mm > 59) return Status::InvalidArgument("time has an offset out of range");
    offset_s = (hh * 3600 + mm * 60) * (offset[0] == '-' ? -1 : 1);
  }
  return *t + kShanghaiOffsetSeconds - offset_s;
}

std::string FormatIsoTime(int64_t unix_seconds) {
  std::string s = FormatShanghaiTime(unix_seconds);
  s[10] = 'T';
  return s + "+08:00";
}

std::string_view CanonicalState(std::string_view s) {
  if (s == "PENDING") return state::kPending;
  if (s == "ACCEPTED") return state::kInProgress;
  if (s == "RESULT_SUBMITTED") return state::kClosed;
  if (s == "RETURNED") return state::kReturned;
  if (s == "REOPENED") return state::kReopened;
  if (s == "CLOSED") return state::kArchived;
  return {};
}

std::string RecordIdFromBytes(std::string_view raw) {
  return json::IdFieldFromBytes(raw, "dispatchId", kMaxIdBytes);
}

Status MapRecord(const rapidjson::Value& record, Ticket& t) {
  if (!record.IsObject()) {
    return Status::InvalidArgument(std::string("record must be an object, got ") +
                                   std::string(json::TypeName(record)));
  }
  Reader r(record, "");
  t.external_id = r.Str("dispatchId", true, kMaxIdBytes);
  std::string origin = r.Str("origin", true, 128);
  if (r.status().ok() && !IsOrigin(origin)) {
    r.Fail("origin",
           "is not a known channel (国务院客户端/中国政府网留言, 国家政务服务投诉, "
           "省长信箱, 湘易办)");
  }
  t.channel = std::move(origin);
  t.external_ref = r.Str("originNo", true, kMaxIdBytes, /*allow_empty=*/true);
  t.accepted_at = r.Time("dispatchedAt");
  t.deadline = r.Time("deadline");
  t.title = r.Str("subject", true, 1024, /*allow_empty=*/true);
  t.content = r.Str("content", true);
  t.address = r.Str("area", true, 1024);
  std::string native = r.Str("state", true, 64);
  t.version = r.Int("revision", true, 0, kMaxRevision).value_or(0);
  HS_RETURN_IF_ERROR(r.status());

  t.complainant.clear();
  t.phone.clear();
  t.id_number.clear();
  auto citizen = record.FindMember("citizen");
  if (citizen == record.MemberEnd()) return Status::InvalidArgument("field citizen is missing");
  if (!citizen->value.IsNull()) {
    if (!citizen->value.IsObject()) {
      return Status::InvalidArgument(std::string("field citizen must be an object, got ") +
                                     std::string(json::TypeName(citizen->value)));
    }
    Reader c(citizen->value, "citizen.");
    t.complainant = c.Str("name", false, 256);
    t.phone = c.Str("phone", false, 64);
    t.id_number = c.Str("idNo", false, 64);
    HS_RETURN_IF_ERROR(c.status());
  }

  t.state = std::string(CanonicalState(native));
  if (t.state.empty()) {
    return Status::InvalidArgument(
        "field state is not a known state (PENDING, ACCEPTED, RESULT_SUBMITTED, RETURNED, "
        "REOPENED, CLOSED)");
  }
  t.native_state = std::move(native);
  t.updated_at = 0;  // The record carries no update time; `version` orders its versions.
  return Status::Ok();
}

std::string MaskGbk(std::string_view gbk) {
  std::string out(gbk);
  for (size_t i = 0; i < out.size(); ++i) {
    auto b = static_cast<unsigned char>(out[i]);
    if (b < 0x80) continue;
    out[i] = 'x';
    if (b >= 0x81 && b <= 0xfe && i + 1 < out.size()) {
      auto trail = static_cast<unsigned char>(out[i + 1]);
      if (trail >= 0x40 && trail != 0x7f && trail != 0xff) out[++i] = 'x';
    }
  }
  return out;
}

Status ReadPageBody(std::string text, PageBody& out) {
  out.text = std::move(text);
  out.items.clear();
  // Items are split out of the GBK bytes and decoded one by one, so that one bad item (invalid
  // GBK, a huge number…) rejects only itself. They are found in the masked text.
  const std::string masked = MaskGbk(out.text);
  auto split = json::SplitArrayAt(masked, {"items"});
  Status parsed;
  if (split) {
    // The envelope as sent, decoded, without the items: in the masked text two keys that differ
    // only in their non-ASCII characters ("提示", "说明") would be one key twice, which the strict
    // parser refuses. The masked text when the envelope is not GBK (its fields are ASCII).
    auto envelope = gbk::GbkToUtf8(out.text.substr(0, split->begin) + out.text.substr(split->end));
    parsed = json::Parse(envelope.ok() ? *envelope : split->rest, out.envelope);
  } else {
    auto utf8 = gbk::GbkToUtf8(out.text);
    parsed = utf8.ok() ? json::Parse(*utf8, out.envelope) : utf8.status();
  }
  HS_RETURN_IF_ERROR(parsed);
  const rapidjson::Value* result = json::Member(out.envelope, "result");
  const rapidjson::Value* items = json::Member(out.envelope, "items");
  if (result == nullptr || !result->IsString() ||
      std::string_view(result->GetString(), result->GetStringLength()) != "OK" ||
      items == nullptr || !items->IsArray()) {
    return Status::InvalidArgument("response is not the province's {result: OK, items}");
  }
  if (!split && items->Size() > 0) {  // Not expected to happen.
    return Status::InvalidArgument("the page's items could not be told apart");
  }
  if (split) {
    for (std::string_view e : split->elements) {
      out.items.emplace_back(static_cast<size_t>(e.data() - masked.data()), e.size());
    }
  }
  return Status::Ok();
}

void MapRecordBytes(std::string_view bytes, rapidjson::MemoryPoolAllocator<>& pool,
                    std::vector<Ticket>& tickets, std::vector<Reject>& rejects) {
  auto utf8 = gbk::GbkToUtf8(bytes);
  if (!utf8.ok()) {
    rejects.push_back({RecordIdFromBytes(bytes),
                       "record is not valid GBK: " + utf8.status().message(), std::string(bytes)});
    return;
  }
  Ticket t;
  Status s;
  {
    rapidjson::Document doc(&pool);  // The pool's memory is reused item after item.
    s = json::Parse(*utf8, doc);
    if (s.ok()) s = MapRecord(doc, t);
  }
  pool.Clear();
  if (!s.ok()) {
    rejects.push_back({RecordIdFromBytes(*utf8), s.message(), std::move(utf8).value()});
    return;
  }
  t.raw = std::move(utf8).value();
  tickets.push_back(std::move(t));
}

void MapPage(const PageBody& body, rapidjson::MemoryPoolAllocator<>& pool,
             std::vector<Ticket>& tickets, std::vector<Reject>& rejects) {
  for (const auto& [offset, length] : body.items) {
    MapRecordBytes(std::string_view(body.text).substr(offset, length), pool, tickets, rejects);
  }
}

}  // namespace hs::provincial
