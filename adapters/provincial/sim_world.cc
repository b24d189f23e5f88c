#include "adapters/provincial/sim_world.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "adapters/provincial/mapping.h"
#include "adapters/sim_text.h"
#include "daemon/core/json.h"
#include "daemon/core/time_util.h"

namespace hs::provincial {
namespace {

constexpr int64_t kDay = 86'400;

// The four channels with the June 2023 bulletin's counts for Yueyang as weights.
struct Origin {
  std::string_view name;
  const char* prefix;  // Of originNo.
  int weight;
};
constexpr Origin kOrigins[] = {{kOriginStateCouncil, "GWY", 14},
                               {kOriginGovService, "ZWFW", 3},
                               {kOriginGovernor, "SZXX", 102},
                               {kOriginXiangYiBan, "XYB", 254}};

constexpr const char* kCounties[] = {
    "岳阳楼区", "云溪区", "君山区", "岳阳经开区", "南湖新区", "城陵矶新港区", "岳阳县",
    "华容县",   "湘阴县", "平江县", "汨罗市",     "临湘市",   "屈原管理区"};
constexpr const char* kForeignAreas[] = {"长沙市开福区", "长沙市岳麓区", "株洲市天元区",
                                         "常德市武陵区"};
constexpr const char* kCountyCodes[] = {"430602", "430603", "430611", "430621",
                                        "430623", "430624", "430626", "430681"};
constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"};

// Subjects and texts, each said in one of several ways ("a|b|c", see hs::sim::Variant); {area} is
// the dispatch's area and the other {slots} name the place, the organisation and the figures of one
// matter (sim::SlotValue), the same in a dispatch's subject and content. Two hold characters
// outside GBK in every way of saying them (𠮷 U+20BB7 and € U+20AC), so that they travel as \uXXXX
// escapes.
struct Template {
  const char* subject;
  const char* content;
};
constexpr Template kTemplates[] = {
    {"小区旁工地夜间施工噪音扰民|{xq}旁工地夜间施工噪音扰民|{sg}工地夜间施工影响{xq}居民休息"
     "|反映{xq}周边工地深夜施工",
     "来信人反映：{area}{xq}旁{sg}承建的工地连续{tian}天夜间施工至凌晨，噪音严重影响居民休息，"
     "多次向有关部门反映未果，请求依法查处。"
     "|来信人反映：{area}{xq}紧邻{sg}的施工工地，近{tian}天每晚施工至凌晨一两点，渣土车进出"
     "噪音不断，请求依法查处。"
     "|来信人反映：其居住的{area}{xq}旁有一处{sg}承建的工地，夜间打桩、浇筑噪音扰民已持续"
     "{tian}天，请求依法查处。"},
    {"农村道路破损无人维修|{cun}通组公路破损严重|{cun}村道坑洼群众出行难|反映{cun}道路年久失修",
     "来信人反映：{area}{cun}通组公路路面破损严重，雨天积水，群众出行困难，请求尽快维修。"
     "|来信人反映：{area}{cun}约{ju}公里村道已破损{nian}年，坑洼遍布，学生上学、村民出行困难，"
     "请求尽快维修。"
     "|来信人反映：{area}{cun}通村公路被{sg}工程车辆压坏后无人维修，已{yue}个月，雨天泥泞难行，"
     "请求尽快维修。"},
    {"拖欠农民工工资|{sg}拖欠农民工工资|{xq}项目完工后工资未付|讨要{sg}欠薪{yue}个月无果",
     "来信人反映：其在{area}{xq}项目为{sg}务工，工程完工后施工方拖欠工资{qian}元至今未付，"
     "已讨要{yue}个月，请求协调解决。"
     "|来信人反映：{sg}承建的{area}{xq}项目完工已{yue}个月，拖欠其与工友工资共计{qian}元，"
     "请求协调解决。"
     "|来信人反映：其{yue}个月前在{area}{sg}承建的{xq}工地务工，完工后包工头以未结算为由拖欠"
     "工资{qian}元，请求协调解决。"},
    {"养老保险转移接续办理困难|从外省返乡后养老保险转移接续未办成|养老保险关系转不回来"
     "|{gs}职工养老保险转移接续困难",
     "来信人反映：其从外省返回{area}工作，现在{gs}上班，养老保险关系转移接续多次办理未果，"
     "请求帮助。"
     "|来信人反映：其在广东缴纳养老保险{nian}年，返回{area}后入职{gs}，申请转移接续{yue}个月"
     "仍未办成，请求帮助。"
     "|来信人反映：其系{gs}职工，在外省缴纳{nian}年的养老保险关系迟迟无法转入{area}，往返多次"
     "未果，请求帮助。"},
    {"不动产权证办理缓慢|{xq}交房{nian}年仍未办证|{kfs}拖延办理不动产权证|{xq}业主办证难",
     "来信人反映：其在{area}{xq}购买的商品房交房已满{nian}年，开发商{kfs}仍未办理不动产权证，"
     "请求督促。"
     "|来信人反映：{area}{xq}交房{nian}年，因开发商{kfs}未缴清相关税费，业主至今无法办理不动产"
     "权证，请求督促。"
     "|来信人反映：其{nian}年前购买{area}{xq}住房，多次催促开发商{kfs}办理不动产权证无果，影响"
     "孩子入学，请求督促。"},
    {"学校违规收取费用|{xx}违规收取资料费|反映{xx}乱收费|{xx}以补课名义收费",
     "来信人反映：其家住{area}，孩子就读的{xx}以资料费名义向学生每人收取{fei}元，请求核实并"
     "规范收费行为。"
     "|来信人反映：其家住{area}，孩子所在的{xx}组织学生有偿补课，每人每学期收取{fei}元，请求"
     "核实并规范收费行为。"
     "|来信人反映：其家住{area}，孩子就读的{xx}本学期向每名学生收取资料费、校服费共计{fei}元，"
     "未出具任何票据，请求核实并规范收费行为。"},
    {"自来水水质发黄|{xq}自来水发黄有异味|{xq}居民反映自来水水质差|自来水浑浊发黄请求检测",
     "来信人反映：{area}{xq}近{tian}天自来水发黄有异味，影响居民正常生活，请求检测处理。"
     "|来信人反映：{area}{xq}自来水打开后呈黄色并有铁锈味，已持续{tian}天，物业和供水公司均未"
     "解决，请求检测处理。"
     "|来信人反映：{area}{xq}多栋楼自来水浑浊发黄，近{tian}天居民只能买桶装水做饭，请求检测"
     "处理。"},
    {"𠮷字姓名无法办理社保卡|姓名含生僻字“𠮷”社保卡办不了|𠮷字无法录入系统无法办理社保卡"
     "|{gs}职工因姓名含𠮷字无法办社保卡",
     "来信人反映：其姓名中含生僻字“𠮷”，{gs}为其在{area}办理社保卡时系统无法录入，请求解决。"
     "|来信人反映：其姓名中的“𠮷”字为生僻字，入职{gs}后在{area}社保窗口申领社保卡，系统无法"
     "录入，已等待{yue}个月，请求解决。"
     "|来信人反映：其系{gs}职工，姓名含生僻字“𠮷”，在{area}办理社保卡{ci}次均因系统无法录入"
     "未办成，请求解决。"},
    {"网购商品以€计价扣款后拒不退款|境外网购{wu}以€计价扣款后拒不退款|境外网购按€扣款{ou}€退货"
     "后不退款|跨境网购{wu}按€计价扣款拒不退款",
     "来信人反映：其在{area}通过跨境电商平台购买境外{wu}，商家以€计价扣款{ou}€后拒不退款，"
     "请求处理。"
     "|来信人反映：其家住{area}，{yue}个月前在跨境网店购买{wu}，按€计价扣款{ou}€，退货后商家"
     "至今拒不退款，请求处理。"
     "|来信人反映：其在{area}通过网店代购境外{wu}，商家以€计价多扣款{ou}€，协商退款{tian}天"
     "无果，请求处理。"},
};
// A repeat: a dispatch about the matter of one of the kRepeatWindow dispatches before it in the
// same area, in about kRepeatPercent of them (for the matcher to find, as real duplicates).
constexpr uint64_t kRepeatPercent = 6;
constexpr size_t kRepeatWindow = 30;

double Unit(uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }

// An identity-card number with a correct GB 11643 check digit (synthetic).
std::string IdNumber(std::mt19937_64& rng) {
  char base[32];
  std::snprintf(base, sizeof base, "%s%04d%02d%02d%03d",
                kCountyCodes[rng() % std::size(kCountyCodes)], static_cast<int>(1950 + rng() % 55),
                static_cast<int>(1 + rng() % 12), static_cast<int>(1 + rng() % 28),
                static_cast<int>(rng() % 1000));
  static constexpr int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (base[i] - '0') * kWeights[i];
  return std::string(base) + "10X98765432"[sum % 11];
}

// Absent, not a string, or only white space (U+3000 ideographic space included).
bool Blank(const rapidjson::Value* v) {
  if (v == nullptr || !v->IsString()) return true;
  std::string_view s(v->GetString(), v->GetStringLength());
  for (size_t i = 0; i < s.size();) {
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
      ++i;
    } else if (s.substr(i, 3) == "\xe3\x80\x80") {
      i += 3;
    } else {
      return false;
    }
  }
  return true;
}

const rapidjson::Value* Member(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(key);
  return it == obj.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}

SimAnswer Answer(int status, const char* word) {
  return {status, std::string("{\"result\":\"") + word + "\"}"};
}

}  // namespace

struct Dispatch {
  std::string id, origin, origin_no, subject, content, area;
  std::optional<std::string> name, phone, id_no;
  int64_t dispatched_at = 0, deadline = 0;
  std::string state = "PENDING";
  int64_t revision = 0;
  int cycle = 0;  // Results refused so far (重办 rounds).
  bool result_stands = false;
  std::vector<std::string> results;
  DispatchEffects effects;
  bool touched = false;  // A push reached it.
};

struct SimWorld::State {
  ProvincialSimOptions o;
  std::vector<Dispatch> all;  // By (dispatched_at, id): the arrival order.
  std::unordered_map<std::string, size_t> by_id;
  size_t arrived = 0;
  std::map<int64_t, size_t> by_revision;
  std::set<std::pair<int64_t, size_t>> reviews;  // (when, index).
  int64_t revision = 0;
  int64_t now = std::numeric_limits<int64_t>::min();

  void Touch(size_t i) {
    Dispatch& d = all[i];
    if (d.revision != 0) by_revision.erase(d.revision);
    d.revision = ++revision;
    by_revision[d.revision] = i;
  }

  Dispatch* Find(const std::string& id) {
    auto it = by_id.find(id);
    return it == by_id.end() || it->second >= arrived ? nullptr : &all[it->second];
  }

  void Review(size_t i, int64_t when) {
    Dispatch& d = all[i];
    uint64_t h = sim::Mix(o.seed ^ sim::Mix(std::hash<std::string>{}(d.id) + d.cycle));
    if (Unit(h) < o.reopen_share) {  // 重办: the province refuses the result.
      d.state = "REOPENED";
      d.deadline = when + int64_t{o.reopen_deadline_days} * kDay;
      d.result_stands = false;
      ++d.cycle;
      ++d.effects.reopens;
    } else {
      d.state = "CLOSED";
    }
    Touch(i);
  }

  std::string Record(const Dispatch& d) const {
    std::string out;
    out.reserve(512 + d.content.size());
    auto field = [&](const char* key, std::string_view value, bool first = false) {
      out += first ? "{\"" : ",\"";
      out += key;
      out += "\":";
      json::AppendQuoted(out, value);
    };
    auto nullable = [&](const char* key, const std::optional<std::string>& v, bool first) {
      out += first ? "{\"" : ",\"";
      out += key;
      out += "\":";
      if (v) {
        json::AppendQuoted(out, *v);
      } else {
        out += "null";
      }
    };
    field("dispatchId", d.id, true);
    field("origin", d.origin);
    field("originNo", d.origin_no);
    field("dispatchedAt", FormatIsoTime(d.dispatched_at));
    field("deadline", FormatIsoTime(d.deadline));
    out += ",\"citizen\":";
    nullable("name", d.name, true);
    nullable("phone", d.phone, false);
    nullable("idNo", d.id_no, false);
    out += '}';
    field("subject", d.subject);
    field("content", d.content);
    field("area", d.area);
    field("state", d.state);
    out += ",\"revision\":" + std::to_string(d.revision) + "}";
    return out;
  }
};

SimWorld::SimWorld(const ProvincialSimOptions& o) : s_(std::make_unique<State>()) {
  s_->o = o;
  std::mt19937_64 rng(o.seed);
  const int64_t first = o.sim_start - int64_t{o.days_before} * kDay;
  const int64_t span = int64_t{o.days_before + o.days_after} * kDay;
  int total_weight = 0;
  for (const Origin& g : kOrigins) total_weight += g.weight;
  s_->all.resize(static_cast<size_t>(o.count));
  // Texts are chosen by sim::TextPick, so that they leave every other generated value as it was.
  auto text_pick = [&](int i, uint64_t use) { return sim::TextPick(o.seed, i, use); };
  std::vector<sim::Matter> matters;
  matters.reserve(s_->all.size());
  for (int i = 0; i < o.count; ++i) {
    Dispatch& d = s_->all[static_cast<size_t>(i)];
    d.dispatched_at = first + (o.count > 1 ? span * i / (o.count - 1) : 0);
    d.deadline = d.dispatched_at + int64_t{o.deadline_days} * kDay;
    std::string day = FormatShanghaiTime(d.dispatched_at);  // yyyy-MM-dd HH:mm:ss
    char id[48];
    std::snprintf(id, sizeof id, "HN-%s-%s%s-%06d", day.substr(0, 4).c_str(),
                  day.substr(5, 2).c_str(), day.substr(8, 2).c_str(), i + 1);
    d.id = id;
    int pick = static_cast<int>(rng() % static_cast<uint64_t>(total_weight));
    const Origin* origin = &kOrigins[0];
    for (const Origin& g : kOrigins) {
      if (pick < g.weight) {
        origin = &g;
        break;
      }
      pick -= g.weight;
    }
    d.origin = std::string(origin->name);
    char no[48];
    std::snprintf(no, sizeof no, "%s%s%s%s%07llu", origin->prefix, day.substr(0, 4).c_str(),
                  day.substr(5, 2).c_str(), day.substr(8, 2).c_str(),
                  static_cast<unsigned long long>(rng() % 10'000'000));
    d.origin_no = no;
    d.area = Unit(rng()) < o.foreign_area_share
                 ? kForeignAreas[rng() % std::size(kForeignAreas)]
                 : std::string("岳阳市") + kCounties[rng() % std::size(kCounties)];
    sim::Matter matter{rng() % std::size(kTemplates), text_pick(i, 3)};
    if (i > 0 && text_pick(i, 7) % 100 < kRepeatPercent) {
      // Another word on the matter of an earlier dispatch about the same area.
      const auto here = static_cast<size_t>(i);
      std::vector<size_t> same_area;
      for (size_t j = here - std::min(here, kRepeatWindow); j < here; ++j) {
        if (s_->all[j].area == d.area) same_area.push_back(j);
      }
      if (!same_area.empty()) matter = matters[same_area[text_pick(i, 6) % same_area.size()]];
    }
    matters.push_back(matter);
    const Template& t = kTemplates[matter.text];
    auto slot_value = [&](std::string_view name) {
      return name == "area" ? d.area : sim::SlotValue(name, matter.slots);
    };
    d.subject = sim::FillSlots(sim::Variant(t.subject, text_pick(i, 1)), slot_value);
    d.content = sim::FillSlots(sim::Variant(t.content, text_pick(i, 2)), slot_value);
    if (Unit(rng()) >= o.null_citizen_share) {
      d.name = std::string(kSurnames[rng() % std::size(kSurnames)]) + "某";
      char phone[16];
      std::snprintf(phone, sizeof phone, "1%d%09llu", static_cast<int>(3 + rng() % 6),
                    static_cast<unsigned long long>(rng() % 1'000'000'000));
      d.phone = phone;
      if (rng() % 4 != 0) d.id_no = IdNumber(rng);
    }
  }
  for (size_t i = 0; i < s_->all.size(); ++i) s_->by_id[s_->all[i].id] = i;
}

SimWorld::~SimWorld() = default;

void SimWorld::AdvanceTo(int64_t now) {
  State& s = *s_;
  if (now <= s.now) return;
  for (;;) {
    int64_t arrival = s.arrived < s.all.size() ? s.all[s.arrived].dispatched_at
                                               : std::numeric_limits<int64_t>::max();
    int64_t review =
        s.reviews.empty() ? std::numeric_limits<int64_t>::max() : s.reviews.begin()->first;
    if (std::min(arrival, review) > now) break;
    if (arrival <= review) {
      s.Touch(s.arrived++);
    } else {
      auto [when, i] = *s.reviews.begin();
      s.reviews.erase(s.reviews.begin());
      s.Review(i, when);
    }
  }
  s.now = now;
}

SimAnswer SimWorld::Pending(int limit, int64_t& served) {
  std::vector<const Dispatch*> pending;
  for (size_t i = 0; i < s_->arrived; ++i) {
    if (s_->all[i].state == "PENDING") pending.push_back(&s_->all[i]);
  }
  std::sort(pending.begin(), pending.end(), [](const Dispatch* a, const Dispatch* b) {
    return std::tie(a->dispatched_at, a->id) < std::tie(b->dispatched_at, b->id);
  });
  std::string body = R"({"result":"OK","items":[)";
  int n = 0;
  for (const Dispatch* d : pending) {
    if (n == limit) break;
    body += (n++ > 0 ? "," : "") + s_->Record(*d);
  }
  served += n;
  return {200, body + "]}"};
}

SimAnswer SimWorld::Changes(int64_t after, int limit, int64_t& served) {
  std::string body = R"({"result":"OK","items":[)";
  int64_t last = after;
  int n = 0;
  for (auto it = s_->by_revision.upper_bound(after); it != s_->by_revision.end() && n < limit;
       ++it) {
    body += (n++ > 0 ? "," : "") + s_->Record(s_->all[it->second]);
    last = it->first;
  }
  served += n;
  return {200, body + "],\"lastRevision\":" + std::to_string(last) + "}"};
}

SimAnswer SimWorld::Accept(const std::string& id) {
  Dispatch* d = s_->Find(id);
  if (d == nullptr) return Answer(404, "NOT_FOUND");
  d->touched = true;
  if (d->state == "RETURNED") return Answer(409, "INVALID_STATE");
  if (d->state == "PENDING") {  // Any other state: a harmless repeat.
    d->state = "ACCEPTED";
    ++d->effects.accepts;
    s_->Touch(s_->by_id[id]);
  }
  return Answer(200, "OK");
}

SimAnswer SimWorld::SubmitResult(const std::string& id, const rapidjson::Value& body) {
  Dispatch* d = s_->Find(id);
  if (d == nullptr) return Answer(404, "NOT_FOUND");
  d->touched = true;
  if (d->result_stands) {
    ++d->effects.already_submitted;
    return Answer(409, "ALREADY_SUBMITTED");
  }
  if (d->state != "ACCEPTED" && d->state != "REOPENED") return Answer(409, "INVALID_STATE");
  std::vector<std::string> missing;
  for (const char* key :
       {"handledBy", "closedAt", "contacted", "process", "result", "citizenOpinion"}) {
    const rapidjson::Value* v = Member(body, key);
    bool ok = std::string_view(key) == "contacted" ? v != nullptr && v->IsBool() : !Blank(v);
    if (ok && std::string_view(key) == "closedAt") {
      ok = ParseIsoTime(std::string_view(v->GetString(), v->GetStringLength())).ok();
    }
    if (!ok) missing.emplace_back(key);
  }
  if (!missing.empty()) {
    std::string out = R"({"result":"INCOMPLETE","missing":[)";
    for (size_t i = 0; i < missing.size(); ++i) out += (i ? ",\"" : "\"") + missing[i] + "\"";
    return {422, out + "]}"};
  }
  d->state = "RESULT_SUBMITTED";
  d->result_stands = true;
  d->results.push_back(json::Write(body));  // Escapes such as \u20AC read back as characters.
  ++d->effects.results;
  size_t i = s_->by_id[id];
  s_->Touch(i);
  s_->reviews.emplace(s_->now + s_->o.review_delay_s, i);
  return Answer(200, "OK");
}

SimAnswer SimWorld::Return(const std::string& id, const rapidjson::Value& body) {
  Dispatch* d = s_->Find(id);
  if (d == nullptr) return Answer(404, "NOT_FOUND");
  d->touched = true;
  if (d->state != "PENDING" && d->state != "ACCEPTED" && d->state != "RETURNED") {
    return Answer(409, "INVALID_STATE");
  }
  if (Blank(Member(body, "reason")))
    return {422, R"({"result":"INCOMPLETE","missing":["reason"]})"};
  if (d->state != "RETURNED") {
    d->state = "RETURNED";
    ++d->effects.returns;
    s_->Touch(s_->by_id[id]);
  }
  return Answer(200, "OK");
}

std::vector<std::pair<std::string, std::string>> SimWorld::Snapshot() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < s_->arrived; ++i) out.emplace_back(s_->all[i].id, s_->Record(s_->all[i]));
  std::sort(out.begin(), out.end());
  return out;
}

std::map<std::string, DispatchEffects> SimWorld::Effects() const {
  std::map<std::string, DispatchEffects> out;
  for (size_t i = 0; i < s_->arrived; ++i) {
    if (s_->all[i].touched) out[s_->all[i].id] = s_->all[i].effects;
  }
  return out;
}

std::vector<std::string> SimWorld::Results(const std::string& id) const {
  const Dispatch* d = s_->Find(id);
  return d == nullptr ? std::vector<std::string>{} : d->results;
}

}  // namespace hs::provincial
