// Builds the June 2023 month fixture (month_fixture.h). First every order is planned per unit from
// the tables' counts (which orders are closed, late, extended, reworked, and each revisit's
// result), then each plan gets a timed transfer log (流转记录) drawn again until its times fit the
// plan, and last the record's summary fields are folded from that log, as the platform does.
#include "tests/month_fixture.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <tuple>

#include "daemon/core/time_util.h"

namespace hs::testing {
namespace {

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;
// Beijing time.
constexpr int64_t kMayStart = 1682870400;   // 2023-05-01 00:00:00
constexpr int64_t kJuneStart = 1685548800;  // 2023-06-01 00:00:00
constexpr int64_t kCutOff = 1688140800;     // 2023-07-01 00:00:00, the end of June

// 2023-06-`day` at `hour`:00 Beijing time (day 31 is July 1st).
constexpr int64_t June(int day, int hour = 0) {
  return kJuneStart + (day - 1) * kDay + hour * kHour;
}

// ---------------------------------------------------------------------------------------------
// Randomness: std::mt19937_64 with our own draws, so that the bytes do not depend on the standard
// library's distributions.

using Rng = std::mt19937_64;

double U01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
bool Chance(Rng& rng, double p) { return U01(rng) < p; }

// Uniform in [lo, hi]. REQUIRES: lo <= hi.
int64_t Between(Rng& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
}

template <size_t N>
const char* Pick(Rng& rng, const char* const (&items)[N]) {
  return items[rng() % N];
}

// 0, 1, … n - 1 in random order (Fisher-Yates).
std::vector<size_t> ShuffledIndexes(size_t n, Rng& rng) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  for (size_t i = n; i > 1; --i) {
    std::swap(v[i - 1], v[static_cast<size_t>(Between(rng, 0, static_cast<int64_t>(i) - 1))]);
  }
  return v;
}

int64_t SecondOfDay(int64_t t) { return ((t + kShanghaiOffsetSeconds) % kDay + kDay) % kDay; }

// Moves `t` into working hours (08:00-21:00 Beijing time), when the centre and the units act.
int64_t AtWork(int64_t t, Rng& rng) {
  int64_t sod = SecondOfDay(t);
  if (sod < 8 * kHour) return t + (8 * kHour - sod) + Between(rng, 0, 90 * kMinute);
  if (sod >= 21 * kHour) return t + (kDay - sod) + 8 * kHour + Between(rng, 0, 90 * kMinute);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Reference data: categories, areas, texts.

constexpr const char* kHotlineChannel = "电话";
constexpr const char* kPetitionChannel = "信访平台推送";
constexpr const char* kProvinceChannel = "省平台转办";
constexpr const char* kMayorChannel = "市长信箱";

// Letters per channel other than 市长信箱 (the bulletin's counts; 省平台转办 as its provincial
// dispatches: 14 + 3 + 102 + 254, all closed in time).
struct ChannelQuota {
  const char* name;
  int count;
};
constexpr ChannelQuota kLetterChannels[] = {
    {kProvinceChannel, 373}, {"微信公众号", 298}, {"政协委员微建议", 17},
    {"政务服务投诉", 13},    {"红网", 3},
};

// The bulletin's eight categories (诉求分类) and their calls in June.
enum Category { kRenShe, kShiChang, kJiaoTong, kZhiAn, kChengGuan, kGongGong, kZhuJian, kSheQing };
constexpr const char* kCategoryNames[] = {
    "人力资源和社会保障类", "市场管理类", "交通运输与交通秩序类", "社会治安与综合治理类",
    "城市管理类",           "公共服务类", "住房与城乡建设类",     "社情民意类"};
constexpr double kCategoryWeights[] = {10365, 5213, 4119, 3282, 3212, 2991, 1977, 1821};
constexpr int kCategoryCount = 8;

// Units whose work is mostly one category; the others get the city's mix.
struct UnitCategory {
  const char* unit;
  Category category;
};
constexpr UnitCategory kUnitCategories[] = {
    {"市公安交警支队", kJiaoTong},
    {"市公安局交警支队", kJiaoTong},
    {"市交通运输局", kJiaoTong},
    {"市公交集团公司", kJiaoTong},
    {"市公安局", kZhiAn},
    {"市住建局", kZhuJian},
    {"市城投集团公司", kZhuJian},
    {"市资规局", kZhuJian},
    {"市住房保障服务中心", kZhuJian},
    {"市城管局", kChengGuan},
    {"市城运集团", kChengGuan},
    {"市人社局", kRenShe},
    {"市医疗保障局", kRenShe},
    {"市公积金管理中心", kRenShe},
    {"市移动公司", kGongGong},
    {"市联通公司", kGongGong},
    {"市电信公司", kGongGong},
    {"国网岳阳供电公司", kGongGong},
    {"市水务集团公司", kGongGong},
    {"岳阳华润燃气公司", kGongGong},
    {"市市场监督管理局", kShiChang},
    {"岳阳银保监分局", kShiChang},
    {"市邮政管理局", kShiChang},
    {"市税务局", kShiChang},
};

// Areas (县市区); a unit with one of these names handles that area, the others the whole city.
struct Area {
  const char* name;
  const char* code;  // cbdwbm of the area's government; "" for the zones, which have none.
  bool county;
};
constexpr Area kAreas[] = {
    {"岳阳楼区", "430602", false}, {"云溪区", "430603", false}, {"君山区", "430611", false},
    {"岳阳县", "430621", true},    {"华容县", "430623", true},  {"湘阴县", "430624", true},
    {"平江县", "430626", true},    {"汨罗市", "430681", true},  {"临湘市", "430682", true},
    {"岳阳经开区", "", false},     {"南湖新区", "", false},     {"城陵矶新港区", "", false},
    {"屈原管理区", "", true},
};
constexpr double kAreaWeights[] = {40, 5, 5, 6, 5, 5, 5, 5, 5, 12, 6, 2, 2};

constexpr const char* kEstates[] = {"金鹗山庄", "南湖明珠", "洞庭苑",     "巴陵雅苑",
                                    "岳阳名都", "湖滨花园", "奇家岭小区", "五里牌小区",
                                    "求索家园", "鹰山花园", "锦绣华庭",   "望岳花园"};
constexpr const char* kVillages[] = {"新塘村", "黄秀村", "龙湾村", "城东村",
                                     "幸福村", "洪山村", "桃花村", "清水村"};
constexpr const char* kRoads[] = {"巴陵中路", "岳阳大道", "东茅岭路", "金鹗中路", "洞庭南路",
                                  "青年中路", "五里牌路", "建湘路",   "学院路",   "湖滨大道"};
constexpr const char* kSurnames[] = {"张", "王", "李", "刘", "陈", "杨", "黄", "赵", "周", "吴",
                                     "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"};

// A complaint of a category, and what the unit did about it: the "how it was handled" element of
// a closure text.
struct Template {
  const char* title;
  const char* body;  // {dd}: the place; {lu}: a road.
  const char* act;
};
constexpr Template kTemplates[kCategoryCount][2] = {
    {{"工程完工后拖欠工资",
      "其在{dd}附近的一处工地务工，工程结束后包工头拖欠工资至今未付，多次讨要无果，"
      "请相关部门协调解决。",
      "经劳动保障监察大队调查核实，已责令用人单位限期足额支付拖欠工资"},
     {"灵活就业人员社保缴费咨询",
      "其为灵活就业人员，咨询城乡居民养老保险的缴费标准、缴费档次和办理流程，请相关部门答复。",
      "已向诉求人详细解答城乡居民养老保险缴费政策及办理流程"}},
    {{"商家拒不退换问题商品",
      "其在{lu}一家商店购买的商品存在质量问题，商家以各种理由拒绝退换，请市场监管部门处理。",
      "经协调，商家同意按规定为诉求人办理退换"},
     {"超市销售过期食品",
      "{dd}附近一家超市销售过期食品，其购买后发现已超过保质期，与店家协商未果，请相关部门查处。",
      "市场监管所执法人员已到现场核查，责令超市下架过期食品并依法处理"}},
    {{"{lu}车辆乱停乱放",
      "{lu}沿线车辆长期乱停乱放，占用人行道和消防通道，行人通行困难，请交警部门加强整治。",
      "已加强该路段巡查，对违停车辆依法处罚"},
     {"公交车不按站停靠",
      "其在{lu}公交站候车时，公交车未进站停靠直接驶离，此类情况多次发生，请相关部门督促整改。",
      "已核实情况，对涉事驾驶员进行了批评教育，并加强站点停靠管理"}},
    {{"楼上住户深夜噪音扰民",
      "{dd}楼上住户长期深夜制造噪音，多次上门沟通无果，严重影响家人休息，请相关部门调解处理。",
      "辖区派出所已上门调解，双方达成一致意见"},
     {"疑似电信诈骗电话",
      "其接到自称网购平台客服的电话，要求其转账办理退款，怀疑是电信诈骗，请公安部门核查处理。",
      "已对诉求人进行防诈骗提醒，相关线索已移交反诈中心核查"}},
    {{"{lu}垃圾清运不及时",
      "{lu}附近垃圾桶满溢多日无人清运，天气炎热气味难闻，蚊蝇滋生，请相关部门及时清运。",
      "已安排环卫人员清运处理，并增加清运频次"},
     {"{lu}路口占道经营",
      "{lu}路口有摊贩长期占道经营，早晚高峰影响车辆和行人通行，也影响市容，请城管部门处理。",
      "城管执法中队已对占道经营进行整治，并增加巡查频次"}},
    {{"{dd}停水未提前通知",
      "{dd}从昨日起停水，事先没有接到任何通知，至今未恢复供水，居民生活受到很大影响，"
      "请供水部门尽快处理。",
      "已安排维修人员抢修管网，现已恢复供水"},
     {"宽带故障报修后无人上门",
      "其家中宽带出现故障，报修后维修人员一直未上门，已影响孩子上网课，请相关公司尽快安排维修。",
      "已安排维修人员上门检修，现已恢复正常"}},
    {{"{dd}物业服务差",
      "{dd}物业公司收取物业费后不履行职责，楼道卫生差，电梯经常故障，请相关部门督促物业整改。",
      "已约谈物业公司，督促其限期整改"},
     {"{dd}不动产权证迟迟未办",
      "其购买的{dd}房屋已交房三年，至今未办理不动产权证，开发商一直推脱，请相关部门协调办理。",
      "已约谈开发企业，督促其限期为业主办理不动产权证"}},
    {{"建议{lu}增设公交站点",
      "{lu}沿线新建了多个小区，居民出行需求大，但附近没有公交站点，建议相关部门增设站点。",
      "已将诉求人的建议转相关部门研究，纳入下一步线网优化计划"},
     {"建议{dd}增设健身设施",
      "{dd}周边没有健身场地，老年人和小孩没有活动的地方，建议相关部门增设健身器材。",
      "已将诉求人的建议纳入下一步工作计划"}},
};

// ---------------------------------------------------------------------------------------------
// 流转记录 actions and the states they lead to (platforms/hotline-12345.md).

enum class Action {
  kDispatch,
  kAccept,
  kReturn,
  kRequestExtension,
  kExtensionApproved,
  kClose,
  kRevisit,
  kRework,
  kArchive,
  kNote
};
constexpr const char* kActionNames[] = {"派单", "签收", "退单", "申请延期", "延期通过",
                                        "办结", "回访", "返工", "归档",     "备注"};
// The state after each action; nullptr: unchanged.
constexpr const char* kStateAfter[] = {"待签收", "办理中", "已退单", "延期审核中", "办理中",
                                       "已办结", "已回访", "办理中", "已归档",     nullptr};

// A revisit's result (回访结果).
enum class Jg { kSatisfied, kMostly, kUnsatisfied, kUnreachable };
constexpr const char* kJgNames[] = {"满意", "基本满意", "不满意", "未联系上"};
bool Answered(Jg jg) { return jg != Jg::kUnreachable; }

constexpr const char* kDispatchNotes[] = {"请按时限办理并回复诉求人", "请及时核实处理",
                                          "请于办理时限内办结并回复"};
constexpr const char* kAcceptNotes[] = {"已签收，正在核实办理", "已签收"};
constexpr const char* kReturnNotes[] = {"经核实，该诉求不属于我单位职责范围，申请退回",
                                        "诉求地址不在我单位辖区，申请退单"};
constexpr const char* kRedispatchNote = "经中心审核，改派至责任单位办理";
constexpr const char* kExtensionNotes[] = {"因涉及多个部门需协调，申请延期办理",
                                           "需等待现场检测结果，申请延期"};
constexpr const char* kApprovedNotes[] = {"同意延期", "经审核，同意延期办理"};
constexpr const char* kCloseNotes[] = {"已办结，办理情况已回复诉求人", "已按要求办结"};
constexpr const char* kProgressNotes[] = {"已联系诉求人，正在协调处理",
                                          "已实地查看，待相关部门配合处理"};
constexpr const char* kRevisitNotes[] = {
    "回访诉求人，对办理结果表示满意", "回访诉求人，表示基本满意",
    "回访诉求人，表示问题未解决，不满意", "回访电话多次无人接听"};
constexpr const char* kReworkUnsatisfied = "回访不满意，退回重新办理";
constexpr const char* kReworkNoContact =
    "回访未联系上诉求人，承办单位办结前未与诉求人联系，退回重新办理";
constexpr const char* kArchiveNotes[] = {"办理完毕，予以归档", "归档"};

// 诉求类型 and their deadlines (办理时限) in days.
struct Kind {
  const char* name;
  int days;
};
constexpr Kind kKinds[] = {{"投诉", 5}, {"求助", 5}, {"咨询", 3}, {"举报", 10}, {"建议", 10}};
constexpr double kKindWeights[] = {46, 20, 14, 9, 9};
constexpr int kQuestion = 2;
constexpr int kSuggestion = 4;

template <size_t N>
size_t PickWeighted(Rng& rng, const double (&weights)[N]) {
  double total = 0;
  for (double w : weights) total += w;
  double x = U01(rng) * total;
  for (size_t i = 0; i < N; ++i) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  return N - 1;
}

// ---------------------------------------------------------------------------------------------
// Plans: what must be true of an order, before any time is drawn.

struct Plan {
  bool mailbox = false;
  std::string unit;         // cbdw, as the table names it.
  std::string returned_by;  // The unit first dispatched to, which sent it back (退单); or "".
  std::string gdbh;         // Preset (adjustments.tsv), else assigned from slsj.
  const char* channel = kHotlineChannel;
  bool may = false;            // Dispatched and closed in May, revisited in June.
  bool done = true;            // Closed (办结) in June.
  bool close_in_july = false;  // Not done: closed on time in July.
  bool late = false;           // Done after its deadline.
  bool extension = false;      // 申请延期 → 延期通过, closed after blsx and by yqsx.
  bool rework = false;         // 办结 → 回访 → 返工 → 办结 → 回访.
  std::vector<Jg> revisits;    // Results in order: in June, unless revisit_in_july.
  bool revisit_in_july = false;
  bool no_contact = false;  // Named by quality review: the unit never reached the complainant.
  bool rddb = false, sq = false;
};

// One row of hotline.tsv or mailbox.tsv.
struct Row {
  std::string unit;
  int due = 0, done = 0, on_time = 0, rework = 0;
  int dissatisfied = 0;  // Hotline.
  int revisits = -1;     // Hotline: answered revisits in June; -1 when the table leaves it empty.
  int satisfied = 0;     // Mailbox.
};

Result<int> ReadCount(const TsvTable& t, const std::vector<std::string>& row, const char* column,
                      const std::string& what, bool optional = false) {
  int i = t.Column(column);
  if (i < 0) return Status::InvalidArgument(what + ": no column " + column);
  const std::string& s = row[static_cast<size_t>(i)];
  if (s.empty() && optional) return -1;
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v < 0 || v > 1'000'000) {
    return Status::InvalidArgument(what + ": " + column + " is not a count: " + s);
  }
  return static_cast<int>(v);
}

Result<std::vector<Row>> ReadRows(const std::string& path, bool mailbox) {
  HS_ASSIGN_OR_RETURN(TsvTable t, ReadTsv(path));
  if (t.Column("unit") != 0)
    return Status::InvalidArgument(path + ": the first column is not unit");
  std::vector<Row> rows;
  for (const auto& fields : t.rows) {
    Row r;
    r.unit = fields[0];
    std::string what = path + " " + r.unit;
    HS_ASSIGN_OR_RETURN(r.due, ReadCount(t, fields, "due", what));
    HS_ASSIGN_OR_RETURN(r.done, ReadCount(t, fields, "done", what));
    HS_ASSIGN_OR_RETURN(r.on_time, ReadCount(t, fields, "on_time", what));
    HS_ASSIGN_OR_RETURN(r.rework, ReadCount(t, fields, "rework", what));
    if (mailbox) {
      HS_ASSIGN_OR_RETURN(r.satisfied, ReadCount(t, fields, "satisfied", what));
    } else {
      HS_ASSIGN_OR_RETURN(r.dissatisfied, ReadCount(t, fields, "dissatisfied", what));
      HS_ASSIGN_OR_RETURN(r.revisits, ReadCount(t, fields, "revisits_derived", what, true));
    }
    if (r.done > r.due || r.on_time > r.done || r.rework > r.done ||
        r.done - r.on_time + r.rework > r.done || r.satisfied > r.done ||
        (r.revisits >= 0 && r.dissatisfied > r.revisits) ||
        (r.revisits < 0 && r.dissatisfied > 0)) {
      // Late and reworked orders are kept apart (the tables allow it).
      return Status::InvalidArgument(what + ": counts this fixture cannot lay out");
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

// Orders dispatched first to `by`, sent back (退单) and dispatched to `unit`: they count for
// `unit` only.
struct Returned {
  bool mailbox;
  const char* unit;
  const char* by;
  int count;
};
constexpr Returned kReturned[] = {
    {false, "市公安交警支队", "市公安局", 3},  {false, "岳阳楼区", "岳阳经开区", 3},
    {false, "市城管局", "岳阳楼区", 2},        {false, "市民政局", "市人社局", 1},
    {false, "市国资委", "市工信局", 1},        {false, "市交通运输局", "市公交集团公司", 1},
    {true, "市公安局交警支队", "市公安局", 1},
};

// The first `n` of `from` (indexes into `plans`) whose plan `fits`.
template <typename Fits>
std::vector<size_t> Choose(const std::vector<Plan>& plans, const std::vector<size_t>& from, int n,
                           Fits fits) {
  std::vector<size_t> out;
  for (size_t i : from) {
    if (static_cast<int>(out.size()) == n) break;
    if (fits(plans[i])) out.push_back(i);
  }
  return out;
}

// Approved extensions for a unit: a few, never over 10% of its due orders.
int Extensions(const Row& r, double share) {
  int ext = std::min(r.due / 10, static_cast<int>(std::lround(r.due * share)));
  return std::max(0, std::min(ext, r.done - (r.done - r.on_time) - r.rework));
}

// Plans one hotline unit's orders: `due` dispatched in June (the first `due - done` not closed in
// June, then the late ones, the extended ones, and the reworked ones last), and the May orders
// its June revisits need beyond what June's closures carry.
Status PlanHotlineUnit(const Row& r, Rng& rng, std::vector<Plan>& plans) {
  const int not_done = r.due - r.done;
  const int late = r.done - r.on_time;
  const int ext = Extensions(r, 0.02);
  // Reworks follow a 不满意 revisit while the unit has dissatisfied revisits to give, else a
  // revisit that did not reach the complainant (市发改委 and 市应急管理局 have a rework and no
  // dissatisfied revisit).
  const int rework_unsatisfied = std::min(r.rework, r.dissatisfied);
  const int capacity = r.done + rework_unsatisfied;  // Answered revisits June's closures carry.
  const int answered = r.revisits >= 0 ? r.revisits : capacity;
  const size_t first = plans.size();
  for (int i = 0; i < r.due; ++i) {
    Plan p;
    p.unit = r.unit;
    int k = i - not_done;  // Index among the done orders.
    if (k < 0) {
      p.done = false;
      p.close_in_july = k % 3 == -1;  // The last one before the done orders, then every third.
    } else {
      p.late = k < late;
      p.extension = k >= late && k < late + ext;
      p.rework = k >= r.done - r.rework;
      int j = k - (r.done - r.rework);  // Index among the reworked.
      if (p.rework) {
        p.revisits = {j < rework_unsatisfied ? Jg::kUnsatisfied : Jg::kUnreachable, Jg::kSatisfied};
      } else {
        p.revisits = {Jg::kSatisfied};
      }
    }
    plans.push_back(std::move(p));
  }
  // Too many revisits for June's closures: May orders revisited in June carry the rest.
  for (int i = capacity; i < answered; ++i) {
    Plan p;
    p.unit = r.unit;
    p.may = true;
    p.revisits = {Jg::kSatisfied};
    plans.push_back(std::move(p));
  }
  // Too few: some revisits do not reach the complainant (or come in July), the last done orders
  // that were not reworked first, then second revisits of reworked ones.
  int unanswered = std::max(0, capacity - answered);
  for (size_t i = first + static_cast<size_t>(r.due); i-- > first && unanswered > 0;) {
    Plan& p = plans[i];
    if (!p.done || p.rework) continue;
    bool july = !p.late && !p.extension && unanswered % 4 == 0;
    p.revisit_in_july = july;
    if (!july) p.revisits = {Jg::kUnreachable};
    --unanswered;
  }
  for (size_t i = first + static_cast<size_t>(r.due); i-- > first && unanswered > 0;) {
    Plan& p = plans[i];
    if (p.rework && Answered(p.revisits[1])) {
      p.revisits[1] = Jg::kUnreachable;
      --unanswered;
    }
  }
  // Dissatisfied revisits beyond those before a rework: final 不满意 revisits of done orders,
  // then second revisits of reworked ones.
  int extra = r.dissatisfied - rework_unsatisfied;
  for (int pass = 0; pass < 2 && extra > 0; ++pass) {
    for (size_t i = first; i < first + static_cast<size_t>(r.due) && extra > 0; ++i) {
      Plan& p = plans[i];
      if (!p.done || p.rework != (pass == 1) || p.revisit_in_july) continue;
      Jg& last = p.revisits.back();
      if (last == Jg::kSatisfied) {
        last = Jg::kUnsatisfied;
        --extra;
      }
    }
  }
  if (unanswered > 0 || extra > 0) {
    return Status::InvalidArgument("hotline.tsv " + r.unit + ": cannot place every revisit");
  }
  for (size_t i = first; i < plans.size(); ++i) {
    for (Jg& jg : plans[i].revisits) {
      if (jg == Jg::kSatisfied && Chance(rng, 0.12)) jg = Jg::kMostly;
    }
  }
  return Status::Ok();
}

// Plans one mailbox unit's letters, laid out as the hotline's; `satisfied` of the done letters,
// drawn at random, end with a 满意 or 基本满意 revisit.
void PlanMailboxUnit(const Row& r, Rng& rng, std::vector<Plan>& plans) {
  const int not_done = r.due - r.done;
  const int late = r.done - r.on_time;
  const int ext = Extensions(r, 0.03);
  std::vector<size_t> order = ShuffledIndexes(static_cast<size_t>(r.done), rng);
  std::vector<bool> satisfied(order.size());
  for (int i = 0; i < r.satisfied; ++i) satisfied[order[static_cast<size_t>(i)]] = true;
  for (int i = 0; i < r.due; ++i) {
    Plan p;
    p.mailbox = true;
    p.unit = r.unit;
    p.channel = kMayorChannel;
    int k = i - not_done;
    if (k < 0) {
      p.done = false;
      p.close_in_july = k % 2 == -1;
      plans.push_back(std::move(p));
      continue;
    }
    p.late = k < late;
    p.extension = k >= late && k < late + ext;
    p.rework = k >= r.done - r.rework;
    Jg pleased = Chance(rng, 0.15) ? Jg::kMostly : Jg::kSatisfied;
    if (p.rework) {
      p.revisits = {Jg::kUnsatisfied, satisfied[k] ? pleased : Jg::kUnsatisfied};
    } else if (satisfied[k]) {
      p.revisits = {pleased};
    } else {
      double x = U01(rng);
      if (x < 0.5) {
        p.revisits = {Jg::kUnsatisfied};
      } else if (x < 0.85) {
        p.revisits = {Jg::kUnreachable};
      }  // Else no revisit yet.
    }
    plans.push_back(std::move(p));
  }
}

// The plans of `unit` in `table`.
std::vector<size_t> PlansOf(const std::vector<Plan>& plans, bool mailbox, const std::string& unit) {
  std::vector<size_t> out;
  for (size_t i = 0; i < plans.size(); ++i) {
    if (plans[i].mailbox == mailbox && plans[i].unit == unit) out.push_back(i);
  }
  return out;
}

// A hotline order of June closed by its deadline without extension or rework, whose single
// revisit, in June, got an answer.
bool PlainDone(const Plan& p) {
  return !p.mailbox && !p.may && p.done && !p.late && !p.extension && !p.rework &&
         !p.revisit_in_july && p.returned_by.empty() && p.gdbh.empty() && !p.rddb && !p.sq &&
         p.revisits.size() == 1 && Answered(p.revisits[0]);
}
bool Pleased(const Plan& p) { return p.revisits.back() != Jg::kUnsatisfied; }

// Marks the orders adjustments.tsv names "(热线编号: N)": that unit's, done on time.
Status PlaceAdjustments(const std::string& path, std::vector<Plan>& plans) {
  HS_ASSIGN_OR_RETURN(TsvTable t, ReadTsv(path));
  int detail = t.Column("detail");
  if (t.Column("unit") != 0 || detail < 0) {
    return Status::InvalidArgument(path + ": no unit or detail column");
  }
  static constexpr std::string_view kMark = "(热线编号: ";
  for (const auto& row : t.rows) {
    const std::string& text = row[static_cast<size_t>(detail)];
    size_t at = text.find(kMark);
    if (at == std::string::npos) continue;
    std::string number = text.substr(at + kMark.size());
    number = number.substr(0, number.find(')'));
    std::vector<size_t> chosen =
        Choose(plans, PlansOf(plans, false, row[0]), 1, [](const Plan& p) { return PlainDone(p); });
    if (chosen.empty()) {
      return Status::InvalidArgument(path + ": no hotline order of " + row[0] + " for " + number);
    }
    plans[chosen[0]].gdbh = number;
    plans[chosen[0]].no_contact = true;
  }
  return Status::Ok();
}

// Sets rddb on `pleased` + `unhappy` plain done orders and sq on as many others, spread over units.
Status PlaceFlags(std::vector<Plan>& plans, Rng& rng) {
  std::vector<size_t> order = ShuffledIndexes(plans.size(), rng);
  struct Quota {
    bool Plan::*flag;
    bool pleased;
    int count;
  };
  constexpr Quota kQuotas[] = {{&Plan::rddb, true, 52},
                               {&Plan::rddb, false, 4},
                               {&Plan::sq, true, 124},
                               {&Plan::sq, false, 21}};
  for (const Quota& q : kQuotas) {
    std::vector<size_t> chosen = Choose(plans, order, q.count, [&](const Plan& p) {
      return PlainDone(p) && Pleased(p) == q.pleased;
    });
    if (static_cast<int>(chosen.size()) != q.count) {
      return Status::InvalidArgument("not enough done orders for the rddb and sq flags");
    }
    for (size_t i : chosen) plans[i].*q.flag = true;
  }
  return Status::Ok();
}

// Orders sent back by one unit and dispatched to another (kReturned).
Status PlaceReturns(std::vector<Plan>& plans) {
  for (const Returned& r : kReturned) {
    std::vector<size_t> chosen =
        Choose(plans, PlansOf(plans, r.mailbox, r.unit), r.count,
               [](const Plan& p) { return !p.may && p.gdbh.empty() && p.returned_by.empty(); });
    if (static_cast<int>(chosen.size()) != r.count) {
      return Status::InvalidArgument(std::string("no orders of ") + r.unit + " to return");
    }
    for (size_t i : chosen) plans[i].returned_by = r.by;
  }
  return Status::Ok();
}

// Hotline orders: mostly 电话, about one in seventy pushed from the petition platform. Letters:
// the bulletin's counts per channel (省平台转办 only for letters closed on time), the rest
// 市长信箱.
void PlaceChannels(std::vector<Plan>& plans, Rng& rng) {
  std::vector<size_t> order = ShuffledIndexes(plans.size(), rng);
  std::map<std::string, int> left;
  for (const ChannelQuota& q : kLetterChannels) left[q.name] = q.count;
  for (size_t i : order) {
    Plan& p = plans[i];
    if (!p.mailbox) {
      if (Chance(rng, 0.015)) p.channel = kPetitionChannel;
      continue;
    }
    for (const ChannelQuota& q : kLetterChannels) {
      bool fits = std::string_view(q.name) != kProvinceChannel || (p.done && !p.late);
      if (fits && left[q.name] > 0) {
        --left[q.name];
        p.channel = q.name;
        break;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Lives: timed transfer logs.

// When a step must happen for the plan to hold.
enum class When { kAny, kMay, kJune, kJuly };

struct Step {
  int64_t sj = 0;
  Action dz = Action::kNote;
  std::string_view dw;  // A unit name held by the plan.
  std::string_view sm;  // A fixed note.
  std::optional<Jg> jg;
  When when = When::kAny;
};

struct Life {
  int kind = 0;
  int64_t slsj = 0, blsx = 0, yqsx = 0;
  std::vector<Step> steps;
  std::vector<std::string> closures;  // bjnr of each 办结.
};

class LifeBuilder {
 public:
  // `act`: what the unit did, for the closure texts.
  LifeBuilder(const Plan& plan, int kind, const char* act, Rng& rng)
      : p_(plan), kind_(kind), act_(act), rng_(rng) {}

  // Draws lives until one fits the plan. Errors: Internal when none does after many tries.
  Result<Life> Build() {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      life_ = Life();
      life_.kind = kind_;
      life_.steps.reserve(12);
      if (Draw() && Fits()) return std::move(life_);
    }
    return Status::Internal("no life fits the plan of an order of " + p_.unit);
  }

 private:
  // The window of the first 派单.
  std::pair<int64_t, int64_t> StartWindow() const {
    if (p_.may) return {kMayStart + 17 * kDay, kMayStart + 27 * kDay};
    if (p_.close_in_july) return {June(24), June(30, 12)};
    if (!p_.done) return {June(22), June(30, 18)};
    if (p_.revisit_in_july) return {June(24), June(29, 12)};
    if (p_.extension) return {June(1), June(16)};
    if (p_.late) return {June(1), June(20)};
    if (p_.rework) return {June(1), June(22)};
    return {June(1), June(28)};
  }

  int64_t Add(int64_t at, Action dz, std::string_view dw, std::string_view sm, When when,
              bool work_hours = true) {
    if (!life_.steps.empty()) at = std::max(at, life_.steps.back().sj + kMinute);
    if (work_hours) at = AtWork(at, rng_);
    Step s;
    s.sj = at;
    s.dz = dz;
    s.dw = dw;
    s.sm = sm;
    s.when = when;
    life_.steps.push_back(std::move(s));
    return at;
  }

  int64_t last() const { return life_.steps.back().sj; }

  // Draws one life; false when a window turned out empty.
  bool Draw() {
    const int64_t days = kKinds[life_.kind].days;
    auto [lo, hi] = StartWindow();
    const When first = p_.may ? When::kMay : When::kJune;
    int64_t t = Between(rng_, lo, hi);
    if (Chance(rng_, 0.9)) t = AtWork(t, rng_);
    life_.slsj = t;
    life_.blsx = t + days * kDay;
    Add(t, Action::kDispatch, p_.returned_by.empty() ? p_.unit : p_.returned_by,
        Pick(rng_, kDispatchNotes), first, false);
    if (!p_.returned_by.empty()) {
      Add(last() + Between(rng_, 30 * kMinute, 4 * kHour), Action::kReturn, p_.returned_by,
          Pick(rng_, kReturnNotes), first);
      Add(last() + Between(rng_, kHour, 8 * kHour), Action::kDispatch, p_.unit, kRedispatchNote,
          first, false);
    }
    Add(last() + AcceptDelay(), Action::kAccept, p_.unit, Pick(rng_, kAcceptNotes), first);
    if (p_.extension) {
      Add(last() + static_cast<int64_t>((life_.blsx - last()) * (0.2 + 0.4 * U01(rng_))),
          Action::kRequestExtension, p_.unit, Pick(rng_, kExtensionNotes), first);
      Add(last() + Between(rng_, 2 * kHour, kDay), Action::kExtensionApproved, p_.unit,
          Pick(rng_, kApprovedNotes), first);
      life_.yqsx = life_.blsx + days * kDay;
    }
    if (Chance(rng_, 0.05) || (!p_.done && Chance(rng_, 0.3))) {
      Add(last() + Between(rng_, kHour, kDay), Action::kNote, p_.unit, Pick(rng_, kProgressNotes),
          p_.done ? When::kAny : When::kJune);
    }
    if (!p_.done && !p_.close_in_july) return true;
    if (!Close(false)) return false;
    for (size_t k = 0; k < p_.revisits.size(); ++k) {
      Jg jg = p_.revisits[k];
      When when = p_.revisit_in_july || p_.close_in_july ? When::kJuly : When::kJune;
      int64_t at = last() + Between(rng_, kHour, kDay);
      if (p_.may) at = std::max(at, Between(rng_, June(1, 8), June(5, 18)));
      if (when == When::kJuly) at = std::max(at, kCutOff + Between(rng_, 8 * kHour, 30 * kHour));
      Add(at, Action::kRevisit, p_.unit, kRevisitNotes[static_cast<int>(jg)], when);
      life_.steps.back().jg = jg;
      if (k == 0 && p_.rework) {
        Add(last() + Between(rng_, 10 * kMinute, 6 * kHour), Action::kRework, p_.unit,
            jg == Jg::kUnsatisfied ? kReworkUnsatisfied : kReworkNoContact, When::kJune);
        if (!Close(true)) return false;
      }
    }
    if (!p_.revisits.empty()) {
      Add(last() + Between(rng_, 4 * kHour, 2 * kDay), Action::kArchive, p_.unit,
          Pick(rng_, kArchiveNotes), When::kAny);
    }
    return true;
  }

  int64_t AcceptDelay() {
    double r = U01(rng_);
    if (r < 0.75) return Between(rng_, 10 * kMinute, 3 * kHour);
    if (r < 0.97) return Between(rng_, 3 * kHour, 12 * kHour);
    return Between(rng_, 12 * kHour, kDay);
  }

  // Adds a 办结 where the plan wants it; false when that window is empty.
  bool Close(bool again) {
    const int64_t earliest = last() + 30 * kMinute;
    // Room left in June for what follows a closure: its revisit, or a rework round.
    const int64_t latest = kCutOff - (p_.rework && !again ? 4 : 1) * kDay;
    int64_t lo = earliest, hi = 0;
    When when = When::kJune;
    if (again) {
      hi = earliest + 2 * kDay;
    } else if (p_.may) {
      hi = std::min(life_.blsx, kJuneStart - 4 * kHour);
      when = When::kMay;
    } else if (p_.close_in_july) {
      lo = std::max(earliest, kCutOff + 8 * kHour);
      hi = life_.blsx;
      when = When::kJuly;
    } else if (p_.revisit_in_july) {
      lo = std::max(earliest, June(30, 8));
      hi = std::min(life_.blsx, June(30, 20));
    } else if (p_.late) {
      lo = std::max(earliest, life_.blsx + 2 * kHour);
      hi = std::min(life_.blsx + 3 * kDay, latest);
    } else if (p_.extension) {
      lo = std::max(earliest, life_.blsx + kHour);
      hi = std::min(life_.yqsx, latest);
    } else {
      hi = std::min(life_.blsx, latest);
    }
    if (lo > hi) return false;
    int64_t at = lo + static_cast<int64_t>((hi - lo) * 0.9 * U01(rng_));
    at = AtWork(at, rng_);
    if (at > hi) at = hi;
    life_.closures.push_back(ClosureText(at, again));
    Add(at, Action::kClose, p_.unit, Pick(rng_, kCloseNotes), when, false);
    return true;
  }

  // 办结内容 with the four elements of a closure (contact, handling, outcome, the complainant's
  // view), or, for an order quality review names, without the contact.
  std::string ClosureText(int64_t at, bool again) {
    std::string out = again ? "返工后重新办理：" : "";
    std::string date = FormatShanghaiTime(at);
    int month = std::stoi(date.substr(5, 2));
    int day = std::stoi(date.substr(8, 2));
    if (p_.no_contact) {
      out += "经核实，";
    } else {
      out += std::to_string(month) + "月" + std::to_string(day) +
             "日，承办人员电话联系诉求人，详细了解了诉求情况。";
    }
    out += act_;
    if (p_.no_contact) return out + "。已办结。";
    out += "。目前问题已处理，已向诉求人反馈办理结果，";
    bool disputed = !p_.revisits.empty() && p_.revisits[again ? 1 : 0] == Jg::kUnsatisfied;
    return out + (disputed ? "诉求人对处理结果不太认可。" : "诉求人表示认可。");
  }

  // Whether the drawn times keep the plan.
  bool Fits() const {
    for (const Step& s : life_.steps) {
      bool ok = s.when == When::kAny ||
                (s.when == When::kMay && s.sj >= kMayStart && s.sj < kJuneStart) ||
                (s.when == When::kJune && s.sj >= kJuneStart && s.sj < kCutOff) ||
                (s.when == When::kJuly && s.sj >= kCutOff);
      if (!ok) return false;
    }
    int64_t approved = 0, first_close = 0;
    for (const Step& s : life_.steps) {
      if (s.dz == Action::kExtensionApproved) approved = s.sj;
      if (s.dz == Action::kClose && first_close == 0) first_close = s.sj;
    }
    if (approved != 0 && approved >= life_.blsx) return false;
    if (first_close == 0) return !p_.done && !p_.close_in_july;
    if (p_.late) return first_close > life_.blsx;
    if (p_.extension) return first_close > life_.blsx && first_close <= life_.yqsx;
    return first_close <= life_.blsx;
  }

  const Plan& p_;
  int kind_;
  const char* act_;
  Rng& rng_;
  Life life_;
};

// ---------------------------------------------------------------------------------------------
// Records.

// The matter and complainant of an order.
struct Matter {
  int category = 0;
  const char* act = "";
  std::string sqr, lxdh, sqbt, sqnr, fsdz, cbdwbm;
};

int CategoryOf(const std::string& unit, Rng& rng) {
  for (const UnitCategory& u : kUnitCategories) {
    if (unit == u.unit && Chance(rng, 0.85)) return u.category;
  }
  return static_cast<int>(PickWeighted(rng, kCategoryWeights));
}

// A template with {dd} and {lu} filled.
std::string Fill(std::string_view text, std::string_view place, std::string_view road) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t open = text.find('{', i);
    out.append(text.substr(i, open - i));
    if (open == std::string_view::npos) break;
    out.append(text.substr(open, 4) == "{dd}" ? place : road);
    i = open + 4;
  }
  return out;
}

std::string ContentPrefix(const Plan& p, int kind) {
  std::string_view c = p.channel;
  if (c == kHotlineChannel)
    return std::string("市民来电") + (kind == kQuestion ? "咨询：" : "反映：");
  if (c == kPetitionChannel) return "信访平台推送，信访人反映：";
  if (c == kMayorChannel) return "尊敬的市长：您好！";
  if (c == "微信公众号") return "市民通过微信公众号反映：";
  if (c == "红网") return "网友在红网百姓呼声栏目留言：";
  if (c == "政务服务投诉") return "企业群众通过政务服务投诉渠道反映：";
  if (c == "政协委员微建议") return "政协委员微建议：";
  return "省12345平台转办，群众反映：";
}

int DrawKind(const Plan& p, Rng& rng) {
  if (p.channel == std::string_view("政协委员微建议")) return kSuggestion;
  return static_cast<int>(PickWeighted(rng, kKindWeights));
}

Matter MakeMatter(const Plan& p, int kind, Rng& rng) {
  Matter m;
  m.category = CategoryOf(p.unit, rng);
  const Area* area = nullptr;
  for (const Area& a : kAreas) {
    if (p.unit == a.name) area = &a;
  }
  if (area != nullptr) m.cbdwbm = area->code;
  if (area == nullptr) area = &kAreas[PickWeighted(rng, kAreaWeights)];
  std::string place =
      std::string(area->name) + (area->county ? Pick(rng, kVillages) : Pick(rng, kEstates));
  std::string road = Pick(rng, kRoads);
  const Template& t = kTemplates[m.category][rng() % 2];
  m.sqbt = Fill(t.title, place, road);
  m.act = t.act;
  m.sqnr = ContentPrefix(p, kind) + Fill(t.body, place, road);
  if (Chance(rng, 0.3)) m.sqnr += "诉求人要求回复。";
  m.fsdz = "岳阳市" + place + std::to_string(Between(rng, 1, 30)) + (area->county ? "组" : "栋");
  double r = U01(rng);
  if (p.mailbox && r < 0.08) {
    m.sqr = r < 0.04 ? "匿名" : "";
  } else {
    m.sqr = std::string(Pick(rng, kSurnames)) + (Chance(rng, 0.55) ? "先生" : "女士");
  }
  char phone[16];
  std::snprintf(phone, sizeof phone, "1390000%04d", static_cast<int>(Between(rng, 0, 9999)));
  m.lxdh = p.mailbox && Chance(rng, 0.05) ? "" : phone;
  return m;
}

// Writes the records' JSON into one growing buffer through raw pointers, formatting times once per
// day: the tests' unoptimised build spends most of its time in std::string calls otherwise.
class JsonWriter {
 public:
  explicit JsonWriter(size_t expected) : buf_(expected, '\0'), data_(buf_.data()) {}

  // The JSON written. REQUIRES: called once, last.
  std::string Take() {
    buf_.resize(n_);
    return std::move(buf_);
  }

  void Raw(std::string_view s) {
    Room(s.size());
    std::memcpy(data_ + n_, s.data(), s.size());
    n_ += s.size();
  }

  // ,"key":
  void Key(const char* key) {
    Raw(",\"");
    Raw(key);
    Raw("\":");
  }

  // A string literal, escaped as json::AppendQuoted does.
  void Quoted(std::string_view s) {
    Room(6 * s.size() + 2);
    data_[n_++] = '"';
    for (const char* p = s.data(); p != s.data() + s.size(); ++p) {
      unsigned char c = static_cast<unsigned char>(*p);
      if (c >= 0x20 && c != '"' && c != '\\') {
        data_[n_++] = *p;
      } else {
        n_ += static_cast<size_t>(std::snprintf(data_ + n_, 7, "\\u%04x", c));
      }
    }
    data_[n_++] = '"';
  }

  // "yyyy-MM-dd HH:mm:ss" in Beijing time, as FormatShanghaiTime writes it.
  void Time(int64_t t) {
    int64_t day = (t + kShanghaiOffsetSeconds - SecondOfDay(t)) / kDay;
    if (day != day_ || date_.empty()) {
      date_ = '"' + FormatShanghaiTime(t).substr(0, 11);  // "yyyy-MM-dd "
      day_ = day;
    }
    int64_t sod = SecondOfDay(t);
    Raw(date_);
    char clock[9] = {Digit(sod / kHour / 10),        Digit(sod / kHour % 10),   ':',
                     Digit(sod / kMinute % 60 / 10), Digit(sod / kMinute % 10), ':',
                     Digit(sod % 60 / 10),           Digit(sod % 10),           '"'};
    Raw(std::string_view(clock, sizeof clock));
  }

  void Str(const char* key, std::string_view value) {
    Key(key);
    Quoted(value);
  }
  void Time(const char* key, int64_t t) {
    Key(key);
    Time(t);
  }

 private:
  static char Digit(int64_t v) { return static_cast<char>('0' + v); }

  void Room(size_t more) {
    if (n_ + more <= buf_.size()) return;
    buf_.resize(n_ + more + buf_.size() / 2);
    data_ = buf_.data();
  }

  std::string buf_;
  char* data_ = nullptr;
  size_t n_ = 0;
  int64_t day_ = 0;
  std::string date_;  // The quote and date of day_.
};

// The record as the platform holds it after the last step of `life`: the summary fields folded
// from the log (platforms/hotline-12345.md, states and moves).
void WriteRecord(JsonWriter& out, std::string_view gdbh, std::string_view wbbh, const Plan& p,
                 const Matter& m, const Life& life) {
  const char* gdzt = "待签收";
  int64_t bjsj = 0, hfsj = 0, yqsx = 0;
  int closures = 0, fgcs = 0;
  std::optional<Jg> hfjg;
  for (const Step& s : life.steps) {
    if (const char* state = kStateAfter[static_cast<int>(s.dz)]) gdzt = state;
    switch (s.dz) {
      case Action::kExtensionApproved:
        yqsx = life.yqsx;
        break;
      case Action::kClose:
        bjsj = s.sj;
        ++closures;
        break;
      case Action::kRevisit:
        hfjg = s.jg;
        hfsj = s.sj;
        break;
      case Action::kRework:
        ++fgcs;
        break;
      default:
        break;
    }
  }
  out.Raw("{\"gdbh\":");
  out.Quoted(gdbh);
  if (!wbbh.empty()) out.Str("wbbh", wbbh);
  out.Time("slsj", life.slsj);
  out.Str("qdly", p.channel);
  out.Str("sqr", m.sqr);
  out.Str("lxdh", m.lxdh);
  out.Str("sqlx", kKinds[life.kind].name);
  out.Str("sqfl", kCategoryNames[m.category]);
  out.Str("sqbt", m.sqbt);
  out.Str("sqnr", m.sqnr);
  out.Str("fsdz", m.fsdz);
  out.Str("cbdw", life.steps.back().dw);
  if (!m.cbdwbm.empty()) out.Str("cbdwbm", m.cbdwbm);
  out.Time("blsx", life.blsx);
  if (yqsx != 0) out.Time("yqsx", yqsx);
  out.Str("gdzt", gdzt);
  if (closures > 0) {
    out.Time("bjsj", bjsj);
    out.Str("bjnr", life.closures[static_cast<size_t>(closures - 1)]);
  }
  if (hfjg) {
    out.Str("hfjg", kJgNames[static_cast<int>(*hfjg)]);
    out.Time("hfsj", hfsj);
  }
  out.Key("fgcs");
  out.Raw(std::to_string(fgcs));
  out.Key("rddb");
  out.Raw(p.rddb ? "true" : "false");
  out.Key("sq");
  out.Raw(p.sq ? "true" : "false");
  out.Key("lzjl");
  for (size_t i = 0; i < life.steps.size(); ++i) {
    const Step& s = life.steps[i];
    out.Raw(i == 0 ? "[{\"sj\":" : ",{\"sj\":");
    out.Time(s.sj);
    out.Str("dz", kActionNames[static_cast<int>(s.dz)]);
    out.Str("dw", s.dw);
    out.Str("sm", s.sm);
    if (s.jg) out.Str("jg", kJgNames[static_cast<int>(*s.jg)]);
    out.Raw("}");
  }
  out.Raw("]");
  out.Time("gxsj", life.steps.back().sj);
  out.Raw("}\n");
}

// An order ready to write.
struct Built {
  size_t plan = 0;
  Matter matter;
  Life life;
};

}  // namespace

int TsvTable::Column(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<int>(i);
  }
  return -1;
}

Result<TsvTable> ReadTsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  TsvTable t;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::stringstream s(line);
    for (std::string f; std::getline(s, f, '\t');) fields.push_back(f);
    if (line.back() == '\t') fields.emplace_back();
    if (t.columns.empty()) {
      t.columns = std::move(fields);
    } else if (fields.size() != t.columns.size()) {
      return Status::InvalidArgument(path + " line " + std::to_string(number) + ": " +
                                     std::to_string(fields.size()) + " fields, the header has " +
                                     std::to_string(t.columns.size()));
    } else {
      t.rows.push_back(std::move(fields));
    }
  }
  return t;
}

std::string June2023Dir() {
  const std::string dir = std::string(HS_SHARED_DATA_DIR) + "/yueyang-2023-06";
  std::error_code ec;
  return std::filesystem::exists(dir + "/hotline.tsv", ec) ? dir : "";
}

Result<std::string> BuildJune2023Orders(const std::string& dir) {
  HS_ASSIGN_OR_RETURN(std::vector<Row> hotline, ReadRows(dir + "/hotline.tsv", false));
  HS_ASSIGN_OR_RETURN(std::vector<Row> mailbox, ReadRows(dir + "/mailbox.tsv", true));
  Rng rng(20230630);
  std::vector<Plan> plans;
  plans.reserve(25'000);
  for (const Row& r : hotline) HS_RETURN_IF_ERROR(PlanHotlineUnit(r, rng, plans));
  for (const Row& r : mailbox) PlanMailboxUnit(r, rng, plans);
  HS_RETURN_IF_ERROR(PlaceAdjustments(dir + "/adjustments.tsv", plans));
  HS_RETURN_IF_ERROR(PlaceReturns(plans));
  HS_RETURN_IF_ERROR(PlaceFlags(plans, rng));
  PlaceChannels(plans, rng);

  std::vector<Built> built;
  built.reserve(plans.size());
  for (size_t i = 0; i < plans.size(); ++i) {
    Built b;
    b.plan = i;
    int kind = DrawKind(plans[i], rng);
    b.matter = MakeMatter(plans[i], kind, rng);
    HS_ASSIGN_OR_RETURN(b.life, LifeBuilder(plans[i], kind, b.matter.act, rng).Build());
    built.push_back(std::move(b));
  }
  // Numbers in order of acceptance: YY + yyMMdd + the day's serial; wbbh for pushed orders.
  std::vector<size_t> order(built.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(built[a].life.slsj, a) < std::tie(built[b].life.slsj, b);
  });
  std::map<std::string, int> serials;
  int petitions = 0, dispatches = 0;
  JsonWriter out(built.size() * 1450);
  for (size_t i : order) {
    const Built& b = built[i];
    const Plan& p = plans[b.plan];
    std::string day = FormatShanghaiTime(b.life.slsj);
    std::string date = day.substr(2, 2) + day.substr(5, 2) + day.substr(8, 2);
    char number[32];
    std::snprintf(number, sizeof number, "YY%s%04d", date.c_str(), ++serials[date]);
    std::string wbbh;
    if (p.channel == std::string_view(kPetitionChannel)) {
      wbbh = "XF-430600-2023-" + std::to_string(104000 + ++petitions);
    } else if (p.channel == std::string_view(kProvinceChannel)) {
      wbbh = "HN-2023-" + day.substr(5, 2) + day.substr(8, 2) + "-" +
             std::to_string(300000 + ++dispatches);
    }
    WriteRecord(out, p.gdbh.empty() ? number : p.gdbh, wbbh, p, b.matter, b.life);
  }
  return out.Take();
}

}  // namespace hs::testing
