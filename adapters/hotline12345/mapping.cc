#include "adapters/hotline12345/mapping.h"

#include <optional>
#include <string>

#include "daemon/core/field_reader.h"
#include "daemon/core/json.h"
#include "daemon/core/json_split.h"
#include "daemon/core/time_util.h"

namespace hs::hotline12345 {
namespace {

constexpr size_t kMaxIdBytes = 64;
constexpr size_t kMaxLogEntries = 10'000;

// The 12345 platform's fields; its times are "yyyy-MM-dd HH:mm:ss" in Beijing time.
class Reader : public json::FieldReader {
 public:
  using FieldReader::FieldReader;

  std::optional<int64_t> Time(const char* key, bool required) {
    return Parsed(key, required, "a time string", ParseShanghaiTime);
  }
};

bool IsRevisitResult(std::string_view s) {
  return s == "满意" || s == "基本满意" || s == "不满意" || s == "未联系上";
}

Status MapHistory(const rapidjson::Value& log, std::vector<HistoryEntry>& out) {
  if (!log.IsArray()) {
    return Status::InvalidArgument(std::string("field lzjl must be an array, got ") +
                                   std::string(json::TypeName(log)));
  }
  if (log.Size() > kMaxLogEntries)
    return Status::InvalidArgument("field lzjl has too many entries");
  out.reserve(log.Size());
  for (rapidjson::SizeType i = 0; i < log.Size(); ++i) {
    const rapidjson::Value& e = log[i];
    std::string prefix = "lzjl[" + std::to_string(i) + "].";
    if (!e.IsObject()) {
      return Status::InvalidArgument("field lzjl[" + std::to_string(i) + "] must be an object");
    }
    Reader r(e, prefix);
    HistoryEntry h;
    h.at = r.Time("sj", true).value_or(0);
    h.action = r.Str("dz", true, kMaxIdBytes);
    h.unit = r.Str("dw", false, 256);
    h.note = r.Str("sm", false);
    h.result = r.Str("jg", false, 64);
    h.external_ref = r.Str("wbbh", false, kMaxIdBytes);
    if (r.status().ok() && !h.result.empty() && !IsRevisitResult(h.result)) {
      r.Fail("jg", "must be 满意, 基本满意, 不满意 or 未联系上");
    }
    HS_RETURN_IF_ERROR(r.status());
    out.push_back(std::move(h));
  }
  return Status::Ok();
}

}  // namespace

std::string_view CanonicalState(std::string_view gdzt) {
  if (gdzt == "待签收") return state::kPending;
  if (gdzt == "办理中") return state::kInProgress;
  if (gdzt == "延期审核中") return state::kExtensionReview;
  if (gdzt == "已办结") return state::kClosed;
  if (gdzt == "已回访") return state::kRevisited;
  if (gdzt == "已归档") return state::kArchived;
  if (gdzt == "已退单") return state::kReturned;
  return {};
}

std::string RecordIdFromBytes(std::string_view raw) {
  return json::IdFieldFromBytes(raw, "gdbh", kMaxIdBytes);
}

std::string_view RecordId(const rapidjson::Value& record) {
  return json::IdField(record, "gdbh", kMaxIdBytes);
}

Status MapRecord(const rapidjson::Value& record, Ticket& t) {
  if (!record.IsObject()) {
    return Status::InvalidArgument(std::string("record must be an object, got ") +
                                   std::string(json::TypeName(record)));
  }
  Reader r(record, "");
  t.external_id = r.Str("gdbh", true, kMaxIdBytes);
  t.external_ref = r.Str("wbbh", false, kMaxIdBytes);
  t.accepted_at = r.Time("slsj", true);
  t.channel = r.Str("qdly", true, 64);
  t.complainant = r.Str("sqr", false, 256);
  t.phone = r.Str("lxdh", false, 64);
  t.id_number = r.Str("zjhm", false, 64);
  t.kind = r.Str("sqlx", true, 64);
  t.category = r.Str("sqfl", true, 256);
  t.title = r.Str("sqbt", false, 1024);
  t.content = r.Str("sqnr", true);
  t.address = r.Str("fsdz", false, 1024);
  t.unit = r.Str("cbdw", true, 256);
  t.unit_code = r.Str("cbdwbm", false, kMaxIdBytes);
  t.deadline = r.Time("blsx", true);
  t.extended_deadline = r.Time("yqsx", false);
  std::string gdzt = r.Str("gdzt", true, 64);
  t.closed_at = r.Time("bjsj", false);
  t.closure_text = r.Str("bjnr", false);
  t.revisit_result = r.Str("hfjg", false, 64);
  t.revisited_at = r.Time("hfsj", false);
  t.rework_count = r.Int("fgcs", false, 0, 10'000).value_or(0);
  t.deputy = r.Bool("rddb");
  t.enterprise = r.Bool("sq");
  t.updated_at = r.Time("gxsj", true).value_or(0);
  t.version = t.updated_at;
  HS_RETURN_IF_ERROR(r.status());

  t.state = std::string(CanonicalState(gdzt));
  t.native_state = std::move(gdzt);
  if (t.state.empty()) {
    return Status::InvalidArgument(
        "field gdzt is not a known state (待签收, 办理中, 延期审核中, "
        "已办结, 已回访, 已归档, 已退单)");
  }
  if (!t.revisit_result.empty() && !IsRevisitResult(t.revisit_result)) {
    return Status::InvalidArgument("field hfjg must be 满意, 基本满意, 不满意 or 未联系上");
  }
  t.history.clear();
  auto log = record.FindMember("lzjl");
  if (log != record.MemberEnd() && !log->value.IsNull())
    HS_RETURN_IF_ERROR(MapHistory(log->value, t.history));
  return Status::Ok();
}

Status ReadPageBody(std::string text, PageBody& out) {
  out.text = std::move(text);
  out.records.clear();
  // Records are split out and parsed one by one, so that one bad record rejects only itself.
  auto split = json::SplitArrayAt(out.text, {"data", "list"});
  Status parsed = json::Parse(split ? std::string_view(split->rest) : out.text, out.envelope);
  if (parsed.ok() && (!out.envelope.IsObject() || !out.envelope.HasMember("code") ||
                      !out.envelope["code"].IsInt64())) {
    parsed = Status::InvalidArgument("response is not the platform's envelope {code, msg, data}");
  }
  HS_RETURN_IF_ERROR(parsed);
  if (split) {
    for (std::string_view r : split->elements) {
      out.records.emplace_back(static_cast<size_t>(r.data() - out.text.data()), r.size());
    }
  }
  return Status::Ok();
}

void MapRecordBytes(std::string_view bytes, rapidjson::MemoryPoolAllocator<>& pool,
                    std::vector<Ticket>& tickets, std::vector<Reject>& rejects) {
  Ticket t;
  Status s;
  {
    rapidjson::Document doc(&pool);  // The pool's memory is reused record after record.
    s = json::Parse(bytes, doc);
    if (s.ok()) s = MapRecord(doc, t);
  }
  pool.Clear();
  if (!s.ok()) {
    rejects.push_back({RecordIdFromBytes(bytes), s.message(), std::string(bytes)});
    return;
  }
  t.raw = std::string(bytes);
  tickets.push_back(std::move(t));
}

Status MapPage(const PageBody& body, rapidjson::MemoryPoolAllocator<>& pool,
               std::vector<Ticket>& tickets, std::vector<Reject>& rejects, PageLinks& links) {
  const rapidjson::Value* data = json::Member(body.envelope, "data");
  const rapidjson::Value* list = data ? json::Member(*data, "list") : nullptr;
  const rapidjson::Value* next = data ? json::Member(*data, "next_cursor") : nullptr;
  const rapidjson::Value* more = data ? json::Member(*data, "has_more") : nullptr;
  if (list == nullptr || !list->IsArray() || next == nullptr || !next->IsString() ||
      more == nullptr || !more->IsBool()) {
    return Status::InvalidArgument("data is not {list, next_cursor, has_more}");
  }
  // A cursor to follow, whole: one cut at a NUL ("\u0000") would be empty or another cursor.
  const std::string_view cursor(next->GetString(), next->GetStringLength());
  if (more->GetBool() && (cursor.empty() || cursor.find('\0') != std::string_view::npos)) {
    return Status::InvalidArgument("data is not {list, next_cursor, has_more}");
  }
  tickets.reserve(tickets.size() + body.records.size() + list->Size());
  for (const auto& [offset, length] : body.records) {
    MapRecordBytes(std::string_view(body.text).substr(offset, length), pool, tickets, rejects);
  }
  for (const rapidjson::Value& rec : list->GetArray()) {  // Only when not split.
    MapRecordBytes(json::Write(rec), pool, tickets, rejects);
  }
  links.has_more = more->GetBool();
  links.next_cursor = std::string(cursor);
  return Status::Ok();
}

}  // namespace hs::hotline12345
