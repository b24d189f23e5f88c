// MinHash signatures over character n-grams and their LSH band keys (issue 4: text similarity that
// scales sub-linearly with the window). Two texts' signatures agree at a position with probability
// equal to the Jaccard similarity of their n-gram sets; texts that agree on all rows of any band
// share that band's key, so candidates come from a key look-up, not a scan. With b bands of r rows,
// a pair of similarity s becomes a candidate with probability 1 - (1 - s^r)^b.
// Deterministic for a seed; thread-safe once built.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace hs::match {

struct MinHashOptions {
  int ngram = 2;     // Characters (code points) per shingle; Chinese complaint text suits 2.
  int hashes = 128;  // Signature length.
  int bands = 32;    // LSH bands; hashes / bands rows each (must divide).
};

class MinHasher {
 public:
  explicit MinHasher(MinHashOptions options = {}, uint64_t seed = 0x6873'6d61'7463'6831);

  // The signature of normalised text (see NormalizeText). Empty text: every position at its
  // maximum, so that it matches nothing but another empty text.
  std::vector<uint32_t> Signature(std::string_view normalized) const;

  // One key per band, each mixing the band's index with its rows.
  std::vector<uint64_t> BandKeys(const std::vector<uint32_t>& signature) const;

  // The share of positions where two signatures agree: an estimate of the Jaccard similarity.
  static double Similarity(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);

  const MinHashOptions& options() const { return options_; }

 private:
  MinHashOptions options_;
  std::vector<uint64_t> multipliers_, addends_;  // Per position: h(x) = (m·x + a) >> 32.
};

// The exact Jaccard similarity of two texts' n-gram sets (for tests and the brute-force baseline).
double Jaccard(std::string_view a, std::string_view b, int ngram);

}  // namespace hs::match
