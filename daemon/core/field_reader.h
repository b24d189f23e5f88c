// Type-checked reading of the fields of one JSON object from outside, for the adapters' record
// mappings: each read checks the field's type and limits and, on the first problem, records an
// InvalidArgument that names the field (with the reader's prefix) and what is wrong with it, never
// its value (values may be personal data). Reads after the first problem return empty values.
// Not thread-safe; cheap to build, one per object.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/core/result.h"
#include "daemon/core/status.h"

namespace hs::json {

class FieldReader {
 public:
  static constexpr size_t kMaxTextBytes = 64 * 1024;

  // How a required field that is present but null is reported.
  enum class RequiredNull {
    kIsMissing,      // "is missing", as if absent.
    kMustNotBeNull,  // "must not be null", for platforms that send every field.
  };

  // Reads `obj`, which must be a JSON object and outlive the reader. `prefix` goes before every
  // field name in messages, e.g. "petitioner." or "lzjl[3].".
  FieldReader(const rapidjson::Value& obj, std::string prefix,
              RequiredNull required_null = RequiredNull::kIsMissing);

  // Ok, or the first problem met.
  const Status& status() const { return status_; }

  // A string field of at most `max_bytes` bytes without NUL. "" when absent or null and not
  // required. A required field must also be non-empty unless `allow_empty`.
  std::string Str(const char* key, bool required, size_t max_bytes = kMaxTextBytes,
                  bool allow_empty = false);

  // A whole number in [min, max]; nullopt when absent or null and not required.
  // `what` names the expected type in messages.
  std::optional<int64_t> Int(const char* key, bool required, int64_t min, int64_t max,
                             const char* what = "a whole number");

  // A boolean field; false when absent or null.
  bool Bool(const char* key);

  // An object field, or nullptr when absent or null. Read it with a reader of its own.
  const rapidjson::Value* Object(const char* key);

  // A string field that `parse` turns into a number (a time, say); the parse error's message is
  // the field's. nullopt when absent or null and not required. `what` names the expected type.
  std::optional<int64_t> Parsed(const char* key, bool required, const char* what,
                                Result<int64_t> (*parse)(std::string_view));

  // The field's value; nullptr when absent or null (a problem when `required`) or after a problem.
  const rapidjson::Value* Find(const char* key, bool required);

  // Records "must be <what>, got <type of v>" unless `ok`; returns ok.
  bool Expect(const char* key, bool ok, const char* what, const rapidjson::Value& v);

  // Records "field <prefix><key> <what>" unless a problem is already recorded.
  void Fail(const char* key, const std::string& what);

 private:
  const rapidjson::Value& obj_;
  std::string prefix_;
  RequiredNull required_null_;
  Status status_;
};

// The string member `key` of `record` when it has at most `max_bytes` bytes, else "" (also when
// `record` is not an object or the member is absent or not a string): to name a record.
std::string_view IdField(const rapidjson::Value& record, const char* key, size_t max_bytes);

// The string member `key` as it shows in bytes that may not even parse, when it is plain printable
// ASCII (no escapes) of at most `max_bytes` bytes, else "": to name a rejected record.
std::string IdFieldFromBytes(std::string_view raw, std::string_view key, size_t max_bytes);

}  // namespace hs::json
