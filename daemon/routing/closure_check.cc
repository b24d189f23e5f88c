#include "daemon/routing/closure_check.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <span>
#include <string_view>

namespace hs::routing {
namespace {

bool HasAny(std::string_view s, std::span<const std::string_view> words) {
  for (std::string_view w : words) {
    if (s.find(w) != std::string_view::npos) return true;
  }
  return false;
}

// The complainant, as closure texts name them.
constexpr std::string_view kPerson[] = {"诉求人", "来电人", "市民",   "群众",   "当事人",
                                        "投诉人", "反映人", "信访人", "举报人", "业主"};

bool HasAny(std::string_view s, std::initializer_list<std::string_view> words) {
  return HasAny(s, std::span<const std::string_view>(words.begin(), words.size()));
}

bool NoContact(std::string_view c) {
  return HasAny(c, {"未接通", "无人接听", "联系不上", "无法联系", "未能联系", "未联系上", "拒接",
                    "空号", "已关机", "关机状态", "已停机", "未能取得联系"});
}

bool Contact(std::string_view c) {
  return NoContact(c) ||
         (HasAny(c, {"联系", "致电", "电话", "上门", "走访", "约见", "面谈", "见面", "沟通"}) &&
          HasAny(c, kPerson));
}

// The complainant's view: a view word after the person it is about (诉求人表示满意), not a person
// named as the object of someone else's act (商家同意为诉求人退款).
bool Opinion(std::string_view c) {
  size_t person = std::string_view::npos;
  for (std::string_view p : kPerson) person = std::min(person, c.find(p));
  if (person == std::string_view::npos) return false;
  std::string_view after = c.substr(person);
  if (HasAny(c.substr(0, person), {"为", "向", "给", "帮", "替"})) return false;
  return HasAny(after, {"满意", "认可", "理解", "接受", "同意", "无异议", "有异议", "不服", "意见",
                        "表示感谢", "待回访"});
}

bool Outcome(std::string_view c) {
  return HasAny(c,
                {"已解决",   "解决了",   "已整改", "整改到位", "整改完毕", "已处理完",  "处理完毕",
                 "已恢复",   "恢复正常", "已完成", "已退还",   "已退款",   "已发放",    "已修复",
                 "已清理",   "已清运",   "已拆除", "已停止",   "已办结",   "达成一致",  "解释说明",
                 "作出解释", "已答复",   "已告知", "不予支持", "不符合",   "暂无法解决"});
}

bool Process(std::string_view c) {
  return HasAny(c, {"经",   "已安排", "安排", "核实", "核查", "调查", "现场", "督促", "责令",
                    "约谈", "协调",   "巡查", "执法", "检修", "维修", "调解", "转",   "处罚",
                    "整治", "查处",   "排查", "解答", "研究", "组织", "开展", "对接"});
}

void Append(std::string& to, std::string_view clause) {
  to.append(clause);
  to += "。";
}

}  // namespace

ClosureElements CheckClosure(const std::string& text) {
  ClosureElements e;
  std::vector<std::string_view> clauses;
  std::string_view rest = text;
  static constexpr std::array<std::string_view, 7> kEnds = {"。", "；", ";", "！", "!", "？", "?"};
  while (!rest.empty()) {
    size_t cut = std::string_view::npos, len = 0;
    for (std::string_view end : kEnds) {
      size_t p = rest.find(end);
      if (p < cut) cut = p, len = end.size();
    }
    std::string_view clause = rest.substr(0, cut);
    while (!clause.empty() && (clause.front() == ' ' || clause.front() == '\n')) {
      clause.remove_prefix(1);
    }
    if (!clause.empty()) clauses.push_back(clause);
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + len);
  }
  for (std::string_view c : clauses) {
    bool any = false;
    if (Contact(c)) {
      any = true;
      Append(e.contact, c);
      const bool reached = !NoContact(c);
      e.contacted = e.contacted.value_or(false) || reached;
    }
    if (Opinion(c)) any = true, Append(e.opinion, c);
    if (Outcome(c) && !Opinion(c)) any = true, Append(e.result, c);
    if (Process(c) && !Contact(c) && !Opinion(c)) any = true, Append(e.process, c);
    if (!any) Append(e.process, c);  // Unclassified text describes the handling.
  }
  // Not reaching the complainant is an answer the province accepts when the process explains it.
  if (e.contacted == false) e.process = e.contact + e.process;
  if (!e.contacted.has_value()) e.missing.push_back("contacted");
  if (e.process.empty()) e.missing.push_back("process");
  if (e.result.empty()) e.missing.push_back("result");
  if (e.opinion.empty()) e.missing.push_back("citizenOpinion");
  return e;
}

std::string DescribeMissing(const std::vector<std::string>& missing) {
  std::string out;
  for (const std::string& m : missing) {
    std::string_view label = m == "contacted"        ? "是否联系诉求人"
                             : m == "process"        ? "处理过程"
                             : m == "result"         ? "处理结果"
                             : m == "citizenOpinion" ? "诉求人意见"
                             : m == "handledBy"      ? "承办单位"
                             : m == "closedAt"       ? "办结时间"
                                                     : "";
    if (!out.empty()) out += ", ";
    out += label.empty() ? m : std::string(label) + "(" + m + ")";
  }
  return out;
}

}  // namespace hs::routing
