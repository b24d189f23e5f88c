// Tests of the closure check (结案四要素): every closure text the simulator writes is found
// complete, texts lacking elements are reported with the province's names in its order, an
// unreached complainant is an answer (contacted == false, explained in process), and
// DescribeMissing.
#include "daemon/routing/closure_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/fakes/test_util.h"

namespace hs::routing {
namespace {

using ::hs::testing::Has;
using Names = std::vector<std::string>;

// The pieces adapters/hotline12345/sim_world.cc's ClosureText composes a closure from (it is
// private to the simulator, so the phrases are copied here): every act of every category, the
// praise act, each outcome and each view.
constexpr const char* kActs[] = {
    "经劳动保障监察大队调查核实，已责令用人单位限期足额支付拖欠工资",
    "已向诉求人详细解答社会保险相关政策及办理流程",
    "市场监管所执法人员已到现场核查，责令商家整改并依法处理",
    "经协调，商家同意按规定为诉求人办理退款",
    "交警部门已加强该路段巡查，对违停车辆依法处罚",
    "已联系相关公司核实情况，对涉事人员进行了批评教育",
    "辖区派出所已上门调解，双方达成一致意见",
    "已督促相关人员停止扰民行为，并将持续巡查",
    "城管执法中队已对相关问题进行整治",
    "已安排环卫人员清运处理，并增加巡查频次",
    "已安排维修人员上门检修，现已恢复正常",
    "已对相关设施进行全面排查维护",
    "已约谈开发企业和物业公司，督促其限期整改",
    "住建部门已到现场核查，责令施工单位规范施工",
    "已将诉求人的建议转相关部门研究，纳入下一步工作计划",
    "教育部门已核实相关情况，并向诉求人解释了招生政策",
    "已责令相关机构退还违规收取的费用",
    "卫健部门已约谈相关医疗机构，督促其改进服务",
    "已向诉求人解答医保报销政策及办理流程",
    "乡镇政府已安排人员实地查看，并制定了处理方案",
    "经核实，相关款项已于近日发放到位",
    "生态环境部门已对涉事企业开展现场检查并依法处理",
    "已组织人员对现场进行排查清理",
    "承办单位已安排专人核实情况并依规处理",
};
constexpr const char* kRefundAct = "经协调，商家同意按规定为诉求人办理退款";
constexpr const char* kPraiseAct = "已将诉求人的表扬转达相关工作人员。";
constexpr const char* kOutcomes[] = {"目前问题已解决。", "目前已整改到位。",
                                     "已向诉求人作出解释说明。"};
constexpr const char* kViews[] = {"诉求人对处理结果表示满意。", "诉求人表示认可。",
                                  "诉求人表示理解。", "诉求人对处理结果不太认可。"};
constexpr const char* kContacted = "6月12日，承办人员电话联系诉求人，详细了解了诉求情况。";
constexpr const char* kNotContacted = "承办人员多次拨打诉求人电话未接通，已发送短信告知办理情况。";
constexpr const char* kRework = "返工后重新办理：";
constexpr const char* kPendingView = "诉求人意见待回访确认。";

// A closure as the simulator writes it; `act` already ends with 。 when it is the praise act.
std::string SimClosure(bool rework, bool contacted, const std::string& act, const char* outcome,
                       const char* view) {
  std::string out = rework ? kRework : "";
  out += contacted ? kContacted : kNotContacted;
  out += act;
  out += outcome;
  out += contacted ? view : kPendingView;
  return out;
}

std::vector<std::string> AllSimActs() {
  std::vector<std::string> acts;
  for (const char* a : kActs) acts.push_back(std::string(a) + "。");
  acts.push_back(kPraiseAct);
  return acts;
}

TEST(ClosureCheckTest, EverySimulatorClosureIsComplete) {
  int checked = 0;
  for (bool rework : {false, true}) {
    for (bool contacted : {true, false}) {
      for (const std::string& act : AllSimActs()) {
        for (const char* outcome : kOutcomes) {
          for (const char* view : kViews) {
            const std::string text = SimClosure(rework, contacted, act, outcome, view);
            ClosureElements e = CheckClosure(text);
            EXPECT_TRUE(e.missing.empty()) << text << "\n  missing: " << DescribeMissing(e.missing);
            ASSERT_TRUE(e.contacted.has_value()) << text;
            EXPECT_EQ(*e.contacted, contacted) << text;
            EXPECT_FALSE(e.process.empty()) << text;
            EXPECT_FALSE(e.result.empty()) << text;
            EXPECT_FALSE(e.opinion.empty()) << text;
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 2 * 2 * 25 * 3 * 4);
}

// "经协调，商家同意按规定为诉求人办理退款" names the complainant and contains 同意, but as the
// object of the merchant's act: it is handling (process), not the complainant's opinion.
TEST(ClosureCheckTest, SimulatorRefundActCountsAsProcess) {
  for (const char* outcome : kOutcomes) {
    const std::string text =
        SimClosure(false, true, std::string(kRefundAct) + "。", outcome, kViews[0]);
    ClosureElements e = CheckClosure(text);
    EXPECT_EQ(e.missing, Names{}) << text;
    EXPECT_TRUE(Has(e.process, "经协调")) << text;
  }
}

TEST(ClosureCheckTest, CompleteTextFillsEachElement) {
  ClosureElements e = CheckClosure(
      "6月12日，承办人员电话联系诉求人。经现场核查，已责令商家整改。目前已整改到位。"
      "诉求人对处理结果表示满意。");
  EXPECT_EQ(e.missing, Names{});
  ASSERT_TRUE(e.contacted.has_value());
  EXPECT_TRUE(*e.contacted);
  EXPECT_TRUE(Has(e.contact, "电话联系诉求人"));
  EXPECT_TRUE(Has(e.process, "经现场核查"));
  EXPECT_TRUE(Has(e.result, "整改到位"));
  EXPECT_TRUE(Has(e.opinion, "表示满意"));
  // The contact clause is not part of process when the complainant was reached.
  EXPECT_TRUE(::hs::testing::Lacks(e.process, "电话联系"));
}

struct MissingCase {
  const char* text;
  Names missing;
};

TEST(ClosureCheckTest, MissingElementsAreNamedInTheProvincesOrder) {
  const MissingCase cases[] = {
      {"经核实，已安排人员处理。目前问题已解决。诉求人表示满意。", {"contacted"}},
      {"承办人员电话联系诉求人。目前问题已解决。诉求人表示满意。", {"process"}},
      {"承办人员电话联系诉求人。经核实，已安排人员跟进。诉求人表示满意。", {"result"}},
      {"承办人员电话联系诉求人。经核实，已安排人员处理。目前问题已解决。", {"citizenOpinion"}},
      {"目前问题已解决。", {"contacted", "process", "citizenOpinion"}},
      {"诉求人表示满意。", {"contacted", "process", "result"}},
      {"承办人员电话联系诉求人。", {"process", "result", "citizenOpinion"}},
      {"经核实，已安排人员跟进。", {"contacted", "result", "citizenOpinion"}},
      {"承办人员电话联系诉求人；目前问题已解决", {"process", "citizenOpinion"}},
  };
  for (const MissingCase& c : cases) {
    EXPECT_EQ(CheckClosure(c.text).missing, c.missing) << c.text;
  }
}

TEST(ClosureCheckTest, EmptyOrBlankTextMissesAllFour) {
  const Names all = {"contacted", "process", "result", "citizenOpinion"};
  for (const char* text : {"", "。", "  \n", "。；;！!？?"}) {
    ClosureElements e = CheckClosure(text);
    EXPECT_EQ(e.missing, all) << "[" << text << "]";
    EXPECT_FALSE(e.contacted.has_value());
  }
}

TEST(ClosureCheckTest, UnreachedComplainantIsAnAnswerExplainedInProcess) {
  // The only handling clause is the failed contact: it is the process.
  ClosureElements e =
      CheckClosure("承办人员多次拨打诉求人电话未接通。目前问题已解决。诉求人意见待回访确认。");
  ASSERT_TRUE(e.contacted.has_value());
  EXPECT_FALSE(*e.contacted);
  EXPECT_EQ(e.missing, Names{});
  EXPECT_TRUE(Has(e.process, "未接通"));
  EXPECT_TRUE(Has(e.contact, "未接通"));

  // With a process of its own, the contact clause still leads the process.
  e = CheckClosure(
      "来电人电话关机，无法联系。经现场核查，已安排清运。垃圾已清运。诉求人意见待回访确认。");
  ASSERT_TRUE(e.contacted.has_value());
  EXPECT_FALSE(*e.contacted);
  EXPECT_EQ(e.missing, Names{});
  EXPECT_EQ(e.process.find("来电人电话关机"), 0u) << e.process;
  EXPECT_TRUE(Has(e.process, "经现场核查"));
}

TEST(ClosureCheckTest, ReachedOnceCountsAsContacted) {
  ClosureElements e = CheckClosure(
      "首次致电诉求人未接通。次日再次电话联系诉求人。经核实已处理。问题已解决。诉求人表示满意。");
  ASSERT_TRUE(e.contacted.has_value());
  EXPECT_TRUE(*e.contacted);
  EXPECT_EQ(e.missing, Names{});
  // Reached: the contact clauses do not stand in for process.
  EXPECT_TRUE(::hs::testing::Lacks(e.process, "未接通"));
}

TEST(ClosureCheckTest, ClausesSplitAtEveryEnding) {
  // Half-width and full-width endings alike.
  ClosureElements e = CheckClosure("承办人员电话联系诉求人;经核实已处理!问题已解决?诉求人表示满意");
  EXPECT_EQ(e.missing, Names{});
  ClosureElements f =
      CheckClosure("承办人员电话联系诉求人！经核实已处理？问题已解决；诉求人表示满意。");
  EXPECT_EQ(f.missing, Names{});
}

TEST(ClosureCheckTest, DescribeMissingUsesOperatorNamesInOrder) {
  EXPECT_EQ(DescribeMissing({}), "");
  EXPECT_EQ(DescribeMissing({"contacted"}), "是否联系诉求人(contacted)");
  EXPECT_EQ(DescribeMissing({"contacted", "process", "result", "citizenOpinion"}),
            "是否联系诉求人(contacted), 处理过程(process), 处理结果(result), "
            "诉求人意见(citizenOpinion)");
  EXPECT_EQ(DescribeMissing({"handledBy", "closedAt"}), "承办单位(handledBy), 办结时间(closedAt)");
  // A name it does not know is given as it is.
  EXPECT_EQ(DescribeMissing({"result", "somethingNew"}), "处理结果(result), somethingNew");
}

TEST(ClosureCheckTest, DescribeMissingOfACheckNamesWhatTheCheckFound) {
  ClosureElements e = CheckClosure("目前问题已解决。");
  EXPECT_EQ(DescribeMissing(e.missing),
            "是否联系诉求人(contacted), 处理过程(process), 诉求人意见(citizenOpinion)");
}

}  // namespace
}  // namespace hs::routing
