#include "daemon/core/gbk.h"

#include <errno.h>
#include <iconv.h>

#include <bitset>
#include <string>

namespace hs::gbk {
namespace {

constexpr char32_t kEuro = 0x20AC;

// One iconv descriptor, closed on destruction. Not shareable between threads.
class Iconv {
 public:
  Iconv(const char* to, const char* from) : cd_(iconv_open(to, from)) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;

  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

  // Converts as much of `in` as it can, appending the output to `out` and removing the consumed
  // bytes from `in`. Returns 0 when all of `in` was converted, else iconv's errno: EILSEQ with
  // `in` starting at the unconvertible or invalid character, EINVAL at a truncated one.
  int Convert(std::string_view& in, std::string& out) {
    char buf[16 * 1024];
    while (!in.empty()) {
      char* in_ptr = const_cast<char*>(in.data());
      size_t in_left = in.size();
      char* out_ptr = buf;
      size_t out_left = sizeof buf;
      const size_t r = iconv(cd_, &in_ptr, &in_left, &out_ptr, &out_left);
      const int err = errno;
      in.remove_prefix(in.size() - in_left);
      out.append(buf, out_ptr - buf);
      if (r != static_cast<size_t>(-1)) return 0;
      if (err != E2BIG) return err;
    }
    return 0;
  }

 private:
  iconv_t cd_;
};

struct CodePoint {
  char32_t value = 0;
  size_t length = 0;  // 0: not valid UTF-8.
};

// Decodes the UTF-8 character starting at s[i] strictly (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF). REQUIRES: i < s.size().
CodePoint DecodeUtf8(std::string_view s, size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  if (lead < 0x80) return {lead, 1};
  size_t length;
  char32_t value;
  char32_t min;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, value = lead & 0x1F, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, value = lead & 0x0F, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, value = lead & 0x07, min = 0x10000;
  } else {
    return {};
  }
  if (s.size() - i < length) return {};
  for (size_t k = 1; k < length; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return {};
    value = (value << 6) | (c & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {};
  return {value, length};
}

// Appends the UTF-8 form of `cp`. REQUIRES: cp <= 0xFFFF and not a surrogate.
void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The characters inside GBK by the contract: those glibc's GBK converter encodes, minus the euro
// sign (which it maps to 0x80), and nothing above U+FFFF (glibc drops U+E0000..E007F without an
// error). Known before converting so that iconv never meets an unconvertible character: glibc
// converts UTF-8 to GBK in two steps through an internal buffer, and each call that stops at
// EILSEQ redoes the first step over the whole remaining input, so escaping character by character
// on EILSEQ is quadratic (7 s for 1 MiB of Hangul). Built once, by encoding every BMP character
// (a few milliseconds); immutable afterwards.
class Repertoire {
 public:
  static const Repertoire& Get() {
    static const Repertoire kRepertoire;
    return kRepertoire;
  }

  bool Contains(char32_t cp) const { return cp < bits_.size() && bits_[cp]; }

 private:
  Repertoire() {
    Iconv cd("GBK", "UTF-8");
    if (!cd.ok()) return;  // Everything escaped; Utf8ToGbkJson reports the failure itself.
    std::string utf8;
    std::string gbk;
    for (char32_t cp = 0; cp <= 0xFFFF; ++cp) {
      if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == kEuro) continue;
      utf8.clear();
      gbk.clear();
      AppendUtf8(utf8, cp);
      std::string_view in = utf8;
      bits_[cp] = cd.Convert(in, gbk) == 0 && !gbk.empty();
    }
  }

  std::bitset<0x10000> bits_;
};

void AppendU16Escape(std::string& out, char32_t unit) {
  static const char* kHex = "0123456789ABCDEF";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(unit >> shift) & 15]);
}

void AppendJsonEscape(std::string& out, char32_t cp) {
  if (cp <= 0xFFFF) return AppendU16Escape(out, cp);
  cp -= 0x10000;
  AppendU16Escape(out, 0xD800 + (cp >> 10));
  AppendU16Escape(out, 0xDC00 + (cp & 0x3FF));
}

// Encodes a run of valid UTF-8 to GBK, escaping any character iconv refuses (none when the run
// holds only characters of the Repertoire).
Status EncodeRun(Iconv& cd, std::string_view run, std::string& out) {
  while (!run.empty()) {
    const int err = cd.Convert(run, out);
    if (err == 0) break;
    if (err != EILSEQ)
      return Status::Internal("iconv UTF-8 to GBK failed: errno " + std::to_string(err));
    const CodePoint cp = DecodeUtf8(run, 0);
    if (cp.length == 0) return Status::Internal("iconv refused a character validated as UTF-8");
    AppendJsonEscape(out, cp.value);
    run.remove_prefix(cp.length);
  }
  return Status::Ok();
}

// The offset of the first 0x80 lead byte of a GBK text that iconv decoded without error.
size_t FindEuroByte(std::string_view gbk) {
  size_t i = 0;
  while (i < gbk.size()) {
    const auto c = static_cast<unsigned char>(gbk[i]);
    if (c == 0x80) return i;
    i += c < 0x80 ? 1 : 2;
  }
  return gbk.size();
}

Status NotGbk(size_t offset, std::string_view what) {
  return Status::InvalidArgument("body is not valid GBK at byte offset " + std::to_string(offset) +
                                 ": " + std::string(what));
}

}  // namespace

Result<std::string> GbkToUtf8(std::string_view gbk) {
  if (gbk.empty()) return std::string();
  Iconv cd("UTF-8", "GBK");
  if (!cd.ok()) return Status::Internal("iconv_open(UTF-8, GBK) failed");
  std::string out;
  out.reserve(gbk.size() + gbk.size() / 2);
  std::string_view rest = gbk;
  const int err = cd.Convert(rest, out);
  const size_t offset = gbk.size() - rest.size();
  if (err == EILSEQ) return NotGbk(offset, "invalid byte sequence");
  if (err == EINVAL) return NotGbk(offset, "truncated character at the end");
  if (err != 0) return Status::Internal("iconv GBK to UTF-8 failed: errno " + std::to_string(err));
  if (out.find("\xE2\x82\xAC") != std::string::npos) {
    return NotGbk(FindEuroByte(gbk), "byte 0x80 (the CP936 euro sign) is outside GBK");
  }
  return out;
}

Result<std::string> Utf8ToGbkJson(std::string_view utf8_json) {
  if (utf8_json.empty()) return std::string();
  Iconv cd("GBK", "UTF-8");
  if (!cd.ok()) return Status::Internal("iconv_open(GBK, UTF-8) failed");
  std::string out;
  out.reserve(utf8_json.size());
  const Repertoire& repertoire = Repertoire::Get();
  size_t run_start = 0;
  size_t i = 0;
  while (i < utf8_json.size()) {
    if (static_cast<unsigned char>(utf8_json[i]) < 0x80) {
      ++i;
      continue;
    }
    const CodePoint cp = DecodeUtf8(utf8_json, i);
    if (cp.length == 0) {
      return Status::InvalidArgument("JSON text is not valid UTF-8 at byte offset " +
                                     std::to_string(i));
    }
    if (!repertoire.Contains(cp.value)) {
      HS_RETURN_IF_ERROR(EncodeRun(cd, utf8_json.substr(run_start, i - run_start), out));
      AppendJsonEscape(out, cp.value);
      run_start = i + cp.length;
    }
    i += cp.length;
  }
  HS_RETURN_IF_ERROR(EncodeRun(cd, utf8_json.substr(run_start), out));
  return out;
}

}  // namespace hs::gbk
