#include "daemon/match/minhash.h"

#include <algorithm>
#include <limits>
#include <set>
#include <string>

#include "daemon/crypto/crypto.h"

namespace hs::match {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Byte offsets where code points start, and the end.
std::vector<size_t> CodePointStarts(std::string_view s) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  starts.push_back(s.size());
  return starts;
}

// Calls f(shingle) for every n-gram of code points; a text shorter than n is one shingle.
template <typename F>
void ForEachShingle(std::string_view s, int n, F&& f) {
  if (s.empty()) return;
  const std::vector<size_t> starts = CodePointStarts(s);
  const size_t points = starts.size() - 1;
  if (points <= static_cast<size_t>(n)) {
    f(s);
    return;
  }
  for (size_t i = 0; i + static_cast<size_t>(n) <= points; ++i) {
    f(s.substr(starts[i], starts[i + static_cast<size_t>(n)] - starts[i]));
  }
}

}  // namespace

MinHasher::MinHasher(MinHashOptions options, uint64_t seed) : options_(options) {
  if (options_.ngram < 1) options_.ngram = 1;
  if (options_.hashes < 1) options_.hashes = 1;
  if (options_.bands < 1 || options_.hashes % options_.bands != 0) options_.bands = 1;
  uint64_t state = seed;
  for (int i = 0; i < options_.hashes; ++i) {
    multipliers_.push_back(SplitMix64(state) | 1);  // Odd: a permutation of 64-bit values.
    addends_.push_back(SplitMix64(state));
  }
}

std::vector<uint32_t> MinHasher::Signature(std::string_view normalized) const {
  std::vector<uint32_t> sig(static_cast<size_t>(options_.hashes),
                            std::numeric_limits<uint32_t>::max());
  ForEachShingle(normalized, options_.ngram, [&](std::string_view shingle) {
    const uint64_t x = crypto::Fnv1a64(shingle);
    for (size_t i = 0; i < sig.size(); ++i) {
      const auto h = static_cast<uint32_t>((multipliers_[i] * x + addends_[i]) >> 32);
      sig[i] = std::min(sig[i], h);
    }
  });
  return sig;
}

std::vector<uint64_t> MinHasher::BandKeys(const std::vector<uint32_t>& signature) const {
  const size_t rows = static_cast<size_t>(options_.hashes / options_.bands);
  std::vector<uint64_t> keys;
  keys.reserve(static_cast<size_t>(options_.bands));
  for (size_t b = 0; b < static_cast<size_t>(options_.bands); ++b) {
    uint64_t state = b;
    uint64_t key = SplitMix64(state);
    for (size_t r = 0; r < rows && b * rows + r < signature.size(); ++r) {
      state = key ^ signature[b * rows + r];
      key = SplitMix64(state);
    }
    keys.push_back(key);
  }
  return keys;
}

double MinHasher::Similarity(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  if (a.empty() || a.size() != b.size()) return 0;
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  return static_cast<double>(same) / static_cast<double>(a.size());
}

double Jaccard(std::string_view a, std::string_view b, int ngram) {
  std::set<std::string_view> sa, sb;
  ForEachShingle(a, ngram, [&](std::string_view s) { sa.insert(s); });
  ForEachShingle(b, ngram, [&](std::string_view s) { sb.insert(s); });
  if (sa.empty() && sb.empty()) return 1;
  size_t common = 0;
  for (std::string_view s : sa) common += sb.count(s);
  return static_cast<double>(common) / static_cast<double>(sa.size() + sb.size() - common);
}

}  // namespace hs::match
