// The canonical ticket: what every adapter maps a platform's record to, and what the ledger stores.
// Plain data; thread-safety as any value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hs {

// Canonical states. The hotline's 工单状态 map one to one; other platforms map onto these.
namespace state {
inline constexpr std::string_view kPending = "pending";                   // 待签收
inline constexpr std::string_view kInProgress = "in_progress";            // 办理中
inline constexpr std::string_view kExtensionReview = "extension_review";  // 延期审核中
inline constexpr std::string_view kClosed = "closed";                     // 已办结
inline constexpr std::string_view kRevisited = "revisited";               // 已回访
inline constexpr std::string_view kArchived = "archived";                 // 已归档
inline constexpr std::string_view kReturned = "returned";                 // 已退单
// Petition and provincial states without a hotline equivalent.
inline constexpr std::string_view kNotAccepted = "not_accepted";  // 不予受理
inline constexpr std::string_view kTransferred = "transferred";   // 转送 (to the hotline)
inline constexpr std::string_view kReopened = "reopened";         // 重办 (result refused)
}  // namespace state

// The Chinese label operators know for a canonical state, e.g. 办理中; the state itself if unknown.
std::string_view StateLabel(std::string_view state);

// One entry of a platform's transfer log (流转记录).
struct HistoryEntry {
  int64_t at = 0;  // Unix seconds.
  std::string
      action;  // 派单, 签收, 退单, 转派, 申请延期, 延期通过, 延期驳回, 办结, 回访, 返工, 归档, 备注
  std::string unit;  // The unit holding the order at that step.
  std::string note;
  std::string result;        // A 回访 entry's answer.
  std::string external_ref;  // The sender's wbbh on an appended note.
};

struct Ticket {
  std::string external_id;   // The platform's number (gdbh).
  std::string external_ref;  // wbbh, or "".
  std::string channel;       // 渠道来源
  std::string kind;          // 诉求类型
  std::string category;      // 诉求分类
  std::string title;
  std::string content;
  std::string address;
  std::string complainant;  // Personal data.
  std::string phone;        // Personal data, as typed.
  std::string id_number;    // Personal data.
  std::string unit;         // 承办单位
  std::string unit_code;
  std::optional<int64_t> accepted_at;
  std::optional<int64_t> deadline;
  std::optional<int64_t> extended_deadline;
  std::string state;         // One of state::k*.
  std::string native_state;  // The platform's own state, e.g. 办理中, TRANSFERRED, REOPENED.
  std::optional<int64_t> closed_at;
  std::string closure_text;
  std::string revisit_result;
  std::optional<int64_t> revisited_at;
  int64_t rework_count = 0;
  bool deputy = false;
  bool enterprise = false;
  int64_t updated_at = 0;  // The platform's last-updated time, Unix seconds; 0 when it has none.
  // Orders the versions of one record: the ledger keeps the highest it has seen. The hotline's gxsj
  // (s), the petition's updatedAt (ms), the province's revision counter.
  int64_t version = 0;
  std::vector<HistoryEntry> history;
  std::string raw;  // The record as received.
};

// A record or page that could not be mapped, kept whole with the reason.
struct Reject {
  std::string source_id;  // The record's own id when readable, else a description of the request.
  std::string reason;     // Names the field and what was wrong; never holds personal data.
  std::string raw;
};

}  // namespace hs
