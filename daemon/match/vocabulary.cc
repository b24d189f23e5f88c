#include "daemon/match/vocabulary.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace hs::match {
namespace {

// Decodes valid UTF-8 (NormalizeText's output); a stray byte counts as itself.
std::vector<uint32_t> CodePoints(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size() / 2);
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
    size_t k = 1;
    for (; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    out.push_back(cp);
    i += k;
  }
  return out;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

constexpr Gram Pack(uint32_t first, uint32_t second) {
  return (static_cast<Gram>(first) << 21) | second;
}

}  // namespace

void ForEachGram(std::string_view normalized, const std::function<void(Gram)>& f) {
  const std::vector<uint32_t> cps = CodePoints(normalized);
  if (cps.size() == 1) f(Pack(0, cps[0]));
  for (size_t i = 0; i + 1 < cps.size(); ++i) f(Pack(cps[i], cps[i + 1]));
}

std::string GramText(Gram g) {
  std::string out;
  if (g >> 21) AppendUtf8(out, static_cast<uint32_t>(g >> 21));
  AppendUtf8(out, static_cast<uint32_t>(g & 0x1FFFFF));
  return out;
}

Gram GramOf(std::string_view two_code_points) {
  const std::vector<uint32_t> cps = CodePoints(two_code_points);
  if (cps.size() == 1) return Pack(0, cps[0]);
  return cps.size() == 2 ? Pack(cps[0], cps[1]) : 0;
}

Vocabulary Vocabulary::Build(const std::vector<std::string>& normalized_texts, int64_t min_df) {
  Vocabulary v;
  v.documents_ = static_cast<int64_t>(normalized_texts.size());
  v.min_df_ = std::max<int64_t>(1, min_df);
  std::unordered_set<Gram> seen;
  for (const std::string& text : normalized_texts) {
    seen.clear();
    ForEachGram(text, [&](Gram g) { seen.insert(g); });
    for (Gram g : seen) ++v.df_[g];
  }
  std::erase_if(v.df_, [&](const auto& kv) { return kv.second < v.min_df_; });
  v.Quantize();
  return v;
}

Result<Vocabulary> Vocabulary::Parse(std::string_view tsv) {
  Vocabulary v;
  size_t line_no = 0;
  bool header = false;
  while (!tsv.empty()) {
    const size_t eol = tsv.find('\n');
    std::string_view line = tsv.substr(0, eol);
    tsv.remove_prefix(eol == std::string_view::npos ? tsv.size() : eol + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    auto bad = [&](std::string_view what) {
      return Status::InvalidArgument("vocabulary line " + std::to_string(line_no) + ": " +
                                     std::string(what));
    };
    if (line.front() == '#') {
      long long n = 0, m = 0;
      if (std::sscanf(std::string(line).c_str(), "# documents %lld min_df %lld", &n, &m) == 2) {
        if (n < 1 || m < 1) return bad("documents and min_df must be positive");
        v.documents_ = n;
        v.min_df_ = m;
        header = true;
      }
      continue;
    }
    if (!header) return bad("expected the header \"# documents N min_df M\" first");
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) return bad("expected \"bigram<TAB>count\"");
    const Gram g = GramOf(line.substr(0, tab));
    if (g == 0) return bad("the first column must be one or two characters");
    int64_t df = 0;
    const std::string_view count = line.substr(tab + 1);
    for (char c : count) {
      if (c < '0' || c > '9' || df > v.documents_) break;
      df = df * 10 + (c - '0');
    }
    if (count.empty() || count.find_first_not_of("0123456789") != std::string_view::npos ||
        df > v.documents_) {
      return bad("the count must be a number up to N");
    }
    v.df_[g] = df;
  }
  if (!header) return Status::InvalidArgument("vocabulary: no \"# documents N min_df M\" header");
  v.Quantize();
  return v;
}

std::string Vocabulary::Write() const {
  std::vector<std::pair<Gram, int64_t>> rows(df_.begin(), df_.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::string out = "# documents " + std::to_string(documents_) + " min_df " +
                    std::to_string(min_df_) + "\n";
  for (const auto& [g, df] : rows) {
    out += GramText(g);
    out += '\t';
    out += std::to_string(df);
    out += '\n';
  }
  return out;
}

double Vocabulary::Weight(Gram g) const {
  if (documents_ == 0) return 1.0;
  const auto it = df_.find(g);
  const double df = it != df_.end() ? static_cast<double>(it->second)
                                    : static_cast<double>(min_df_) / 2.0;
  return std::log((static_cast<double>(documents_) + 1.0) / (df + 1.0));
}

void Vocabulary::Quantize() {
  auto quantize = [](double w) {
    return static_cast<uint8_t>(std::clamp(std::round(w * 16.0), 0.0, 255.0));
  };
  quantized_.clear();
  quantized_.reserve(df_.size());
  for (const auto& [g, df] : df_) quantized_.emplace(g, quantize(Weight(g)));
  unseen_ = quantize(Weight(~Gram{0}));  // No such gram: the weight of one not in the table.
}

uint8_t Vocabulary::QuantizedWeight(Gram g) const {
  const auto it = quantized_.find(g);
  return it != quantized_.end() ? it->second : unseen_;
}

}  // namespace hs::match
