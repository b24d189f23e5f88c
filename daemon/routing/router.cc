#include "daemon/routing/router.h"

#include <algorithm>

#include "daemon/core/json.h"
#include "daemon/core/ticket.h"
#include "daemon/core/time_util.h"
#include "daemon/crypto/crypto.h"
#include "daemon/routing/closure_check.h"

namespace hs::routing {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// A JSON object written field by field, in the order given.
class Body {
 public:
  Body& Str(std::string_view key, std::string_view value) {
    Key(key);
    json::AppendQuoted(out_, value);
    return *this;
  }
  // A string, or null when empty.
  Body& OptStr(std::string_view key, std::string_view value) {
    if (value.empty()) return Raw(key, "null");
    return Str(key, value);
  }
  Body& Int(std::string_view key, int64_t value) { return Raw(key, std::to_string(value)); }
  Body& Bool(std::string_view key, bool value) { return Raw(key, value ? "true" : "false"); }
  Body& Raw(std::string_view key, std::string_view json) {
    Key(key);
    out_ += json;
    return *this;
  }
  std::string Done() { return out_ + "}"; }

 private:
  void Key(std::string_view key) {
    out_ += out_.size() == 1 ? "" : ",";
    json::AppendQuoted(out_, key);
    out_ += ':';
  }
  std::string out_ = "{";
};

// "2023-06-12T09:31:05+08:00".
std::string IsoTime(int64_t unix_seconds) {
  std::string t = FormatShanghaiTime(unix_seconds);
  t[10] = 'T';
  return t + "+08:00";
}

// 诉求内容 must be 20 to 4000 characters on the hotline: short texts are composed with the title,
// long ones cut at a character boundary.
std::string HotlineContent(const Ticket& t) {
  std::string text = t.content;
  auto chars = [](const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  if (chars(text) < 20) text = "【" + t.title + "】" + text;
  while (chars(text) < 20) text += "（详见原件）";
  if (chars(text) > 4000) {
    size_t n = 0, i = 0;
    for (; i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++n > 3990) break;
    }
    text = text.substr(0, i) + "……";
  }
  return text;
}

// A report (举报, 检举) names someone; the identity of the one who reports it must not reach the
// unit reported on (信访工作条例 第三十条第三款), and hotline orders go to units.
bool IsReport(const Ticket& t) {
  for (const std::string* text : {&t.kind, &t.title, &t.content}) {
    if (text->find("举报") != std::string::npos || text->find("检举") != std::string::npos) {
      return true;
    }
  }
  return false;
}

// The hotline order made from a petition or a dispatch. A report goes without the complainant's
// identity, which stays on the record it came from (`origin`).
std::string HotlineOrder(const Ticket& t, const std::string& wbbh, const std::string& channel,
                         const std::string& kind, const std::string& unit,
                         const std::string& unit_code, std::optional<int64_t> deadline) {
  const bool report = IsReport(t);
  Body b;
  b.Str("wbbh", wbbh).Str("qdly", channel);
  if (report) {
    b.Str("sqr", "匿名").Str("lxdh", "");
  } else {
    b.Str("sqr", t.complainant).Str("lxdh", t.phone);
    if (!t.id_number.empty()) b.Str("zjhm", t.id_number);
  }
  b.Str("sqlx", report ? "举报" : kind);
  if (!t.category.empty()) b.Str("sqfl", t.category);
  std::string content = HotlineContent(t);
  if (report) {
    content +=
        "（举报人身份信息留存于" + t.external_id + "，依《信访工作条例》第三十条不随工单转交。）";
  }
  b.Str("sqbt", t.title).Str("sqnr", content).Str("fsdz", t.address);
  if (!unit.empty()) b.Str("cbdw", unit);
  if (!unit_code.empty()) b.Str("cbdwbm", unit_code);
  if (deadline) b.Str("blsx", FormatShanghaiTime(*deadline));
  return b.Done();
}

ledger::OutboxRequest Request(std::string target, std::string action, std::string target_ref,
                              std::string revision, std::string payload) {
  ledger::OutboxRequest r;
  r.target = std::move(target);
  r.action = std::move(action);
  r.target_ref = std::move(target_ref);
  r.revision = std::move(revision);
  r.payload = std::move(payload);
  return r;
}

// Each log entry of a hotline order from `from` on, as progress on the petition platform; entries
// we appended ourselves (they carry a wbbh) are not sent back.
void HotlineProgress(const Rules& rules, const ledger::Change& c, const std::string& target_ref,
                     std::vector<ledger::OutboxRequest>& out) {
  const Ticket& t = *c.ticket;
  for (size_t i = c.previous_history; i < t.history.size(); ++i) {
    const HistoryEntry& h = t.history[i];
    if (!h.external_ref.empty()) continue;
    std::string text = h.note;
    if (!h.result.empty())
      text += (text.empty() ? "" : "；") + std::string("回访结果：") + h.result;
    if (!h.unit.empty()) text = "【" + h.unit + "】" + text;
    out.push_back(Request(rules.petition, "progress", target_ref, "log:" + std::to_string(i),
                          Body()
                              .Int("at", h.at * 1000)
                              .Str("action", h.action)
                              .Str("text", text)
                              .Str("sourceNo", t.external_id)
                              .Done()));
  }
}

// The province's result for `dispatch` from the closure of hotline order `t` (made from it);
// held when the closure check finds elements missing. A closure rewritten at the same time (a
// unit completing a held one) is a new result.
ledger::OutboxRequest ProvincialResult(const Rules& rules, const std::string& dispatch,
                                       const Ticket& t) {
  ClosureElements e = CheckClosure(t.closure_text);
  ledger::OutboxRequest r =
      Request(rules.provincial, "result", dispatch,
              "result:" + t.external_ref + ":" + std::to_string(*t.closed_at) + ":" +
                  std::to_string(crypto::Fnv1a64(t.closure_text)),
              Body()
                  .Str("handledBy", t.unit)
                  .Str("closedAt", IsoTime(*t.closed_at))
                  .Bool("contacted", e.contacted.value_or(false))
                  .Str("process", e.process)
                  .Str("result", e.result)
                  .Str("citizenOpinion", e.opinion)
                  .Done());
  if (!e.missing.empty()) {
    r.held_reason = "closure text lacks " + DescribeMissing(e.missing) +
                    "; ask the unit to complete the closure on the hotline";
  }
  r.supersedes = true;
  return r;
}

// A repeat of a matter already open on `target` (DESIGN.md flow 3): the create is not made (queued
// as dropped, so that it never is), the ticket is linked to the open record, and a note there says
// that the same matter came in again.
void JoinOpenRecord(const Rules& rules, const ledger::Change& c, const std::string& target,
                    const std::string& create_revision, const ledger::CaseRecord& open,
                    std::vector<ledger::OutboxRequest>& out) {
  const Ticket& t = *c.ticket;
  ledger::OutboxRequest create = Request(target, "create", "", create_revision, "{}");
  create.dropped_reason = "一诉多投: the same matter is open as " + open.source + " " +
                          open.external_id + "; linked to " + target + " " + open.remote_id +
                          " with a note instead of a second record";
  out.push_back(std::move(create));
  const std::string via = t.channel.empty() ? std::string(c.source) : t.channel;
  std::string text = "一诉多投：同一诉求另经" + via + "反映（" + std::string(c.source) + " " +
                     t.external_id;
  if (t.accepted_at) text += "，" + FormatShanghaiTime(*t.accepted_at);
  text += "），已并案。诉求：" + t.title;
  const std::string revision = "join:" + open.remote_id;
  ledger::OutboxRequest note =
      target == rules.hotline
          ? Request(target, "note", open.remote_id, revision,
                    Body()
                        .Str("dz", "备注")
                        .Str("sm", text)
                        .Str("wbbh", t.external_id + "/join")
                        .Done())
          : Request(target, "progress", open.remote_id, revision,
                    Body()
                        .Int("at", t.accepted_at.value_or(t.updated_at) * 1000)
                        .Str("action", "备注")
                        .Str("text", text)
                        .Str("sourceNo", t.external_id)
                        .Done());
  note.link_to = open.remote_id;
  out.push_back(std::move(note));
}

std::string_view PetitionStatusLabel(std::string_view s) {
  if (s == "REGISTERED") return "登记";
  if (s == "ACCEPTED") return "受理";
  if (s == "NOT_ACCEPTED") return "不予受理";
  if (s == "IN_PROGRESS") return "办理中";
  if (s == "REPLIED") return "已答复";
  if (s == "CLOSED") return "办结";
  if (s == "REVIEWING") return "复查";
  if (s == "TRANSFERRED") return "转送";
  return s;
}

}  // namespace

std::string DispatchIdOf(const std::string& wbbh) { return wbbh.substr(0, wbbh.find("/R")); }

Status CityRouter::Route(const ledger::Change& change, ledger::RouteContext& context,
                         std::vector<ledger::OutboxRequest>& out) {
  if (change.source == rules_.hotline) return FromHotline(change, context, out);
  if (change.source == rules_.petition) return FromPetition(change, context, out);
  if (change.source == rules_.provincial) return FromProvincial(change, out);
  return Status::Ok();
}

Status CityRouter::FromHotline(const ledger::Change& c, ledger::RouteContext& ctx,
                               std::vector<ledger::OutboxRequest>& out) {
  const Ticket& t = *c.ticket;
  const bool closed =
      t.state == state::kClosed || t.state == state::kRevisited || t.state == state::kArchived;
  // An order made from a petition: its progress goes back to that petition.
  if (t.channel == rules_.petition_channel && !t.external_ref.empty()) {
    HS_ASSIGN_OR_RETURN(auto petition, ctx.FindTicket(rules_.petition, t.external_ref));
    if (petition && rules_.progress_hotline_to_petition) {
      HotlineProgress(rules_, c, t.external_ref, out);
    }
    return Status::Ok();
  }
  // An order made from a provincial dispatch: its closure is the dispatch's result.
  if (t.channel == rules_.provincial_channel && !t.external_ref.empty()) {
    const std::string dispatch = DispatchIdOf(t.external_ref);
    HS_ASSIGN_OR_RETURN(auto found, ctx.FindTicket(rules_.provincial, dispatch));
    if (!found || !closed || !t.closed_at) return Status::Ok();
    out.push_back(ProvincialResult(rules_, dispatch, t));
    return Status::Ok();
  }
  // A petition matter: registered on the petition platform, its progress mirrored there.
  bool petition_matter =
      Contains(rules_.petition_units, t.unit) &&
      (rules_.petition_kinds.empty() || Contains(rules_.petition_kinds, t.kind)) &&
      (rules_.petition_categories.empty() || Contains(rules_.petition_categories, t.category));
  if (!petition_matter) {
    HS_ASSIGN_OR_RETURN(petition_matter, ctx.Flagged(c.ticket_id, "petition"));
  }
  if (!petition_matter) return Status::Ok();
  // An order that became a petition matter only now (re-dispatched to the bureau, flagged) sends
  // its whole log with the create, as an order first seen as one does.
  HS_ASSIGN_OR_RETURN(const bool registered, ctx.HasCounterpart(c.ticket_id, rules_.petition));
  if (!registered) {
    HS_ASSIGN_OR_RETURN(auto open, ctx.OpenInCase(c.ticket_id, rules_.petition));
    if (open) {
      JoinOpenRecord(rules_, c, rules_.petition, "0", *open, out);
      return Status::Ok();
    }
  }
  auto code = rules_.category_codes.find(t.category);
  Body petitioner;
  petitioner.OptStr("name", t.complainant)
      .OptStr("mobile", t.phone)
      .OptStr("idCard", t.id_number)
      .Raw("address", "null")
      .Int("persons", 1);
  out.push_back(Request(
      rules_.petition, "create", "", "0",
      Body()
          .Str("form", "HOTLINE")
          .Str("sourceSystem", "12345")
          .Str("sourceNo", t.external_id)
          .Int("registeredAt", t.accepted_at.value_or(t.updated_at) * 1000)
          .Raw("petitioner", petitioner.Done())
          .Str("title", t.title)
          .Str("content", t.content)
          .OptStr("incidentAddress", t.address)
          .Str("categoryCode",
               code == rules_.category_codes.end() ? rules_.default_category_code : code->second)
          .Done()));
  if (rules_.progress_hotline_to_petition) {
    ledger::Change all = c;
    if (!registered) all.previous_history = 0;
    HotlineProgress(rules_, all, "", out);
  }
  return Status::Ok();
}

Status CityRouter::FromPetition(const ledger::Change& c, ledger::RouteContext& ctx,
                                std::vector<ledger::OutboxRequest>& out) {
  const Ticket& t = *c.ticket;
  const bool from_hotline = !t.external_ref.empty();
  if (!from_hotline && Contains(rules_.transfer_states, t.native_state)) {
    HS_RETURN_IF_ERROR(CreateOrJoin(c, ctx, "0",
                                    HotlineOrder(t, t.external_id, rules_.petition_channel,
                                                 rules_.petition_kind, "", "", t.deadline),
                                    out));
  }
  if (c.inserted || c.previous_native_state == t.native_state ||
      !rules_.progress_petition_to_hotline) {
    return Status::Ok();
  }
  // A change of status on a petition with a hotline counterpart becomes a 备注 there.
  std::string target_ref;
  if (from_hotline) {
    HS_ASSIGN_OR_RETURN(auto order, ctx.FindTicket(rules_.hotline, t.external_ref));
    if (!order) return Status::Ok();
    target_ref = t.external_ref;
  } else {
    HS_ASSIGN_OR_RETURN(bool made, ctx.HasCounterpart(c.ticket_id, rules_.hotline));
    if (!made) return Status::Ok();
  }
  std::string note =
      "信访件" + t.external_id + "状态：" + std::string(PetitionStatusLabel(t.native_state));
  if (!t.closure_text.empty()) note += "；答复意见：" + t.closure_text;
  if (!t.revisit_result.empty()) note += "；评价：" + t.revisit_result;
  const std::string revision = "status:" + t.native_state + ":" + std::to_string(t.version);
  // The hotline deduplicates notes on wbbh per order: one per petition status change.
  std::string wbbh = t.external_id + "/" + t.native_state + "/" + std::to_string(t.version);
  if (wbbh.size() > 64) wbbh = ledger::IdempotencyKey(c.source, t.external_id, "", "", revision);
  out.push_back(Request(rules_.hotline, "note", target_ref, revision,
                        Body().Str("dz", "备注").Str("sm", note).Str("wbbh", wbbh).Done()));
  return Status::Ok();
}

Status CityRouter::CreateOrJoin(const ledger::Change& c, ledger::RouteContext& ctx,
                                const std::string& revision, std::string payload,
                                std::vector<ledger::OutboxRequest>& out) {
  HS_ASSIGN_OR_RETURN(bool made, ctx.HasCounterpart(c.ticket_id, rules_.hotline));
  if (!made) {
    HS_ASSIGN_OR_RETURN(auto open, ctx.OpenInCase(c.ticket_id, rules_.hotline));
    if (open) {
      JoinOpenRecord(rules_, c, rules_.hotline, revision, *open, out);
      return Status::Ok();
    }
  }
  out.push_back(Request(rules_.hotline, "create", "", revision, std::move(payload)));
  return Status::Ok();
}

Status CityRouter::FromProvincial(const ledger::Change& c,
                                  std::vector<ledger::OutboxRequest>& out) {
  const Ticket& t = *c.ticket;
  const std::string& s = t.native_state;
  if (s != "PENDING" && s != "ACCEPTED" && s != "REOPENED") return Status::Ok();
  const Unit* unit = rules_.UnitForArea(t.address);
  if (unit == nullptr) {
    if (s == "REOPENED") return Status::Ok();  // Accepted before: ours; the watch shows it.
    out.push_back(Request(rules_.provincial, "return", t.external_id, "0",
                          Body().Str("reason", rules_.return_reason).Done()));
    return Status::Ok();
  }
  if (s == "REOPENED") {
    // Handled again as new work: a new order, due by the new deadline.
    const std::string stamp = t.deadline ? std::to_string(*t.deadline) : "0";
    out.push_back(
        Request(rules_.hotline, "create", "", "reopen:" + stamp,
                HotlineOrder(t, t.external_id + "/R" + stamp, rules_.provincial_channel,
                             rules_.provincial_kind, unit->name, unit->code, t.deadline)));
    return Status::Ok();
  }
  // A dispatch always gets its own order: joining an open order would need the dispatch's
  // accept to reach the province before that order's result, and the two are pushed by
  // different tickets.
  out.push_back(Request(rules_.provincial, "accept", t.external_id, "0", "{}"));
  out.push_back(Request(rules_.hotline, "create", "", "0",
                        HotlineOrder(t, t.external_id, rules_.provincial_channel,
                                     rules_.provincial_kind, unit->name, unit->code, t.deadline)));
  return Status::Ok();
}

}  // namespace hs::routing
