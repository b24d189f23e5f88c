// Words for the simulated platforms' complaints (the demo and the tests): the places and
// organisations of an invented Yueyang, and the small grammar their texts are written in. A text
// says a thing in one of several ways ("a|b|c", a Variant) with {slots} filled by the simulator
// (FillSlots), so that two people complaining about one thing write two texts, as people do, and
// two complaints about different things differ in more than one word. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace hs::sim {

std::span<const char* const> Estates();    // 小区, 花园, 山庄…
std::span<const char* const> Roads();      // City roads.
std::span<const char* const> Villages();   // …村, without the town.
std::span<const char* const> Companies();  // …有限公司.
std::span<const char* const> Schools();
std::span<const char* const> Shops();
std::span<const char* const> Goods();  // Bought from abroad.

// One of the '|'-separated alternatives of `text`, chosen by `pick` (any number: taken modulo the
// count). Text without '|' is its own only alternative.
std::string_view Variant(std::string_view text, uint64_t pick);

// The value of slot `name` for the matter whose slots are drawn from `seed`: a name of the lists
// above (xq estate, lu road, cun village, gs an employer, kfs a developer, sg a builder, gc a
// factory, nq a farm business, xx school, dian shop, wu goods) or a figure in a plausible range
// (yue months, nian years, tian days, qian/fei/ka/dan/ou amounts, mi m², mu 亩, ci times, ju km,
// tou pigs). An unknown name comes back as "{name}".
std::string SlotValue(std::string_view name, uint64_t seed);

// `text` with each {name} replaced by value(name); a '{' without its '}' is kept as it is.
std::string FillSlots(std::string_view text,
                      const std::function<std::string(std::string_view)>& value);

// What a generated record's text is about: a template (an index into the simulator's table) and
// the seed its slots are drawn from (SlotValue). A repeat copies another record's Matter.
struct Matter {
  size_t text = 0;
  uint64_t slots = 0;
};

// A choice for the text of record `i` of a world generated from `seed`, for one `use` (which
// wording of the title, of the body, the slots…): a hash, never a draw from the world's random
// stream, so that texts can change without moving any other generated value.
uint64_t TextPick(uint64_t seed, int64_t i, uint64_t use);

// A well-mixed 64-bit hash (SplitMix64's finaliser): picks that must not draw from a simulator's
// random stream, so that adding variety to texts leaves every other generated value unchanged.
uint64_t Mix(uint64_t x);

}  // namespace hs::sim
