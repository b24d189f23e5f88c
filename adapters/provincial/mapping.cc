#include "adapters/provincial/mapping.h"

#include <optional>
#include <string>

#include "daemon/core/json.h"
#include "daemon/core/time_util.h"

namespace hs::provincial {
namespace {

constexpr size_t kMaxIdBytes = 64;
constexpr size_t kMaxTextBytes = 64 * 1024;
constexpr int64_t kMaxRevision = int64_t{1} << 53;  // Exact in every JSON reader.

bool IsOrigin(std::string_view s) {
  return s == kOriginStateCouncil || s == kOriginGovService || s == kOriginGovernor ||
         s == kOriginXiangYiBan;
}

// Reads fields of one JSON object, remembering the first problem. Messages name the field only.
class Reader {
 public:
  Reader(const rapidjson::Value& obj, std::string prefix) : obj_(obj), prefix_(std::move(prefix)) {}

  const Status& status() const { return status_; }

  // A string field. Absent or null: "" when not required (nullable), an error when required.
  std::string Str(const char* key, bool required, size_t max_bytes, bool non_empty = false) {
    const rapidjson::Value* v = Find(key, required);
    if (v == nullptr || !Expect(key, v->IsString(), "a string", *v)) return {};
    std::string_view s(v->GetString(), v->GetStringLength());
    if (s.size() > max_bytes) {
      Fail(key, "is longer than " + std::to_string(max_bytes) + " bytes");
    } else if (s.find('\0') != std::string_view::npos) {
      Fail(key, "contains a NUL character");
    } else if (non_empty && s.empty()) {
      Fail(key, "must not be empty");
    } else {
      return std::string(s);
    }
    return {};
  }

  std::optional<int64_t> Time(const char* key) {
    const rapidjson::Value* v = Find(key, true);
    if (v == nullptr || !Expect(key, v->IsString(), "an ISO 8601 time string", *v)) {
      return std::nullopt;
    }
    auto t = ParseIsoTime(std::string_view(v->GetString(), v->GetStringLength()));
    if (!t.ok()) {
      Fail(key, t.status().message());
      return std::nullopt;
    }
    return *t;
  }

  int64_t Int(const char* key, int64_t min, int64_t max) {
    const rapidjson::Value* v = Find(key, true);
    if (v == nullptr || !Expect(key, v->IsInt64(), "a whole number", *v)) return 0;
    if (v->GetInt64() < min || v->GetInt64() > max) {
      Fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
      return 0;
    }
    return v->GetInt64();
  }

  const rapidjson::Value* Find(const char* key, bool required) {
    if (!status_.ok()) return nullptr;
    auto it = obj_.FindMember(key);
    if (it == obj_.MemberEnd() || it->value.IsNull()) {
      if (required) Fail(key, it == obj_.MemberEnd() ? "is missing" : "must not be null");
      return nullptr;
    }
    return &it->value;
  }

  void Fail(const char* key, const std::string& what) {
    if (status_.ok()) status_ = Status::InvalidArgument("field " + prefix_ + key + " " + what);
  }

  // Records "must be <what>, got <type>" unless `ok`; returns ok.
  bool Expect(const char* key, bool ok, const char* what, const rapidjson::Value& v) {
    if (!ok) Fail(key, std::string("must be ") + what + ", got " + std::string(json::TypeName(v)));
    return ok;
  }

 private:
  const rapidjson::Value& obj_;
  std::string prefix_;
  Status status_;
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
  size_t k = raw.find("\"dispatchId\"");
  if (k == std::string_view::npos) return {};
  size_t i = k + 12;
  while (i < raw.size() && (raw[i] == ' ' || raw[i] == ':' || raw[i] == '\t')) ++i;
  if (i >= raw.size() || raw[i] != '"') return {};
  size_t end = raw.find('"', i + 1);
  if (end == std::string_view::npos || end - i - 1 > kMaxIdBytes) return {};
  std::string_view id = raw.substr(i + 1, end - i - 1);
  for (char c : id) {
    if (c < 0x21 || c > 0x7e || c == '\\') return {};
  }
  return std::string(id);
}

Status MapRecord(const rapidjson::Value& record, Ticket& t) {
  if (!record.IsObject()) {
    return Status::InvalidArgument(std::string("record must be an object, got ") +
                                   std::string(json::TypeName(record)));
  }
  Reader r(record, "");
  t.external_id = r.Str("dispatchId", true, kMaxIdBytes, true);
  std::string origin = r.Str("origin", true, 128, true);
  if (r.status().ok() && !IsOrigin(origin)) {
    r.Fail("origin",
           "is not a known channel (国务院客户端/中国政府网留言, 国家政务服务投诉, "
           "省长信箱, 湘易办)");
  }
  t.channel = std::move(origin);
  t.external_ref = r.Str("originNo", true, kMaxIdBytes);
  t.accepted_at = r.Time("dispatchedAt");
  t.deadline = r.Time("deadline");
  t.title = r.Str("subject", true, 1024);
  t.content = r.Str("content", true, kMaxTextBytes, true);
  t.address = r.Str("area", true, 1024, true);
  std::string native = r.Str("state", true, 64, true);
  t.version = r.Int("revision", 0, kMaxRevision);
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

}  // namespace hs::provincial
