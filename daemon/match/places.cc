#include "daemon/match/places.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace hs::match {
namespace {

// Words that end a place name, longest first where one ends another (小学 before 学).
constexpr std::array<std::string_view, 38> kPlaceWords = {
    "小区", "花园", "山庄",   "公寓", "家园", "新村", "大厦", "广场",   "市场", "商场",
    "中学", "小学", "幼儿园", "学校", "学院", "大学", "医院", "卫生院", "公司", "工厂",
    "大道", "街道", "社区",   "公园", "车站", "小镇", "苑",   "园",     "城",   "府",
    "湾",   "路",   "街",     "巷",   "村",   "镇",   "乡",   "厂"};

// Words that cannot be inside a name: the name starts after the last of them.
constexpr std::array<std::string_view, 36> kBreaks = {
    "位于", "反映", "附近", "门口", "旁边", "对面", "周边", "投诉", "举报", "要求", "希望", "居住",
    "住在", "我们", "我家", "请",   "在",   "的",   "于",   "到",   "从",   "对",   "是",   "我",
    "和",   "与",   "及",   "或",   "至",   "往",   "了",   "把",   "被",   "向",   "该",   "个"};

constexpr size_t kMaxNameChars = 12;  // Code points before the place word (company names run long).

uint32_t Packed(std::string_view ch) {
  uint32_t v = 0;
  for (char c : ch.substr(0, 4)) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

// Whether a place word starts with this character: most characters are skipped at once.
bool StartsAPlaceWord(std::string_view ch) {
  static const std::vector<uint32_t> firsts = [] {
    std::vector<uint32_t> out;
    for (std::string_view word : kPlaceWords) {
      size_t n = 1;
      while (n < word.size() && (static_cast<unsigned char>(word[n]) & 0xC0) == 0x80) ++n;
      out.push_back(Packed(word.substr(0, n)));
    }
    std::sort(out.begin(), out.end());
    return out;
  }();
  return std::binary_search(firsts.begin(), firsts.end(), Packed(ch));
}

bool IsHan(std::string_view ch) {
  // CJK Unified Ideographs U+4E00..U+9FFF: E4 B8 80 .. E9 BF BF in UTF-8.
  if (ch.size() != 3) return false;
  const auto b0 = static_cast<unsigned char>(ch[0]);
  return b0 >= 0xE4 && b0 <= 0xE9;
}

std::vector<std::string_view> CodePoints(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = 1;
    while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace

std::set<std::string> ExtractPlaces(std::string_view text) {
  std::set<std::string> places;
  const std::vector<std::string_view> cps = CodePoints(text);
  // Byte offset of each code point, for matching words that span several.
  std::vector<size_t> offset(cps.size() + 1, text.size());
  for (size_t i = 0, at = 0; i < cps.size(); at += cps[i].size(), ++i) offset[i] = at;
  size_t barrier = 0;  // A name starts after the previous place: 南湖花园小区 names 南湖花园 once.
  for (size_t i = 0; i < cps.size(); ++i) {
    if (!StartsAPlaceWord(cps[i])) continue;
    for (std::string_view word : kPlaceWords) {
      if (text.substr(offset[i]).substr(0, word.size()) != word) continue;
      // The name: Han characters before the word, at most kMaxNameChars, after the last break.
      size_t start = i;
      // One character more than a name may have, so that a two-character break at the edge of
      // the window (投诉…) is seen whole.
      while (start > barrier && i - start <= kMaxNameChars && IsHan(cps[start - 1])) --start;
      std::string_view name = text.substr(offset[start], offset[i] - offset[start]);
      for (std::string_view brk : kBreaks) {
        for (size_t p = name.find(brk); p != std::string_view::npos; p = name.find(brk)) {
          name.remove_prefix(p + brk.size());
        }
      }
      while (CodePoints(name).size() > kMaxNameChars)
        name.remove_prefix(CodePoints(name)[0].size());
      if (CodePoints(name).size() >= 2) places.insert(std::string(name) + std::string(word));
      // Go on after the word; the next name cannot reach back into this one.
      const size_t word_end = offset[i] + word.size();
      size_t next = i;
      while (next < cps.size() && offset[next] < word_end) ++next;
      barrier = next;
      i = next - 1;  // The loop's ++i lands on `next`.
      break;         // The longest word at this position only.
    }
  }
  return places;
}

}  // namespace hs::match
