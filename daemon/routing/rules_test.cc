#include "daemon/routing/rules.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/fakes/temp_dir.h"
#include "tests/fakes/test_util.h"

namespace hs::routing {
namespace {

using hs::testing::Has;

TEST(RulesTest, ShippedRulesNameTheBureauTheChannelsAndYueyangsAreas) {
  auto r = LoadRules("");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->petition_units, std::vector<std::string>{"市信访局"});
  EXPECT_EQ(r->transfer_states, std::vector<std::string>{"TRANSFERRED"});
  EXPECT_EQ(r->petition_channel, "信访平台推送");
  EXPECT_EQ(r->provincial_channel, "省平台转办");
  ASSERT_NE(r->UnitForArea("岳阳市平江县"), nullptr);
  EXPECT_EQ(r->UnitForArea("岳阳市平江县")->name, "平江县");
  EXPECT_EQ(r->UnitForArea("岳阳市平江县")->code, "430626");
  EXPECT_EQ(r->UnitForArea("长沙市开福区"), nullptr);
  // The codebook read backwards: the lowest code of each hotline category.
  EXPECT_EQ(r->category_codes.at("社情民意类"), "XF0401");
  EXPECT_EQ(r->category_codes.at("人力资源和社会保障类"), "XF0301");
  EXPECT_EQ(r->default_category_code, "XF0601");
  EXPECT_TRUE(r->progress_hotline_to_petition);
}

TEST(RulesTest, ACityFileOverridesAndNamesItsOwnUnitRegistry) {
  testing::TempDir dir;
  std::ofstream(dir.File("units.toml")) << "[[unit]]\nname = \"某县\"\nareas = [\"某市某县\"]\n";
  std::ofstream(dir.File("routing.toml"))
      << "units_file = \"units.toml\"\n[hotline_to_petition]\nunits = [\"市信访局\", "
         "\"市人社局\"]\n"
      << "[progress]\npetition_to_hotline = false\n";
  auto r = LoadRules(dir.File("routing.toml"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->petition_units.size(), 2u);
  EXPECT_FALSE(r->progress_petition_to_hotline);
  ASSERT_EQ(r->units.size(), 1u);
  EXPECT_EQ(r->UnitForArea("某市某县")->name, "某县");
  EXPECT_EQ(r->UnitForArea("岳阳市平江县"), nullptr);  // The shipped registry is replaced.
}

TEST(RulesTest, MistakesAreNamedWithFileLineAndKey) {
  testing::TempDir dir;
  std::ofstream(dir.File("typo.toml")) << "[hotline_to_petition]\n\nunit = [\"市信访局\"]\n";
  auto typo = LoadRules(dir.File("typo.toml"));
  ASSERT_FALSE(typo.ok());
  EXPECT_TRUE(Has(typo.status().message(), "typo.toml:3"));
  EXPECT_TRUE(Has(typo.status().message(), "hotline_to_petition.unit: unknown key"));

  std::ofstream(dir.File("type.toml")) << "[progress]\nhotline_to_petition = \"yes\"\n";
  auto type = LoadRules(dir.File("type.toml"));
  ASSERT_FALSE(type.ok());
  EXPECT_TRUE(Has(type.status().message(), "progress.hotline_to_petition must be true or false"));

  std::ofstream(dir.File("section.toml")) << "[hotline_to_petitions]\nunits = []\n";
  EXPECT_FALSE(LoadRules(dir.File("section.toml")).ok());

  std::ofstream(dir.File("units_bad.toml")) << "[[unit]]\ncode = \"1\"\n";
  std::ofstream(dir.File("r.toml")) << "units_file = \"units_bad.toml\"\n";
  auto nameless = LoadRules(dir.File("r.toml"));
  ASSERT_FALSE(nameless.ok());
  EXPECT_TRUE(Has(nameless.status().message(), "unit.name is required"));

  auto missing = LoadRules(dir.File("nope.toml"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  std::ofstream(dir.File("broken.toml")) << "[progress\n";
  auto broken = LoadRules(dir.File("broken.toml"));
  ASSERT_FALSE(broken.ok());
  EXPECT_TRUE(Has(broken.status().message(), "broken.toml:1"));
}

}  // namespace
}  // namespace hs::routing
