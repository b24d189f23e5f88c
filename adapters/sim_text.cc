#include "adapters/sim_text.h"

#include <algorithm>
#include <iterator>
#include <vector>

namespace hs::sim {
namespace {

constexpr const char* kEstates[] = {
    "金鹗山庄",   "南湖明珠",   "洞庭苑",     "巴陵雅苑",     "岳阳名都",       "湖滨花园",
    "梅溪湖畔",   "奇家岭小区", "五里牌小区", "东茅岭社区",   "求索家园",       "王家河小区",
    "鹰山花园",   "锦绣华庭",   "汴河街公寓", "花板桥小区",   "枫桥湖安置小区", "城陵矶新村",
    "望岳花园",   "龙山苑",     "天伦城",     "金色港湾",     "白石岭新村",     "岳化生活区",
    "学院路小区", "康王新村",   "洞庭山庄",   "巴陵春晓小区", "南湖名苑",       "翰林华府",
    "君山锦苑",   "芭蕉湖家园", "站前花园",   "青年新村",     "岳州公寓",       "湖景豪庭"};
constexpr const char* kRoads[] = {
    "巴陵中路", "岳阳大道", "东茅岭路", "金鹗中路", "洞庭南路", "青年中路", "五里牌路", "花板桥路",
    "建湘路",   "学院路",   "求索西路", "湖滨大道", "龙舟路",   "白石岭路", "站前路",   "岳州路",
    "云梦路",   "南湖大道", "冷水铺路", "王家河路", "芭蕉湖路", "枫桥湖路"};
constexpr const char* kVillages[] = {"新塘村", "黄秀村", "龙湾村", "城东村", "幸福村", "洪山村",
                                     "桃花村", "清水村", "高泉村", "白云村", "团湾村", "凤凰村",
                                     "花园村", "金星村", "长岭村", "荷花村", "石坝村", "杨林村",
                                     "双港村", "马鞍村", "青山村", "柳树村", "永丰村", "和平村"};
constexpr const char* kCompanies[] = {
    "岳阳锦华物业管理有限公司",   "巴陵置业有限公司",           "湖滨建筑劳务有限公司",
    "洞庭建工集团有限公司",       "岳阳恒通房地产开发有限公司", "鑫源商贸有限公司",
    "岳阳华强纸业有限公司",       "湘北化工有限公司",           "南湖新材料科技有限公司",
    "岳阳宏达物流有限公司",       "云溪石化配套有限公司",       "君山生态农业开发有限公司",
    "岳阳金盛房地产开发有限公司", "湘江劳务派遣有限公司",       "岳阳佳和物业服务有限公司",
    "华容县宏图建设有限公司",     "平江县鸿运石材有限公司",     "汨罗市再生资源有限公司"};
constexpr const char* kSchools[] = {"岳阳市第一中学",   "岳阳楼区金鹗小学",   "湘阴县第二中学",
                                    "华容县城关一中",   "岳阳经开区康王小学", "南湖新区洞庭小学",
                                    "平江县第三中学",   "汨罗市城关小学",     "临湘市实验学校",
                                    "岳阳市第十五中学", "岳阳楼区东方红小学", "君山区许市中学"};
constexpr const char* kShops[] = {
    "美佳美发店",   "好又多超市",   "康乐健身会所", "金牌教育培训中心",
    "百姓大药房",   "湘味餐馆",     "童趣游泳馆",   "丽人美容院",
    "华联生鲜超市", "快乐宝贝摄影", "力美健身房",   "新东方烘焙坊",
    "佳美口腔诊所", "洞庭渔家饭庄", "优学英语培训", "盛世汽车美容店"};

constexpr const char* kGoods[] = {"奶粉",   "保健品", "手表",   "化妆品",   "葡萄酒",
                                  "运动鞋", "咖啡机", "手提包", "婴儿推车", "电动牙刷"};

// Whether `name` holds one of the '|'-separated `words`.
bool HoldsOneOf(std::string_view name, std::string_view words) {
  for (size_t begin = 0; begin <= words.size();) {
    const size_t end = std::min(words.find('|', begin), words.size());
    if (name.find(words.substr(begin, end - begin)) != std::string_view::npos) return true;
    begin = end + 1;
  }
  return false;
}

}  // namespace

std::span<const char* const> Estates() { return kEstates; }
std::span<const char* const> Roads() { return kRoads; }
std::span<const char* const> Villages() { return kVillages; }
std::span<const char* const> Companies() { return kCompanies; }
std::span<const char* const> Schools() { return kSchools; }
std::span<const char* const> Shops() { return kShops; }
std::span<const char* const> Goods() { return kGoods; }

std::string_view Variant(std::string_view text, uint64_t pick) {
  size_t count = 1;
  for (char c : text) count += c == '|';
  size_t want = pick % count;
  size_t begin = 0;
  for (; want > 0; --want) begin = text.find('|', begin) + 1;
  const size_t end = text.find('|', begin);
  return text.substr(begin, end == std::string_view::npos ? text.size() - begin : end - begin);
}

std::string FillSlots(std::string_view text,
                      const std::function<std::string(std::string_view)>& value) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find('{', i);
    const size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, open - i));
    out += value(text.substr(open + 1, close - open - 1));
    i = close + 1;
  }
  return out;
}

std::string SlotValue(std::string_view name, uint64_t seed) {
  struct Names {
    std::string_view slot;
    std::span<const char* const> (*list)();
    std::string_view kinds;  // Words ('|'-separated) of which a name must hold one; "": any.
  };
  static constexpr Names kNames[] = {
      {"xq", Estates, ""},
      {"lu", Roads, ""},
      {"cun", Villages, ""},
      {"gs", Companies, ""},                               // An employer.
      {"kfs", Companies, "房地产|置业"},                   // A developer.
      {"sg", Companies, "建筑|建工|建设|劳务"},            // A builder.
      {"gc", Companies, "化工|石化|纸业|材料|石材|再生"},  // A factory.
      {"nq", Companies, "农业|商贸|物流"},                 // Renting farmland.
      {"xx", Schools, ""},
      {"dian", Shops, ""},
      {"wu", Goods, ""},  // Goods bought abroad.
  };
  struct Figure {
    std::string_view slot;
    int lo, hi, step;
  };
  static constexpr Figure kFigures[] = {
      {"yue", 2, 14, 1},           // Months.
      {"nian", 2, 8, 1},           // Years.
      {"tian", 10, 60, 1},         // Days.
      {"qian", 6000, 86000, 100},  // Yuan: wages, medical bills, savings.
      {"fei", 120, 980, 10},       // Yuan: a school's fees.
      {"ka", 800, 9800, 100},      // Yuan: a prepaid card's balance.
      {"dan", 2200, 4800, 50},     // Yuan per square metre.
      {"mi", 3, 40, 1},            // Square metres.
      {"mu", 2, 30, 1},            // Mu of farmland.
      {"ci", 3, 9, 1},             // Times, doctors.
      {"ju", 3, 15, 1},            // Kilometres.
      {"tou", 300, 3000, 50},      // Pigs.
      {"ou", 30, 900, 5},          // Euros.
  };
  uint64_t salt = 0;
  for (const Names& n : kNames) {
    ++salt;
    if (n.slot != name) continue;
    std::vector<std::string_view> fit;
    for (std::string_view v : n.list()) {
      if (n.kinds.empty() || HoldsOneOf(v, n.kinds)) fit.push_back(v);
    }
    if (fit.empty()) fit.assign(n.list().begin(), n.list().end());  // None of the kind.
    return std::string(fit[Mix(seed + salt) % fit.size()]);
  }
  for (const Figure& f : kFigures) {
    ++salt;
    if (f.slot != name) continue;
    const auto steps = static_cast<uint64_t>((f.hi - f.lo) / f.step + 1);
    return std::to_string(f.lo + f.step * static_cast<int>(Mix(seed + salt) % steps));
  }
  return "{" + std::string(name) + "}";
}

uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace hs::sim
