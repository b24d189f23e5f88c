#include "daemon/core/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "daemon/core/mask.h"

namespace hs::json {
namespace {

// True when `s` holds a UTF-8-encoded surrogate (U+D800..U+DFFF), which a lone \uDC00 escape
// produces in RapidJSON 1.1.0.
bool HasEncodedSurrogate(const char* s, size_t n) {
  for (size_t i = 0; i + 1 < n; ++i) {
    if (static_cast<unsigned char>(s[i]) == 0xED && static_cast<unsigned char>(s[i + 1]) >= 0xA0) {
      return true;
    }
  }
  return false;
}

// Forwards SAX events to a Document while enforcing depth, string validity and number ranges.
// Numbers arrive as raw text (kParseNumbersAsStringsFlag) so that out-of-range integers are seen.
class GuardHandler {
 public:
  GuardHandler(rapidjson::Document& doc, int max_depth) : doc_(doc), max_depth_(max_depth) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned i) { return doc_.Uint(i); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t i) { return doc_.Uint64(i); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
    std::string text(s, len);
    bool integral = text.find_first_of(".eE") == std::string::npos;
    errno = 0;
    char* end = nullptr;
    if (integral) {
      if (text[0] == '-') {
        long long v = std::strtoll(text.c_str(), &end, 10);
        if (errno == ERANGE) return Fail("an integer is out of the 64-bit range");
        return doc_.Int64(v);
      }
      unsigned long long v = std::strtoull(text.c_str(), &end, 10);
      if (errno == ERANGE) return Fail("an integer is out of the 64-bit range");
      return doc_.Uint64(v);
    }
    double d = std::strtod(text.c_str(), &end);
    if (std::isinf(d)) return Fail("a number is out of the double range");  // Underflow is fine.
    return doc_.Double(d);
  }
  bool String(const char* s, rapidjson::SizeType len, bool copy) {
    if (HasEncodedSurrogate(s, len)) return Fail("string holds a lone UTF-16 surrogate escape");
    return doc_.String(s, len, copy);
  }
  bool Key(const char* s, rapidjson::SizeType len, bool copy) {
    if (HasEncodedSurrogate(s, len)) return Fail("key holds a lone UTF-16 surrogate escape");
    return doc_.Key(s, len, copy);
  }
  bool StartObject() { return Enter() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndObject(n);
  }
  bool StartArray() { return Enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndArray(n);
  }

  const std::string& error() const { return error_; }

 private:
  bool Enter() {
    if (++depth_ > max_depth_) {
      return Fail("nesting deeper than " + std::to_string(max_depth_) + " levels");
    }
    return true;
  }
  bool Fail(std::string why) {
    error_ = std::move(why);
    return false;
  }

  rapidjson::Document& doc_;
  int max_depth_;
  int depth_ = 0;
  std::string error_;
};

// Finds a key that occurs twice in one object anywhere in `v`; returns it, or nullopt.
std::optional<std::string> FindDuplicateKey(const rapidjson::Value& v) {
  if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      if (auto dup = FindDuplicateKey(e)) return dup;
    }
    return std::nullopt;
  }
  if (!v.IsObject()) return std::nullopt;
  // Objects of up to 64 members, nearly all of them, are checked without allocating.
  std::array<std::string_view, 64> small;
  std::vector<std::string_view> large;
  std::string_view* keys = small.data();
  if (v.MemberCount() > small.size()) {
    large.resize(v.MemberCount());
    keys = large.data();
  }
  size_t n = 0;
  for (const auto& m : v.GetObject()) {
    keys[n++] = std::string_view(m.name.GetString(), m.name.GetStringLength());
    if (auto dup = FindDuplicateKey(m.value)) return dup;
  }
  std::sort(keys, keys + n);
  auto it = std::adjacent_find(keys, keys + n);
  if (it != keys + n) return std::string(*it);
  return std::nullopt;
}

// A key as an error may quote it: masked (a platform could key a map by phone number) and at most
// 48 bytes, cut where a character starts, so that a megabyte key does not become a megabyte reason.
std::string QuotableKey(std::string_view key) {
  constexpr size_t kMaxBytes = 48;
  std::string masked = MaskText(key);
  if (masked.size() <= kMaxBytes) return masked;
  size_t cut = kMaxBytes;
  while (cut > 0 && (static_cast<unsigned char>(masked[cut]) & 0xC0) == 0x80) --cut;
  return masked.substr(0, cut) + "…";
}

}  // namespace

Status Parse(std::string_view text, rapidjson::Document& doc, int max_depth) {
  if (text.empty()) return Status::InvalidArgument("empty JSON document");
  // RapidJSON reads a NUL byte as the end of the input, so "{}\0garbage" would pass as "{}".
  // JSON text never holds one, not even in a string (where it is written \u0000).
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    doc.SetNull();
    return Status::InvalidArgument("malformed JSON at byte " + std::to_string(nul) +
                                   ": a NUL byte, which JSON text never holds");
  }
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseNumbersAsStringsFlag;
  // Skips one leading UTF-8 byte-order mark, whole: RapidJSON's EncodedInputStream would skip any
  // of its three bytes alone, and so accept "\xBB{}", which is not UTF-8.
  const size_t bom = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  rapidjson::MemoryStream in(text.data() + bom, text.size() - bom);
  GuardHandler guard(doc, max_depth);
  std::string error;
  size_t offset = 0;
  auto generator = [&](rapidjson::Document& d) {
    (void)d;
    rapidjson::Reader reader;
    rapidjson::ParseResult r = reader.Parse<kFlags>(in, guard);
    if (!r) {
      error = guard.error().empty() ? rapidjson::GetParseError_En(r.Code()) : guard.error();
      offset = r.Offset() + bom;
      return false;
    }
    return true;
  };
  doc.SetNull();
  doc.Populate(generator);
  if (!error.empty()) {
    doc.SetNull();
    if (error == "Invalid encoding in string.") {
      error = "invalid UTF-8 (the sender may have used GBK where UTF-8 was promised)";
    }
    return Status::InvalidArgument("malformed JSON at byte " + std::to_string(offset) + ": " +
                                   error);
  }
  if (auto dup = FindDuplicateKey(doc)) {
    doc.SetNull();
    return Status::InvalidArgument("malformed JSON: duplicate key \"" + QuotableKey(*dup) + "\"");
  }
  return Status::Ok();
}

std::string Write(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string_view TypeName(const rapidjson::Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "boolean";
    case rapidjson::kObjectType:
      return "object";
    case rapidjson::kArrayType:
      return "array";
    case rapidjson::kStringType:
      return "string";
    case rapidjson::kNumberType:
      return "number";
  }
  return "unknown";
}

const rapidjson::Value* Member(const rapidjson::Value& value, const char* key) {
  if (!value.IsObject()) return nullptr;
  auto it = value.FindMember(key);
  return it == value.MemberEnd() ? nullptr : &it->value;
}

void AppendQuoted(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t run = 0;  // Plain bytes are copied in runs: long Chinese texts have few escapes.
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        static const char* kHex = "0123456789abcdef";
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

}  // namespace hs::json
