// The closure check (结案四要素): before a hotline closure goes to the province as a result, find
// in its text the four elements the province requires — whether the complainant was contacted, how
// the matter was handled, the outcome, and the complainant's view — and name the missing ones, so
// that an incomplete closure is held for the unit to complete instead of being refused by the
// province.
//
// The text is split into clauses at 。；;！!？? and each clause is classified by the phrases units
// write (e.g. 电话联系诉求人 / 未接通 for contact, 已解决 / 整改到位 for the outcome,
// 诉求人表示满意 for the view). A clause may carry several elements. Pure function; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hs::routing {

struct ClosureElements {
  std::optional<bool> contacted;  // nullopt: the text does not say.
  std::string contact;            // The clause(s) about contact.
  std::string process;            // How it was handled.
  std::string result;             // The outcome.
  std::string opinion;            // The complainant's view.
  // The province's names of what is missing, in its order: contacted, process, result,
  // citizenOpinion.
  std::vector<std::string> missing;
};

ClosureElements CheckClosure(const std::string& text);

// The missing elements with the names operators know, e.g. "是否联系诉求人(contacted),
// 诉求人意见(citizenOpinion)".
std::string DescribeMissing(const std::vector<std::string>& missing);

}  // namespace hs::routing
