// Strict JSON reading for bodies from outside (RELIABILITY.md, "Input"): valid UTF-8 only (also
// inside \u escapes), iterative parse with a depth limit enforced while parsing, duplicate keys
// refused, integers that do not fit 64 bits refused instead of turned into doubles, no NaN, no
// trailing bytes (nor a NUL byte, where RapidJSON would stop reading). A leading UTF-8 byte-order
// mark is skipped (RFC 8259 section 8.1 allows it).
// Stateless; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/core/status.h"

namespace hs::json {

inline constexpr int kMaxDepth = 32;

// Parses `text` into `doc`. Errors: InvalidArgument naming what is wrong and the byte offset.
Status Parse(std::string_view text, rapidjson::Document& doc, int max_depth = kMaxDepth);

// Serialises a value compactly (UTF-8, no escaping of non-ASCII).
std::string Write(const rapidjson::Value& value);

// The JSON type of a value as a word for error messages: "string", "number", "object"…
std::string_view TypeName(const rapidjson::Value& value);

// The member `key` of `value`, or nullptr when it has none or is not an object (RapidJSON's own
// FindMember and MemberEnd assert that it is one: on anything else they abort a debug build and
// are undefined behaviour in a release build).
const rapidjson::Value* Member(const rapidjson::Value& value, const char* key);

// Appends `s` as a JSON string literal (quotes included) to `out`.
void AppendQuoted(std::string& out, std::string_view s);

}  // namespace hs::json
