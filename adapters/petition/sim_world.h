// The simulated petition platform's data: a generated set of petitions (信访件) for Yueyang, each
// with its whole timed life (REGISTERED → ACCEPTED → IN_PROGRESS → REPLIED → CLOSED, some
// NOT_ACCEPTED, some REVIEWING, some TRANSFERRED to the hotline), and the store that answers "what
// does the platform hold at simulated time T", paged by (updatedAt, petitionNo) as
// platforms/petition.md describes. PetitionSim (sim.h) puts HTTP in front of it.
//
// Generation is deterministic: the same seed and options give the same petitions (a seeded
// std::mt19937_64, never std::random_device). Personal data is synthetic (张某某, 1380000xxxx).
//
// Thread-safety: none. A PetitionWorld is used by one thread at a time (PetitionSim holds a mutex).
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/core/result.h"

namespace hs::petition {

// A progress note reported back from the hotline (POST …/progress).
struct Progress {
  int64_t at = 0;  // Unix ms, as sent.
  std::string action;
  std::string text;
  std::string source_no;
};

// One query page: the rows as JSON separated by commas (no brackets).
struct QueryPage {
  int64_t total = 0;
  int count = 0;
  std::string rows;
};

class PetitionWorld {
 public:
  // Generates `count` petitions registered evenly (with jitter) over [first_ms, last_ms], each with
  // its whole life planned; `transfer_share` of them are TRANSFERRED to the hotline. Nothing is
  // visible before AdvanceTo. REQUIRES: count >= 0, first_ms <= last_ms, 0 <= transfer_share <= 1.
  static std::unique_ptr<PetitionWorld> Generate(uint64_t seed, int count, int64_t first_ms,
                                                 int64_t last_ms, double transfer_share);
  ~PetitionWorld();
  PetitionWorld(const PetitionWorld&) = delete;
  PetitionWorld& operator=(const PetitionWorld&) = delete;

  // Applies every planned step at or before `now_ms`, in time order. An earlier time is ignored.
  void AdvanceTo(int64_t now_ms);
  int64_t now_ms() const;

  size_t total_petitions() const;    // Also those not yet registered at now_ms().
  size_t visible_petitions() const;  // Registered at now_ms().

  // Visible petitions with from <= updatedAt <= to, ordered by (updatedAt, petitionNo), page
  // `page_no` (from 1) of `page_size`. REQUIRES: page_no >= 1, page_size >= 1.
  QueryPage Query(int64_t from, int64_t to, int64_t page_no, int page_size) const;

  // The record of a visible petition as JSON, or "" when unknown or not yet registered.
  std::string Record(std::string_view petition_no) const;

  // Registers a petition pushed from the hotline at now_ms(), with a planned life from there.
  // Returns its petitionNo. Errors: InvalidArgument whose message starts with the field, e.g.
  // "sourceNo: is required".
  Result<std::string> Create(const rapidjson::Value& body);

  // Appends a progress note to a visible petition and sets its updatedAt to now_ms(). Errors:
  // NotFound.
  Status AddProgress(std::string_view petition_no, Progress p);
  std::vector<Progress> ProgressOf(std::string_view petition_no) const;

  // Sets updatedAt of `n` visible petitions, drawn with `rng`, to now_ms() (page drift for tests).
  void Touch(int n, std::mt19937_64& rng);

  // Every visible petition as (petitionNo, record JSON), sorted by petitionNo.
  std::vector<std::pair<std::string, std::string>> Snapshot() const;

 private:
  struct State;
  explicit PetitionWorld(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace hs::petition
