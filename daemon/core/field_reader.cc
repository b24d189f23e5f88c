#include "daemon/core/field_reader.h"

#include <utility>

#include "daemon/core/json.h"

namespace hs::json {

FieldReader::FieldReader(const rapidjson::Value& obj, std::string prefix,
                         RequiredNull required_null)
    : obj_(obj), prefix_(std::move(prefix)), required_null_(required_null) {}

std::string FieldReader::Str(const char* key, bool required, size_t max_bytes, bool allow_empty) {
  const rapidjson::Value* v = Find(key, required);
  if (v == nullptr || !Expect(key, v->IsString(), "a string", *v)) return {};
  std::string_view s(v->GetString(), v->GetStringLength());
  if (s.size() > max_bytes) {
    Fail(key, "is longer than " + std::to_string(max_bytes) + " bytes");
  } else if (s.find('\0') != std::string_view::npos) {
    Fail(key, "contains a NUL character");
  } else if (required && !allow_empty && s.empty()) {
    Fail(key, "must not be empty");
  } else {
    return std::string(s);
  }
  return {};
}

std::optional<int64_t> FieldReader::Int(const char* key, bool required, int64_t min, int64_t max,
                                        const char* what) {
  const rapidjson::Value* v = Find(key, required);
  if (v == nullptr || !Expect(key, v->IsInt64(), what, *v)) return std::nullopt;
  if (v->GetInt64() < min || v->GetInt64() > max) {
    Fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return v->GetInt64();
}

bool FieldReader::Bool(const char* key) {
  const rapidjson::Value* v = Find(key, false);
  return v != nullptr && Expect(key, v->IsBool(), "true or false", *v) && v->GetBool();
}

const rapidjson::Value* FieldReader::Object(const char* key) {
  const rapidjson::Value* v = Find(key, false);
  return v != nullptr && Expect(key, v->IsObject(), "an object or null", *v) ? v : nullptr;
}

std::optional<int64_t> FieldReader::Parsed(const char* key, bool required, const char* what,
                                           Result<int64_t> (*parse)(std::string_view)) {
  const rapidjson::Value* v = Find(key, required);
  if (v == nullptr || !Expect(key, v->IsString(), what, *v)) return std::nullopt;
  Result<int64_t> n = parse(std::string_view(v->GetString(), v->GetStringLength()));
  if (!n.ok()) {
    Fail(key, n.status().message());
    return std::nullopt;
  }
  return *n;
}

const rapidjson::Value* FieldReader::Find(const char* key, bool required) {
  if (!status_.ok()) return nullptr;
  auto it = obj_.FindMember(key);
  if (it == obj_.MemberEnd() || it->value.IsNull()) {
    if (required) {
      Fail(key, it != obj_.MemberEnd() && required_null_ == RequiredNull::kMustNotBeNull
                    ? "must not be null"
                    : "is missing");
    }
    return nullptr;
  }
  return &it->value;
}

bool FieldReader::Expect(const char* key, bool ok, const char* what, const rapidjson::Value& v) {
  if (!ok) Fail(key, std::string("must be ") + what + ", got " + std::string(TypeName(v)));
  return ok;
}

void FieldReader::Fail(const char* key, const std::string& what) {
  if (status_.ok()) status_ = Status::InvalidArgument("field " + prefix_ + key + " " + what);
}

std::string_view IdField(const rapidjson::Value& record, const char* key, size_t max_bytes) {
  if (!record.IsObject()) return {};
  auto it = record.FindMember(key);
  if (it == record.MemberEnd() || !it->value.IsString()) return {};
  std::string_view id(it->value.GetString(), it->value.GetStringLength());
  return id.size() <= max_bytes ? id : std::string_view();
}

std::string IdFieldFromBytes(std::string_view raw, std::string_view key, size_t max_bytes) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  size_t k = raw.find(quoted);
  if (k == std::string_view::npos) return {};
  size_t i = k + quoted.size();
  while (i < raw.size() && (raw[i] == ' ' || raw[i] == ':' || raw[i] == '\t')) ++i;
  if (i >= raw.size() || raw[i] != '"') return {};
  size_t end = raw.find('"', i + 1);
  if (end == std::string_view::npos || end - i - 1 > max_bytes) return {};
  std::string_view id = raw.substr(i + 1, end - i - 1);
  for (char c : id) {
    if (c < 0x21 || c > 0x7e || c == '\\') return {};
  }
  return std::string(id);
}

}  // namespace hs::json
