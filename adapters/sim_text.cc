#include "adapters/sim_text.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

namespace hs::sim {
namespace {

// Names are made of a part that names (a place, a founder's lucky words) and a part that says what
// it is, as a city's are: hundreds of estates, roads, villages and companies, so that two
// complaints name one place because they are about it, not because the lists are short.
constexpr const char* kPlaceParts[] = {
    "金鹗",   "南湖", "洞庭", "巴陵",   "湖滨",   "梅溪",   "奇家岭", "五里牌", "东茅岭", "求索",
    "王家河", "鹰山", "锦绣", "汴河",   "花板桥", "枫桥湖", "城陵矶", "望岳",   "龙山",   "天伦",
    "白石岭", "康王", "君山", "芭蕉湖", "站前",   "青年",   "岳州",   "翰林",   "春晓",   "龙舟",
    "冷水铺", "学院", "建湘", "云梦",   "太阳桥", "三眼桥", "月形山", "九华山", "琵琶王", "郭镇"};
constexpr const char* kEstateKinds[] = {"山庄", "花园", "小区", "新村", "家园", "雅苑",
                                        "华庭", "名都", "公寓", "豪庭", "名苑", "华府"};
constexpr const char* kRoadKinds[] = {"路", "大道", "中路", "东路", "西路", "南路", "北路", "街"};
constexpr const char* kVillageFirsts[] = {
    "新", "黄", "龙", "城", "桃", "清", "高", "白", "团", "凤", "花", "金", "长", "荷", "石",
    "杨", "双", "马", "青", "柳", "永", "和", "大", "小", "东", "西", "南", "北", "上", "下"};
constexpr const char* kVillageSeconds[] = {"塘村", "秀村", "湾村", "山村", "泉村", "云村", "岭村",
                                           "坝村", "林村", "港村", "树村", "丰村", "坪村", "桥村",
                                           "田村", "冲村", "湖村", "溪村", "埠村", "铺村"};
constexpr const char* kFirms[] = {
    "岳阳锦华", "巴陵",       "湖滨",       "洞庭",       "岳阳恒通",   "鑫源",      "岳阳华强",
    "湘北",     "南湖",       "岳阳宏达",   "云溪",       "君山",       "岳阳金盛",  "湘江",
    "岳阳佳和", "华容县宏图", "平江县鸿运", "汨罗市兴旺", "临湘市华泰", "湘阴县兴业"};
constexpr const char* kFirmKinds[] = {
    "物业管理有限公司",   "置业有限公司", "建筑劳务有限公司", "建工集团有限公司",
    "房地产开发有限公司", "商贸有限公司", "纸业有限公司",     "化工有限公司",
    "新材料科技有限公司", "物流有限公司", "石化配套有限公司", "生态农业开发有限公司",
    "劳务派遣有限公司",   "石材有限公司", "再生资源有限公司"};
constexpr const char* kSchoolPlaces[] = {"岳阳市", "岳阳楼区", "云溪区",   "君山区",
                                         "岳阳县", "华容县",   "湘阴县",   "平江县",
                                         "汨罗市", "临湘市",   "南湖新区", "岳阳经开区"};
constexpr const char* kSchoolKinds[] = {"第一中学", "第二中学", "第三中学", "实验学校",
                                        "城关小学", "实验小学", "第一小学", "育才学校"};
constexpr const char* kShopNames[] = {
    "美佳", "好又多", "康乐", "金牌",     "百姓", "湘味", "童趣",   "丽人", "华联", "快乐宝贝",
    "力美", "新东方", "佳美", "洞庭渔家", "优学", "盛世", "福满多", "开心", "阳光", "四季"};
constexpr const char* kShopKinds[] = {"美发店",   "超市",   "健身会所",   "教育培训中心",
                                      "大药房",   "餐馆",   "游泳馆",     "美容院",
                                      "口腔诊所", "烘焙坊", "汽车美容店", "摄影"};

// Every first part with every second, in a stable order.
class Names {
 public:
  Names(std::span<const char* const> firsts, std::span<const char* const> seconds) {
    for (const char* f : firsts) {
      for (const char* s : seconds) text_.push_back(std::string(f) + s);
    }
    for (const std::string& t : text_) view_.push_back(t.c_str());
  }
  std::span<const char* const> view() const { return view_; }

 private:
  std::vector<std::string> text_;
  std::vector<const char*> view_;
};

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

std::span<const char* const> Estates() {
  static const Names names(kPlaceParts, kEstateKinds);
  return names.view();
}
std::span<const char* const> Roads() {
  static const Names names(kPlaceParts, kRoadKinds);
  return names.view();
}
std::span<const char* const> Villages() {
  static const Names names(kVillageFirsts, kVillageSeconds);
  return names.view();
}
std::span<const char* const> Companies() {
  static const Names names(kFirms, kFirmKinds);
  return names.view();
}
std::span<const char* const> Schools() {
  static const Names names(kSchoolPlaces, kSchoolKinds);
  return names.view();
}
std::span<const char* const> Shops() {
  static const Names names(kShopNames, kShopKinds);
  return names.view();
}
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

uint64_t TextPick(uint64_t seed, int64_t i, uint64_t use) {
  return Mix(Mix(seed) + static_cast<uint64_t>(i) * 8 + use);
}

uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace hs::sim
