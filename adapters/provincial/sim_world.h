// The simulated provincial platform's data: one city's dispatches (转办件) with their states and
// the per-city revision counter, the province's review of submitted results, and the rules of the
// accept / result / return endpoints (platforms/provincial.md). ProvincialSim (sim.h) puts HTTP,
// signatures, GBK and faults in front of it.
//
// Generation is deterministic: the same seed and options give the same dispatches and the same
// review decisions (a seeded std::mt19937_64 and a hash of the dispatch and its cycle).
//
// Thread-safety: none. ProvincialSim holds a mutex around every use.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/provincial/sim.h"

namespace hs::provincial {

// An endpoint's answer: the HTTP status and the UTF-8 JSON body.
struct SimAnswer {
  int status = 200;
  std::string body = R"({"result":"OK"})";
};

class SimWorld {
 public:
  // Generates options.count dispatches forwarded evenly over [sim_start - days_before,
  // sim_start + days_after]. Nothing exists before AdvanceTo. REQUIRES: options checked.
  explicit SimWorld(const ProvincialSimOptions& options);
  ~SimWorld();
  SimWorld(const SimWorld&) = delete;
  SimWorld& operator=(const SimWorld&) = delete;

  // Applies, in time order, every arrival and review at or before `now` (Unix seconds), each
  // raising the revision counter. An earlier `now` is ignored.
  void AdvanceTo(int64_t now);

  // {"result":"OK","items":[…]}: up to `limit` PENDING dispatches by (dispatchedAt, dispatchId).
  SimAnswer Pending(int limit, int64_t& served);
  // {"result":"OK","items":[…],"lastRevision":m}: dispatches whose revision is after `after`.
  SimAnswer Changes(int64_t after, int limit, int64_t& served);
  // The three city actions on dispatch `id` with the decoded request body (may be null for
  // accept).
  SimAnswer Accept(const std::string& id);
  SimAnswer SubmitResult(const std::string& id, const rapidjson::Value& body);
  SimAnswer Return(const std::string& id, const rapidjson::Value& body);

  std::vector<std::pair<std::string, std::string>> Snapshot() const;
  std::map<std::string, DispatchEffects> Effects() const;
  std::vector<std::string> Results(const std::string& id) const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace hs::provincial
