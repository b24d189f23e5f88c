#include "adapters/sim_text.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace hs::sim {
namespace {

TEST(SimTextTest, VariantPicksEachAlternativeByNumber) {
  EXPECT_EQ(Variant("甲|乙|丙", 0), "甲");
  EXPECT_EQ(Variant("甲|乙|丙", 1), "乙");
  EXPECT_EQ(Variant("甲|乙|丙", 2), "丙");
  EXPECT_EQ(Variant("甲|乙|丙", 3), "甲");  // Modulo the count.
  EXPECT_EQ(Variant("甲|乙|丙", UINT64_MAX), Variant("甲|乙|丙", UINT64_MAX % 3));
  EXPECT_EQ(Variant("只有一种说法", 12345), "只有一种说法");
  EXPECT_EQ(Variant("", 7), "");
  EXPECT_EQ(Variant("甲||丙", 1), "");
}

TEST(SimTextTest, FillSlotsReplacesEachNamedSlot) {
  auto value = [](std::string_view slot) { return "<" + std::string(slot) + ">"; };
  EXPECT_EQ(FillSlots("{xq}{n}栋电梯故障，{xq}物业不修", value), "<xq><n>栋电梯故障，<xq>物业不修");
  EXPECT_EQ(FillSlots("没有槽", value), "没有槽");
  EXPECT_EQ(FillSlots("未闭合{xq", value), "未闭合{xq");
  EXPECT_EQ(FillSlots("", value), "");
}

TEST(SimTextTest, SlotValuesAreNamesOfTheirKindAndFiguresInRange) {
  std::set<std::string> developers;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const std::string kfs = SlotValue("kfs", seed);
    EXPECT_TRUE(kfs.find("房地产") != std::string::npos || kfs.find("置业") != std::string::npos)
        << kfs;
    developers.insert(kfs);
    const int months = std::stoi(SlotValue("yue", seed));
    EXPECT_GE(months, 2);
    EXPECT_LE(months, 14);
    EXPECT_EQ(std::stoi(SlotValue("qian", seed)) % 100, 0);
  }
  EXPECT_GE(developers.size(), 2u);
  EXPECT_EQ(SlotValue("xq", 42), SlotValue("xq", 42));  // One matter, one estate.
  EXPECT_EQ(SlotValue("nonesuch", 1), "{nonesuch}");
}

TEST(SimTextTest, NamesAreDistinctAndMixSpreads) {
  for (auto names : {Estates(), Roads(), Villages(), Companies(), Schools(), Shops(), Goods()}) {
    EXPECT_GE(names.size(), 10u);
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  }
  std::set<uint64_t> buckets;
  for (uint64_t i = 0; i < 64; ++i) buckets.insert(Mix(i) % 4);
  EXPECT_EQ(buckets.size(), 4u);
}

}  // namespace
}  // namespace hs::sim
