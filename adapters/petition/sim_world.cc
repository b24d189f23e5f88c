#include "adapters/petition/sim_world.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <string_view>

#include "adapters/petition/mapping.h"
#include "adapters/sim_text.h"
#include "daemon/core/json.h"
#include "daemon/core/time_util.h"

namespace hs::petition {
namespace {

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kDueAfter = 60 * kDay;

struct Org {
  const char* code;
  const char* name;
};
constexpr Org kOrgs[] = {
    {"430602", "岳阳楼区"}, {"430603", "云溪区"}, {"430611", "君山区"}, {"430621", "岳阳县"},
    {"430623", "华容县"},   {"430624", "湘阴县"}, {"430626", "平江县"}, {"430681", "汨罗市"},
    {"430682", "临湘市"},   {"", "市住建局"},     {"", "市人社局"},     {"", "市教育局"},
    {"", "市卫健委"},       {"", "市生态环境局"}, {"", "市市场监管局"},
};
constexpr int kOrgCount = sizeof(kOrgs) / sizeof(kOrgs[0]);
constexpr int kDistricts = 9;  // The first entries: counties and districts, with address names.
constexpr Org kHotline = {"", "市12345政务服务热线"};

// Subject and text of a petition, per category code. Title and content each say it in one of
// several ways ("a|b|c", see hs::sim::Variant); {slots} name the place, the organisation and the
// figures of one matter (sim::SlotValue), the same in a petition's title and content.
struct Template {
  const char* code;
  const char* title;
  const char* content;
};
constexpr Template kTemplates[] = {
    {"XF0201",
     "邻里纠纷长期未解决|{cun}宅基地边界纠纷多次调解未果|与邻居宅基地界址争议请求依法处理"
     "|{cun}村民宅基地纠纷请求处理",
     "信访人系{cun}村民，反映与邻居因宅基地边界发生纠纷已{yue}个月，村委会、镇司法所多次调解"
     "未果，请求依法处理。"
     "|信访人反映{cun}邻居建房时占用其宅基地约{mi}平方米，双方争执{yue}个月，多次调解无果，"
     "请求依法处理。"
     "|信访人反映{cun}邻居修建围墙越过原宅基地界址，已持续{yue}个月，村组调解未果，请求有关"
     "部门现场勘界、依法处理。"},
    {"XF0201",
     "反映村干部作风问题|{cun}村干部办事拖拉态度粗暴|反映{cun}村委会干部作风粗暴"
     "|{cun}村干部不作为请求调查",
     "信访人反映{cun}村干部办事拖拉、态度粗暴，其为开具一份证明往返村部{ci}次未果，请求上级"
     "调查处理。"
     "|信访人反映{cun}村委会主要干部长期不在村部办公，群众办事找不到人，近{yue}个月多次反映"
     "无果，请求上级调查处理。"
     "|信访人反映{cun}村干部处理村务推诿扯皮、态度粗暴，村务公开栏{yue}个月未更新，请求上级"
     "调查处理。"},
    {"XF0301", "企业拖欠工资|{sg}拖欠农民工工资|工程完工后工资至今未付|讨要{sg}欠薪无果",
     "信访人反映在{sg}承建的{xq}工地务工，工程完工后老板拖欠工资{qian}元至今未付，请求帮助"
     "追讨。"
     "|信访人反映其在{xq}项目为{sg}务工{yue}个月，完工后包工头以工程款未结为由拖欠工资{qian}"
     "元，多次讨要无果，请求帮助追讨。"
     "|信访人反映{sg}拖欠其与工友在{xq}项目的工资共计{qian}元，已拖欠{yue}个月，请求劳动保障"
     "部门依法追讨。"},
    {"XF0301",
     "养老保险待遇核定异议|养老保险缴费年限计算有误|对养老金核定结果有异议"
     "|原{gs}职工养老保险待遇核定异议",
     "信访人对养老保险待遇核定结果有异议，认为其在{gs}工作期间{nian}年的缴费年限未被计入，"
     "请求重新核定。"
     "|信访人系原{gs}职工，反映退休后养老金核定时少计缴费年限{nian}年，每月待遇明显偏低，"
     "请求重新核定。"
     "|信访人反映办理退休时核定的缴费年限比实际少{nian}年，已向{gs}及社保经办机构反映{yue}"
     "个月无果，请求重新核定。"},
    {"XF0401",
     "土地流转费用未兑现|{cun}土地流转费迟迟未发放|{nq}拖欠{cun}土地流转费"
     "|{cun}土地流转款未到户请求督促",
     "信访人反映{cun}集体土地流转给{nq}后，流转费用已拖欠{yue}个月未发放到户，请求督促兑现。"
     "|信访人系{cun}村民，反映其家{mu}亩承包地流转给{nq}后，约定的流转费拖欠{yue}个月至今"
     "未兑现，请求督促兑现。"
     "|信访人反映{cun}村委会收取{nq}支付的土地流转费后未分配到户，涉及{mu}亩，已{yue}个月，"
     "请求督促兑现。"},
    {"XF0401", "农田灌溉渠道损毁|{cun}灌溉渠道年久失修|{cun}春耕用水困难|{cun}农田水渠损毁请求修复",
     "信访人反映{cun}灌溉渠道年久失修，多处垮塌堵塞，约{mu}亩农田春耕用水困难，请求尽快修复。"
     "|信访人反映{cun}的主灌溉渠已损毁{nian}年，约{mu}亩农田无法正常灌溉，多次向村里反映未果，"
     "请求尽快修复。"
     "|信访人反映{cun}村前水渠被施工车辆压垮后{yue}个月未恢复，影响{mu}亩农田灌溉，请求尽快"
     "修复。"},
    {"XF0501",
     "征地补偿标准异议|{lu}拓宽项目房屋征收补偿偏低|对房屋征收评估价格有异议"
     "|{lu}征收项目补偿标准异议",
     "信访人对{lu}拓宽项目房屋征收补偿标准有异议，认为评估价格偏低，请求重新评估。"
     "|信访人反映其位于{lu}的房屋被纳入征收范围，评估单价每平方米仅{dan}元，明显低于周边同类"
     "房屋，请求重新评估。"
     "|信访人反映{lu}棚改项目征收其房屋，补偿按每平方米{dan}元计算，协商{yue}个月未果，请求"
     "重新评估。"},
    {"XF0501",
     "宅基地审批迟迟未办|{cun}宅基地建房审批逾期未办结|申请宅基地建房{yue}个月未获审批"
     "|宅基地审批手续拖延请求加快办理",
     "信访人系{cun}村民，反映申请宅基地建房已逾{yue}个月，审批手续至今未办结，请求加快办理。"
     "|信访人反映其在{cun}申请宅基地建房，材料{yue}个月前已交镇政府，至今未获审批，请求加快"
     "办理。"
     "|信访人反映其在{cun}的宅基地建房申请已经村组公示通过，但在镇里压了{yue}个月未办结，"
     "请求加快办理。"},
    {"XF0601",
     "低保资格被取消|{cun}低保被取消认为核查不实|家庭困难低保被停发|低保资格取消请求重新审核",
     "信访人系{cun}村民，反映家庭困难，低保资格被取消，认为核查不实，请求重新审核。"
     "|信访人反映其家住{cun}，丈夫瘫痪在床{nian}年，低保于{yue}个月前被停发，认为入户核查不实，"
     "请求重新审核。"
     "|信访人反映{cun}在低保复核中取消了其家庭低保资格，家中{nian}年来靠其一人打零工维持生活，"
     "请求重新审核。"},
    {"XF0601",
     "临时救助申请未答复|因病申请临时救助{tian}天无答复|临时救助申请迟迟无人答复"
     "|{xq}居民临时救助申请无人答复",
     "信访人系{xq}居民，反映因病致贫申请临时救助，{tian}天未获答复，请求尽快处理。"
     "|信访人反映家住{xq}，家人患重病住院花费{qian}元，向社区申请临时救助已{tian}天未获答复，"
     "请求尽快处理。"
     "|信访人反映其于{tian}天前向{xq}所在社区提交临时救助申请，材料齐全但至今无人答复，请求"
     "尽快处理。"},
    {"XF0702",
     "小区房屋质量问题|{xq}商品房墙体开裂渗水|{kfs}开发的{xq}房屋质量差"
     "|{xq}房屋渗水开发商推诿不修",
     "信访人反映所购{kfs}开发的{xq}商品房墙体开裂、渗水严重，开发商推诿不修，请求督促整改。"
     "|信访人反映{xq}交房{nian}年来多栋房屋外墙开裂、卫生间渗水，多次找{kfs}维修无果，请求督促"
     "整改。"
     "|信访人反映其在{xq}购买的住房入住不到{nian}年即出现墙体开裂、屋顶漏水，开发商{kfs}推诿"
     "不修，请求督促整改。"},
    {"XF0702",
     "房产证迟迟办不下来|{xq}购房{nian}年仍未办证|{kfs}拖延办理不动产权证"
     "|{xq}业主不动产权证办不下来",
     "信访人反映购买{xq}商品房已{nian}年仍未办理不动产权证，开发商{kfs}以各种理由拖延，请求"
     "协调办理。"
     "|信访人反映{xq}交房{nian}年，开发商{kfs}因欠缴土地出让金导致业主无法办证，请求协调办理。"
     "|信访人反映其在{xq}购房已满{nian}年，多次向{kfs}催办不动产权证无果，影响子女入学，请求"
     "协调办理。"},
    {"XF0901",
     "医疗纠纷处理不公|家属在{lu}一家医院治疗期间出现意外|对医院医疗纠纷处理结果不满"
     "|医疗纠纷{yue}个月未妥善处理",
     "信访人反映家属{yue}个月前在{lu}一家医院治疗期间出现意外，对医院处理结果不满，请求调查。"
     "|信访人反映其父亲在{lu}一家医院手术后出现严重并发症，花费医疗费{qian}元，医院推卸责任，"
     "协商{yue}个月无果，请求调查。"
     "|信访人反映家属在{lu}一家医院住院期间因护理不当摔伤，{yue}个月来医院对赔偿问题一再推诿，"
     "请求调查处理。"},
    {"XF0901",
     "乡镇卫生院服务态度差|镇卫生院医护人员态度生硬|{cun}村民反映镇卫生院就诊排队过长"
     "|卫生院服务差请求整改",
     "信访人系{cun}村民，反映镇卫生院医护人员服务态度差，就诊排队时间过长，请求整改。"
     "|信访人反映{cun}附近的镇卫生院只有{ci}名医生坐诊，老人看病常需排队半天，医护人员态度"
     "生硬，请求整改。"
     "|信访人系{cun}村民，反映带孩子到镇卫生院就诊，等候两个多小时无人接诊，询问时遭医护人员"
     "呵斥，请求整改。"},
    {"XF1001",
     "子女入学安排问题|子女未能就近入学|{xq}适龄儿童被安排到较远学校|请求安排子女到{xx}就近入学",
     "信访人反映家住{xq}，子女按户籍应就近入读{xx}，却被安排到较远学校，请求重新安排。"
     "|信访人反映其户籍在{xq}已满{nian}年，孩子属{xx}学区，今年却被调剂到{ju}公里外的学校，"
     "请求重新安排。"
     "|信访人反映{xq}的适龄儿童今年被划出{xx}学区，孩子每天上学需往返{ju}公里，请求重新安排。"},
    {"XF1001", "学校违规收费|{xx}以资料费名义违规收费|反映{xx}乱收费|{xx}向学生收取费用请求查处",
     "信访人反映{xx}以资料费名义向学生每人收取{fei}元，请求查处。"
     "|信访人反映{xx}要求学生统一购买教辅资料并参加课后补课，每学期收费{fei}元，请求查处。"
     "|信访人反映{xx}班主任以班费、资料费名义向每名学生收取{fei}元，且不开具收据，请求查处。"},
    {"XF1101", "工厂废气污染|{gc}夜间排放刺鼻废气|{xq}附近工厂废气扰民|反映{gc}偷排废气",
     "信访人反映{xq}附近的{gc}夜间排放刺鼻废气，影响居民生活和健康，请求查处。"
     "|信访人反映{gc}厂区紧邻{xq}，近{yue}个月每到深夜即排放刺鼻废气，居民不敢开窗，请求查处。"
     "|信访人反映{xq}居民长期受{gc}排放废气困扰，夜间气味尤其明显，多名老人儿童出现咳嗽症状，"
     "请求查处。"},
    {"XF1101", "养殖场污水直排|{cun}养殖场污水直排入河|{cun}河水发黑发臭|反映{cun}养猪场污染",
     "信访人反映{cun}旁养殖场污水直排入河，河水发黑发臭，请求治理。"
     "|信访人反映{cun}一家存栏约{tou}头的养猪场将粪污直接排入村前河道，已持续{yue}个月，请求"
     "治理。"
     "|信访人反映{cun}饮用水源上游的养殖场污水直排，河水发黑发臭，夏季蚊蝇滋生，请求治理。"},
    {"XF1201",
     "商家虚假宣传|{lu}保健品店虚假宣传诱导老人消费|保健品店以讲座送礼品诱骗老人"
     "|老人被骗购保健品{qian}元请求退款",
     "信访人反映{lu}一家保健品体验店以免费讲座、赠送鸡蛋为名，诱导老年人购买保健品，其母亲"
     "花费{qian}元，请求查处并退款。"
     "|信访人反映其父亲在{lu}一家保健品店听信“包治百病”的虚假宣传，先后购买保健品共计{qian}"
     "元，请求查处并退款。"
     "|信访人反映{lu}一家保健品店以虚假宣传诱导老年人购买保健品，其家中老人已花费{qian}元，"
     "商家拒绝退款，请求查处并退款。"},
    {"XF1201",
     "预付卡商家跑路|{dian}突然关门预付卡无法退款|{lu}{dian}卷款跑路|{dian}预付卡余额无法退还",
     "信访人反映在{lu}的{dian}办理预付卡后商家突然关门，余额{ka}元无法退还，请求帮助维权。"
     "|信访人反映{lu}的{dian}收取大量会员充值后突然停业，其卡内余额{ka}元无法退还，请求帮助"
     "维权。"
     "|信访人反映其{yue}个月前在{lu}的{dian}充值办卡，近日门店人去楼空，卡内{ka}元无人退还，"
     "请求帮助维权。"},
};
constexpr int kTemplateCount = sizeof(kTemplates) / sizeof(kTemplates[0]);
// A repeat: a petition about the matter of one of the kRepeatWindow petitions before it, in
// kRepeatPercent of them (for the matcher to find, as a city's real duplicates).
constexpr uint64_t kRepeatPercent = 6;
constexpr uint64_t kRepeatWindow = 30;

constexpr const char* kSurnames[] = {"张", "李", "王", "刘", "陈", "杨", "黄", "周",
                                     "吴", "徐", "孙", "胡", "朱", "高", "林", "何"};
constexpr const char* kStreets[] = {"巴陵中路", "洞庭南路", "金鹗东路", "南湖大道",
                                    "学院路",   "建湘路",   "东茅岭路", "求索西路"};
constexpr const char* kReplies[] = {
    "经调查核实，已责成相关单位依法依规处理，并向信访人当面反馈处理意见。",
    "经协调，相关费用已兑现到位，信访人表示认可。",
    "经现场核查，反映问题部分属实，已督促责任单位限期整改。",
    "经核查，相关政策执行符合规定，已向信访人做好解释说明工作。",
};
constexpr const char* kNotAcceptedReasons[] = {
    "所反映事项已经通过诉讼程序处理，依照《信访工作条例》不予受理。",
    "所反映事项已有处理意见且已复查复核终结，不予受理。",
};

// One planned change of a petition's life.
struct Step {
  int64_t at = 0;
  std::string status;
  std::optional<std::string> reply;  // Sets replyContent and repliedAt.
  std::string satisfaction;          // Sets satisfaction when not empty.
  int org = -2;                      // Sets responsibleOrg: -1 the hotline, >= 0 kOrgs.
};

struct Petitioner {
  std::string name, mobile, id_card, address;
  int64_t persons = 1;
  bool anonymous = false;  // All fields null.
};

struct Petition {
  std::string no;
  int64_t registered_at = 0;
  std::string form;
  Petitioner petitioner;
  std::string title, content, incident_address, category;
  int org = -2;  // -2: none yet.
  int64_t due_at = 0;
  std::string status = "REGISTERED";
  std::string reply;
  int64_t replied_at = 0;
  std::string satisfaction;
  std::string source_system, source_no;
  int64_t updated_at = 0;
  std::vector<Step> steps;  // In time order; steps[0] is the registration.
  size_t next_step = 0;
  std::vector<Progress> progress;
};

int64_t Uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
}
bool Chance(std::mt19937_64& rng, double p) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53 < p;
}

std::string IdCard(std::mt19937_64& rng, const char* region) {
  static const int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char kCheck[] = "10X98765432";
  char buf[19];
  std::snprintf(buf, sizeof buf, "%s%04d%02d%02d%03d", region,
                static_cast<int>(Uniform(rng, 1950, 2003)), static_cast<int>(Uniform(rng, 1, 12)),
                static_cast<int>(Uniform(rng, 1, 28)), static_cast<int>(Uniform(rng, 0, 999)));
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (buf[i] - '0') * kWeights[i];
  buf[17] = kCheck[sum % 11];
  buf[18] = '\0';
  return buf;
}

Petitioner MakePetitioner(std::mt19937_64& rng, int district) {
  Petitioner p;
  if (Chance(rng, 0.03)) {
    p.anonymous = true;
    return p;
  }
  p.name =
      std::string(kSurnames[rng() % std::size(kSurnames)]) + (Chance(rng, 0.5) ? "某某" : "某");
  char mobile[16];
  std::snprintf(mobile, sizeof mobile, "1380000%04d", static_cast<int>(rng() % 10000));
  p.mobile = mobile;
  p.id_card = Chance(rng, 0.8) ? IdCard(rng, kOrgs[district].code) : "";
  p.address = std::string("岳阳市") + kOrgs[district].name + kStreets[rng() % std::size(kStreets)] +
              std::to_string(Uniform(rng, 1, 300)) + "号";
  double r = static_cast<double>(rng() % 1000) / 1000;
  p.persons = r < 0.85 ? 1 : r < 0.95 ? Uniform(rng, 2, 4) : Uniform(rng, 5, 40);
  return p;
}

// Plans the life after registration at `reg` (the registration step included).
std::vector<Step> PlanLife(std::mt19937_64& rng, int64_t reg, bool transfer) {
  std::vector<Step> steps;
  steps.push_back({reg, "REGISTERED", std::nullopt, "", -2});
  int64_t t = reg;
  if (transfer) {
    t += Uniform(rng, 2 * kHour, 2 * kDay);
    steps.push_back({t, "TRANSFERRED", std::nullopt, "", -1});
    return steps;
  }
  if (Chance(rng, 0.08)) {
    t += Uniform(rng, kDay, 5 * kDay);
    steps.push_back({t, "NOT_ACCEPTED", kNotAcceptedReasons[rng() % 2], "", -2});
    return steps;
  }
  const int org = static_cast<int>(rng() % kOrgCount);
  t += Uniform(rng, kHour, 3 * kDay);
  steps.push_back({t, "ACCEPTED", std::nullopt, "", org});
  t += Uniform(rng, 2 * kHour, 2 * kDay);
  steps.push_back({t, "IN_PROGRESS", std::nullopt, "", -2});
  t += Uniform(rng, 5 * kDay, 50 * kDay);
  steps.push_back({t, "REPLIED", kReplies[rng() % std::size(kReplies)], "", -2});
  if (Chance(rng, 0.12)) {  // A request for review (复查).
    t += Uniform(rng, 3 * kDay, 10 * kDay);
    steps.push_back({t, "REVIEWING", std::nullopt, "UNSATISFIED", -2});
    t += Uniform(rng, 5 * kDay, 20 * kDay);
    steps.push_back({t, "REPLIED", kReplies[rng() % std::size(kReplies)], "", -2});
  }
  t += Uniform(rng, 5 * kDay, 15 * kDay);
  double r = static_cast<double>(rng() % 100) / 100;
  const char* satisfaction = r < 0.7   ? "SATISFIED"
                             : r < 0.9 ? "BASICALLY_SATISFIED"
                                       : "UNSATISFIED";
  steps.push_back({t, "CLOSED", std::nullopt, satisfaction, -2});
  return steps;
}

void AppendNullable(std::string& out, std::string_view s) {
  if (s.empty()) {
    out += "null";
  } else {
    json::AppendQuoted(out, s);
  }
}

std::string RecordJson(const Petition& p) {
  std::string out;
  out.reserve(1024);
  out += "{\"petitionNo\":";
  json::AppendQuoted(out, p.no);
  out += ",\"registeredAt\":" + std::to_string(p.registered_at) + ",\"form\":";
  json::AppendQuoted(out, p.form);
  out += ",\"petitioner\":{\"name\":";
  AppendNullable(out, p.petitioner.name);
  out += ",\"mobile\":";
  AppendNullable(out, p.petitioner.mobile);
  out += ",\"idCard\":";
  AppendNullable(out, p.petitioner.id_card);
  out += ",\"address\":";
  AppendNullable(out, p.petitioner.address);
  out += ",\"persons\":" +
         (p.petitioner.anonymous ? std::string("null") : std::to_string(p.petitioner.persons));
  out += "},\"title\":";
  json::AppendQuoted(out, p.title);
  out += ",\"content\":";
  json::AppendQuoted(out, p.content);
  out += ",\"incidentAddress\":";
  AppendNullable(out, p.incident_address);
  out += ",\"categoryCode\":";
  json::AppendQuoted(out, p.category);
  out += ",\"responsibleOrg\":";
  if (p.org == -2) {
    out += "null";
  } else {
    const Org& o = p.org == -1 ? kHotline : kOrgs[p.org];
    out += "{\"code\":";
    json::AppendQuoted(out, o.code);
    out += ",\"name\":";
    json::AppendQuoted(out, o.name);
    out += "}";
  }
  out += ",\"dueAt\":" + std::to_string(p.due_at) + ",\"status\":";
  json::AppendQuoted(out, p.status);
  out += ",\"replyContent\":";
  AppendNullable(out, p.reply);
  out += ",\"repliedAt\":" + (p.replied_at > 0 ? std::to_string(p.replied_at) : "null");
  out += ",\"satisfaction\":";
  AppendNullable(out, p.satisfaction);
  out += ",\"sourceSystem\":";
  AppendNullable(out, p.source_system);
  out += ",\"sourceNo\":";
  AppendNullable(out, p.source_no);
  out += ",\"updatedAt\":" + std::to_string(p.updated_at) + "}";
  return out;
}

}  // namespace

struct PetitionWorld::State {
  std::mt19937_64 rng;
  double transfer_share = 0;
  int64_t now = 0;
  std::vector<Petition> petitions;
  std::map<std::string, size_t, std::less<>> by_no;      // Visible petitions.
  std::set<std::pair<int64_t, std::string>> by_updated;  // Visible: (updatedAt, petitionNo).
  // Next step of each petition: (time, index).
  std::priority_queue<std::pair<int64_t, size_t>, std::vector<std::pair<int64_t, size_t>>,
                      std::greater<>>
      pending;
  std::map<std::string, int> serial_by_year;
  CategoryMap categories;

  std::string NextNumber(int64_t reg_ms) {
    std::string year = FormatShanghaiTime(reg_ms / 1000).substr(0, 4);
    char buf[48];
    std::snprintf(buf, sizeof buf, "XF-430600-%s-%06d", year.c_str(), ++serial_by_year[year]);
    return buf;
  }

  void SetUpdated(Petition& p, int64_t at) {
    if (by_no.count(p.no) != 0) by_updated.erase({p.updated_at, p.no});
    p.updated_at = at;
    by_updated.insert({p.updated_at, p.no});
  }

  void Apply(size_t index) {
    Petition& p = petitions[index];
    const Step& s = p.steps[p.next_step++];
    if (p.next_step == 1) {
      SetUpdated(p, s.at);
      by_no[p.no] = index;
    } else {
      p.status = s.status;
      if (s.reply) {
        p.reply = *s.reply;
        p.replied_at = s.at;
      }
      if (!s.satisfaction.empty()) p.satisfaction = s.satisfaction;
      if (s.org != -2) p.org = s.org;
      SetUpdated(p, std::max(s.at, p.updated_at));
    }
    if (p.next_step < p.steps.size()) pending.push({p.steps[p.next_step].at, index});
  }

  void Add(Petition p) {
    const int64_t first = p.steps.front().at;
    petitions.push_back(std::move(p));
    pending.push({first, petitions.size() - 1});
  }
};

PetitionWorld::PetitionWorld(std::unique_ptr<State> state) : s_(std::move(state)) {}
PetitionWorld::~PetitionWorld() = default;

std::unique_ptr<PetitionWorld> PetitionWorld::Generate(uint64_t seed, int count, int64_t first_ms,
                                                       int64_t last_ms, double transfer_share) {
  auto s = std::make_unique<State>();
  s->rng.seed(seed);
  s->transfer_share = transfer_share;
  s->now = std::numeric_limits<int64_t>::min();
  auto shipped = CategoryMap::Shipped();
  if (shipped.ok()) s->categories = std::move(shipped).value();
  std::mt19937_64& rng = s->rng;
  const int64_t span = last_ms - first_ms;
  // Texts are chosen by sim::TextPick, so that they leave every other generated value as it was.
  auto text_pick = [&](int i, uint64_t use) { return sim::TextPick(seed, i, use); };
  std::vector<sim::Matter> matters;
  matters.reserve(static_cast<size_t>(std::max(count, 0)));
  for (int i = 0; i < count; ++i) {
    Petition p;
    const int64_t slot = count > 1 ? span * i / (count - 1) : 0;
    const int64_t jitter = count > 1 ? span / (count - 1) / 2 : 0;
    p.registered_at = std::clamp(first_ms + slot + Uniform(rng, 0, std::max<int64_t>(jitter, 0)),
                                 first_ms, last_ms);
    p.no = s->NextNumber(p.registered_at);
    const double form = static_cast<double>(rng() % 100) / 100;
    p.form = form < 0.2 ? "LETTER" : form < 0.45 ? "VISIT" : form < 0.9 ? "ONLINE" : "HOTLINE";
    const int district = static_cast<int>(rng() % kDistricts);
    p.petitioner = MakePetitioner(rng, district);
    sim::Matter matter{static_cast<size_t>(rng() % kTemplateCount), text_pick(i, 3)};
    const Petition* repeated = nullptr;  // An earlier petition on the same matter, at one place.
    if (i > 0 && text_pick(i, 7) % 100 < kRepeatPercent) {
      const size_t j = static_cast<size_t>(i) - 1 -
                       static_cast<size_t>(text_pick(i, 6) % std::min<uint64_t>(i, kRepeatWindow));
      matter = matters[j];
      repeated = &s->petitions[j];
    }
    matters.push_back(matter);
    const Template& t = kTemplates[matter.text];
    auto slot_value = [&matter](std::string_view name) {
      return sim::SlotValue(name, matter.slots);
    };
    p.title = sim::FillSlots(sim::Variant(t.title, text_pick(i, 1)), slot_value);
    p.content = sim::FillSlots(sim::Variant(t.content, text_pick(i, 2)), slot_value);
    p.category = t.code;
    if (Chance(rng, 0.85)) {
      p.incident_address = std::string("岳阳市") + kOrgs[district].name +
                           kStreets[rng() % std::size(kStreets)] + "附近";
      if (repeated != nullptr && !repeated->incident_address.empty()) {
        p.incident_address = repeated->incident_address;
      }
    }
    if (p.form == "HOTLINE") {
      char gdbh[32];
      std::snprintf(gdbh, sizeof gdbh, "YY%s%04d",
                    FormatShanghaiTime(p.registered_at / 1000).substr(2, 2).c_str(), i % 10000);
      p.source_system = "12345";
      p.source_no = gdbh;
    }
    p.due_at = p.registered_at + kDueAfter;
    p.steps = PlanLife(rng, p.registered_at, Chance(rng, transfer_share));
    s->Add(std::move(p));
  }
  return std::unique_ptr<PetitionWorld>(new PetitionWorld(std::move(s)));
}

void PetitionWorld::AdvanceTo(int64_t now_ms) {
  if (now_ms <= s_->now) return;
  s_->now = now_ms;
  while (!s_->pending.empty() && s_->pending.top().first <= now_ms) {
    size_t index = s_->pending.top().second;
    s_->pending.pop();
    s_->Apply(index);
  }
}

int64_t PetitionWorld::now_ms() const { return s_->now; }
size_t PetitionWorld::total_petitions() const { return s_->petitions.size(); }
size_t PetitionWorld::visible_petitions() const { return s_->by_no.size(); }

QueryPage PetitionWorld::Query(int64_t from, int64_t to, int64_t page_no, int page_size) const {
  QueryPage page;
  const int64_t skip = (page_no - 1) * page_size;
  for (auto it = s_->by_updated.lower_bound({from, std::string()});
       it != s_->by_updated.end() && it->first <= to; ++it) {
    if (page.total >= skip && page.count < page_size) {
      if (page.count > 0) page.rows += ',';
      page.rows += RecordJson(s_->petitions[s_->by_no.find(it->second)->second]);
      ++page.count;
    }
    ++page.total;
  }
  return page;
}

std::string PetitionWorld::Record(std::string_view petition_no) const {
  auto it = s_->by_no.find(petition_no);
  return it == s_->by_no.end() ? std::string() : RecordJson(s_->petitions[it->second]);
}

Result<std::string> PetitionWorld::Create(const rapidjson::Value& body) {
  if (!body.IsObject()) return Status::InvalidArgument("body: must be a JSON object");
  auto str = [&](const char* key, bool required, size_t max_bytes, std::string& out) -> Status {
    auto it = body.FindMember(key);
    if (it == body.MemberEnd() || it->value.IsNull()) {
      return required ? Status::InvalidArgument(std::string(key) + ": is required") : Status();
    }
    if (!it->value.IsString())
      return Status::InvalidArgument(std::string(key) + ": must be a string");
    out.assign(it->value.GetString(), it->value.GetStringLength());
    if (out.size() > max_bytes || out.find('\0') != std::string::npos ||
        (required && out.empty())) {
      return Status::InvalidArgument(std::string(key) + ": must be 1 to " +
                                     std::to_string(max_bytes) + " bytes");
    }
    return Status::Ok();
  };
  Petition p;
  std::string source_system;
  HS_RETURN_IF_ERROR(str("form", true, 16, p.form));
  if (p.form != "HOTLINE") return Status::InvalidArgument("form: must be HOTLINE");
  HS_RETURN_IF_ERROR(str("sourceSystem", true, 16, source_system));
  if (source_system != "12345") return Status::InvalidArgument("sourceSystem: must be \"12345\"");
  HS_RETURN_IF_ERROR(str("sourceNo", true, 64, p.source_no));
  HS_RETURN_IF_ERROR(str("title", true, 1024, p.title));
  HS_RETURN_IF_ERROR(str("content", true, 64 * 1024, p.content));
  HS_RETURN_IF_ERROR(str("incidentAddress", false, 1024, p.incident_address));
  HS_RETURN_IF_ERROR(str("categoryCode", true, 64, p.category));
  if (s_->categories.Find(p.category) == nullptr) {
    return Status::InvalidArgument("categoryCode: not in the codebook");
  }
  p.petitioner.anonymous = true;
  auto pet = body.FindMember("petitioner");
  if (pet != body.MemberEnd() && !pet->value.IsNull()) {
    if (!pet->value.IsObject()) return Status::InvalidArgument("petitioner: must be an object");
    p.petitioner.anonymous = false;
    auto field = [&](const char* key, std::string& out) -> Status {
      auto it = pet->value.FindMember(key);
      if (it == pet->value.MemberEnd() || it->value.IsNull()) return Status::Ok();
      if (!it->value.IsString() || it->value.GetStringLength() > 1024) {
        return Status::InvalidArgument(std::string("petitioner.") + key + ": must be a string");
      }
      out.assign(it->value.GetString(), it->value.GetStringLength());
      return Status::Ok();
    };
    HS_RETURN_IF_ERROR(field("name", p.petitioner.name));
    HS_RETURN_IF_ERROR(field("mobile", p.petitioner.mobile));
    HS_RETURN_IF_ERROR(field("idCard", p.petitioner.id_card));
    HS_RETURN_IF_ERROR(field("address", p.petitioner.address));
    auto persons = pet->value.FindMember("persons");
    if (persons != pet->value.MemberEnd() && !persons->value.IsNull()) {
      if (!persons->value.IsInt64() || persons->value.GetInt64() < 1 ||
          persons->value.GetInt64() > 100'000) {
        return Status::InvalidArgument("petitioner.persons: must be an integer >= 1");
      }
      p.petitioner.persons = persons->value.GetInt64();
    }
  }
  p.source_system = "12345";
  p.registered_at = s_->now;
  p.due_at = p.registered_at + kDueAfter;
  p.no = s_->NextNumber(p.registered_at);
  p.steps = PlanLife(s_->rng, p.registered_at, false);
  std::string no = p.no;
  s_->petitions.push_back(std::move(p));
  s_->Apply(s_->petitions.size() - 1);  // The registration, due now.
  return no;
}

Status PetitionWorld::AddProgress(std::string_view petition_no, Progress progress) {
  auto it = s_->by_no.find(petition_no);
  if (it == s_->by_no.end()) return Status::NotFound("no such petition");
  Petition& p = s_->petitions[it->second];
  p.progress.push_back(std::move(progress));
  s_->SetUpdated(p, std::max(s_->now, p.updated_at));
  return Status::Ok();
}

std::vector<Progress> PetitionWorld::ProgressOf(std::string_view petition_no) const {
  auto it = s_->by_no.find(petition_no);
  return it == s_->by_no.end() ? std::vector<Progress>() : s_->petitions[it->second].progress;
}

void PetitionWorld::Touch(int n, std::mt19937_64& rng) {
  if (s_->by_no.empty()) return;
  for (int i = 0; i < n; ++i) {
    auto it = s_->by_no.begin();
    std::advance(it, static_cast<long>(rng() % s_->by_no.size()));
    Petition& p = s_->petitions[it->second];
    s_->SetUpdated(p, std::max(s_->now, p.updated_at));
  }
}

std::vector<std::pair<std::string, std::string>> PetitionWorld::Snapshot() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(s_->by_no.size());
  for (const auto& [no, index] : s_->by_no) out.emplace_back(no, RecordJson(s_->petitions[index]));
  return out;
}

}  // namespace hs::petition
