-- hotline-sync ledger, version 1: tickets with their history, rejects, cursors, the sync log, units.
-- Times are Unix seconds (UTC) unless the column name ends in _ms.

-- One row per record on a platform.
CREATE TABLE tickets (
  id                INTEGER PRIMARY KEY,
  source            TEXT    NOT NULL,          -- adapter name, e.g. hotline12345
  external_id       TEXT    NOT NULL,          -- the platform's own number (gdbh)
  external_ref      TEXT    NOT NULL DEFAULT '',  -- number given by the system that pushed it (wbbh)
  channel           TEXT    NOT NULL DEFAULT '',  -- 渠道来源
  kind              TEXT    NOT NULL DEFAULT '',  -- 诉求类型
  category          TEXT    NOT NULL DEFAULT '',  -- 诉求分类
  title             TEXT    NOT NULL DEFAULT '',
  content           TEXT    NOT NULL DEFAULT '',
  address           TEXT    NOT NULL DEFAULT '',
  complainant       TEXT    NOT NULL DEFAULT '',  -- personal data: never logged unmasked
  phone             TEXT    NOT NULL DEFAULT '',  -- personal data, as typed
  id_number         TEXT    NOT NULL DEFAULT '',  -- personal data
  unit              TEXT    NOT NULL DEFAULT '',  -- 承办单位 as the platform names it
  unit_code         TEXT    NOT NULL DEFAULT '',
  accepted_at       INTEGER,                      -- 受理时间
  deadline          INTEGER,                      -- 办理时限
  extended_deadline INTEGER,                      -- 延期后时限
  state             TEXT    NOT NULL,             -- canonical state, see daemon/core/ticket.h
  closed_at         INTEGER,
  closure_text      TEXT    NOT NULL DEFAULT '',
  revisit_result    TEXT    NOT NULL DEFAULT '',  -- latest 回访结果
  revisited_at      INTEGER,
  rework_count      INTEGER NOT NULL DEFAULT 0,   -- 返工次数
  deputy            INTEGER NOT NULL DEFAULT 0,   -- 人大代表
  enterprise        INTEGER NOT NULL DEFAULT 0,   -- 涉企
  history_count     INTEGER NOT NULL DEFAULT 0,   -- entries of the platform's log already in events
  event_count       INTEGER NOT NULL DEFAULT 0,   -- events of this ticket (the next event's n)
  raw_hash          INTEGER NOT NULL DEFAULT 0,   -- 64-bit hash of raw: an unchanged re-read is skipped
  source_updated_at INTEGER NOT NULL,             -- the platform's last-updated time (gxsj)
  raw               TEXT    NOT NULL,             -- the record as received, unknown fields included
  first_seen        INTEGER NOT NULL,
  last_seen         INTEGER NOT NULL,
  UNIQUE (source, external_id)
);
CREATE INDEX tickets_by_ref ON tickets (external_ref) WHERE external_ref <> '';
CREATE INDEX tickets_by_unit ON tickets (unit, accepted_at);

-- Append-only: every entry of a platform's transfer log (kind 'log') and every change of canonical
-- state the sync saw (kind 'state'). Clustered by ticket: a ticket's timeline is one range.
CREATE TABLE events (
  ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
  n           INTEGER NOT NULL,      -- the ticket's events numbered 0, 1, 2… in the order recorded
  kind        TEXT    NOT NULL CHECK (kind IN ('log', 'state')),
  seq         INTEGER NOT NULL,      -- position in the platform's log; for 'state', 0
  at          INTEGER,               -- when it happened on the platform
  action      TEXT    NOT NULL DEFAULT '',  -- 派单, 签收, 退单… for 'log'; the new state for 'state'
  unit        TEXT    NOT NULL DEFAULT '',
  note        TEXT    NOT NULL DEFAULT '',
  result      TEXT    NOT NULL DEFAULT '',  -- a 回访 entry's answer (jg)
  external_ref TEXT   NOT NULL DEFAULT '',  -- the sender's wbbh on appended notes
  from_state  TEXT    NOT NULL DEFAULT '',
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, n)
) WITHOUT ROWID;

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Records and pages that could not be read: kept whole, with the reason. One row per distinct body.
CREATE TABLE rejects (
  id         INTEGER PRIMARY KEY,
  source     TEXT    NOT NULL,
  source_id  TEXT    NOT NULL DEFAULT '',  -- the record's own id when it could be read, else the page
  reason     TEXT    NOT NULL,
  raw        BLOB    NOT NULL,
  digest     TEXT    NOT NULL,             -- SHA-256 of raw, hex
  first_seen INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL,
  seen_count INTEGER NOT NULL DEFAULT 1,
  UNIQUE (source, digest)
);

-- Where each adapter's next pull starts. Written in the same transaction as the records it covers.
CREATE TABLE cursors (
  source     TEXT PRIMARY KEY,
  cursor     TEXT    NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The sync log: one row per pull run. Consecutive empty successful runs share one row (idle_runs).
CREATE TABLE sync_runs (
  id          INTEGER PRIMARY KEY,
  source      TEXT    NOT NULL,
  started_ms  INTEGER NOT NULL,
  finished_ms INTEGER,
  outcome     TEXT    NOT NULL CHECK (outcome IN ('running', 'ok', 'failed', 'interrupted')),
  pages       INTEGER NOT NULL DEFAULT 0,
  fetched     INTEGER NOT NULL DEFAULT 0,
  inserted    INTEGER NOT NULL DEFAULT 0,
  updated     INTEGER NOT NULL DEFAULT 0,
  unchanged   INTEGER NOT NULL DEFAULT 0,
  stale       INTEGER NOT NULL DEFAULT 0,
  rejected    INTEGER NOT NULL DEFAULT 0,
  events      INTEGER NOT NULL DEFAULT 0,
  idle_runs   INTEGER NOT NULL DEFAULT 0,
  error_code  TEXT    NOT NULL DEFAULT '',
  error       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sync_runs_by_source ON sync_runs (source, id);

-- Per adapter health, for status.
CREATE TABLE adapter_state (
  source            TEXT PRIMARY KEY,
  last_success_ms   INTEGER,
  last_failure_ms   INTEGER,
  last_error        TEXT    NOT NULL DEFAULT '',
  failures_in_a_row INTEGER NOT NULL DEFAULT 0
);

-- Handling units (承办单位) as the platforms name them.
CREATE TABLE units (
  id         INTEGER PRIMARY KEY,
  code       TEXT NOT NULL DEFAULT '',
  name       TEXT NOT NULL UNIQUE,
  group_name TEXT NOT NULL DEFAULT ''
);
CREATE TABLE unit_aliases (
  source  TEXT    NOT NULL,
  alias   TEXT    NOT NULL,
  unit_id INTEGER NOT NULL REFERENCES units (id),
  PRIMARY KEY (source, alias)
);
