// The June 2023 month fixture: hotline-platform records (platforms/hotline-12345.md) built from the
// published June 2023 assessment tables in ../shared/data/yueyang-2023-06, so that a ledger pulled
// from them must make the monthly scorer print those tables to the digit.
//
// The records satisfy these counting rules (month M = June 2023, Beijing time, cut-off = the end
// of June; "in June" means at or after 2023-06-01 00:00:00 and before 2023-07-01 00:00:00):
//   table      by qdly: hotline 电话, 信访平台推送; mailbox 市长信箱, 微信公众号, 红网,
//              政务服务投诉, 政协委员微建议, 省平台转办. cbdw is the unit as that table names it.
//   due        a 派单 entry with dw = U in June, not followed by a 退单 by U (an order U sent back
//              and the centre dispatched to another unit counts only for that other unit).
//   done       a due order with a 办结 by U in June.
//   on_time    done, and its first 办结 at or before blsx (yqsx when a 延期通过 entry exists).
//   rework     a due order with a 返工 entry in June.
//   revisits   (hotline) 回访 entries in June whose jg is 满意, 基本满意 or 不满意, counted for the
//              entry's dw whatever month the order is from; dissatisfied: those with jg 不满意.
//   satisfied  (mailbox) done letters whose latest 回访 before the cut-off is 满意 or 基本满意.
// Traps a scorer must handle: orders sent back (退单) by one unit and dispatched to another;
// orders dispatched in May and revisited in June; orders not closed in June but closed on time
// in July, and revisits in July; reworks whose revisit got no answer (未联系上). Each unit's
// approved extensions (延期通过) stay at or under 10% of its due orders in each table.
// The order numbers adjustments.tsv names "(热线编号: N)" are that unit's hotline orders, done
// on time. 56 hotline orders have rddb (52 revisited 满意 or 基本满意, 4 不满意), 145 have sq (124
// and 21), all done on time. Complainants are invented (张女士, phones 1390000xxxx).
//
// Thread-safety: the functions keep no state and may be called from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/result.h"

namespace hs::testing {

// A tab-separated table: the column names of its first line, then the rows.
struct TsvTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // Each with as many fields as `columns`.

  // The index of column `name`, or -1 when there is none.
  int Column(std::string_view name) const;
};

// Reads a TSV file (a trailing '\r' on a line is dropped, blank lines are skipped). Errors:
// NotFound when the file cannot be read; InvalidArgument naming the line whose number of fields
// differs from the header's.
Result<TsvTable> ReadTsv(const std::string& path);

// The shared June 2023 tables' directory, or "" when ../shared/data is absent (tests then skip).
std::string June2023Dir();

// JSON lines, one hotline-platform record each, consistent with hotline.tsv and mailbox.tsv of
// `dir` under the rules above, and holding the orders adjustments.tsv names. Deterministic: the
// same tables give the same bytes. Errors: NotFound when a table cannot be read; InvalidArgument
// naming the table and unit when a row cannot be read or its counts cannot be met.
Result<std::string> BuildJune2023Orders(const std::string& dir);

}  // namespace hs::testing
