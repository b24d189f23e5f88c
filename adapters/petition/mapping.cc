#include "adapters/petition/mapping.h"

#include <toml++/toml.h>

#include <optional>
#include <string>

#include "daemon/config/shipped.h"
#include "daemon/core/field_reader.h"
#include "daemon/core/json.h"
#include "daemon/core/json_split.h"

namespace hs::petition {
namespace {

constexpr size_t kMaxIdBytes = 64;
// Epoch milliseconds outside [2000-01-01, 2100-01-01) are refused as corrupt.
constexpr int64_t kMinEpochMs = 946'684'800'000;
constexpr int64_t kMaxEpochMs = 4'102'444'800'000;
constexpr int64_t kMaxPersons = 100'000;
constexpr int64_t kCollectivePersons = 4;  // 集体访 when more people than this come together.

// The petition platform's fields; its times are Unix milliseconds.
class Reader : public json::FieldReader {
 public:
  using FieldReader::FieldReader;

  // A Unix-milliseconds field; nullopt when absent or null and not required.
  std::optional<int64_t> Millis(const char* key, bool required) {
    const rapidjson::Value* v = Find(key, required);
    if (v == nullptr || !Expect(key, v->IsInt64(), "an integer (Unix milliseconds)", *v)) {
      return std::nullopt;
    }
    int64_t ms = v->GetInt64();
    if (ms < kMinEpochMs || ms >= kMaxEpochMs) {
      Fail(key, "is not a time between 2000 and 2100 in Unix milliseconds");
      return std::nullopt;
    }
    return ms;
  }
};

// 渠道来源 of a form, or "" when unknown.
std::string_view Channel(std::string_view form) {
  if (form == "LETTER") return "来信";
  if (form == "VISIT") return "来访";
  if (form == "ONLINE") return "网上信访";
  if (form == "HOTLINE") return "12345推送";
  return {};
}

// 回访结果 of a satisfaction value, or "" when unknown.
std::string_view RevisitResult(std::string_view satisfaction) {
  if (satisfaction == "SATISFIED") return "满意";
  if (satisfaction == "BASICALLY_SATISFIED") return "基本满意";
  if (satisfaction == "UNSATISFIED") return "不满意";
  return {};
}

// Reads petitioner (信访人) into `t`; any of its fields may be null.
Status MapPetitioner(const rapidjson::Value& p, Ticket& t) {
  Reader r(p, "petitioner.");
  t.complainant = r.Str("name", false, 256);
  t.phone = r.Str("mobile", false, 64);
  t.id_number = r.Str("idCard", false, 64);
  r.Str("address", false, 1024);  // Checked only: the ticket's address is the incident's.
  std::optional<int64_t> persons = r.Int("persons", false, 1, kMaxPersons, "an integer");
  HS_RETURN_IF_ERROR(r.status());
  t.kind = persons.value_or(1) > kCollectivePersons ? "集体访" : "";
  return Status::Ok();
}

}  // namespace

Result<CategoryMap> CategoryMap::FromToml(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(std::string(origin) + ":" +
                                   std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  const toml::table* codes = root["codes"].as_table();
  if (codes == nullptr || codes->empty()) {
    return Status::InvalidArgument(std::string(origin) + ": no [codes] table with entries");
  }
  CategoryMap map;
  for (const auto& [key, node] : *codes) {
    std::string code(key.str());
    const toml::table* entry = node.as_table();
    std::optional<std::string> name = entry ? (*entry)["name"].value<std::string>() : std::nullopt;
    std::optional<std::string> sqfl = entry ? (*entry)["sqfl"].value<std::string>() : std::nullopt;
    if (!name || !sqfl || sqfl->empty()) {
      return Status::InvalidArgument(std::string(origin) + ":" +
                                     std::to_string(node.source().begin.line) + ": codes." + code +
                                     " must be { name = \"…\", sqfl = \"…\" }");
    }
    map.codes_[code] = Entry{std::move(*name), std::move(*sqfl)};
  }
  return map;
}

Result<CategoryMap> CategoryMap::Shipped() {
  std::optional<std::string_view> text = config::ShippedFile("petition_categories.toml");
  if (!text) return Status::Internal("schema/petition_categories.toml was not compiled in");
  return FromToml(*text, "schema/petition_categories.toml");
}

const CategoryMap::Entry* CategoryMap::Find(std::string_view code) const {
  auto it = codes_.find(code);
  return it == codes_.end() ? nullptr : &it->second;
}

std::string_view CanonicalState(std::string_view status) {
  if (status == "REGISTERED") return state::kPending;
  if (status == "ACCEPTED" || status == "IN_PROGRESS" || status == "REVIEWING") {
    return state::kInProgress;
  }
  if (status == "NOT_ACCEPTED") return state::kNotAccepted;
  if (status == "REPLIED") return state::kClosed;
  if (status == "CLOSED") return state::kArchived;
  if (status == "TRANSFERRED") return state::kTransferred;
  return {};
}

std::string_view RecordId(const rapidjson::Value& record) {
  return json::IdField(record, "petitionNo", kMaxIdBytes);
}

std::string RecordIdFromBytes(std::string_view raw) {
  return json::IdFieldFromBytes(raw, "petitionNo", kMaxIdBytes);
}

Status MapRecord(const rapidjson::Value& record, const CategoryMap& categories, Ticket& t) {
  if (!record.IsObject()) {
    return Status::InvalidArgument(std::string("record must be an object, got ") +
                                   std::string(json::TypeName(record)));
  }
  Reader r(record, "");
  t.external_id = r.Str("petitionNo", true, kMaxIdBytes);
  t.accepted_at = r.Millis("registeredAt", true);
  std::string form = r.Str("form", true, 32);
  t.title = r.Str("title", true, 1024);
  t.content = r.Str("content", true);
  t.address = r.Str("incidentAddress", false, 1024);
  std::string code = r.Str("categoryCode", true, kMaxIdBytes);
  std::optional<int64_t> due = r.Millis("dueAt", false);
  std::string status = r.Str("status", true, 32);
  t.closure_text = r.Str("replyContent", false);
  std::optional<int64_t> replied = r.Millis("repliedAt", false);
  std::string satisfaction = r.Str("satisfaction", false, 32);
  r.Str("sourceSystem", false, kMaxIdBytes);  // Type-checked only: sourceNo is the reference.
  t.external_ref = r.Str("sourceNo", false, kMaxIdBytes);
  std::optional<int64_t> updated = r.Millis("updatedAt", true);
  const rapidjson::Value* petitioner = r.Object("petitioner");
  const rapidjson::Value* org = r.Object("responsibleOrg");
  HS_RETURN_IF_ERROR(r.status());

  t.channel = std::string(Channel(form));
  if (t.channel.empty()) {
    return Status::InvalidArgument("field form must be LETTER, VISIT, ONLINE or HOTLINE");
  }
  const CategoryMap::Entry* category = categories.Find(code);
  if (category == nullptr) {
    return Status::InvalidArgument("field categoryCode is not in the codebook");
  }
  t.category = category->sqfl;
  t.state = std::string(CanonicalState(status));
  if (t.state.empty()) {
    return Status::InvalidArgument(
        "field status is not a known status (REGISTERED, ACCEPTED, NOT_ACCEPTED, IN_PROGRESS, "
        "REVIEWING, REPLIED, CLOSED, TRANSFERRED)");
  }
  t.native_state = std::move(status);
  t.revisit_result = std::string(RevisitResult(satisfaction));
  if (!satisfaction.empty() && t.revisit_result.empty()) {
    return Status::InvalidArgument(
        "field satisfaction must be SATISFIED, BASICALLY_SATISFIED, UNSATISFIED or null");
  }
  t.complainant.clear();
  t.phone.clear();
  t.id_number.clear();
  t.kind.clear();
  if (petitioner != nullptr) HS_RETURN_IF_ERROR(MapPetitioner(*petitioner, t));
  t.unit.clear();
  t.unit_code.clear();
  if (org != nullptr) {
    Reader o(*org, "responsibleOrg.");
    t.unit_code = o.Str("code", false, kMaxIdBytes);
    t.unit = o.Str("name", true, 256);
    HS_RETURN_IF_ERROR(o.status());
  }
  *t.accepted_at /= 1000;
  t.deadline = due ? std::optional<int64_t>(*due / 1000) : std::nullopt;
  t.closed_at = replied ? std::optional<int64_t>(*replied / 1000) : std::nullopt;
  t.updated_at = *updated / 1000;
  t.version = *updated;
  t.history.clear();
  return Status::Ok();
}

Status ReadPageBody(std::string text, PageBody& out) {
  out.text = std::move(text);
  out.records.clear();
  out.total = 0;
  // Rows are split out and parsed one by one, so that one bad row rejects only itself.
  auto split = json::SplitArrayAt(out.text, {"rows"});
  HS_RETURN_IF_ERROR(json::Parse(split ? std::string_view(split->rest) : out.text, out.envelope));
  const rapidjson::Value* success = json::Member(out.envelope, "success");
  const rapidjson::Value* total = json::Member(out.envelope, "total");
  const rapidjson::Value* rows = json::Member(out.envelope, "rows");
  if (success == nullptr || !success->IsBool() || !success->GetBool() || total == nullptr ||
      !total->IsInt64() || total->GetInt64() < 0 || rows == nullptr || !rows->IsArray()) {
    return Status::InvalidArgument(
        "response is not the platform's page {success: true, total, pageNo, rows}");
  }
  out.total = total->GetInt64();
  for (const rapidjson::Value& rec : rows->GetArray()) {  // Only when not split.
    out.records.push_back(json::Write(rec));
  }
  if (split) {
    for (std::string_view r : split->elements) out.records.emplace_back(r);
  }
  return Status::Ok();
}

void MapRecordBytes(std::string_view bytes, const CategoryMap& categories,
                    std::vector<Ticket>& tickets, std::vector<Reject>& rejects) {
  Ticket t;
  rapidjson::Document doc;
  Status s = json::Parse(bytes, doc);
  if (s.ok()) s = MapRecord(doc, categories, t);
  if (!s.ok()) {
    rejects.push_back({RecordIdFromBytes(bytes), s.message(), std::string(bytes)});
    return;
  }
  t.raw = std::string(bytes);
  tickets.push_back(std::move(t));
}

void MapPage(const PageBody& body, const CategoryMap& categories, std::vector<Ticket>& tickets,
             std::vector<Reject>& rejects) {
  tickets.reserve(tickets.size() + body.records.size());
  for (const std::string& bytes : body.records) MapRecordBytes(bytes, categories, tickets, rejects);
}

}  // namespace hs::petition
