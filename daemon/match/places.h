// The places a complaint names (小区, 路, 村, schools, hospitals, companies…), for matching: the
// same problem at a different place is a different matter (issue 4). A place is the run of
// characters before a place word, cut at words that cannot be part of a name. Heuristic and pure;
// thread-safe.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace hs::match {

// The places named in normalised text (see NormalizeText), e.g. "金鹗山庄3栋电梯故障" →
// {"金鹗山庄"}, "巴陵中路与东茅岭路交叉口" → {"巴陵中路", "东茅岭路"}.
std::set<std::string> ExtractPlaces(std::string_view normalized);

}  // namespace hs::match
