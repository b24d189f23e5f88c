-- hotline-sync ledger, version 2: pushing between platforms. The outbox and its dead letters, links
-- between the records of one matter on different platforms, operator flags, deadline warnings and
-- the operator audit. Tickets gain the platform's own state and a version that orders a record's
-- changes on any platform (the hotline's gxsj, the petition's updatedAt, the province's revision).

ALTER TABLE tickets ADD COLUMN native_state TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
UPDATE tickets SET version = source_updated_at;

-- Pushes waiting, made, held or given up. A row is written in the transaction of the change that
-- calls for it, with its idempotency key fixed then; the pusher of `target` sends it.
CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  ticket_id        INTEGER NOT NULL REFERENCES tickets (id),  -- whose change caused it
  target           TEXT    NOT NULL,             -- adapter name
  action           TEXT    NOT NULL,             -- create, progress, note, accept, result, return
  target_ref       TEXT    NOT NULL DEFAULT '',  -- remote record; '' = made by this ticket's create
  idem_key         TEXT    NOT NULL UNIQUE,
  payload          TEXT    NOT NULL,             -- the request body, fixed when queued
  state            TEXT    NOT NULL CHECK (state IN ('pending', 'held', 'sent', 'dead', 'dropped')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms  INTEGER NOT NULL,
  first_attempt_ms INTEGER,
  outcome_unknown  INTEGER NOT NULL DEFAULT 0,   -- a try may have taken effect: resend = replay
  last_error       TEXT    NOT NULL DEFAULT '',  -- or, for 'held', the missing closure elements
  remote_id        TEXT    NOT NULL DEFAULT '',
  created_ms       INTEGER NOT NULL,
  done_ms          INTEGER
);
CREATE INDEX outbox_pending ON outbox (target, next_attempt_ms) WHERE state = 'pending';
CREATE INDEX outbox_by_ticket ON outbox (ticket_id, id);
CREATE INDEX outbox_by_state ON outbox (state, target) WHERE state <> 'sent';

-- A record this ticket's push made on another platform (a created petition or hotline order).
CREATE TABLE links (
  ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
  target     TEXT    NOT NULL,
  remote_id  TEXT    NOT NULL,
  outbox_id  INTEGER REFERENCES outbox (id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, target)
);
CREATE INDEX links_by_remote ON links (target, remote_id);

-- Operator marks on tickets, e.g. 'petition': push this hotline order to the petition platform.
CREATE TABLE flags (
  ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
  flag       TEXT    NOT NULL,
  note       TEXT    NOT NULL DEFAULT '',
  actor      TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, flag)
);

-- Deadline warnings already logged, so that each is logged once.
CREATE TABLE deadline_warnings (
  ticket_id INTEGER NOT NULL REFERENCES tickets (id),
  deadline  INTEGER NOT NULL,
  level     TEXT    NOT NULL,  -- 'near' or 'overdue'
  warned_at INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, deadline, level)
);

-- What operators did: who, what, when.
CREATE TABLE audit (
  id      INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,
  actor   TEXT    NOT NULL,
  action  TEXT    NOT NULL,  -- e.g. outbox.retry, outbox.drop, flag
  subject TEXT    NOT NULL,
  detail  TEXT    NOT NULL DEFAULT ''
);
