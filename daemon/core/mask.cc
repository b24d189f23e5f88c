#include "daemon/core/mask.h"

#include <vector>

namespace hs {
namespace {

// One character of the text: its bytes, and its digit value (0-9) or -1.
struct Char {
  size_t pos;
  size_t len;
  int digit;
};

// Decodes ASCII and full-width digits (U+FF10..U+FF19, EF BC 90..99); other characters by length.
Char NextChar(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c >= '0' && c <= '9') return {i, 1, c - '0'};
  if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC) {
    unsigned char c2 = static_cast<unsigned char>(s[i + 2]);
    if (c2 >= 0x90 && c2 <= 0x99) return {i, 3, c2 - 0x90};
  }
  size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (i + len > s.size()) len = s.size() - i;
  return {i, len, -1};
}

bool IsIdentChar(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

std::string Stars(size_t n) { return std::string(n, '*'); }

// Masks a run of digits (already stripped of separators): keeps a prefix and suffix.
std::string MaskDigits(const std::string& d, size_t keep_front, size_t keep_back) {
  if (d.size() <= keep_front + keep_back) return Stars(d.size());
  return d.substr(0, keep_front) + Stars(d.size() - keep_front - keep_back) +
         d.substr(d.size() - keep_back);
}

// Decides whether a digit run is personal data and returns its masked form, or "" to keep it.
std::string Classify(const std::string& digits, bool separated, char id_suffix) {
  if (id_suffix != 0 && digits.size() == 17 && !separated) {
    return MaskDigits(digits + id_suffix, 4, 4);
  }
  if ((digits.size() == 18 || digits.size() == 15) && !separated) return MaskDigits(digits, 4, 4);
  std::string d = digits;
  if (d.size() == 13 && d.starts_with("86")) d = d.substr(2);
  if (d.size() == 15 && d.starts_with("0086")) d = d.substr(4);
  if (d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9') return MaskDigits(d, 3, 4);
  if (d.size() >= 10 && d.size() <= 12 && d[0] == '0') return MaskDigits(d, 3, 4);
  return "";
}

}  // namespace

std::string MaskText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    Char ch = NextChar(s, i);
    bool starts_run = ch.digit >= 0 || (s[i] == '+' && i + 1 < s.size() && NextChar(s, i + 1).digit >= 0);
    if (!starts_run || (i > 0 && IsIdentChar(static_cast<unsigned char>(s[i - 1])))) {
      out.append(s.substr(i, ch.len));
      i += ch.len;
      continue;
    }
    // Collect digits with single ' ' or '-' separators between them.
    size_t j = s[i] == '+' ? i + 1 : i;
    std::string digits;
    bool separated = false;
    while (j < s.size()) {
      Char c = NextChar(s, j);
      if (c.digit >= 0) {
        digits.push_back(static_cast<char>('0' + c.digit));
        j += c.len;
        continue;
      }
      if ((s[j] == ' ' || s[j] == '-') && j + 1 < s.size() && NextChar(s, j + 1).digit >= 0) {
        separated = true;
        ++j;
        continue;
      }
      break;
    }
    char id_suffix = 0;
    if (j < s.size() && (s[j] == 'X' || s[j] == 'x')) {
      id_suffix = 'X';
    }
    bool glued = j < s.size() && IsIdentChar(static_cast<unsigned char>(s[j]));
    std::string masked = Classify(digits, separated, id_suffix);
    if (!masked.empty() && id_suffix != 0 && digits.size() == 17) {
      ++j;  // The X belongs to the ID number.
      glued = j < s.size() && IsIdentChar(static_cast<unsigned char>(s[j]));
    }
    if (masked.empty() || glued) {
      out.append(s.substr(i, j - i));
    } else {
      out += masked;
    }
    i = j;
  }
  return out;
}

std::string MaskPhone(std::string_view phone) {
  std::vector<Char> chars;
  size_t digits = 0;
  for (size_t i = 0; i < phone.size();) {
    Char c = NextChar(phone, i);
    chars.push_back(c);
    if (c.digit >= 0) ++digits;
    i += c.len;
  }
  size_t front = digits >= 11 ? 3 : 0;
  size_t back = digits >= 11 ? 4 : 2;
  std::string out;
  size_t seen = 0;
  for (const Char& c : chars) {
    if (c.digit < 0) {
      out.append(phone.substr(c.pos, c.len));
      continue;
    }
    bool keep = seen < front || seen >= digits - std::min(back, digits);
    out += keep ? std::string(1, static_cast<char>('0' + c.digit)) : "*";
    ++seen;
  }
  return out;
}

std::string MaskIdNumber(std::string_view id) {
  if (id.size() <= 8) return Stars(id.size());
  return std::string(id.substr(0, 4)) + Stars(id.size() - 8) + std::string(id.substr(id.size() - 4));
}

std::string MaskName(std::string_view name) {
  if (name.empty() || name == "匿名") return std::string(name);
  Char first = NextChar(name, 0);
  size_t rest = 0;
  for (size_t i = first.len; i < name.size(); i += NextChar(name, i).len) ++rest;
  return std::string(name.substr(0, first.len)) + Stars(rest == 0 ? 1 : rest);
}

}  // namespace hs
