-- The monthly assessment (issue 5, DESIGN.md flow 4). Its facts are derived from each order's
-- transfer log whenever a pull changes the order (daemon/ledger/assessment.cc), so that a month is
-- scored from an index, not by reading every event: one row per time an order is given to a unit,
-- one per revisit answer. Which channel feeds which table, and everything else the policy says, is
-- applied when scoring.
CREATE TABLE assessment_orders (
  ticket_id         INTEGER NOT NULL REFERENCES tickets (id),
  n                 INTEGER NOT NULL,  -- the order's assignments, 0, 1…
  month             INTEGER NOT NULL,  -- of the assignment, Asia/Shanghai, e.g. 202306
  unit              TEXT    NOT NULL,  -- 派单's dw: the unit as the platform names it
  channel           TEXT    NOT NULL,
  assigned_at       INTEGER NOT NULL,
  reassigned_at     INTEGER,           -- given to another unit (after a 退单 or a 转派)
  closed_at         INTEGER,           -- the unit's first 办结
  deadline          INTEGER,           -- 办理时限
  extended_deadline INTEGER,           -- 延期后时限, when an extension was approved
  extended_at       INTEGER,           -- the first 延期通过 while the unit held it
  reworked_at       INTEGER,           -- the first 返工 while the unit held it
  PRIMARY KEY (ticket_id, n)
) WITHOUT ROWID;
-- Covering: a month's counts per unit read this index only.
CREATE INDEX assessment_orders_by_month ON assessment_orders
  (month, unit, channel, assigned_at, reassigned_at, closed_at, deadline, extended_deadline,
   extended_at, reworked_at);

CREATE TABLE assessment_revisits (
  ticket_id INTEGER NOT NULL REFERENCES tickets (id),
  n         INTEGER NOT NULL,  -- the revisit's place in the order's log
  month     INTEGER NOT NULL,  -- of the revisit
  unit      TEXT    NOT NULL,  -- the unit holding the order (the entry's dw)
  channel   TEXT    NOT NULL,
  at        INTEGER NOT NULL,
  result    TEXT    NOT NULL,  -- 满意, 基本满意, 不满意, 未联系上
  PRIMARY KEY (ticket_id, n)
) WITHOUT ROWID;
CREATE INDEX assessment_revisits_by_month ON assessment_revisits (month, unit, channel, at, result);

-- Adjustments operators enter (inspections, media coverage, awards…): audited, removable.
CREATE TABLE adjustments (
  id         INTEGER PRIMARY KEY,
  month      INTEGER NOT NULL,  -- 202306
  unit       TEXT    NOT NULL,  -- the registry's name
  points     INTEGER NOT NULL,  -- millionths: -2000000 is −2
  indicator  TEXT    NOT NULL,  -- 指标名称, e.g. 上级考核
  detail     TEXT    NOT NULL,  -- 扣分明细 / 加分明细
  actor      TEXT    NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX adjustments_by_month ON adjustments (month, unit);

-- Derived tables and the version of the code that filled them: a newer binary refills them.
CREATE TABLE derived (
  name    TEXT PRIMARY KEY,
  version INTEGER NOT NULL
);
INSERT INTO derived (name, version) VALUES ('assessment', 0);
