#include "daemon/match/matcher.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <unordered_set>

#include "daemon/match/places.h"

namespace hs::match {
namespace {

constexpr size_t kMaxPlaces = 8;

GramSet MakeSet(std::vector<Gram> grams, const Vocabulary& vocabulary) {
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  GramSet set;
  set.weights.reserve(grams.size());
  for (Gram g : grams) {
    const uint8_t w = vocabulary.QuantizedWeight(g);
    set.weights.push_back(w);
    set.total += w;
  }
  set.grams = std::move(grams);
  return set;
}

std::vector<Gram> GramsOf(std::string_view text) {
  std::vector<Gram> out;
  ForEachGram(text, [&](Gram g) { out.push_back(g); });
  return out;
}

// The weight the two sets share (by a's weights, which equal b's for the same gram).
uint32_t SharedWeight(const GramSet& a, const GramSet& b) {
  uint32_t shared = 0;
  size_t i = 0, j = 0;
  while (i < a.grams.size() && j < b.grams.size()) {
    if (a.grams[i] < b.grams[j]) {
      ++i;
    } else if (b.grams[j] < a.grams[i]) {
      ++j;
    } else {
      shared += a.weights[i];
      ++i;
      ++j;
    }
  }
  return shared;
}

uint64_t Probe(Gram g, int i, size_t bits) {
  uint64_t z = g * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(i) * 0xbf58476d1ce4e5b9ULL;
  z ^= z >> 31;
  z *= 0x94d049bb133111ebULL;
  return (z ^ (z >> 29)) & (bits - 1);
}

// The filter for a text of `distinct` grams: see Profile::mentions.
std::vector<uint64_t> MentionFilter(size_t distinct) {
  size_t words = 32;
  while (words * 64 < distinct * 12) words *= 2;
  return std::vector<uint64_t>(words);
}

void Mention(std::vector<uint64_t>& bits, Gram g) {
  for (int i = 0; i < 2; ++i) {
    const uint64_t b = Probe(g, i, bits.size() * 64);
    bits[b >> 6] |= uint64_t{1} << (b & 63);
  }
}

bool Mentions(const std::vector<uint64_t>& bits, Gram g) {
  if (bits.empty()) return false;
  for (int i = 0; i < 2; ++i) {
    const uint64_t b = Probe(g, i, bits.size() * 64);
    if (!(bits[b >> 6] & (uint64_t{1} << (b & 63)))) return false;
  }
  return true;
}

// The share of the title's weight whose grams the other text mentions.
double Covered(const GramSet& title, const std::vector<uint64_t>& other) {
  uint32_t covered = 0;
  for (size_t i = 0; i < title.grams.size(); ++i) {
    if (Mentions(other, title.grams[i])) covered += title.weights[i];
  }
  return title.total == 0 ? 0.0 : static_cast<double>(covered) / static_cast<double>(title.total);
}

// Whether the other text mentions every gram of one of `places`.
bool MentionsAPlace(const std::vector<std::vector<Gram>>& places,
                    const std::vector<uint64_t>& other) {
  for (const std::vector<Gram>& place : places) {
    if (std::all_of(place.begin(), place.end(), [&](Gram g) { return Mentions(other, g); })) {
      return true;
    }
  }
  return false;
}

double Ratio(uint32_t num, uint32_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

// The model's score before the logistic, without the text similarities (text_jaccard and
// text_containment), which the caller adds or bounds.
double ScoreWithoutText(const MatchOptions::Model& m, const Evidence& e, double penalty) {
  return m.bias + m.title_jaccard * e.title_jaccard + m.title_containment * e.title_containment +
         m.cross * e.cross + m.cross_min * e.cross_min + m.shared_place * e.shared_place +
         m.place_conflict * e.place_conflict + m.gap * std::log1p(e.gap_days) / 6.0 - penalty;
}

double Logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }

uint64_t IdentityPrefix(std::string_view hex_key) {
  uint64_t v = 0;
  for (size_t i = 0; i < 16 && i < hex_key.size(); ++i) {
    const char c = hex_key[i];
    v = (v << 4) | static_cast<uint64_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

// Normalised text without runs of 7 or more digits (an x may end one): phone and ID numbers typed
// into a complaint are identity, which the identity keys compare; as text they would make any two
// complaints citing numbers alike.
std::string WithoutLongNumbers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    if (j - i >= 7) {
      if (j < text.size() && text[j] == 'x') ++j;
      i = j;
      continue;
    }
    if (j == i) j = i + 1;
    out.append(text.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

Matcher::Matcher(const Vocabulary& vocabulary, MatchOptions options)
    : vocabulary_(vocabulary), options_(options) {}

Profile Matcher::MakeProfile(const MatchInput& input) const {
  Profile p;
  p.ticket_id = input.ticket_id;
  p.at = input.at;
  p.category = input.category;
  const std::string title_text = WithoutLongNumbers(input.title);
  const std::string content_text = WithoutLongNumbers(input.content);
  std::vector<Gram> title = GramsOf(title_text);
  p.title = MakeSet(title, vocabulary_);

  // The content's most specific grams (ties by gram, so the profile is a function of the text).
  GramSet content = MakeSet(GramsOf(content_text), vocabulary_);
  p.mentions = MentionFilter(p.title.grams.size() + content.grams.size());
  for (Gram g : p.title.grams) Mention(p.mentions, g);
  for (Gram g : content.grams) Mention(p.mentions, g);
  std::vector<size_t> order(content.grams.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto heavier = [&](size_t a, size_t b) {
    return content.weights[a] != content.weights[b] ? content.weights[a] > content.weights[b]
                                                    : content.grams[a] < content.grams[b];
  };
  const size_t keep = std::min(order.size(), options_.content_grams);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                    heavier);
  std::vector<Gram> full = std::move(title);
  for (size_t i = 0; i < keep; ++i) full.push_back(content.grams[order[i]]);
  p.full = MakeSet(std::move(full), vocabulary_);

  std::vector<size_t> by_weight(p.full.grams.size());
  for (size_t i = 0; i < by_weight.size(); ++i) by_weight[i] = i;
  std::sort(by_weight.begin(), by_weight.end(), [&](size_t a, size_t b) {
    return p.full.weights[a] != p.full.weights[b] ? p.full.weights[a] > p.full.weights[b]
                                                  : p.full.grams[a] < p.full.grams[b];
  });
  for (size_t i = 0; i < by_weight.size() && i < options_.index_keys; ++i) {
    p.keys.push_back(p.full.grams[by_weight[i]]);
  }
  for (const std::string_view text :
       {std::string_view(title_text), std::string_view(content_text)}) {
    for (const std::string& place : ExtractPlaces(text)) {
      if (p.places.size() >= kMaxPlaces) break;
      std::vector<Gram> grams = GramsOf(place);
      if (grams.size() > 5) grams.erase(grams.begin(), grams.end() - 5);
      if (std::find(p.places.begin(), p.places.end(), grams) == p.places.end()) {
        p.places.push_back(std::move(grams));
      }
    }
  }
  for (const std::string& key : input.identity_keys) {
    if (!key.empty()) p.identity.push_back(IdentityPrefix(key));
  }
  return p;
}

Candidate Matcher::Score(const Profile& a, const Profile& b, double floor) const {
  Candidate c;
  c.ticket_id = b.ticket_id;
  Evidence& e = c.evidence;
  for (uint64_t x : a.identity) {
    if (std::find(b.identity.begin(), b.identity.end(), x) != b.identity.end()) e.identity = true;
  }
  c.same = e.identity;
  const MatchOptions::Model& m = c.same ? options_.same : options_.related;
  const uint32_t title_shared = SharedWeight(a.title, b.title);
  e.title_jaccard = Ratio(title_shared, a.title.total + b.title.total - title_shared);
  e.title_containment = Ratio(title_shared, std::min(a.title.total, b.title.total));
  const double a_in_b = Covered(a.title, b.mentions), b_in_a = Covered(b.title, a.mentions);
  e.cross = std::max(a_in_b, b_in_a);
  e.cross_min = std::min(a_in_b, b_in_a);
  e.gap_days = static_cast<double>(std::llabs(a.at - b.at)) / 86'400.0;
  e.category_differs = !a.category.empty() && !b.category.empty() && a.category != b.category;
  const double penalty = e.category_differs ? options_.category_penalty : 0.0;

  const uint32_t min_total = std::min(a.full.total, b.full.total);
  if (floor > 0) {
    // Most pairs an index key brings together are chance: stop when even the best the texts and
    // places could add would leave the pair below `floor`. Every gram of b's texts is in its
    // mentions filter, so the weight of a's grams found there bounds the weight they share.
    uint32_t bound = 0;
    for (size_t i = 0; i < a.full.grams.size(); ++i) {
      if (Mentions(b.mentions, a.full.grams[i])) bound += a.full.weights[i];
    }
    bound = std::min(bound, min_total);
    Evidence best = e;
    best.shared_place = m.shared_place > 0;
    best.place_conflict = m.place_conflict > 0;
    const double z =
        ScoreWithoutText(m, best, penalty) +
        std::max(0.0, m.text_jaccard * Ratio(bound, a.full.total + b.full.total - bound)) +
        std::max(0.0, m.text_containment * Ratio(bound, min_total));
    if (Logistic(z) < floor) return c;  // confidence 0
  }
  const uint32_t full_shared = SharedWeight(a.full, b.full);
  e.text_jaccard = Ratio(full_shared, a.full.total + b.full.total - full_shared);
  e.text_containment = Ratio(full_shared, min_total);
  e.shared_place = MentionsAPlace(a.places, b.mentions) || MentionsAPlace(b.places, a.mentions);
  e.place_conflict = !a.places.empty() && !b.places.empty() && !e.shared_place;
  c.confidence = Logistic(ScoreWithoutText(m, e, penalty) + m.text_jaccard * e.text_jaccard +
                          m.text_containment * e.text_containment);
  return c;
}

std::vector<Candidate> Matcher::Find(const Profile& p) const {
  // How many of the profile's keys each slot shares, counted in a scratch array indexed by slot
  // (a shared identity counts as many keys: those candidates are always scored).
  constexpr uint8_t kIdentity = 64;
  shared_.resize(slots_.size());
  touched_.clear();
  auto gather = [&](const std::vector<uint32_t>& list, uint8_t weight) {
    const size_t from =
        list.size() > options_.max_postings ? list.size() - options_.max_postings : 0;
    for (size_t i = from; i < list.size(); ++i) {
      uint8_t& n = shared_[list[i]];
      if (n == 0) touched_.push_back(list[i]);
      n = static_cast<uint8_t>(std::min(255, n + weight));
    }
  };
  for (Gram k : p.keys) {
    if (auto it = postings_.find(k); it != postings_.end()) gather(it->second, 1);
  }
  for (uint64_t id : p.identity) {
    if (auto it = by_identity_.find(id); it != by_identity_.end()) gather(it->second, kIdentity);
  }
  std::vector<std::pair<uint32_t, uint32_t>> counted;  // (shared keys, slot)
  counted.reserve(touched_.size());
  for (uint32_t s : touched_) {
    counted.emplace_back(shared_[s], s);
    shared_[s] = 0;
  }
  // In a flood of near-copies, the ones sharing the most keys (then the newest) are scored.
  if (counted.size() > options_.max_candidates) {
    std::nth_element(counted.begin(),
                     counted.begin() + static_cast<std::ptrdiff_t>(options_.max_candidates),
                     counted.end(), std::greater<>());
    counted.resize(options_.max_candidates);
  }
  // The candidates' profiles are scattered over the window: ask for all of them before scoring
  // any, so the cache misses overlap instead of queueing.
  for (const auto& [shared, s] : counted) __builtin_prefetch(&slots_[s]);
  for (const auto& [shared, s] : counted) {
    const Profile& b = slots_[s].profile;
    __builtin_prefetch(b.title.grams.data());
    __builtin_prefetch(b.title.weights.data());
    __builtin_prefetch(b.identity.data());
    for (size_t line = 0; line < b.mentions.size() * sizeof(uint64_t); line += 64) {
      __builtin_prefetch(reinterpret_cast<const char*>(b.mentions.data()) + line);
    }
  }
  std::vector<Candidate> out;
  for (const auto& [shared, s] : counted) {
    const Slot& slot = slots_[s];
    if (!slot.live || slot.profile.ticket_id == p.ticket_id) continue;
    if (std::llabs(slot.profile.at - p.at) > options_.window_s) continue;
    Candidate c = Score(p, slot.profile, options_.ask);
    if (c.confidence >= options_.ask) out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
    return a.confidence != b.confidence ? a.confidence > b.confidence : a.ticket_id < b.ticket_id;
  });
  return out;
}

void Matcher::Add(Profile p) {
  Remove(p.ticket_id);
  const auto s = static_cast<uint32_t>(slots_.size());
  for (Gram k : p.keys) postings_[k].push_back(s);
  for (uint64_t id : p.identity) by_identity_[id].push_back(s);
  by_time_.emplace_back(p.at, s);
  std::push_heap(by_time_.begin(), by_time_.end(), std::greater<>());
  newest_ = std::max(newest_, p.at);
  slot_of_[p.ticket_id] = s;
  slots_.push_back(Slot{std::move(p), true});
  ++live_;
  Evict();
}

const Profile* Matcher::Indexed(int64_t ticket_id) const {
  const auto it = slot_of_.find(ticket_id);
  return it == slot_of_.end() ? nullptr : &slots_[it->second].profile;
}

void Matcher::Remove(int64_t ticket_id) {
  const auto it = slot_of_.find(ticket_id);
  if (it == slot_of_.end()) return;
  Slot& slot = slots_[it->second];
  slot.live = false;
  slot.profile = Profile{};
  slot_of_.erase(it);
  --live_;
  ++dead_;
}

void Matcher::Evict() {
  while (!by_time_.empty() && by_time_.front().first < newest_ - options_.window_s) {
    std::pop_heap(by_time_.begin(), by_time_.end(), std::greater<>());
    const uint32_t s = by_time_.back().second;
    by_time_.pop_back();
    if (slots_[s].live) Remove(slots_[s].profile.ticket_id);
  }
  if (dead_ > 1024 && dead_ > live_) Compact();
}

// Renumbers the live slots and rebuilds the lists without the dead ones.
void Matcher::Compact() {
  std::vector<Slot> slots;
  slots.reserve(live_);
  std::vector<uint32_t> renumber(slots_.size(), UINT32_MAX);
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    if (!slots_[s].live) continue;
    renumber[s] = static_cast<uint32_t>(slots.size());
    slots.push_back(std::move(slots_[s]));
  }
  auto remap = [&](auto& lists) {
    for (auto it = lists.begin(); it != lists.end();) {
      std::vector<uint32_t>& list = it->second;
      size_t n = 0;
      for (uint32_t s : list) {
        if (renumber[s] != UINT32_MAX) list[n++] = renumber[s];
      }
      list.resize(n);
      if (list.empty()) {
        it = lists.erase(it);
      } else {
        list.shrink_to_fit();
        ++it;
      }
    }
  };
  remap(postings_);
  remap(by_identity_);
  std::vector<std::pair<int64_t, uint32_t>> by_time;
  for (const auto& [at, s] : by_time_) {
    if (renumber[s] != UINT32_MAX) by_time.emplace_back(at, renumber[s]);
  }
  std::make_heap(by_time.begin(), by_time.end(), std::greater<>());
  by_time_ = std::move(by_time);
  for (auto& [id, s] : slot_of_) s = renumber[s];
  slots_ = std::move(slots);
  dead_ = 0;
}

}  // namespace hs::match
