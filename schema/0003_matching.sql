-- hotline-sync ledger, version 3: repeat complaints (一诉多投) and hot spots (多人同诉). Complainant
-- keys are keyed hashes (HMAC-SHA256) of the canonical phone and ID numbers, never the numbers.
-- A case is one matter: the tickets matching joined into it. Each decision keeps its evidence; an
-- operator's verdict on a pair is final.

CREATE TABLE match_keys (
  ticket_id INTEGER NOT NULL REFERENCES tickets (id),
  kind      TEXT    NOT NULL CHECK (kind IN ('phone', 'id')),
  key       TEXT    NOT NULL,  -- lower-case hex HMAC-SHA256 of "kind:canonical value"
  PRIMARY KEY (ticket_id, kind)
);
CREATE INDEX match_keys_by_key ON match_keys (key);

CREATE TABLE cases (
  id         INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE case_members (
  ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
  case_id   INTEGER NOT NULL REFERENCES cases (id),
  joined_at INTEGER NOT NULL,
  via       TEXT    NOT NULL DEFAULT ''  -- 'decision #N' or 'operator NAME'
);
CREATE INDEX case_members_by_case ON case_members (case_id);

-- One row per pair of tickets matching found (a_id < b_id).
CREATE TABLE match_decisions (
  id         INTEGER PRIMARY KEY,
  a_id       INTEGER NOT NULL REFERENCES tickets (id),
  b_id       INTEGER NOT NULL REFERENCES tickets (id),
  relation   TEXT    NOT NULL CHECK (relation IN ('same', 'related')),
  confidence REAL    NOT NULL,
  state      TEXT    NOT NULL CHECK (state IN ('applied', 'pending', 'confirmed', 'rejected')),
  evidence   TEXT    NOT NULL,  -- JSON: identity, similarities, time gap, shared words
  decided_by TEXT    NOT NULL DEFAULT 'auto',
  created_at INTEGER NOT NULL,
  decided_at INTEGER NOT NULL,
  UNIQUE (a_id, b_id),
  CHECK (a_id < b_id)
);
CREATE INDEX match_decisions_pending ON match_decisions (confidence) WHERE state = 'pending';
CREATE INDEX match_decisions_by_b ON match_decisions (b_id);

-- What an operator said about a pair: final, automatic matching never goes against it.
CREATE TABLE match_verdicts (
  a_id    INTEGER NOT NULL REFERENCES tickets (id),
  b_id    INTEGER NOT NULL REFERENCES tickets (id),
  verdict TEXT    NOT NULL CHECK (verdict IN ('together', 'apart')),
  actor   TEXT    NOT NULL,
  at      INTEGER NOT NULL,
  PRIMARY KEY (a_id, b_id),
  CHECK (a_id < b_id)
);
