#include "daemon/core/ticket.h"

namespace hs {

std::string_view StateLabel(std::string_view s) {
  if (s == state::kPending) return "待签收";
  if (s == state::kInProgress) return "办理中";
  if (s == state::kExtensionReview) return "延期审核中";
  if (s == state::kClosed) return "已办结";
  if (s == state::kRevisited) return "已回访";
  if (s == state::kArchived) return "已归档";
  if (s == state::kReturned) return "已退单";
  if (s == state::kNotAccepted) return "不予受理";
  if (s == state::kTransferred) return "已转送";
  if (s == state::kReopened) return "重办";
  return s;
}

}  // namespace hs
