#include "daemon/match/places.h"

#include <gtest/gtest.h>

#include "daemon/match/normalize.h"

namespace hs::match {
namespace {

using Places = std::set<std::string>;

Places Of(std::string_view text) { return ExtractPlaces(NormalizeText(text)); }

TEST(PlacesTest, ResidentialCompoundsRoadsAndVillages) {
  EXPECT_EQ(Of("金鹗山庄3栋电梯频繁故障，多次困人。"), Places{"金鹗山庄"});
  EXPECT_EQ(Of("巴陵中路与东茅岭路交叉口红绿灯故障三天。"), (Places{"巴陵中路", "东茅岭路"}));
  EXPECT_EQ(Of("我家住在南湖花园，小区门口垃圾无人清运。"), Places{"南湖花园"});
  EXPECT_EQ(Of("反映平江县三市镇长寿村道路破损。"), (Places{"平江县三市镇", "长寿村"}));
}

TEST(PlacesTest, SchoolsHospitalsAndCompanies) {
  EXPECT_EQ(Of("岳阳市第一中学周边噪音扰民。"), Places{"岳阳市第一中学"});
  EXPECT_EQ(Of("投诉岳阳恒通房地产开发有限公司拖欠工资。"), Places{"岳阳恒通房地产开发有限公司"});
  EXPECT_EQ(Of("在市中心医院就诊时收费不合理。"), Places{"市中心医院"});
}

TEST(PlacesTest, TheSameProblemAtAnotherPlaceNamesAnotherPlace) {
  const Places a = Of("金鹗山庄3栋电梯频繁故障，请督促物业维修。");
  const Places b = Of("南湖花园5栋电梯频繁故障，请督促物业维修。");
  EXPECT_FALSE(a.empty());
  EXPECT_FALSE(b.empty());
  for (const std::string& p : a) EXPECT_EQ(b.count(p), 0u) << p;
}

TEST(PlacesTest, TextWithoutAPlaceNamesNone) {
  EXPECT_TRUE(Of("咨询社保卡办理流程。").empty());
  EXPECT_TRUE(Of("").empty());
  EXPECT_TRUE(Of("路").empty());  // A place word alone is not a place.
}

}  // namespace
}  // namespace hs::match
