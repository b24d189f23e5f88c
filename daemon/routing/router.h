// The city's router (DESIGN.md flow 3): for each ticket a pull inserts or changes, the pushes it
// calls for, by the rules of rules.h —
//   hotline order for a petition unit (or flagged) → petition create, then its log as progress;
//   petition TRANSFERRED → hotline create (wbbh = petitionNo), petition status changes → 备注;
//   provincial dispatch → accept + hotline create for the unit of its area, or return;
//   REOPENED → a new hotline order with the new deadline (wbbh = dispatchId/R<deadline>);
//   closure of a hotline order made from a dispatch → the province's result, held when the closure
//   check finds elements missing;
//   log entries of a hotline order made from a petition → petition progress;
//   a repeat of a matter open elsewhere (its case has an open record on the target) → a note on
//   that record and a link to it instead of a second record (hotline and petition; a provincial
//   dispatch always gets its own order).
// Payloads are the target platform's request bodies, fixed when queued. Notes we appended carry a
// wbbh and are never mirrored back (no echo).
//
// Thread-safety: Route is called under the ledger's lock; the router holds only its rules.
#pragma once

#include "daemon/ledger/ledger.h"
#include "daemon/routing/rules.h"

namespace hs::routing {

class CityRouter final : public ledger::Router {
 public:
  explicit CityRouter(Rules rules) : rules_(std::move(rules)) {}
  Status Route(const ledger::Change& change, ledger::RouteContext& context,
               std::vector<ledger::OutboxRequest>& out) override;

  const Rules& rules() const { return rules_; }

 private:
  Status FromHotline(const ledger::Change& c, ledger::RouteContext& ctx,
                     std::vector<ledger::OutboxRequest>& out);
  Status FromPetition(const ledger::Change& c, ledger::RouteContext& ctx,
                      std::vector<ledger::OutboxRequest>& out);
  Status FromProvincial(const ledger::Change& c, std::vector<ledger::OutboxRequest>& out);
  // A hotline order for the change, or, when its case has an order open already, a note on that
  // order and a link to it (JoinOpenRecord).
  Status CreateOrJoin(const ledger::Change& c, ledger::RouteContext& ctx,
                      const std::string& revision, std::string payload,
                      std::vector<ledger::OutboxRequest>& out);

  Rules rules_;
};

// The dispatch id a hotline order made from a provincial dispatch refers to: its wbbh up to
// "/R" (a reopened dispatch's order).
std::string DispatchIdOf(const std::string& wbbh);

}  // namespace hs::routing
