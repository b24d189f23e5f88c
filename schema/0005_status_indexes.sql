-- hotline-sync ledger, version 5: indexes for what is read every few seconds. status, /metrics,
-- /readyz and the web page count each platform's tickets, open tickets and newest change, and the
-- match decisions by state; the deadline views read the open tickets; `ticket REF` finds a ticket
-- by its number on any platform. Without these each read the whole table, raw records and
-- evidence included (bench/status.sh measures both ways).
CREATE INDEX tickets_by_source_state ON tickets (source, state, source_updated_at);
CREATE INDEX tickets_by_external_id ON tickets (external_id);
CREATE INDEX match_decisions_by_state ON match_decisions (state);
