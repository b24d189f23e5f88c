// The generated Yueyang of the 12345 simulator: reference tables from the June 2023 bulletin, text
// templates, complainants, planned lives (LifeBuilder), and the store (SimWorld::State) that
// applies planned steps as simulated time passes and pages records by (gxsj, gdbh). Not
// thread-safe: see sim_world.h.
#include "adapters/hotline12345/sim_world.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <deque>
#include <functional>
#include <queue>
#include <random>
#include <set>
#include <span>
#include <tuple>
#include <unordered_map>

#include "adapters/sim_text.h"
#include "daemon/core/json.h"
#include "daemon/core/time_util.h"
#include "daemon/crypto/crypto.h"

namespace hs::hotline12345 {
namespace {

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;
constexpr int64_t kNever = INT64_MIN;  // An unreadable gxsj of an orders-file line: sorts first.

// ---------------------------------------------------------------------------------------------
// Randomness: the project's own distributions over std::mt19937_64, so that a seed gives the same
// world with any standard library.

using Rng = std::mt19937_64;

double U01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
bool Chance(Rng& rng, double p) { return U01(rng) < p; }

// Uniform in [lo, hi]. REQUIRES: lo <= hi.
int64_t Between(Rng& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
}

template <typename T>
const T& PickOne(Rng& rng, std::span<const T> items) {
  return items[rng() % items.size()];
}

// Index drawn with probability proportional to weights[i]. REQUIRES: a positive total.
size_t PickWeighted(Rng& rng, std::span<const double> weights) {
  double total = 0;
  for (double w : weights) total += w;
  double x = U01(rng) * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  return weights.size() - 1;
}

// ---------------------------------------------------------------------------------------------
// Reference tables: categories (诉求分类) and units (承办单位) from the June 2023 bulletin.

enum Category : uint8_t {
  kRenShe,     // 人力资源和社会保障类
  kShiChang,   // 市场管理类
  kJiaoTong,   // 交通运输与交通秩序类
  kZhiAn,      // 社会治安与综合治理类
  kChengGuan,  // 城市管理类
  kGongGong,   // 公共服务类
  kZhuJian,    // 住房与城乡建设类
  kSheQing,    // 社情民意类
  kJiaoYu,     // 教育类
  kYiLiao,     // 医疗卫生类
  kNongYe,     // 农业农村类
  kShengTai,   // 生态环境类
  kCategoryCount,
};

struct CategorySpec {
  const char* name;
  double share;  // Percent of orders.
};

constexpr CategorySpec kCategories[kCategoryCount] = {
    {"人力资源和社会保障类", 25.83},
    {"市场管理类", 12.99},
    {"交通运输与交通秩序类", 10.26},
    {"社会治安与综合治理类", 8.18},
    {"城市管理类", 7.51},
    {"公共服务类", 7.45},
    {"住房与城乡建设类", 7.12},
    {"社情民意类", 4.93},
    {"教育类", 4.50},
    {"医疗卫生类", 4.20},
    {"农业农村类", 4.00},
    {"生态环境类", 3.03},
};

// Areas (县市区) named in addresses. Counties have towns and villages; districts roads and estates.
struct AreaSpec {
  const char* name;
  bool county;
  std::array<const char*, 3> towns;
  double weight;  // Share of a city-wide unit's orders that happen here.
};

constexpr AreaSpec kAreas[] = {
    {"岳阳楼区", false, {}, 40},
    {"云溪区", false, {}, 5},
    {"君山区", false, {}, 5},
    {"岳阳经开区", false, {}, 12},
    {"南湖新区", false, {}, 6},
    {"城陵矶新港区", false, {}, 2},
    {"岳阳县", true, {"荣家湾镇", "新墙镇", "筻口镇"}, 6},
    {"华容县", true, {"章华镇", "三封寺镇", "治河渡镇"}, 5},
    {"湘阴县", true, {"文星镇", "东塘镇", "鹤龙湖镇"}, 5},
    {"平江县", true, {"安定镇", "三市镇", "加义镇"}, 5},
    {"汨罗市", true, {"归义镇", "新市镇", "长乐镇"}, 5},
    {"临湘市", true, {"长安街道", "羊楼司镇", "桃林镇"}, 5},
    {"屈原管理区", true, {"营田镇", "河市镇", "凤凰乡"}, 2},
};
constexpr int kAreaCount = static_cast<int>(std::size(kAreas));

constexpr int kNoCategory = -1;
constexpr int kCityWide = -1;

// A unit, its June 2023 monthly due count, the categories it handles (none: a county or district,
// which handles everything) and its area.
struct UnitSpec {
  const char* name;
  double due;
  int cat1;
  int cat2;  // When set, half of the unit's orders.
  int area;
};

constexpr UnitSpec kUnitSpecs[] = {
    {"岳阳楼区", 3415, kNoCategory, kNoCategory, 0},
    {"岳阳县", 1521, kNoCategory, kNoCategory, 6},
    {"汨罗市", 1469, kNoCategory, kNoCategory, 10},
    {"湘阴县", 1415, kNoCategory, kNoCategory, 8},
    {"平江县", 1380, kNoCategory, kNoCategory, 9},
    {"岳阳经开区", 1190, kNoCategory, kNoCategory, 3},
    {"华容县", 1164, kNoCategory, kNoCategory, 7},
    {"临湘市", 1146, kNoCategory, kNoCategory, 11},
    {"市移动公司", 731, kGongGong, kShiChang, kCityWide},
    {"市公安交警支队", 693, kJiaoTong, kNoCategory, kCityWide},
    {"君山区", 625, kNoCategory, kNoCategory, 2},
    {"云溪区", 453, kNoCategory, kNoCategory, 1},
    {"南湖新区", 450, kNoCategory, kNoCategory, 4},
    {"市公安局", 446, kZhiAn, kNoCategory, kCityWide},
    {"市住建局", 334, kZhuJian, kNoCategory, kCityWide},
    {"国网岳阳供电公司", 296, kGongGong, kNoCategory, kCityWide},
    {"市交通运输局", 287, kJiaoTong, kNoCategory, kCityWide},
    {"市公交集团公司", 275, kJiaoTong, kNoCategory, kCityWide},
    {"市城管局", 257, kChengGuan, kNoCategory, kCityWide},
    {"市联通公司", 238, kGongGong, kShiChang, kCityWide},
    {"市水务集团公司", 223, kGongGong, kNoCategory, kCityWide},
    {"市卫健委", 206, kYiLiao, kNoCategory, kCityWide},
    {"岳阳银保监分局", 194, kShiChang, kNoCategory, kCityWide},
    {"市电信公司", 177, kGongGong, kShiChang, kCityWide},
    {"屈原管理区", 156, kNoCategory, kNoCategory, 12},
    {"市邮政管理局", 147, kShiChang, kNoCategory, kCityWide},
    {"岳阳华润燃气公司", 144, kGongGong, kNoCategory, kCityWide},
    {"城陵矶新港区", 129, kNoCategory, kNoCategory, 5},
    {"市城投集团公司", 124, kZhuJian, kNoCategory, kCityWide},
    {"市城运集团", 109, kChengGuan, kNoCategory, kCityWide},
    {"市人社局", 108, kRenShe, kNoCategory, kCityWide},
    {"市税务局", 91, kShiChang, kSheQing, kCityWide},
    {"市教体局", 80, kJiaoYu, kNoCategory, kCityWide},
    {"市资规局", 56, kZhuJian, kNoCategory, kCityWide},
    {"市生态环境局", 44, kShengTai, kNoCategory, kCityWide},
    {"市医疗保障局", 42, kYiLiao, kNoCategory, kCityWide},
    {"市市场监督管理局", 34, kShiChang, kNoCategory, kCityWide},
    {"市信访局", 0, kNoCategory, kNoCategory, kCityWide},  // Weight set to 1% in UnitTable.
};
constexpr size_t kUnitSpecCount = std::size(kUnitSpecs);
constexpr size_t kPetitionUnit = kUnitSpecCount - 1;  // 市信访局: petition matters (信访事项).

// 诉求类型 and their deadlines (办理时限) in days.
enum Kind : uint8_t { kComplaint, kHelp, kQuestion, kReport, kSuggestion, kPraise, kKindCount };
constexpr const char* kKindNames[kKindCount] = {"投诉", "求助", "咨询", "举报", "建议", "表扬"};
constexpr double kKindWeights[kKindCount] = {46, 20, 14, 9, 9, 2};
constexpr int kKindDays[kKindCount] = {5, 5, 3, 10, 10, 3};

// 渠道来源. The last two are pushed from other systems and carry a wbbh.
enum Channel : uint8_t {
  kPhone,
  kMailbox,
  kWeChat,
  kRedNet,
  kServiceComplaint,
  kCppccAdvice,
  kProvince,
  kPetition,
  kChannelCount,
};
constexpr const char* kChannelNames[kChannelCount] = {
    "电话",         "市长信箱",       "微信公众号", "红网",
    "政务服务投诉", "政协委员微建议", "省平台转办", "信访平台推送"};
constexpr double kChannelWeights[kChannelCount] = {76, 8, 6.5, 3.5, 3, 0.5, 1.5, 1};

// 流转记录 actions (dz) and work-order states (gdzt).
enum class Action : uint8_t {
  kDispatch,
  kAccept,
  kReturn,
  kReassign,
  kRequestExtension,
  kExtensionApproved,
  kExtensionRejected,
  kClose,
  kRevisit,
  kRework,
  kArchive,
  kNote,
};
constexpr const char* kActionNames[] = {"派单",     "签收", "退单", "转派", "申请延期", "延期通过",
                                        "延期驳回", "办结", "回访", "返工", "归档",     "备注"};

// The state after an action; nullptr: unchanged (备注).
const char* StateAfter(Action a) {
  static constexpr const char* kStates[] = {"待签收",     "办理中", "已退单", "待签收",
                                            "延期审核中", "办理中", "办理中", "已办结",
                                            "已回访",     "办理中", "已归档", nullptr};
  return kStates[static_cast<int>(a)];
}

enum class Revisit : uint8_t { kNone, kSatisfied, kMostly, kUnsatisfied, kUnreachable };
constexpr const char* kRevisitNames[] = {"", "满意", "基本满意", "不满意", "未联系上"};

// ---------------------------------------------------------------------------------------------
// Place and organisation names of an invented Yueyang: sim_text.h, and here the roads of a county
// town.

constexpr const char* kCountyRoads[] = {"建设路", "人民路", "解放路", "新华路",
                                        "环城路", "交通路", "文化路", "迎宾路"};
constexpr const char* kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
    "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
    "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余", "杜", "叶",
    "程", "魏", "吕", "丁", "任", "沈", "姚", "卢", "钟", "谭", "陆", "汪", "范", "方",
    "邹", "熊", "贺", "毛", "龚", "万", "严", "易", "颜", "付", "廖", "黎", "刘", "李"};
constexpr const char* kGivenChars[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                                       "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
                                       "刚", "桂", "英", "华", "建", "国", "文", "辉", "红", "波",
                                       "玲", "湘", "岳", "兰", "志", "海", "春", "梅", "德", "林"};

// ---------------------------------------------------------------------------------------------
// Complaint texts: per category a title and a body with slots filled from a Matter, each with a
// few wordings ("a|b|c", sim::Variant): one person writing again, or another person about the
// same matter, says it in other words. Slots: {xq} estate, {lu} {lu2} roads, {gs} company, {xx}
// school, {dian} shop, {dd} the place (an estate, or town and village), {sj} a day and time, {je}
// an amount, {yue} months, {n} a number, {dw} the unit.

struct Template {
  const char* title;
  const char* body;
  uint8_t kinds;  // The 诉求类型 the text reads as, a bit per Kind.
};

constexpr uint8_t kTs = 1 << kComplaint;
constexpr uint8_t kHp = 1 << kHelp;
constexpr uint8_t kQn = 1 << kQuestion;
constexpr uint8_t kRp = 1 << kReport;
constexpr uint8_t kSg = 1 << kSuggestion;

constexpr Template kRenSheT[] = {
    {"{gs}拖欠工资|{gs}拖欠{yue}工资|讨要{gs}拖欠的工资|农民工工资被{gs}拖欠",
     "其在{gs}务工，{yue}的工资共计{je}元至今未发放，多次找负责人讨要均被推脱，家中生活困难，"
     "请相关部门督促该公司尽快支付工资。|"
     "本人{yue}在{gs}上班，公司以资金紧张为由一直拖着不发工资，共欠{je}元，找老板多次都说再等等，"
     "希望劳动监察部门帮忙讨薪。|"
     "{gs}拖欠我们一起干活的{n}名工人{yue}的工资，其本人被欠{je}元，年底前一直没结清，"
     "请政府出面协调。",
     kTs | kHp | kRp},
    {"咨询社保补缴问题|原单位未缴社保如何补缴|社保断缴后怎么补缴|咨询在{gs}工作期间的社保补缴",
     "其原在{gs}工作期间单位未按规定为其缴纳社会保险，现已离职，想了解如何补缴以及需要准备哪些"
     "材料，请相关部门予以答复。|"
     "本人{yue}在{gs}上班，公司一直没给交社保，现在想补缴，请问去哪里办、带什么材料？|"
     "其社保在{gs}期间断缴了{n}个月，咨询能否补缴、补缴是否要交滞纳金。",
     kQn | kHp},
    {"灵活就业人员养老保险缴费问题|灵活就业养老保险无法缴费|{dd}社保窗口养老保险缴不了费",
     "其为灵活就业人员，今年在{dd}附近的社保服务窗口办理养老保险缴费时被告知系统无法缴费，"
     "已往返{n}次仍未办好，希望相关部门尽快解决。|"
     "本人以灵活就业身份参保，{sj}到{dd}的社保窗口缴养老保险，工作人员说系统升级交不了，"
     "已经跑了{n}趟，请尽快给个解决办法。",
     kHp | kTs},
    {"失业保险金未到账|失业金申领通过后迟迟未发放|网上申领的失业保险金没收到",
     "其于{sj}通过网上申领失业保险金，审核显示已通过，但至今未收到款项，请相关部门核实原因。|"
     "本人原在{gs}工作，离职后于{sj}在网上申请了失业金，显示审核通过已经{n}天，钱一直没到账，"
     "请帮忙查一下。",
     kHp | kTs | kQn},
    {"劳动合同纠纷|{gs}未签劳动合同无故辞退|被{gs}辞退不给经济补偿",
     "其在{gs}工作两年，公司未与其签订书面劳动合同，近日无故将其辞退且不支付经济补偿，"
     "请相关部门依法处理。|"
     "本人在{gs}干了{n}个月，一直没签劳动合同，{sj}公司突然通知不用来上班了，补偿一分没有，"
     "请劳动部门主持公道。",
     kTs | kHp | kRp},
};
constexpr Template kShiChangT[] = {
    {"{dian}预付卡无法退款|{dian}关门跑路，会员卡余额退不了|{lu}{dian}预付卡余额{je}元无法退还",
     "其在{lu}的{dian}办理会员卡充值{je}元，现该店突然关门停业，店主联系不上，卡内余额无法退还，"
     "请相关部门核实处理。|"
     "本人在{dian}（{lu}店）办了卡充了{je}元，{sj}去的时候发现店已经关了，电话也打不通，"
     "还有不少人的钱在里面，请帮忙追回。",
     kTs | kHp},
    {"{dian}销售过期食品|在{dian}买到过期牛奶|举报{lu}{dian}卖过期食品",
     "其于{sj}在{lu}的{dian}购买的牛奶已过保质期，与商家协商退换被拒，担心存在食品安全隐患，"
     "请市场监管部门查处。|"
     "本人{sj}在{dian}买了一箱牛奶，回家发现已过期{n}天，找店家退货被拒绝，"
     "怀疑店里还有其他过期食品，请市场监管部门去查一下。",
     kTs | kRp},
    {"商家未明码标价|{lu}{dian}不明码标价|{dian}价格欺诈",
     "{lu}{dian}"
     "商品未明码标价，结账时价格明显高于周边商家，存在价格欺诈行为，请相关部门调查处理。|"
     "其{sj}在{lu}的{dian}消费，店内商品都不标价，结账时多收了{n}元，店员态度蛮横，"
     "请相关部门查处。",
     kRp | kTs},
    {"手机套餐被擅自变更|运营商未经同意更改手机套餐|手机每月被多扣{n}元套餐费",
     "其手机号码的套餐在未经本人同意的情况下被变更，每月多扣费用{n}元，到营业厅交涉未果，"
     "请相关部门督促运营商退还费用。|"
     "本人的手机套餐从{sj}起被改成了更贵的套餐，自己从未办理过，已经多扣了{n}个月的钱，"
     "要求运营商恢复原套餐并退费。",
     kTs},
};
constexpr Template kJiaoTongT[] = {
    {"{lu}车辆乱停乱放|{lu}{dd}门口违停严重|{lu}人行道被车辆占满",
     "{lu}{dd}门口每天早晚大量车辆停在人行道和非机动车道上，行人只能走机动车道，存在安全隐患，"
     "请交警部门加强管理。|"
     "{dd}门口的{lu}上天天有车违停，人行道全被占了，{sj}还差点发生剐蹭，请交警来管一管。",
     kTs | kRp | kSg},
    {"出租车拒载|{lu}出租车拒载乘客|投诉出租车司机拒载",
     "其于{sj}在{lu}乘坐出租车，司机以交班为由拒载，且态度恶劣，请相关部门查处。|"
     "本人{sj}在{lu}打车，一辆出租车停下问完目的地就开走了，说是要交班，带着老人等了{n}分钟，"
     "请查处拒载行为。",
     kTs | kRp},
    {"公交车班次少等候时间长|{lu}公交车等候时间太长|建议{lu}公交线路增加班次",
     "{lu}公交站的公交车班次太少，高峰时段等候时间超过半小时，上班族出行非常不便，"
     "建议增加班次。|"
     "每天早上在{lu}站等公交要等{n}分钟以上，车来了也挤不上去，希望公交公司高峰时段加开班次。",
     kSg | kTs},
    {"{lu}红绿灯故障|{lu}与{lu2}路口信号灯坏了|{lu}{lu2}交叉口红绿灯一直闪黄灯",
     "{lu}与{lu2}交叉路口的红绿灯从{sj}起一直闪黄灯，车辆行人通行混乱，多次险些发生事故，"
     "请相关部门尽快维修。|"
     "{lu}和{lu2}的十字路口信号灯{sj}开始就不正常，车和人抢着过，很危险，请尽快派人修好。",
     kHp | kTs},
};
constexpr Template kZhiAnT[] = {
    {"{dd}夜间噪音扰民|{dd}附近商户夜间放音乐扰民|{dd}晚上噪音大无法休息",
     "{dd}附近有商户每天晚上播放音乐至凌晨一两点，严重影响周边居民休息，多次劝说无效，"
     "请相关部门处理。|"
     "其住在{dd}，楼下店铺每晚音响开得很大，一直闹到凌晨，家里老人孩子都睡不好，"
     "已经持续{n}天了，请派出所管一管。",
     kTs | kRp},
    {"邻里纠纷|{dd}楼上住户高空抛物|请求调解与邻居的纠纷",
     "其居住在{dd}，楼上住户长期从窗户往下抛洒垃圾，沟通多次无果，双方发生争执，"
     "请社区和派出所介入调解。|"
     "本人家住{dd}{n}栋，楼上邻居经常往下扔垃圾，{sj}又扔了一袋，上门沟通反被辱骂，"
     "请社区出面调解。",
     kHp},
    {"疑似电信诈骗|被冒充客服骗走{je}元|接到诈骗电话被骗转账",
     "其于{sj}接到自称客服的电话，被诱导转账{je}元，事后发现被骗，已到派出所报案，"
     "希望尽快立案侦查追回损失。|"
     "本人{sj}接到一个说是网购退款的电话，按对方要求操作后卡里{je}元被转走，已经报警，"
     "请公安机关尽快侦破。",
     kHp | kRp},
    {"广场舞音响扰民|{dd}广场舞声音太大|{dd}广场舞噪音影响学生学习",
     "{dd}广场每天晚上七点到十点跳广场舞，音响声音过大，附近学生无法学习，"
     "请相关部门协调控制音量。|"
     "{dd}的广场舞音响每天开到很晚，声音震耳，家里孩子要备考，跟领队说了{n}次都不听，"
     "请相关部门协调。",
     kTs},
};
constexpr Template kChengGuanT[] = {
    {"{lu}占道经营|{lu}流动摊贩占道|{lu}两侧摊贩堵路",
     "{lu}两侧流动摊贩长期占道经营，早晚高峰造成交通堵塞，垃圾遍地，请城管部门加强整治。|"
     "{lu}靠近{dd}那一段每天傍晚摆满了摊子，车过不去，人也难走，收摊后一地垃圾，请城管来整治。",
     kTs | kRp},
    {"{dd}垃圾未及时清运|{dd}垃圾站{n}天没人清运|{dd}垃圾堆积发臭",
     "{dd}的垃圾站已经{n}天没有清运，垃圾堆积散发恶臭，蚊蝇滋生，请相关部门尽快清运。|"
     "{dd}门口的垃圾桶满了好几天都没人收，天气热臭味很大，请环卫部门尽快安排清运。",
     kTs},
    {"{lu}路灯不亮|{lu}{n}盏路灯坏了|{lu}晚上一片漆黑",
     "{lu}从{sj}开始有{n}盏路灯不亮，夜间路段漆黑，居民出行不安全，请相关部门尽快维修。|"
     "{lu}靠近{dd}的路灯坏了一排，晚上走路看不见，已经有人摔倒，请尽快修复路灯。",
     kTs | kHp},
    {"{lu}井盖缺失|{lu}{n}号门前井盖丢了|{lu}人行道井盖缺失很危险",
     "{lu}{n}号门前人行道上的井盖缺失，仅用树枝遮挡，老人小孩经过很危险，请尽快修复。|"
     "{sj}发现{lu}{n}号附近的井盖不见了，只放了几根树枝，晚上很容易掉下去，请马上处理。",
     kHp | kTs | kRp},
    {"餐馆油烟扰民|{dd}楼下餐馆油烟直排|{dd}餐馆油烟熏得无法开窗",
     "{dd}楼下餐馆油烟直排，油烟进入楼上住户家中，无法开窗，请相关部门督促安装油烟净化设施。|"
     "其家住{dd}{n}栋二楼，楼下饭店的排烟管直接对着窗户，每天中午晚上油烟不断，请依法处理。",
     kTs | kRp},
};
constexpr Template kGongGongT[] = {
    {"{dd}停水|{dd}无故停水|{dd}停水未提前通知",
     "{dd}从{sj}起停水，事先没有接到任何通知，至今未恢复供水，居民生活受到很大影响，"
     "请供水部门尽快恢复。|"
     "{dd}{sj}突然停水，打供水公司电话一直占线，现在已经{n}个小时了，请尽快恢复供水。",
     kTs | kHp | kQn},
    {"{dd}频繁停电|{dd}一周停电多次|{dd}经常停电家电受损",
     "{dd}近一周频繁停电，每次停电数小时，家中电器受损，请供电部门查明原因并解决。|"
     "{dd}这几天停了{n}次电，冰箱里的东西都坏了，供电所说在检修却没有通知，请给个说法。",
     kTs | kHp},
    {"手机信号差|{dd}手机信号很差|{dd}家中没有手机信号",
     "其居住在{dd}，家中手机信号很差，经常无法接通电话，已向运营商反映多次未解决，"
     "请相关部门督促处理。|"
     "{dd}一带手机信号时有时无，在家打电话要跑到阳台，反映给运营商{n}次都没解决。",
     kTs},
    {"宽带故障未维修|宽带报修后无人上门|{dd}宽带坏了{n}天没人修",
     "其家中宽带于{sj}出现故障，报修后维修人员一直未上门，已影响孩子上网课，请尽快安排维修。|"
     "本人家住{dd}，宽带{sj}断网，报修{n}次都说会安排师傅，到现在没人来，请督促运营商处理。",
     kTs | kHp},
    {"燃气开户办理慢|{dd}新房燃气迟迟不通气|燃气开通等了{n}天",
     "其在{dd}的新房申请燃气开通已{n}天仍未安排通气，多次催促无果，请相关部门协调。|"
     "本人在{dd}收房后就申请了燃气开户，燃气公司一直说排队，{n}天了还没通气，没法做饭。",
     kTs | kQn},
};
constexpr Template kZhuJianT[] = {
    {"{xq}延期交房|{gs}开发的{xq}逾期未交房|{xq}超期半年未交房",
     "其购买了{gs}开发的{xq}商品房，合同约定交房时间已过半年，开发商仍未交房，也不支付违约金，"
     "请相关部门督促处理。|"
     "本人在{xq}买了房，合同写的去年底交房，到现在工地还停着，{gs}只说在想办法，"
     "请住建部门督促开发商按期交房。",
     kTs | kRp},
    {"{xq}不动产权证迟迟未办|{xq}交房三年办不了房产证|{xq}业主办证难",
     "其购买的{xq}房屋已交房三年，至今未办理不动产权证，开发商一直推脱，请相关部门协调办理。|"
     "{xq}的业主交房都几年了，房产证一直办不下来，开发商{gs}说手续不全，请相关部门帮忙协调。",
     kTs | kQn},
    {"{xq}电梯频繁故障|{xq}{n}栋电梯多次困人|{xq}电梯坏了物业不修",
     "{xq}{n}栋电梯频繁故障，多次困人，物业维修不及时，住户出行困难，请相关部门督促物业整改。|"
     "其住在{xq}{n}栋，电梯{sj}又停了，这个月已经困人好几次，物业只是重启一下，请督促彻底维修。",
     kTs | kHp},
    {"工地夜间施工噪音|{lu}工地深夜施工扰民|{lu}建筑工地夜间噪音",
     "{lu}一处建筑工地每天晚上十点后仍在施工，噪音很大，严重影响附近居民休息，请相关部门查处。|"
     "{dd}旁边{lu}上的工地天天晚上打桩到十二点以后，吵得根本睡不着，请查一下有没有夜间施工许可。",
     kTs | kRp},
    {"{xq}物业服务差|{xq}物业不作为|投诉{xq}物业公司",
     "{xq}物业公司收取物业费后不履行职责，小区绿化无人管理，楼道卫生差，请相关部门监督整改。|"
     "{xq}的物业费照收，门禁坏了{n}天没人修，垃圾也不及时清，业主意见很大，请相关部门监督。",
     kTs},
};
constexpr Template kSheQingT[] = {
    {"建议增设{lu}公交站点|{lu}沿线没有公交站|建议在{lu}设公交站",
     "{lu}沿线新建了多个小区，居民出行需求大，但附近没有公交站点，建议相关部门增设站点。|"
     "{lu}靠近{dd}一带住了很多人，最近的公交站要走{n}分钟，建议在这里增设一个站点。",
     kSg},
    {"{dd}排水不畅|{dd}一下雨就积水|{dd}雨天积水严重",
     "{dd}一带每逢下雨积水严重，居民出行困难，希望相关部门规划改造排水管网。|"
     "{sj}一场雨{dd}又淹了，水深到膝盖，每年都这样，请相关部门把排水管网改造一下。",
     kSg | kTs},
    {"建议{dd}增设健身设施|{dd}缺少健身场地|{dd}老人小孩没有活动场所",
     "{dd}周边没有健身场地，老年人和小孩没有活动的地方，建议相关部门增设健身器材。|"
     "{dd}住了上百户人家，没有一处健身器材，建议利用空地建个小广场。",
     kSg},
};
constexpr Template kJiaoYuT[] = {
    {"{xx}入学咨询|咨询{xx}学区范围|孩子上{xx}需要什么材料",
     "其孩子今年秋季入学，户籍在{dd}，咨询{xx}的学区范围及报名需要的材料，请相关部门答复。|"
     "本人住在{dd}，孩子今年上学，想问{xx}的招生范围包不包括我们小区，报名要准备什么。",
     kQn},
    {"{xx}违规收费|{xx}乱收资料费|举报{xx}收费不开收据",
     "{xx}以资料费名义向每名学生收取{je}元，未出具收据，家长怀疑违规收费，请教育部门调查。|"
     "{xx}班主任{sj}通知每人交{je}元资料费，不给收据，也没说买了什么资料，请教育局查一下。",
     kRp | kTs},
    {"校外培训机构退费难|{lu}培训机构停课不退费|培训机构拒退{je}元学费",
     "其在{lu}的一家校外培训机构为孩子报名缴费{je}元，现机构停课，拒绝退还剩余课时费，"
     "请相关部门处理。|"
     "本人给孩子在{lu}的培训班交了{je}元，上了{n}节课机构就不开了，退费一直拖着，请帮忙处理。",
     kTs | kHp},
};
constexpr Template kYiLiaoT[] = {
    {"医院服务态度差|{lu}医院挂号窗口态度差|投诉医院排队时间过长",
     "其于{sj}带家人到{lu}附近的医院就诊，挂号窗口工作人员态度恶劣，排队时间过长，"
     "请相关部门督促改进。|"
     "本人{sj}陪老人到{lu}的医院看病，排了一个多小时队，窗口工作人员还不耐烦，请卫健部门管理。",
     kTs},
    {"异地就医报销咨询|咨询异地就医备案|外地住院医保怎么报销",
     "其在外地住院治疗，咨询异地就医备案及医保报销需要的材料和流程，请相关部门解答。|"
     "本人{sj}在外省住院，出院后想在本地报销，请问需要哪些材料、在哪里办理。",
     kQn},
    {"诊所疑似无证行医|{dd}诊所无证行医|举报{dd}附近黑诊所",
     "{dd}附近一家诊所疑似无证行医，还向老人推销保健品，请卫生健康部门核查。|"
     "{dd}旁边有个小诊所没有挂任何执照，给老人输液还卖保健品，请卫健部门去查处。",
     kRp},
};
constexpr Template kNongYeT[] = {
    {"{dd}农村道路损毁|{dd}通组公路被压坏|{dd}道路坑洼无法通行",
     "{dd}通组道路被重型车辆压坏，坑洼不平，雨天无法通行，村民出行困难，请相关部门尽快维修。|"
     "{dd}的村道被拉土车压得坑坑洼洼，{sj}下雨后车都开不进去，请相关部门安排修路。",
     kTs | kHp},
    {"耕地地力保护补贴未发放|{dd}耕地补贴没发|咨询耕地地力保护补贴",
     "其是{dd}村民，今年的耕地地力保护补贴至今未发放，其他村民已经领到，请相关部门核实。|"
     "本人在{dd}种了{n}亩地，今年的耕地补贴一直没到账，问村里说不清楚，请帮忙查一下。",
     kQn | kTs},
    {"农田灌溉渠道堵塞|{dd}灌溉渠道淤塞|{dd}水渠堵了无法插秧",
     "{dd}的灌溉渠道被淤泥堵塞，正值插秧季节无法引水灌溉，请相关部门组织清淤。|"
     "{dd}的水渠堵了好几百米，田里放不进水，秧苗都要干了，请尽快组织清淤。",
     kHp},
};
constexpr Template kShengTaiT[] = {
    {"{gs}排放异味|{gs}夜间排放刺鼻气体|{dd}附近工厂异味扰民",
     "{dd}附近的{gs}夜间排放刺鼻气体，周边居民闻到后头晕恶心，请环保部门监测查处。|"
     "{gs}每天晚上都有很浓的化工味飘到{dd}，关着窗都能闻到，请环保部门晚上来监测。",
     kTs | kRp},
    {"河道污染|{dd}附近河道被偷排污水|{dd}河水发黑发臭",
     "{dd}附近河道有企业偷排污水，河水发黑发臭，鱼虾死亡，请相关部门调查处理。|"
     "{dd}边上的小河这几天变黑了，还有死鱼，怀疑上游有厂子偷排，请环保部门查处。",
     kRp | kTs},
    {"露天焚烧垃圾|{dd}有人露天烧垃圾|{dd}焚烧垃圾浓烟扰民",
     "{dd}附近有人经常露天焚烧垃圾，浓烟很大，影响居民健康，请相关部门制止。|"
     "{dd}后面的空地隔几天就有人烧垃圾，{sj}烧了一下午，烟很呛，请相关部门制止。",
     kRp | kTs},
};
constexpr Template kPraiseTemplate = {
    "表扬{dw}工作人员|感谢{dw}及时解决问题|为{dw}点赞",
    "其日前反映的问题得到{dw}工作人员的及时处理，工作人员态度热情、办事高效，特表示感谢，"
    "希望予以表扬。|"
    "本人之前反映的问题，{dw}很快就派人处理好了，工作人员很负责，特此表扬。",
    1 << kPraise};

// What units did, per category: the "how it was handled" element of a closure text.
constexpr const char* kRenSheActs[] = {
    "经劳动保障监察大队调查核实，已责令用人单位限期足额支付拖欠工资",
    "已向诉求人详细解答社会保险相关政策及办理流程"};
constexpr const char* kShiChangActs[] = {"市场监管所执法人员已到现场核查，责令商家整改并依法处理",
                                         "经协调，商家同意按规定为诉求人办理退款"};
constexpr const char* kJiaoTongActs[] = {"交警部门已加强该路段巡查，对违停车辆依法处罚",
                                         "已联系相关公司核实情况，对涉事人员进行了批评教育"};
constexpr const char* kZhiAnActs[] = {"辖区派出所已上门调解，双方达成一致意见",
                                      "已督促相关人员停止扰民行为，并将持续巡查"};
constexpr const char* kChengGuanActs[] = {"城管执法中队已对相关问题进行整治",
                                          "已安排环卫人员清运处理，并增加巡查频次"};
constexpr const char* kGongGongActs[] = {"已安排维修人员上门检修，现已恢复正常",
                                         "已对相关设施进行全面排查维护"};
constexpr const char* kZhuJianActs[] = {"已约谈开发企业和物业公司，督促其限期整改",
                                        "住建部门已到现场核查，责令施工单位规范施工"};
constexpr const char* kSheQingActs[] = {"已将诉求人的建议转相关部门研究，纳入下一步工作计划"};
constexpr const char* kJiaoYuActs[] = {"教育部门已核实相关情况，并向诉求人解释了招生政策",
                                       "已责令相关机构退还违规收取的费用"};
constexpr const char* kYiLiaoActs[] = {"卫健部门已约谈相关医疗机构，督促其改进服务",
                                       "已向诉求人解答医保报销政策及办理流程"};
constexpr const char* kNongYeActs[] = {"乡镇政府已安排人员实地查看，并制定了处理方案",
                                       "经核实，相关款项已于近日发放到位"};
constexpr const char* kShengTaiActs[] = {"生态环境部门已对涉事企业开展现场检查并依法处理",
                                         "已组织人员对现场进行排查清理"};
constexpr const char* kGenericActs[] = {"承办单位已安排专人核实情况并依规处理"};

struct CategoryTexts {
  std::span<const Template> templates;
  std::span<const char* const> acts;
};

CategoryTexts TextsFor(int category) {
  switch (category) {
    case kRenShe:
      return {kRenSheT, kRenSheActs};
    case kShiChang:
      return {kShiChangT, kShiChangActs};
    case kJiaoTong:
      return {kJiaoTongT, kJiaoTongActs};
    case kZhiAn:
      return {kZhiAnT, kZhiAnActs};
    case kChengGuan:
      return {kChengGuanT, kChengGuanActs};
    case kGongGong:
      return {kGongGongT, kGongGongActs};
    case kZhuJian:
      return {kZhuJianT, kZhuJianActs};
    case kSheQing:
      return {kSheQingT, kSheQingActs};
    case kJiaoYu:
      return {kJiaoYuT, kJiaoYuActs};
    case kYiLiao:
      return {kYiLiaoT, kYiLiaoActs};
    case kNongYe:
      return {kNongYeT, kNongYeActs};
    case kShengTai:
      return {kShengTaiT, kShengTaiActs};
    default:
      return {kSheQingT, kGenericActs};
  }
}

constexpr const char* kFillers[] = {
    "该问题已持续较长时间，此前也曾多次反映，但一直没有得到彻底解决。",
    "周边居民对此意见很大，希望相关部门高度重视。",
    "诉求人表示如问题得不到解决将继续向上级部门反映。",
    "诉求人称已向社区和街道反映过，答复是正在协调，但至今没有进展。",
    "诉求人提供了现场照片和相关票据，表示可以配合调查。",
    "诉求人家中有老人和小孩，问题对日常生活影响很大。",
};

// Transfer-log notes (sm) per action.
constexpr const char* kDispatchNotes[] = {"请按时限办理并回复诉求人", "请及时核实处理",
                                          "请于办理时限内办结并回复"};
constexpr const char* kAcceptNotes[] = {"已签收，正在核实办理", "已签收"};
constexpr const char* kReturnNotes[] = {"经核实，该诉求不属于我单位职责范围，申请退回",
                                        "诉求地址不在我单位辖区，申请退单"};
constexpr const char* kReassignNotes[] = {"经中心审核，改派至责任单位办理", "根据职责分工重新派单"};
constexpr const char* kExtensionNotes[] = {"因涉及多个部门需协调，申请延期办理",
                                           "需等待现场检测结果，申请延期"};
constexpr const char* kApprovedNotes[] = {"同意延期", "经审核，同意延期办理"};
constexpr const char* kRejectedNotes[] = {"延期理由不充分，请按原时限办结", "不同意延期"};
constexpr const char* kCloseNotes[] = {"已办结，办理情况已回复诉求人", "已按要求办结"};
constexpr const char* kReworkNotes[] = {"回访不满意，退回重新办理",
                                        "诉求人反映问题未解决，请重新办理"};
constexpr const char* kArchiveNotes[] = {"办理完毕，予以归档", "归档"};
constexpr const char* kProgressNotes[] = {"已联系诉求人，正在协调处理",
                                          "已实地查看，待相关部门配合处理", "诉求人再次来电催办"};
constexpr const char* kRevisitNotes[] = {
    "", "回访诉求人，对办理结果表示满意", "回访诉求人，表示基本满意",
    "回访诉求人，表示问题未解决，不满意", "回访电话多次无人接听"};

// ---------------------------------------------------------------------------------------------
// Small text helpers.

// Number of Unicode code points in valid UTF-8.
size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The first `n` code points of `s`.
std::string FirstCodePoints(std::string_view s, size_t n) {
  size_t i = 0;
  for (size_t seen = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == n) break;
  }
  return std::string(s.substr(0, i));
}

// ASCII digits as full-width digits (０-９).
std::string FullWidthDigits(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      out += "\xEF\xBC";
      out.push_back(static_cast<char>(0x90 + (c - '0')));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// "6月12日" for a time.
std::string MonthDay(int64_t t) {
  std::string s = FormatShanghaiTime(t);
  int month = (s[5] - '0') * 10 + (s[6] - '0');
  int day = (s[8] - '0') * 10 + (s[9] - '0');
  return std::to_string(month) + "月" + std::to_string(day) + "日";
}

// Beijing day number of a time (days since 1970-01-01 local).
int64_t LocalDay(int64_t t) {
  int64_t local = t + kShanghaiOffsetSeconds;
  return local >= 0 ? local / kDay : (local - kDay + 1) / kDay;
}

// Seconds since local midnight.
int64_t LocalSecondOfDay(int64_t t) { return t + kShanghaiOffsetSeconds - LocalDay(t) * kDay; }

// ---------------------------------------------------------------------------------------------
// People: complainants (诉求人) with phones and identity-card numbers.

struct Person {
  std::string sqr;
  std::string phone_digits;  // 11-digit mobile or 7-digit Yueyang landline.
  std::string zjhm;          // "" when not given.
};

// An 18-digit identity-card number of a Yueyang region with its GB 11643 check digit.
std::string IdNumber(Rng& rng, bool male) {
  static constexpr const char* kRegions[] = {"430602", "430603", "430611", "430621", "430623",
                                             "430624", "430626", "430681", "430682"};
  std::string birth = FormatShanghaiTime(Between(rng, -631180800, 1136073599)).substr(0, 10);
  birth.erase(std::remove(birth.begin(), birth.end(), '-'), birth.end());
  int seq = static_cast<int>(Between(rng, 1, 999));  // Odd for men, even for women.
  if (seq % 2 != (male ? 1 : 0)) seq = seq == 999 ? 998 : seq + 1;
  char seq_text[4];
  std::snprintf(seq_text, sizeof seq_text, "%03d", seq);
  std::string id = std::string(PickOne<const char*>(rng, kRegions)) + birth + seq_text;
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (id[i] - '0') * kWeights[i];
  return id + "10X98765432"[sum % 11];
}

std::string GivenName(Rng& rng) {
  std::string name = PickOne<const char*>(rng, kGivenChars);
  if (Chance(rng, 0.7)) name += PickOne<const char*>(rng, kGivenChars);
  return name;
}

std::string PhoneDigits(Rng& rng) {
  static constexpr const char* kMobilePrefixes[] = {
      "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
      "152", "153", "155", "156", "157", "158", "159", "173", "176", "177", "180",
      "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"};
  char digits[16];
  if (Chance(rng, 0.8)) {
    std::snprintf(digits, sizeof digits, "%s%08lld", PickOne<const char*>(rng, kMobilePrefixes),
                  static_cast<long long>(Between(rng, 0, 99999999)));
  } else {
    std::snprintf(digits, sizeof digits, "8%06lld",
                  static_cast<long long>(Between(rng, 0, 999999)));
  }
  return digits;
}

Person MakePerson(Rng& rng) {
  Person p;
  bool male = Chance(rng, 0.55);
  std::string surname = PickOne<const char*>(rng, kSurnames);
  double r = U01(rng);
  if (r < 0.70) {
    p.sqr = surname + (male ? "先生" : "女士");
  } else if (r < 0.85) {
    p.sqr = surname + GivenName(rng);
  } else if (r < 0.93) {
    p.sqr = "";
  } else {
    p.sqr = "匿名";
  }
  p.phone_digits = PhoneDigits(rng);
  if (Chance(rng, 0.15)) p.zjhm = IdNumber(rng, male);
  return p;
}

// A phone number as people type it: spaces, dashes, +86, area code or not, full-width digits.
std::string FormatPhone(const std::string& d, Rng& rng) {
  double r = U01(rng);
  if (d.size() == 11) {
    if (r < 0.62) return d;
    if (r < 0.74) return d.substr(0, 3) + " " + d.substr(3, 4) + " " + d.substr(7);
    if (r < 0.82) return "+86-" + d.substr(0, 3) + "-" + d.substr(3, 4) + "-" + d.substr(7);
    if (r < 0.90) return FullWidthDigits(d);
    if (r < 0.95) return "+86 " + d;
    return d.substr(0, 3) + "-" + d.substr(3, 4) + "-" + d.substr(7);
  }
  if (r < 0.35) return "0730-" + d;
  if (r < 0.60) return "0730" + d;
  if (r < 0.75) return FullWidthDigits(d);
  if (r < 0.90) return d;
  return "(0730)" + d;
}

// ---------------------------------------------------------------------------------------------
// A matter (诉求事项): what the complaint is about and where, enough to write it again in other
// words, as happens when one person uses several channels (一诉多投) or many people complain
// about one thing (多人同诉).

struct Matter {
  int category = 0;
  int templ = 0;
  int area = 0;
  int estate = 0, road = 0, road2 = 0, company = 0, school = 0, shop = 0, town = 0, village = 0;
  int n = 1;
  int amount = 0;
  int month_from = 1, month_to = 2;
  int part_of_day = 0;
  int64_t when = 0;  // The day the trouble is said to have started.
};

Matter MakeMatter(Rng& rng, int category, int area, int64_t accepted) {
  Matter m;
  m.category = category;
  m.templ = static_cast<int>(rng() % TextsFor(category).templates.size());
  m.area = area;
  const size_t roads = sim::Roads().size();
  m.estate = static_cast<int>(rng() % sim::Estates().size());
  m.road = static_cast<int>(rng() % roads);
  m.road2 = static_cast<int>((m.road + 1 + rng() % (roads - 1)) % roads);
  m.company = static_cast<int>(rng() % sim::Companies().size());
  m.school = static_cast<int>(rng() % sim::Schools().size());
  m.shop = static_cast<int>(rng() % sim::Shops().size());
  m.town = static_cast<int>(rng() % 3);
  m.village = static_cast<int>(rng() % sim::Villages().size());
  m.n = static_cast<int>(Between(rng, 2, 30));
  m.amount = static_cast<int>(Between(rng, 8, 600)) * 100;
  m.month_from = static_cast<int>(Between(rng, 1, 8));
  m.month_to = m.month_from + static_cast<int>(Between(rng, 1, 4));
  m.part_of_day = static_cast<int>(rng() % 5);
  m.when = accepted - Between(rng, 0, 3) * kDay;
  return m;
}

// The place of a matter: an estate in a district, or a town and village in a county.
std::string Place(const Matter& m) {
  const AreaSpec& a = kAreas[m.area];
  if (a.county) return std::string(a.towns[m.town]) + sim::Villages()[m.village];
  return sim::Estates()[m.estate];
}

// A road of the matter's area: a city road, or a road of the county town.
std::string Road(const Matter& m, bool second) {
  const AreaSpec& a = kAreas[m.area];
  if (!a.county) return sim::Roads()[second ? m.road2 : m.road];
  constexpr int kCount = static_cast<int>(std::size(kCountyRoads));
  int road = m.road % kCount;
  if (second) road = (road + 1 + m.road2 % (kCount - 1)) % kCount;
  return std::string(a.towns[m.town]) + kCountyRoads[road];
}

std::string SlotValue(std::string_view slot, const Matter& m, std::string_view unit) {
  static constexpr const char* kParts[] = {"上午", "下午", "晚上", "", "傍晚"};
  if (slot == "xq") return sim::Estates()[m.estate];
  if (slot == "lu" || slot == "lu2") return Road(m, slot == "lu2");
  if (slot == "gs") return sim::Companies()[m.company];
  if (slot == "xx") return sim::Schools()[m.school];
  if (slot == "dian") return sim::Shops()[m.shop];
  if (slot == "dd") return Place(m);
  if (slot == "sj") return MonthDay(m.when) + kParts[m.part_of_day];
  if (slot == "je") return std::to_string(m.amount);
  if (slot == "n") return std::to_string(m.n);
  if (slot == "dw") return std::string(unit);
  if (slot == "yue") {
    return "去年" + std::to_string(m.month_from) + "月至" + std::to_string(m.month_to) + "月";
  }
  return std::string(slot);
}

// One wording of a template (`pick` chooses) with its {slots} filled.
std::string Fill(std::string_view templ, uint64_t pick, const Matter& m, std::string_view unit) {
  return sim::FillSlots(sim::Variant(templ, pick),
                        [&](std::string_view slot) { return SlotValue(slot, m, unit); });
}

const Template& TemplateOf(const Matter& m, int kind) {
  if (kind == kPraise) return kPraiseTemplate;
  return TextsFor(m.category).templates[m.templ];
}

// 发生地址.
std::string Address(const Matter& m, Rng& rng) {
  const AreaSpec& a = kAreas[m.area];
  std::string out = std::string("岳阳市") + a.name;
  if (a.county) {
    out += Place(m) + std::to_string(m.n % 12 + 1) + "组";
  } else {
    out += std::string(sim::Roads()[m.road]) + std::to_string(m.n * 7 % 300 + 1) + "号" +
           sim::Estates()[m.estate] + std::to_string(m.n % 18 + 1) + "栋";
  }
  return Chance(rng, 0.05) ? FullWidthDigits(out) : out;
}

std::string ContentPrefix(int channel, int kind) {
  static constexpr const char* kPhonePrefixes[kKindCount] = {"市民来电反映：", "市民来电求助：",
                                                             "市民来电咨询：", "市民来电举报：",
                                                             "市民来电建议：", "市民来电："};
  switch (channel) {
    case kPhone:
      return kPhonePrefixes[kind];
    case kMailbox:
      return "尊敬的市长：您好！";
    case kWeChat:
      return "市民通过微信公众号反映：";
    case kRedNet:
      return "网友在红网百姓呼声栏目留言：";
    case kServiceComplaint:
      return "企业群众通过政务服务投诉渠道反映：";
    case kCppccAdvice:
      return "政协委员微建议：";
    case kProvince:
      return "省12345平台转办，群众反映：";
    default:
      return "信访平台推送，信访人反映：";
  }
}

// 诉求内容: 20 to 4000 code points; `pick` chooses the wording.
std::string Content(const Matter& m, int kind, int channel, std::string_view unit, uint64_t pick,
                    Rng& rng) {
  std::string out = ContentPrefix(channel, kind);
  out += Fill(TemplateOf(m, kind).body, pick, m, unit);
  if (Chance(rng, 0.3)) out += "诉求人要求回复。";
  if (kind == kReport && Chance(rng, 0.5)) out += "举报人要求对其个人信息保密。";
  if (Chance(rng, 0.02)) {
    out += "补充情况：";
    int sentences = static_cast<int>(Between(rng, 6, 40));
    for (int i = 0; i < sentences; ++i) out += PickOne<const char*>(rng, kFillers);
  }
  if (channel == kWeChat && Chance(rng, 0.3)) out += Chance(rng, 0.5) ? "🙏🙏" : "😭";
  if (channel == kMailbox) out += "盼复！";
  return out;
}

// 办结内容 with the four elements of a proper closure (结案四要素): contact, handling, outcome,
// the complainant's view.
std::string ClosureText(int category, int kind, int64_t closed_at, bool rework, bool unhappy,
                        Rng& rng) {
  std::string out = rework ? "返工后重新办理：" : "";
  bool contacted = Chance(rng, 0.93);
  if (contacted) {
    out += MonthDay(closed_at - Between(rng, 0, 1) * kDay) +
           "，承办人员电话联系诉求人，详细了解了诉求情况。";
  } else {
    out += "承办人员多次拨打诉求人电话未接通，已发送短信告知办理情况。";
  }
  if (kind == kPraise) {
    out += "已将诉求人的表扬转达相关工作人员。";
  } else {
    out += PickOne<const char*>(rng, TextsFor(category).acts);
    out += "。";
  }
  static constexpr const char* kOutcomes[] = {"目前问题已解决。", "目前已整改到位。",
                                              "已向诉求人作出解释说明。"};
  out += PickOne<const char*>(rng, kOutcomes);
  static constexpr const char* kViews[] = {"诉求人对处理结果表示满意。", "诉求人表示认可。",
                                           "诉求人表示理解。"};
  if (!contacted) return out + "诉求人意见待回访确认。";
  return out + (unhappy ? "诉求人对处理结果不太认可。" : PickOne<const char*>(rng, kViews));
}

// ---------------------------------------------------------------------------------------------
// Work orders and their lives.

// One 流转记录 entry, planned with its time.
struct Step {
  int64_t sj = 0;
  const char* sm = "";  // A fixed note; unused when note >= 0.
  int32_t note = -1;    // Index into Order::notes for an entry appended through the interface.
  uint16_t unit = 0;    // dw: the unit holding the order after the step.
  Action dz = Action::kNote;
  Revisit jg = Revisit::kNone;
};

struct Note {
  std::string sm;
  std::string wbbh;
};

struct Order {
  uint32_t seq = 0;
  std::string gdbh, wbbh, sqr, lxdh, zjhm, sqbt, sqnr, fsdz;
  int64_t slsj = 0, blsx = 0;
  int64_t yqsx = 0;   // Applies once 延期通过 is reached.
  uint16_t qdly = 0;  // kChannelNames
  uint16_t sqlx = 0;  // kKindNames
  uint16_t sqfl = 0;  // State::categories
  bool rddb = false, sq = false;
  std::vector<std::string> closures;  // bjnr of each 办结, in order.
  std::vector<Step> steps;
  std::vector<Note> notes;
  uint32_t applied = 0;  // Steps reached; visible when > 0.

  uint32_t cached_version = UINT32_MAX;
  std::string json;  // The record at cached_version; for an orders-file line, the line.
  bool raw = false;  // From an orders file.
  int64_t raw_gxsj = kNever;
};

int64_t Gxsj(const Order& o) { return o.raw ? o.raw_gxsj : o.steps[o.applied - 1].sj; }

// Steps are done in working hours (08:00-21:00 Beijing time) unless they are dispatches.
int64_t AtWork(int64_t t, Rng& rng) {
  int64_t sod = LocalSecondOfDay(t);
  if (sod < 8 * kHour) return t + (8 * kHour - sod) + Between(rng, 0, 90 * kMinute);
  if (sod >= 21 * kHour) return t + (kDay - sod) + 8 * kHour + Between(rng, 0, 90 * kMinute);
  return t;
}

// Picks units by their June 2023 volume.
class UnitPicker {
 public:
  UnitPicker() {
    double total = 0;
    for (const UnitSpec& u : kUnitSpecs) total += u.due;
    for (const UnitSpec& u : kUnitSpecs) weights_.push_back(u.due);
    weights_[kPetitionUnit] = total / 99;  // 市信访局: about 1% of orders.
  }
  uint16_t Pick(Rng& rng) const { return static_cast<uint16_t>(PickWeighted(rng, weights_)); }
  // A unit other than `not_this` and 市信访局.
  uint16_t PickOther(Rng& rng, size_t not_this) const {
    std::vector<double> w = weights_;
    w[kPetitionUnit] = 0;
    if (not_this < w.size()) w[not_this] = 0;
    return static_cast<uint16_t>(PickWeighted(rng, w));
  }
  const std::vector<double>& weights() const { return weights_; }

 private:
  std::vector<double> weights_;
};

// Category weights for units that handle everything, chosen so that with the specialised units'
// fixed categories the whole city matches the bulletin's mix.
std::vector<double> GeneralCategoryWeights(const UnitPicker& picker) {
  double total = 0;
  for (double w : picker.weights()) total += w;
  std::vector<double> special(kCategoryCount, 0);
  for (size_t i = 0; i < kUnitSpecCount; ++i) {
    const UnitSpec& u = kUnitSpecs[i];
    if (u.cat1 == kNoCategory) continue;
    double w = picker.weights()[i];
    special[u.cat1] += u.cat2 == kNoCategory ? w : w / 2;
    if (u.cat2 != kNoCategory) special[u.cat2] += w / 2;
  }
  std::vector<double> general(kCategoryCount);
  for (int c = 0; c < kCategoryCount; ++c) {
    general[c] = std::max(kCategories[c].share / 100 * total - special[c], 0.002 * total);
  }
  return general;
}

// Plans the life of one order after its acceptance: 派单 → 签收 (or 退单 → 转派 → 签收) →
// [申请延期 → 延期通过/延期驳回] → [备注] → 办结 → 回访 → [返工 → 办结 → 回访]… → 归档.
class LifeBuilder {
 public:
  LifeBuilder(Order& order, Rng& rng, const UnitPicker& picker, int category)
      : o_(order), rng_(rng), picker_(picker), category_(category) {}

  void Build(uint16_t unit) {
    unit_ = unit;
    o_.steps.reserve(12);
    int64_t t = Add(o_.slsj, Action::kDispatch, PickOne<const char*>(rng_, kDispatchNotes), false);
    t = AcceptOrReturn(t);
    int64_t deadline = o_.blsx;
    if (Chance(rng_, 0.05)) t = Extension(t, deadline);
    if (Chance(rng_, 0.05)) {
      t = Add(t + Between(rng_, kHour, kDay), Action::kNote,
              PickOne<const char*>(rng_, kProgressNotes));
    }
    t = Close(t, deadline, false);
    for (int round = 0;; ++round) {
      Revisit result = RevisitResult(round);
      t = Add(t + Between(rng_, kHour, 2 * kDay), Action::kRevisit, kRevisitNotes[int(result)],
              true, result);
      if (result != Revisit::kUnsatisfied || round >= 2 || !Chance(rng_, 0.5)) break;
      t = Add(t + Between(rng_, 10 * kMinute, 6 * kHour), Action::kRework,
              PickOne<const char*>(rng_, kReworkNotes));
      t = Close(t, t + 3 * kDay, true);
    }
    Add(t + Between(rng_, 4 * kHour, 3 * kDay), Action::kArchive,
        PickOne<const char*>(rng_, kArchiveNotes));
  }

 private:
  // Appends a step at `at` or later: at least a minute after the previous one, and in working
  // hours when `work_hours`. Returns its time.
  int64_t Add(int64_t at, Action a, const char* sm, bool work_hours = true,
              Revisit jg = Revisit::kNone) {
    if (!o_.steps.empty()) at = std::max(at, o_.steps.back().sj + kMinute);
    if (work_hours) at = AtWork(at, rng_);
    Step s;
    s.sj = at;
    s.sm = sm;
    s.unit = unit_;
    s.dz = a;
    s.jg = jg;
    o_.steps.push_back(s);
    return at;
  }

  int64_t AcceptDelay() {
    double r = U01(rng_);
    if (r < 0.70) return Between(rng_, 10 * kMinute, 3 * kHour);
    if (r < 0.95) return Between(rng_, 3 * kHour, kDay);
    return Between(rng_, kDay, 2 * kDay);
  }

  int64_t AcceptOrReturn(int64_t t) {
    if (Chance(rng_, 0.03)) {
      t = Add(t + Between(rng_, 30 * kMinute, 6 * kHour), Action::kReturn,
              PickOne<const char*>(rng_, kReturnNotes));
      unit_ = picker_.PickOther(rng_, unit_);
      t = Add(t + Between(rng_, kHour, kDay), Action::kReassign,
              PickOne<const char*>(rng_, kReassignNotes));
    }
    return Add(t + AcceptDelay(), Action::kAccept, PickOne<const char*>(rng_, kAcceptNotes));
  }

  // 申请延期 and the centre's decision; moves `deadline` when approved.
  int64_t Extension(int64_t t, int64_t& deadline) {
    int64_t span = std::max<int64_t>(deadline - t, 2 * kHour);
    t = Add(t + static_cast<int64_t>(span * (0.2 + 0.5 * U01(rng_))), Action::kRequestExtension,
            PickOne<const char*>(rng_, kExtensionNotes));
    int64_t decided = t + Between(rng_, 2 * kHour, kDay);
    if (Chance(rng_, 0.85)) {
      o_.yqsx = o_.blsx + kKindDays[o_.sqlx < kKindCount ? o_.sqlx : 0] * kDay;
      deadline = o_.yqsx;
      return Add(decided, Action::kExtensionApproved, PickOne<const char*>(rng_, kApprovedNotes));
    }
    return Add(decided, Action::kExtensionRejected, PickOne<const char*>(rng_, kRejectedNotes));
  }

  // 办结: mostly before `deadline`, about 2% late.
  int64_t Close(int64_t t, int64_t deadline, bool rework) {
    int64_t at;
    if (Chance(rng_, 0.02)) {
      at = AtWork(deadline + Between(rng_, 2 * kHour, 3 * kDay), rng_);
    } else {
      int64_t span = std::max<int64_t>(deadline - t, kHour);
      at = AtWork(t + 30 * kMinute + static_cast<int64_t>(span * 0.9 * U01(rng_)), rng_);
      if (at > deadline) at = std::max(t + kMinute, deadline - Between(rng_, 5 * kMinute, kHour));
    }
    unhappy_next_ = Chance(rng_, 0.1);
    o_.closures.push_back(ClosureText(category_, o_.sqlx, at, rework, unhappy_next_, rng_));
    return Add(at, Action::kClose, PickOne<const char*>(rng_, kCloseNotes), false);
  }

  Revisit RevisitResult(int round) {
    // With kUnhappy for the 10% whose closure the complainant disputed, the first revisit gives
    // about 80% 满意, 8% 基本满意, 9% 不满意 and 3% 未联系上.
    static constexpr double kFirst[] = {0, 85.6, 7.2, 4.4, 2.8};
    static constexpr double kUnhappy[] = {0, 30, 15, 50, 5};
    static constexpr double kAgain[] = {0, 60, 15, 20, 5};
    std::span<const double> w = round > 0 ? kAgain : unhappy_next_ ? kUnhappy : kFirst;
    return static_cast<Revisit>(PickWeighted(rng_, w));
  }

  Order& o_;
  Rng& rng_;
  const UnitPicker& picker_;
  int category_;
  uint16_t unit_ = 0;
  bool unhappy_next_ = false;
};

// ---------------------------------------------------------------------------------------------
// JSON records.

void AppendKey(std::string& out, const char* key) {
  out += ",\"";
  out += key;
  out += "\":";
}

void AppendStr(std::string& out, const char* key, std::string_view value) {
  AppendKey(out, key);
  json::AppendQuoted(out, value);
}

// Writes times as FormatShanghaiTime does, calling it once per day for the date and adding the
// time of day by hand: serialising records formats a dozen times each.
class TimeWriter {
 public:
  // Appends "yyyy-MM-dd HH:mm:ss" (Beijing time) in quotes.
  void Append(std::string& out, int64_t t) {
    int64_t day = LocalDay(t);
    if (day != day_ || date_.empty()) {
      date_ = FormatShanghaiTime(t).substr(0, 11);  // "yyyy-MM-dd "
      day_ = day;
    }
    int64_t sod = LocalSecondOfDay(t);
    char clock[10] = {'0', '0', ':', '0', '0', ':', '0', '0', '"', '\0'};
    Digits2(clock, sod / kHour);
    Digits2(clock + 3, sod / kMinute % 60);
    Digits2(clock + 6, sod % 60);
    out += '"';
    out += date_;
    out.append(clock, 9);
  }

 private:
  static void Digits2(char* at, int64_t v) {
    at[0] = static_cast<char>('0' + v / 10);
    at[1] = static_cast<char>('0' + v % 10);
  }
  int64_t day_ = 0;
  std::string date_;
};

// What generation remembers of an order so that later ones can repeat it.
struct GenInfo {
  Matter matter;
  Person person;
  uint16_t unit = 0;
  int kind = 0;
  int channel = 0;
};

// The fields that change along an order's life, after its applied steps.
struct Folded {
  const char* gdzt = "待签收";
  uint16_t unit = 0;
  int64_t yqsx = 0, bjsj = 0, hfsj = 0;
  int closure = -1;
  Revisit hfjg = Revisit::kNone;
  int fgcs = 0;
};

Folded Fold(const Order& o) {
  Folded f;
  for (uint32_t i = 0; i < o.applied; ++i) {
    const Step& s = o.steps[i];
    if (const char* state = StateAfter(s.dz)) f.gdzt = state;
    f.unit = s.unit;
    switch (s.dz) {
      case Action::kExtensionApproved:
        f.yqsx = o.yqsx;
        break;
      case Action::kClose:
        f.bjsj = s.sj;
        ++f.closure;
        break;
      case Action::kRevisit:
        f.hfjg = s.jg;
        f.hfsj = s.sj;
        break;
      case Action::kRework:
        ++f.fgcs;
        break;
      default:
        break;
    }
  }
  return f;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The store.

struct SimWorld::State {
  struct Unit {
    std::string name, code;
  };
  // A visible order's place in (gxsj, gdbh, seq) order.
  struct Key {
    int64_t gxsj;
    const Order* order;
  };
  struct KeyLess {
    using is_transparent = void;
    static auto Tie(const Key& k) { return std::tie(k.gxsj, k.order->gdbh, k.order->seq); }
    static auto Tie(const PagePosition& p) { return std::tie(p.gxsj, p.gdbh, p.seq); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Tie(a) < Tie(b);
    }
  };
  using Pending = std::pair<int64_t, uint32_t>;  // (time of the next step, order)

  uint64_t seed = 0;
  int64_t now = kNever;
  UnitPicker picker;
  std::vector<double> general_categories;
  std::vector<Unit> units;
  std::vector<std::string> categories;
  std::deque<Order> orders;
  std::unordered_map<std::string, uint32_t> by_gdbh;
  std::unordered_map<std::string, uint32_t> by_wbbh;
  std::set<Key, KeyLess> keys;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending;
  struct DaySerial {
    std::string prefix;  // YYyyMMdd
    int last = 0;        // The last daily serial used.
  };
  std::unordered_map<int64_t, DaySerial> day_serials;  // By Beijing day.
  uint64_t external_serial = 0;                        // For generated wbbh.
  mutable TimeWriter times;

  State() : general_categories(GeneralCategoryWeights(picker)) {
    for (size_t i = 0; i < kUnitSpecCount; ++i) {
      char code[16];
      std::snprintf(code, sizeof code, "430600-%03zu", i + 1);
      units.push_back({kUnitSpecs[i].name, code});
    }
    for (const CategorySpec& c : kCategories) categories.push_back(c.name);
  }

  // Indexes of units and categories are 16-bit; senders may name at most this many new ones.
  static constexpr size_t kMaxNames = 10'000;

  uint16_t InternCategory(const std::string& name) {
    auto it = std::find(categories.begin(), categories.end(), name);
    if (it != categories.end()) return static_cast<uint16_t>(it - categories.begin());
    categories.push_back(name);
    return static_cast<uint16_t>(categories.size() - 1);
  }

  uint16_t InternUnit(const std::string& name, const std::string& code) {
    for (size_t i = 0; i < units.size(); ++i) {
      if (units[i].name == name) return static_cast<uint16_t>(i);
    }
    units.push_back({name, code});
    return static_cast<uint16_t>(units.size() - 1);
  }

  // A new gdbh: YY + yyMMdd + the day's next 4-digit serial, skipping any already held.
  std::string NextGdbh(int64_t accepted) {
    DaySerial& day = day_serials[LocalDay(accepted)];
    if (day.prefix.empty()) {
      std::string t = FormatShanghaiTime(accepted);
      day.prefix = "YY" + t.substr(2, 2) + t.substr(5, 2) + t.substr(8, 2);
    }
    for (;;) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%04d", day.prefix.c_str(), ++day.last);
      if (!by_gdbh.contains(buf)) return buf;
    }
  }

  std::string NextWbbh(int channel, int64_t accepted) {
    std::string day = FormatShanghaiTime(accepted);
    char buf[48];
    ++external_serial;
    if (channel == kProvince) {
      std::snprintf(buf, sizeof buf, "HN-%s-%s%s-%06llu", day.substr(0, 4).c_str(),
                    day.substr(5, 2).c_str(), day.substr(8, 2).c_str(),
                    static_cast<unsigned long long>(external_serial + 300));
    } else {
      std::snprintf(buf, sizeof buf, "XF-430600-%s-%06llu", day.substr(0, 4).c_str(),
                    static_cast<unsigned long long>(external_serial + 4000));
    }
    return buf;
  }

  // Adds an order to the gdbh and wbbh indexes (the first of a number wins).
  void Index(const Order& o) {
    if (!o.gdbh.empty()) by_gdbh.emplace(o.gdbh, o.seq);
    if (!o.wbbh.empty()) by_wbbh.emplace(o.wbbh, o.seq);
  }

  // Moves a visible order's key to its new gxsj after `applied` steps.
  void Reach(Order& o, uint32_t applied) {
    if (o.applied > 0) keys.erase(Key{Gxsj(o), &o});
    o.applied = applied;
    keys.insert(Key{Gxsj(o), &o});
  }

  void Advance(int64_t t) {
    if (t <= now) return;
    now = t;
    while (!pending.empty() && pending.top().first <= now) {
      uint32_t seq = pending.top().second;
      pending.pop();
      Order& o = orders[seq];
      uint32_t n = o.applied;
      while (n < o.steps.size() && o.steps[n].sj <= now) ++n;
      if (n != o.applied) Reach(o, n);
      if (n < o.steps.size()) pending.emplace(o.steps[n].sj, seq);
    }
  }

  const std::string& Json(Order& o) {
    if (!o.raw && o.cached_version != o.applied) {
      o.json = RecordJson(o);
      o.cached_version = o.applied;
    }
    return o.json;
  }

  std::string RecordJson(const Order& o) const;
  void AppendTime(std::string& out, const char* key, int64_t t) const {
    AppendKey(out, key);
    times.Append(out, t);
  }
  void AppendFixed(std::string& out, const Order& o) const;
  void AppendLife(std::string& out, const Order& o) const;
  void AppendLog(std::string& out, const Order& o) const;

  // Generation.
  void GenerateOrders(int count, int64_t first, int64_t last);
  Order& AddGenerated(const GenInfo& g, int64_t accepted, Rng& rng);
  Order& NewOrder() {
    Order& o = orders.emplace_back();
    o.seq = static_cast<uint32_t>(orders.size() - 1);
    return o;
  }

  // Creation through the interface.
  Result<uint32_t> CreateFrom(const rapidjson::Value& body);
};

std::string SimWorld::State::RecordJson(const Order& o) const {
  std::string out;
  // Enough for the texts, the fixed fields and the log, so that the record is built in place.
  size_t texts = o.sqr.size() + o.lxdh.size() + o.zjhm.size() + o.sqbt.size() + o.sqnr.size() +
                 o.fsdz.size() + o.wbbh.size() +
                 (o.closures.empty() ? 0 : o.closures.back().size());
  out.reserve(texts + 400 + 160 * o.applied);
  out += "{\"gdbh\":";
  json::AppendQuoted(out, o.gdbh);
  AppendFixed(out, o);
  AppendLife(out, o);
  AppendLog(out, o);
  AppendTime(out, "gxsj", Gxsj(o));
  out += '}';
  return out;
}

// The fields set at acceptance, in the contract's order.
void SimWorld::State::AppendFixed(std::string& out, const Order& o) const {
  if (!o.wbbh.empty()) AppendStr(out, "wbbh", o.wbbh);
  AppendTime(out, "slsj", o.slsj);
  AppendStr(out, "qdly", kChannelNames[o.qdly]);
  AppendStr(out, "sqr", o.sqr);
  AppendStr(out, "lxdh", o.lxdh);
  if (!o.zjhm.empty()) AppendStr(out, "zjhm", o.zjhm);
  AppendStr(out, "sqlx", kKindNames[o.sqlx]);
  AppendStr(out, "sqfl", categories[o.sqfl]);
  AppendStr(out, "sqbt", o.sqbt);
  AppendStr(out, "sqnr", o.sqnr);
  AppendStr(out, "fsdz", o.fsdz);
}

// The fields that follow from the steps reached, cbdw to sq.
void SimWorld::State::AppendLife(std::string& out, const Order& o) const {
  Folded f = Fold(o);
  AppendStr(out, "cbdw", units[f.unit].name);
  if (!units[f.unit].code.empty()) AppendStr(out, "cbdwbm", units[f.unit].code);
  AppendTime(out, "blsx", o.blsx);
  if (f.yqsx != 0) AppendTime(out, "yqsx", f.yqsx);
  AppendStr(out, "gdzt", f.gdzt);
  if (f.closure >= 0) {
    AppendTime(out, "bjsj", f.bjsj);
    AppendStr(out, "bjnr", o.closures[f.closure]);
  }
  if (f.hfjg != Revisit::kNone) {
    AppendStr(out, "hfjg", kRevisitNames[int(f.hfjg)]);
    AppendTime(out, "hfsj", f.hfsj);
  }
  AppendKey(out, "fgcs");
  out += std::to_string(f.fgcs);
  AppendKey(out, "rddb");
  out += o.rddb ? "true" : "false";
  AppendKey(out, "sq");
  out += o.sq ? "true" : "false";
}

void SimWorld::State::AppendLog(std::string& out, const Order& o) const {
  AppendKey(out, "lzjl");
  out += '[';
  for (uint32_t i = 0; i < o.applied; ++i) {
    const Step& s = o.steps[i];
    if (i > 0) out += ',';
    out += "{\"sj\":";
    times.Append(out, s.sj);
    AppendStr(out, "dz", kActionNames[int(s.dz)]);
    AppendStr(out, "dw", units[s.unit].name);
    AppendStr(out, "sm", s.note >= 0 ? std::string_view(o.notes[s.note].sm) : s.sm);
    if (s.jg != Revisit::kNone) AppendStr(out, "jg", kRevisitNames[int(s.jg)]);
    if (s.note >= 0) AppendStr(out, "wbbh", o.notes[s.note].wbbh);
    out += '}';
  }
  out += ']';
}

namespace {

// Acceptance times spread over [first, last] with the hotline's day shape (busy 9-17, quiet at
// night), sorted.
std::vector<int64_t> AcceptTimes(Rng& rng, int count, int64_t first, int64_t last) {
  static constexpr double kHourWeight[24] = {1,  1,  1,  1,  1,  2,  4,  8, 14, 16, 16, 15,
                                             12, 14, 15, 15, 14, 12, 10, 9, 8,  6,  4,  2};
  std::vector<int64_t> times;
  times.reserve(count);
  while (static_cast<int>(times.size()) < count) {
    int64_t t = Between(rng, first, last);
    if (U01(rng) * 16 < kHourWeight[LocalSecondOfDay(t) / kHour]) times.push_back(t);
  }
  std::sort(times.begin(), times.end());
  return times;
}

// The category of an order handled by `unit`.
int CategoryFor(Rng& rng, uint16_t unit, const std::vector<double>& general) {
  const UnitSpec& u = kUnitSpecs[unit];
  if (u.cat1 == kNoCategory) return static_cast<int>(PickWeighted(rng, general));
  if (u.cat2 != kNoCategory && Chance(rng, 0.5)) return u.cat2;
  return u.cat1;
}

int AreaFor(Rng& rng, uint16_t unit) {
  if (kUnitSpecs[unit].area != kCityWide) return kUnitSpecs[unit].area;
  std::array<double, kAreaCount> w;
  for (int i = 0; i < kAreaCount; ++i) w[i] = kAreas[i].weight;
  return static_cast<int>(PickWeighted(rng, w));
}

// 诉求类型: now and then praise, else one the complaint's text reads as, by the kinds' weights.
int KindFor(Rng& rng, const Template& t) {
  if (Chance(rng, 0.02)) return kPraise;
  std::array<double, kKindCount> w{};
  for (int k = 0; k < kKindCount; ++k) w[k] = (t.kinds >> k & 1) ? kKindWeights[k] : 0;
  return static_cast<int>(PickWeighted(rng, w));
}

int PickChannel(Rng& rng, int kind, int not_this = -1) {
  if (kind == kSuggestion && Chance(rng, 0.05)) return kCppccAdvice;
  for (;;) {
    int c = static_cast<int>(PickWeighted(rng, kChannelWeights));
    if (c != kCppccAdvice && c != not_this) return c;
  }
}

// A fresh order's matter and complainant, or, now and then, a repeat of a recent one: the same
// person through another channel (一诉多投) or another person about the same matter (多人同诉).
GenInfo MakeGenInfo(Rng& rng, const std::vector<GenInfo>& done, const std::vector<int64_t>& times,
                    const UnitPicker& picker, const std::vector<double>& general) {
  size_t i = done.size();
  if (i > 0) {
    size_t j = i - static_cast<size_t>(Between(rng, 1, std::min<int64_t>(i, 300)));
    double r = U01(rng);
    if (r < 0.06 && times[i] - times[j] <= 7 * kDay && done[j].kind != kPraise) {
      GenInfo g = done[j];
      if (r < 0.04) {
        g.channel = PickChannel(rng, g.kind, g.channel);
      } else {
        g.person = MakePerson(rng);
        g.channel = PickChannel(rng, g.kind);
      }
      return g;
    }
  }
  GenInfo g;
  g.unit = picker.Pick(rng);
  g.matter = MakeMatter(rng, CategoryFor(rng, g.unit, general), AreaFor(rng, g.unit), times[i]);
  g.kind = KindFor(rng, TextsFor(g.matter.category).templates[g.matter.templ]);
  g.channel = PickChannel(rng, g.kind);
  g.person = MakePerson(rng);
  return g;
}

}  // namespace

void SimWorld::State::GenerateOrders(int count, int64_t first, int64_t last) {
  Rng rng(sim::Mix(seed));
  std::vector<int64_t> times = AcceptTimes(rng, count, first, last);
  std::vector<GenInfo> infos;
  infos.reserve(count);
  by_gdbh.reserve(count);
  for (int i = 0; i < count; ++i) {
    GenInfo g = MakeGenInfo(rng, infos, times, picker, general_categories);
    Order& o = AddGenerated(g, times[i], rng);
    Index(o);
    pending.emplace(o.steps.front().sj, o.seq);
    infos.push_back(std::move(g));
  }
}

Order& SimWorld::State::AddGenerated(const GenInfo& g, int64_t accepted, Rng& rng) {
  Order& o = NewOrder();
  o.gdbh = NextGdbh(accepted);
  o.slsj = accepted;
  o.qdly = static_cast<uint16_t>(g.channel);
  if (g.channel == kProvince || g.channel == kPetition) o.wbbh = NextWbbh(g.channel, o.slsj);
  o.sqr = g.person.sqr;
  bool letter = g.channel == kMailbox || g.channel == kRedNet;
  o.lxdh = letter && Chance(rng, 0.05) ? "" : FormatPhone(g.person.phone_digits, rng);
  o.zjhm = g.person.zjhm;
  o.sqlx = static_cast<uint16_t>(g.kind);
  o.sqfl = static_cast<uint16_t>(g.matter.category);
  const std::string& unit_name = units[g.unit].name;
  // Wordings by sim::TextPick, not from `rng`: every other value stays as it was.
  o.sqbt =
      Fill(TemplateOf(g.matter, g.kind).title, sim::TextPick(seed, o.seq, 0), g.matter, unit_name);
  o.sqnr = Content(g.matter, g.kind, g.channel, unit_name, sim::TextPick(seed, o.seq, 1), rng);
  o.fsdz = Address(g.matter, rng);
  o.blsx = o.slsj + kKindDays[g.kind] * kDay;
  o.rddb = Chance(rng, 0.003);
  o.sq = Chance(rng, 0.02);
  LifeBuilder(o, rng, picker, g.matter.category).Build(g.unit);
  return o;
}

namespace {

// Reads a create body's fields, remembering the first problem; messages name the field.
class BodyReader {
 public:
  explicit BodyReader(const rapidjson::Value& body) : body_(body) {}
  const Status& status() const { return status_; }

  // A string field, "" when absent or null. Fails on another type, a NUL, or over `max_chars`.
  std::string Str(const char* field, size_t max_chars, bool required = false) {
    const rapidjson::Value* v = Find(field);
    if (v == nullptr || !v->IsString()) {
      if (v != nullptr) Fail(field, "须为字符串");
      if (v == nullptr && required) Fail(field, "不能为空");
      return {};
    }
    std::string_view s(v->GetString(), v->GetStringLength());
    if (s.find('\0') != std::string_view::npos) Fail(field, "不能含有 NUL 字符");
    if (CodePoints(s) > max_chars) Fail(field, "超过 " + std::to_string(max_chars) + " 个字符");
    if (required && s.empty()) Fail(field, "不能为空");
    return std::string(s);
  }

  bool Bool(const char* field) {
    const rapidjson::Value* v = Find(field);
    if (v != nullptr && !v->IsBool()) Fail(field, "须为 true 或 false");
    return v != nullptr && v->IsBool() && v->GetBool();
  }

  // A time field; 0 when absent.
  int64_t Time(const char* field) {
    std::string s = Str(field, 19);
    if (s.empty()) return 0;
    Result<int64_t> t = ParseShanghaiTime(s);
    if (!t.ok()) Fail(field, "须为 yyyy-MM-dd HH:mm:ss 格式的有效时间");
    return t.ok() ? *t : 0;
  }

  void Fail(const char* field, const std::string& why) {
    if (status_.ok())
      status_ = Status::InvalidArgument(std::string("参数错误：") + field + " " + why);
  }

 private:
  const rapidjson::Value* Find(const char* field) const {
    auto it = body_.FindMember(field);
    if (it == body_.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
  }

  const rapidjson::Value& body_;
  Status status_;
};

// The index of `name` in `names`, or -1.
template <size_t N>
int IndexOf(const char* const (&names)[N], std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (name == names[i]) return static_cast<int>(i);
  }
  return -1;
}

// A create body's fields, checked.
struct NewOrderFields {
  std::string wbbh, sqr, lxdh, zjhm, sqbt, sqnr, fsdz, sqfl, cbdw, cbdwbm;
  int channel = kProvince;
  int kind = kComplaint;
  int64_t blsx = 0;
  bool rddb = false, sq = false;
};

Result<NewOrderFields> ReadNewOrder(const rapidjson::Value& body) {
  if (!body.IsObject()) return Status::InvalidArgument("参数错误：body 须为 JSON 对象");
  BodyReader r(body);
  NewOrderFields f;
  f.wbbh = r.Str("wbbh", 64, true);
  std::string qdly = r.Str("qdly", 16, true);
  f.channel = IndexOf(kChannelNames, qdly);
  if (r.status().ok() && f.channel != kProvince && f.channel != kPetition) {
    r.Fail("qdly", "须为 省平台转办 或 信访平台推送");
  }
  f.sqnr = r.Str("sqnr", 4000, true);
  if (r.status().ok() && CodePoints(f.sqnr) < 20) r.Fail("sqnr", "须为 20 到 4000 个字符");
  std::string sqlx = r.Str("sqlx", 8);
  f.kind = sqlx.empty() ? kComplaint : IndexOf(kKindNames, sqlx);
  if (f.kind < 0) r.Fail("sqlx", "不是已知的诉求类型");
  f.sqr = r.Str("sqr", 64);
  f.lxdh = r.Str("lxdh", 64);
  f.zjhm = r.Str("zjhm", 32);
  f.sqbt = r.Str("sqbt", 200);
  f.fsdz = r.Str("fsdz", 500);
  f.sqfl = r.Str("sqfl", 64);
  f.cbdw = r.Str("cbdw", 64);
  f.cbdwbm = r.Str("cbdwbm", 64);
  f.blsx = r.Time("blsx");
  f.rddb = r.Bool("rddb");
  f.sq = r.Bool("sq");
  if (!r.status().ok()) return r.status();
  return f;
}

}  // namespace

Result<uint32_t> SimWorld::State::CreateFrom(const rapidjson::Value& body) {
  HS_ASSIGN_OR_RETURN(NewOrderFields f, ReadNewOrder(body));
  if (auto it = by_wbbh.find(f.wbbh); it != by_wbbh.end()) return it->second;
  if (units.size() >= kMaxNames || categories.size() >= kMaxNames) {
    return Status::InvalidArgument("参数错误：cbdw 或 sqfl 的新名称过多");
  }
  Order& o = NewOrder();
  o.gdbh = NextGdbh(now);
  o.wbbh = f.wbbh;
  o.slsj = now;
  o.qdly = static_cast<uint16_t>(f.channel);
  o.sqr = f.sqr;
  o.lxdh = f.lxdh;
  o.zjhm = f.zjhm;
  o.sqlx = static_cast<uint16_t>(f.kind);
  o.sqfl = InternCategory(f.sqfl.empty() ? "社情民意类" : f.sqfl);
  o.sqbt = f.sqbt.empty() ? FirstCodePoints(f.sqnr, 20) : f.sqbt;
  o.sqnr = f.sqnr;
  o.fsdz = f.fsdz;
  o.blsx = f.blsx != 0 ? f.blsx : now + kKindDays[f.kind] * kDay;
  o.rddb = f.rddb;
  o.sq = f.sq;
  Rng rng(sim::Mix(seed ^ crypto::Fnv1a64(f.wbbh)));
  uint16_t unit =
      f.cbdw.empty() ? picker.PickOther(rng, kPetitionUnit) : InternUnit(f.cbdw, f.cbdwbm);
  LifeBuilder(o, rng, picker, o.sqfl).Build(unit);
  Index(o);
  Reach(o, 1);  // 派单 at now.
  if (o.steps.size() > 1) pending.emplace(o.steps[1].sj, o.seq);
  return o.seq;
}

namespace {

// Appends a 备注 to an orders-file line that is a JSON object; rewrites the line.
Result<NoteOutcome> AppendRawNote(Order& o, int64_t now, std::string_view sm,
                                  std::string_view wbbh) {
  rapidjson::Document doc;
  doc.Parse(o.json.data(), o.json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return Status::InvalidArgument("参数错误：lzjl 无法追加到该记录");
  }
  auto& alloc = doc.GetAllocator();
  if (!doc.HasMember("lzjl")) doc.AddMember("lzjl", rapidjson::Value(rapidjson::kArrayType), alloc);
  rapidjson::Value& log = doc["lzjl"];
  if (!log.IsArray()) return Status::InvalidArgument("参数错误：lzjl 无法追加到该记录");
  for (const rapidjson::Value& e : log.GetArray()) {
    if (e.IsObject() && e.HasMember("wbbh") && e["wbbh"].IsString() &&
        std::string_view(e["wbbh"].GetString(), e["wbbh"].GetStringLength()) == wbbh) {
      return NoteOutcome::kAlreadyThere;
    }
  }
  auto str = [&](std::string_view s) { return rapidjson::Value(s.data(), s.size(), alloc); };
  std::string unit = doc.HasMember("cbdw") && doc["cbdw"].IsString() ? doc["cbdw"].GetString() : "";
  std::string when = FormatShanghaiTime(now);
  rapidjson::Value entry(rapidjson::kObjectType);
  entry.AddMember("sj", str(when), alloc).AddMember("dz", str("备注"), alloc);
  entry.AddMember("dw", str(unit), alloc).AddMember("sm", str(sm), alloc);
  entry.AddMember("wbbh", str(wbbh), alloc);
  log.PushBack(entry, alloc);
  if (doc.HasMember("gxsj")) doc.RemoveMember("gxsj");
  doc.AddMember("gxsj", str(when), alloc);
  o.json = json::Write(doc);
  o.raw_gxsj = now;
  return NoteOutcome::kAppended;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SimWorld

SimWorld::SimWorld(std::unique_ptr<State> state) : s_(std::move(state)) {}
SimWorld::~SimWorld() = default;

std::unique_ptr<SimWorld> SimWorld::Generate(uint64_t seed, int count, int64_t first_accept,
                                             int64_t last_accept) {
  auto state = std::make_unique<State>();
  state->seed = seed;
  state->GenerateOrders(count, first_accept, last_accept);
  return std::unique_ptr<SimWorld>(new SimWorld(std::move(state)));
}

std::unique_ptr<SimWorld> SimWorld::FromJsonLines(std::string_view text, uint64_t seed) {
  auto state = std::make_unique<State>();
  state->seed = seed;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Order& o = state->NewOrder();
    o.raw = true;
    o.applied = 1;
    o.json = std::string(line);
    rapidjson::Document doc;
    doc.Parse(o.json.data(), o.json.size());
    auto str = [&](const char* key) -> std::string {
      if (doc.HasParseError() || !doc.IsObject()) return {};
      auto it = doc.FindMember(key);
      if (it == doc.MemberEnd() || !it->value.IsString()) return {};
      return std::string(it->value.GetString(), it->value.GetStringLength());
    };
    o.gdbh = str("gdbh");
    o.wbbh = str("wbbh");
    Result<int64_t> gxsj = ParseShanghaiTime(str("gxsj"));
    o.raw_gxsj = gxsj.ok() ? *gxsj : kNever;
    state->Index(o);
    state->keys.insert(State::Key{o.raw_gxsj, &o});
  }
  return std::unique_ptr<SimWorld>(new SimWorld(std::move(state)));
}

void SimWorld::AdvanceTo(int64_t now) { s_->Advance(now); }
int64_t SimWorld::now() const { return s_->now; }
size_t SimWorld::total_orders() const { return s_->orders.size(); }
size_t SimWorld::visible_orders() const { return s_->keys.size(); }

WorldPage SimWorld::ReadPage(std::optional<int64_t> since, const PagePosition* after, int limit) {
  auto& keys = s_->keys;
  auto it = after != nullptr ? keys.upper_bound(*after)
            : since          ? keys.lower_bound(PagePosition{*since, "", 0})
                             : keys.begin();
  std::vector<const std::string*> records;
  size_t bytes = 0;
  WorldPage page;
  for (; it != keys.end() && page.count < limit; ++it, ++page.count) {
    Order& o = s_->orders[it->order->seq];
    records.push_back(&s_->Json(o));
    bytes += records.back()->size() + 1;
    page.last = PagePosition{it->gxsj, o.gdbh, o.seq};
  }
  page.has_more = it != keys.end();
  page.list.reserve(bytes);
  for (const std::string* r : records) {
    if (!page.list.empty()) page.list += ',';
    page.list += *r;
  }
  return page;
}

const std::string* SimWorld::Find(std::string_view gdbh) {
  auto it = s_->by_gdbh.find(std::string(gdbh));
  if (it == s_->by_gdbh.end()) return nullptr;
  Order& o = s_->orders[it->second];
  return o.applied > 0 ? &s_->Json(o) : nullptr;
}

CreateOutcome SimWorld::Create(const rapidjson::Value& body) {
  size_t before = s_->orders.size();
  Result<uint32_t> seq = s_->CreateFrom(body);
  CreateOutcome out;
  if (!seq.ok()) {
    out.status = seq.status();
    return out;
  }
  out.gdbh = s_->orders[*seq].gdbh;
  out.duplicate = s_->orders.size() == before;
  return out;
}

Result<NoteOutcome> SimWorld::AppendNote(std::string_view gdbh, std::string_view sm,
                                         std::string_view wbbh) {
  auto it = s_->by_gdbh.find(std::string(gdbh));
  if (it == s_->by_gdbh.end() || s_->orders[it->second].applied == 0) {
    return Status::NotFound("工单不存在");
  }
  Order& o = s_->orders[it->second];
  int64_t old_gxsj = Gxsj(o);
  if (o.raw) {
    s_->keys.erase(State::Key{old_gxsj, &o});
    Result<NoteOutcome> r = AppendRawNote(o, s_->now, sm, wbbh);
    s_->keys.insert(State::Key{Gxsj(o), &o});
    return r;
  }
  for (const Note& n : o.notes) {
    if (n.wbbh == wbbh) return NoteOutcome::kAlreadyThere;
  }
  o.notes.push_back({std::string(sm), std::string(wbbh)});
  Step s;
  s.sj = std::max(s_->now, old_gxsj);
  s.note = static_cast<int32_t>(o.notes.size() - 1);
  s.unit = o.steps[o.applied - 1].unit;
  s.dz = Action::kNote;
  o.steps.insert(o.steps.begin() + o.applied, s);
  s_->Reach(o, o.applied + 1);
  return NoteOutcome::kAppended;
}

std::vector<std::pair<std::string, std::string>> SimWorld::Snapshot() {
  std::vector<const Order*> visible;
  visible.reserve(s_->keys.size());
  for (const State::Key& k : s_->keys) visible.push_back(k.order);
  std::sort(visible.begin(), visible.end(), [](const Order* a, const Order* b) {
    return std::tie(a->gdbh, a->seq) < std::tie(b->gdbh, b->seq);
  });
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(visible.size());
  for (const Order* o : visible) out.emplace_back(o->gdbh, s_->Json(s_->orders[o->seq]));
  return out;
}

}  // namespace hs::hotline12345
