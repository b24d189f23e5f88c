#include "daemon/match/normalize.h"

#include <phonenumbers/phonenumberutil.h>
#include <utf8proc.h>

#include <cstdlib>
#include <ctime>
#include <memory>

#include "daemon/crypto/crypto.h"

namespace hs::match {
namespace {

// NFKC of valid UTF-8; invalid bytes are dropped first so that utf8proc never refuses the text.
std::string Nfkc(std::string_view text) {
  std::string valid;
  valid.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n =
        utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data()) + i,
                         static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    if (n <= 0 || cp == 0) {  // NUL too: NFKC reads a C string.
      i += n <= 0 ? 1 : static_cast<size_t>(n);
      continue;
    }
    valid.append(text.substr(i, static_cast<size_t>(n)));
    i += static_cast<size_t>(n);
  }
  utf8proc_uint8_t* out = utf8proc_NFKC(reinterpret_cast<const utf8proc_uint8_t*>(valid.c_str()));
  if (out == nullptr) return valid;
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(out, &std::free);
  return reinterpret_cast<const char*>(out);
}

bool Dropped(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CS:
      return true;
    default:
      return false;
  }
}

// The ASCII digits of `s` after NFKC, and whether anything but digits, spaces, dashes, dots,
// brackets and a '+' before the first digit was there.
std::string DigitsOnly(const std::string& s, bool& other) {
  std::string digits;
  other = false;
  for (const char c : s) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' &&
               !(c == '+' && digits.empty())) {
      other = true;
    }
  }
  return digits;
}

// GB 11643-1999 (ISO 7064 MOD 11-2): the check character for 17 digits, or '\0' when they are not
// all digits.
char CheckDigit(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    if (first17[i] < '0' || first17[i] > '9') return '\0';
    sum += (first17[i] - '0') * kWeights[i];
  }
  return kCheck[sum % 11];
}

}  // namespace

std::string NormalizeText(std::string_view text) {
  const std::string nfkc = Nfkc(text);
  std::string out;
  out.reserve(nfkc.size());
  for (size_t i = 0; i < nfkc.size();) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n =
        utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(nfkc.data()) + i,
                         static_cast<utf8proc_ssize_t>(nfkc.size() - i), &cp);
    if (n <= 0) break;  // Nfkc() returned valid UTF-8.
    if (!Dropped(cp)) {
      if (cp >= 'A' && cp <= 'Z') {
        out += static_cast<char>(cp - 'A' + 'a');
      } else {
        out.append(nfkc, i, static_cast<size_t>(n));
      }
    }
    i += static_cast<size_t>(n);
  }
  return out;
}

std::optional<std::string> CanonicalPhone(std::string_view typed,
                                          std::string_view default_area_code) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const std::string nfkc = Nfkc(typed);
  bool other = false;
  std::string digits = DigitsOnly(nfkc, other);
  if (other || digits.size() < 7 || digits.size() > 15) return std::nullopt;
  std::string candidate = nfkc;
  // A local landline without its area code: 7 or 8 digits that are not a mobile's.
  if ((digits.size() == 7 || digits.size() == 8) && nfkc.find('+') == std::string::npos) {
    candidate = std::string(default_area_code) + digits;
  }
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util->Parse(candidate, "CN", &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
    return std::nullopt;
  }
  if (number.country_code() != 86 || !util->IsValidNumber(number)) return std::nullopt;
  std::string e164;
  util->Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

bool IdCheckDigitValid(std::string_view id) {
  if (id.size() != 18) return false;
  const char check = CheckDigit(id.substr(0, 17));
  return check != '\0' && check == (id[17] == 'x' ? 'X' : id[17]);
}

std::optional<std::string> CanonicalIdNumber(std::string_view typed) {
  const std::string nfkc = Nfkc(typed);
  std::string id;
  for (char c : nfkc) {
    if (c == ' ' || c == '-') continue;
    id += c == 'x' ? 'X' : c;
  }
  if (id.size() == 15) {  // First generation: no century, no check digit.
    std::string upgraded = id.substr(0, 6) + "19" + id.substr(6);
    const char check = CheckDigit(upgraded);
    if (check == '\0') return std::nullopt;
    id = upgraded + check;
  }
  if (!IdCheckDigitValid(id)) return std::nullopt;
  // The birth date (positions 7-14) must be a real day.
  std::tm tm{};
  tm.tm_year = std::stoi(id.substr(6, 4)) - 1900;
  tm.tm_mon = std::stoi(id.substr(10, 2)) - 1;
  tm.tm_mday = std::stoi(id.substr(12, 2));
  tm.tm_hour = 12;
  std::tm check = tm;
  if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || timegm(&check) == -1 ||
      check.tm_mon != tm.tm_mon || check.tm_mday != tm.tm_mday) {
    return std::nullopt;
  }
  return id;
}

std::string ComplainantKey(std::string_view hmac_key, std::string_view kind,
                           std::string_view canonical) {
  std::string data(kind);
  data += ':';
  data.append(canonical);
  return crypto::HmacSha256Hex(hmac_key, data);
}

}  // namespace hs::match
