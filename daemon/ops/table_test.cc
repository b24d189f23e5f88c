// Operator tables line up Chinese text, which takes two columns a character.
#include "daemon/ops/table.h"

#include <gtest/gtest.h>

#include <sstream>

namespace hs::ops {
namespace {

TEST(TableTest, MeasuresDisplayWidth) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("岳阳楼区"), 8u);
  EXPECT_EQ(DisplayWidth("市住建局 A"), 10u);
  EXPECT_EQ(DisplayWidth("\xff\xfe"), 2u);  // Invalid bytes count one column each.
}

TEST(TableTest, TruncatesOnCharacterBoundariesWithAnEllipsis) {
  EXPECT_EQ(Truncate("岳阳楼区", 8), "岳阳楼区");
  EXPECT_EQ(Truncate("岳阳楼区", 7), "岳阳楼…");
  EXPECT_EQ(Truncate("岳阳楼区", 6), "岳阳…");
  EXPECT_EQ(Truncate("abcdef", 4), "abc…");
}

TEST(TableTest, AlignsColumnsByDisplayWidth) {
  Table t({"单位", "due"});
  t.AddRow({"岳阳楼区", "3415"});
  t.AddRow({"abc", "7"});
  std::ostringstream out;
  t.Print(out);
  EXPECT_EQ(out.str(),
            "单位      due\n"
            "岳阳楼区  3415\n"
            "abc       7\n");
}

}  // namespace
}  // namespace hs::ops
