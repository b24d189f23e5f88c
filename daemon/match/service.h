// The match hook the daemon sets on its ledger (DESIGN.md flow 2, issue 4): every ticket a page
// inserts or changes is normalised, given complainant keys (HMAC of the canonical phone and ID
// numbers), matched against the recent window, and its decisions and cases are written in the
// page's transaction. The in-memory index follows the ledger: what a rolled-back page added is
// taken out again. `match-eval` feeds a corpus through this same class.
// Thread-safety: called under the ledger's writer lock only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/core/ticket.h"
#include "daemon/ledger/ledger.h"
#include "daemon/match/matcher.h"
#include "daemon/match/vocabulary.h"

namespace hs::config {
struct Config;
}

namespace hs::match {

struct ServiceOptions {
  MatchOptions match;
  double apply_same = 0.5;
  double apply_related = 0.5;
  double cohesion = 0.3;  // See Config::match_cohesion.
  std::string hmac_key;   // Required: keys are never unkeyed hashes.
  std::string area_code = "0730";
};

// What matching counts, for status and metrics.
struct MatchCounts {
  int64_t matched = 0;  // Tickets matched.
  int64_t applied = 0;  // Decisions applied.
  int64_t pending = 0;  // Decisions left for an operator.
};

class MatchService final : public ledger::MatchHook {
 public:
  MatchService(Vocabulary vocabulary, ServiceOptions options);

  // Fills the index with the ledger's tickets of the last window (by the newest ticket's time).
  Status Load(ledger::Ledger& ledger);

  Status Match(const ledger::Change& change, sql::Db& db, int64_t now_s) override;
  void Committed() override;
  void Abandoned() override;

  // The complainant keys of a ticket: (kind, key) for each valid phone and ID number.
  std::vector<std::pair<std::string, std::string>> KeysOf(const Ticket& t) const;
  // The evidence and confidence for two indexed tickets, as the matcher scores them (no floor);
  // nullopt when either is not in the index.
  std::optional<Candidate> Compare(int64_t a, int64_t b) const;
  const MatchCounts& counts() const { return counts_; }
  size_t indexed() const { return matcher_.size(); }

 private:
  // The mean confidence between the sides a decision for (p, other) would join: p with its case
  // mates, and `other` with its case mates (a sample of each). 1 when they are one case already.
  Result<double> Cohesion(sql::Db& db, const Profile& p, int64_t other) const;
  MatchInput InputOf(int64_t ticket_id, const Ticket& t,
                     const std::vector<std::pair<std::string, std::string>>& keys) const;

  Vocabulary vocabulary_;
  ServiceOptions options_;
  Matcher matcher_;
  // What each indexed ticket's profile was made from, to skip changes that leave it as it was.
  std::unordered_map<int64_t, uint64_t> fingerprint_;
  // This transaction's changes to the index: the ticket and its profile before (if any).
  struct Undo {
    int64_t ticket_id;
    std::optional<Profile> before;
    std::optional<uint64_t> fingerprint_before;
  };
  std::vector<Undo> undo_;
  MatchCounts counts_, staged_;
};

// The vocabulary [match] vocabulary names, or the shipped one. Errors: InvalidArgument / NotFound.
Result<Vocabulary> LoadVocabulary(const std::string& file);

// The HMAC key: [match] key_file read as a credential, or else a key generated on first use and
// kept beside the ledger (mode 0600). Errors name the file and what to do.
Result<std::string> LoadMatchKey(const config::Config& cfg, bool* generated);

// The service as [match] configures it, its index still empty (Load it when it is set on the
// ledger, so that nothing committed in between is missed). nullptr when matching is off.
Result<std::unique_ptr<MatchService>> CreateMatchService(const config::Config& cfg);

// Evidence as stored with a decision: a JSON object.
std::string EvidenceJson(const Candidate& c, const Profile& a, const Profile& b);

}  // namespace hs::match
