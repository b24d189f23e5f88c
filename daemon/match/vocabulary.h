// How common each character bigram is in complaint text, so that matching weighs what is specific
// to a complaint (金鹗山庄, 58车贷) over what every complaint says (市民来电反映, 请相关部门尽快处理).
// A bigram's weight is its inverse document frequency, ln((N + 1) / (df + 1)), over a reference
// set of N texts: a fixed table, so that a decision never depends on which tickets came before.
// The shipped table (schema/match_vocabulary.tsv) is built from public complaint messages;
// `hotline-sync match-vocab` builds one from a city's own ledger. Immutable once built; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/core/result.h"

namespace hs::match {

// A bigram of code points as one number: (first << 21) | second, so it can be written back.
using Gram = uint64_t;

// Calls f(gram) for every bigram of normalised text (see NormalizeText), repeats included; a text
// of one code point is one gram.
void ForEachGram(std::string_view normalized, const std::function<void(Gram)>& f);
// The gram of two code points given as UTF-8, e.g. "扰民", and back.
Gram GramOf(std::string_view two_code_points);
std::string GramText(Gram g);

class Vocabulary {
 public:
  // Every gram weighs the same (no reference texts).
  Vocabulary() = default;

  // Counts in how many of `normalized_texts` each gram occurs; keeps grams seen in at least
  // `min_df` of them.
  static Vocabulary Build(const std::vector<std::string>& normalized_texts, int64_t min_df);

  // Reads the TSV written by Write: "# documents N min_df M" then "bigram<TAB>df" lines.
  // Errors: InvalidArgument naming the line.
  static Result<Vocabulary> Parse(std::string_view tsv);
  std::string Write() const;

  // ln((N + 1) / (df + 1)); a gram not in the table counts as seen in min_df / 2 texts.
  double Weight(Gram g) const;
  // The weight in sixteenths, 0..255, as profiles store it.
  uint8_t QuantizedWeight(Gram g) const;

  int64_t documents() const { return documents_; }
  size_t size() const { return df_.size(); }

 private:
  void Quantize();  // Fills quantized_ and unseen_ from df_.

  int64_t documents_ = 0;
  int64_t min_df_ = 1;
  std::unordered_map<Gram, int64_t> df_;
  std::unordered_map<Gram, uint8_t> quantized_;  // QuantizedWeight of each gram in df_.
  uint8_t unseen_ = 16;                          // …of a gram not in df_.
};

}  // namespace hs::match
