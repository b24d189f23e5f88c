// Matching repeat complaints (issue 4, DESIGN.md flow 2): each ticket becomes a profile of its
// text and identity keys; an index over the recent window finds candidates in time that grows with
// the number of similar tickets, not the window; a score over the pair's evidence says how likely
// the two are one matter. `same` = one complainant (identity keys agree), `related` = several.
//
// Candidates come from an inverted index on each ticket's most specific bigrams (highest weight in
// the Vocabulary), so the boilerplate every complaint shares never forms a bucket. The decision for
// a pair depends only on the two profiles, the vocabulary and the options: never on which other
// tickets came before, or in what order.
//
// Not thread-safe: one Matcher is used under the ledger's writer lock.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/match/vocabulary.h"

namespace hs::match {

// What matching needs of a ticket, already normalised where it says so.
struct MatchInput {
  int64_t ticket_id = 0;
  int64_t at = 0;       // When the complaint was made, Unix seconds.
  std::string title;    // NormalizeText'ed.
  std::string content;  // NormalizeText'ed.
  std::string category;
  std::vector<std::string> identity_keys;  // ComplainantKey values: phone, id.
};

// A weighted set of grams, sorted by gram.
struct GramSet {
  std::vector<Gram> grams;
  std::vector<uint8_t> weights;  // Vocabulary::QuantizedWeight of each.
  uint32_t total = 0;
};

struct Profile {
  int64_t ticket_id = 0;
  int64_t at = 0;
  GramSet title;
  GramSet full;  // The title's grams and the content's most specific ones.
  // Every gram of title and content in a Bloom filter (two probes): whether the other text
  // mentions a title's gram at all. At least 2048 bits and 12 per distinct gram, a power of two:
  // about 2% false positives at most, however long the complaint (a fixed size would let a
  // 2,000-character letter "mention" most grams of any title).
  std::vector<uint64_t> mentions;
  std::vector<Gram> keys;          // Index keys: the most specific grams of `full`.
  std::vector<uint64_t> identity;  // First 64 bits of each identity key.
  // The places the text names (ExtractPlaces), each as the grams of its last six characters.
  std::vector<std::vector<Gram>> places;
  std::string category;
};

// The evidence for one pair, as stored with a decision.
struct Evidence {
  bool identity = false;         // An identity key (phone, ID number) is shared.
  double title_jaccard = 0;      // Weighted Jaccard of the titles' grams.
  double text_jaccard = 0;       // …of the full texts' grams.
  double title_containment = 0;  // Shared weight over the lighter title's.
  double text_containment = 0;   // …over the lighter text's.
  double cross = 0;              // The better share of one title found in the other's text.
  double cross_min = 0;          // The worse share: low when each title says what the other lacks.
  double gap_days = 0;
  bool shared_place = false;      // A place one names, the other mentions.
  bool place_conflict = false;    // Both name places, and none of either is in the other.
  bool category_differs = false;  // Both have a category and they differ.
};

struct MatchOptions {
  int64_t window_s = 30 * 86'400;  // Candidates at most this far apart in time.
  size_t content_grams = 48;       // Content grams kept per profile, most specific first.
  size_t index_keys = 16;          // Index keys per profile.
  // Flood guards: the newest postings scanned per key (reached by hundreds of near-copies), and
  // the candidates scored, those sharing the most keys (reached in large windows, where most
  // tickets sharing one key share it by chance; bench/match.sh measures what it costs).
  size_t max_postings = 500;
  size_t max_candidates = 32;
  // Logistic models: confidence = 1 / (1 + e^-(bias + Σ w·x)), x = the Evidence numbers and
  // ln(1 + gap_days) / 6, shared_place and place_conflict as 0 or 1. One model for one
  // complainant, one for several. related.place_conflict is set, not fitted: the labelled pairs
  // score alike from -1.5 to -5 (few related pairs name places at all), while call-takers' short
  // titles (劳动合同纠纷 for two companies' workers) made -1.5 join different places' complaints.
  // At -3.5 only near-identical texts a day or two apart outweigh two different places.
  struct Model {
    double bias, title_jaccard, text_jaccard, title_containment, text_containment, cross, cross_min,
        gap, shared_place, place_conflict;
  };
  Model same{-1.72, 0.76, 0.90, 1.24, 1.16, 1.91, 1.65, -0.26, 0, 0};
  Model related{-0.78, 0.17, 0.28, 0.41, 0.44, 1.70, 1.48, -1.59, 0, -3.5};
  double category_penalty = 1.0;  // Subtracted from the score when categories differ.
  double apply = 0.5;             // At or above: applied.
  double ask = 0.35;              // At or above (below apply): an operator decides.
};

struct Candidate {
  int64_t ticket_id = 0;
  Evidence evidence;
  double confidence = 0;
  bool same = false;  // One complainant: `same`; else `related`.
};

class Matcher {
 public:
  Matcher(const Vocabulary& vocabulary, MatchOptions options);

  Profile MakeProfile(const MatchInput& input) const;

  // Tickets in the index within the window of `p` that score at least `ask`, best first. `p`
  // itself (same ticket id) is skipped.
  std::vector<Candidate> Find(const Profile& p) const;

  // Adds or replaces the ticket's profile; forgets profiles older than the newest time seen less
  // the window.
  void Add(Profile p);
  void Remove(int64_t ticket_id);
  // The indexed profile of a ticket, or nullptr.
  const Profile* Indexed(int64_t ticket_id) const;
  size_t size() const { return live_; }

  // The evidence and confidence for two profiles. With a `floor`, a pair that cannot reach it is
  // left early, with confidence 0 and part of its evidence: Find scores with `ask` as the floor.
  Candidate Score(const Profile& a, const Profile& b, double floor = 0) const;

  const MatchOptions& options() const { return options_; }
  const Vocabulary& vocabulary() const { return vocabulary_; }

 private:
  struct Slot {
    Profile profile;
    bool live = false;
  };
  void Evict();
  void Compact();

  const Vocabulary& vocabulary_;
  MatchOptions options_;
  std::vector<Slot> slots_;
  std::unordered_map<int64_t, uint32_t> slot_of_;             // ticket id → slot
  std::unordered_map<Gram, std::vector<uint32_t>> postings_;  // key → slots, oldest first
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_identity_;
  std::vector<std::pair<int64_t, uint32_t>> by_time_;  // (at, slot), a min-heap
  // Find's scratch: keys shared per slot, and the slots it touched.
  mutable std::vector<uint8_t> shared_;
  mutable std::vector<uint32_t> touched_;
  int64_t newest_ = 0;
  size_t live_ = 0;
  size_t dead_ = 0;
};

}  // namespace hs::match
