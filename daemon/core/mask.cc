#include "daemon/core/mask.h"

#include <cctype>
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

// A plausible identity-card number (GB 11643): 18 characters with a birth date at 7..14, or the old
// 15-digit form with yyMMdd at 7..12.
bool PlausibleId(const std::string& d) {
  auto num = [&](size_t pos, size_t n) { return std::stoi(d.substr(pos, n)); };
  if (d.size() == 18) {
    int year = num(6, 4), month = num(10, 2), day = num(12, 2);
    return d[0] >= '1' && d[0] <= '9' && year >= 1900 && year <= 2099 && month >= 1 &&
           month <= 12 && day >= 1 && day <= 31;
  }
  if (d.size() == 15) {
    int month = num(8, 2), day = num(10, 2);
    return d[0] >= '1' && d[0] <= '9' && month >= 1 && month <= 12 && day >= 1 && day <= 31;
  }
  return false;
}

bool IsMobile(const std::string& d) {
  return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

// The masked form of a digit string when it is personal data, else "". `strict`: the digits came
// in groups or glued to letters, so only unmistakable forms count.
std::string Classify(const std::string& digits, bool strict) {
  if (digits.size() == 18 || digits.size() == 15) {
    if (!strict || PlausibleId(digits)) return MaskDigits(digits, 4, 4);
  }
  std::string d = digits;
  if (d.size() == 13 && d.starts_with("86")) d = d.substr(2);
  if (d.size() == 15 && d.starts_with("0086")) d = d.substr(4);
  if (IsMobile(d)) return MaskDigits(d, 3, 4);
  if (d.size() >= 10 && d.size() <= 12 && d[0] == '0') return MaskDigits(d, 3, 4);
  return "";
}

// A run of digit groups separated by single spaces or dashes, as found in text.
struct Group {
  size_t begin;  // Byte offsets in the text, the group's digits only.
  size_t end;
  std::string digits;  // ASCII, an 'X' last for an ID's check character.
};

// Reads digit groups starting at `i` (a digit, or '+' before one). Stops at anything else.
std::vector<Group> ReadGroups(std::string_view s, size_t i) {
  std::vector<Group> groups;
  size_t total = 0;
  if (s[i] == '+') ++i;
  while (i < s.size()) {
    Group g{i, i, {}};
    while (i < s.size()) {
      Char c = NextChar(s, i);
      if (c.digit < 0) break;
      g.digits.push_back(static_cast<char>('0' + c.digit));
      i += c.len;
    }
    total += g.digits.size();
    if (i < s.size() && (s[i] == 'X' || s[i] == 'x') && total == 17) {
      g.digits.push_back('X');
      ++i;
    }
    g.end = i;
    groups.push_back(std::move(g));
    if (i + 1 < s.size() && (s[i] == ' ' || s[i] == '-') && NextChar(s, i + 1).digit >= 0) {
      ++i;
      continue;
    }
    break;
  }
  return groups;
}

}  // namespace

std::string MaskText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    Char ch = NextChar(s, i);
    bool plus = s[i] == '+' && i + 1 < s.size() && NextChar(s, i + 1).digit >= 0;
    if (ch.digit < 0 && !plus) {
      out.append(s.substr(i, ch.len));
      i += ch.len;
      continue;
    }
    // Digits right after letters, or after "XX-" (a platform number such as HN-2023-0612-000381 or
    // XF-430600-2023-004211), belong to an identifier.
    const bool after_letters =
        i > 0 && (IsIdentChar(static_cast<unsigned char>(s[i - 1])) ||
                  (s[i - 1] == '-' && i > 1 && std::isalpha(static_cast<unsigned char>(s[i - 2]))));
    std::vector<Group> groups = ReadGroups(s, i);
    const bool before_letters = groups.back().end < s.size() &&
                                IsIdentChar(static_cast<unsigned char>(s[groups.back().end]));
    if (after_letters || before_letters) {
      // Part of an identifier such as YY2306120001: masked only when it is unmistakably a mobile or
      // an ID number on its own.
      std::string masked = groups.size() == 1 ? Classify(groups[0].digits, true) : "";
      if (masked.empty() || !(IsMobile(groups[0].digits) || groups[0].digits.size() >= 15)) {
        out.append(s.substr(i, groups.back().end - i));
      } else {
        out.append(s.substr(i, groups[0].begin - i)).append(masked);
      }
      i = groups.back().end;
      continue;
    }
    // Longest run of consecutive groups that is a phone or ID number, from each group on.
    size_t g = 0;
    const std::string_view plus_sign = s.substr(i, groups[0].begin - i);  // Dropped when masked.
    while (g < groups.size()) {
      size_t taken = 0;
      std::string masked;
      for (size_t last = groups.size(); last > g && masked.empty(); --last) {
        std::string joined;
        for (size_t k = g; k < last; ++k) joined += groups[k].digits;
        masked = Classify(joined, last - g > 1);
        if (!masked.empty()) taken = last - g;
      }
      if (taken == 0) {
        if (g == 0) out.append(plus_sign);
        size_t stop = g + 1 < groups.size() ? groups[g + 1].begin : groups[g].end;
        out.append(s.substr(groups[g].begin, stop - groups[g].begin));
        ++g;
        continue;
      }
      out += masked;
      g += taken;
      if (g < groups.size())
        out.append(s.substr(groups[g - 1].end, groups[g].begin - groups[g - 1].end));
    }
    i = groups.back().end;
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
  return std::string(id.substr(0, 4)) + Stars(id.size() - 8) +
         std::string(id.substr(id.size() - 4));
}

std::string MaskName(std::string_view name) {
  if (name.empty() || name == "匿名") return std::string(name);
  Char first = NextChar(name, 0);
  size_t rest = 0;
  for (size_t i = first.len; i < name.size(); i += NextChar(name, i).len) ++rest;
  return std::string(name.substr(0, first.len)) + Stars(rest == 0 ? 1 : rest);
}

}  // namespace hs
