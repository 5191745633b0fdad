-- Version 7: retention. A policy per database (how old, how large), what
-- pruning removed, and session ids that never come back. See docs/schema.md.

-- One row (id 1): the policy, and totals of what pruning has removed.
CREATE TABLE retention (
  id                        INTEGER PRIMARY KEY CHECK (id = 1),
  max_age_us                INTEGER,  -- exchanges that started longer ago than this are pruned; NULL: no age limit
  max_size_bytes            INTEGER,  -- oldest exchanges pruned until the used size is below this; NULL: no size limit
  policy_set_at             INTEGER,  -- when the policy was last set or cleared
  pruned_exchanges          INTEGER NOT NULL DEFAULT 0,  -- by retention, prune and delete, since version 7
  pruned_bodies             INTEGER NOT NULL DEFAULT 0,  -- bodies no exchange referenced any more
  pruned_websocket_messages INTEGER NOT NULL DEFAULT 0,
  pruned_body_bytes         INTEGER NOT NULL DEFAULT 0,  -- bytes of the bodies removed
  bytes_given_back          INTEGER NOT NULL DEFAULT 0,  -- the file shrank by this much (incremental vacuum)
  last_pruned_at            INTEGER,  -- when pruning last removed something
  last_prune_longest_step_ms REAL,    -- longest write-lock hold of one step in that run
  deleted_session_id_max    INTEGER NOT NULL DEFAULT 0   -- highest session id deleted: new ids start above it
);
INSERT INTO retention(id) VALUES (1);

-- Exchanges of the session removed by retention or prune (exchange_count
-- counts those left).
ALTER TABLE sessions ADD COLUMN pruned_count INTEGER NOT NULL DEFAULT 0;

-- sessions.id has no AUTOINCREMENT (adding it means rebuilding the table
-- exchanges refer to), so the highest deleted id is kept here and new
-- sessions are numbered above it (store/sessions.cpp): a consumer's cursor
-- for a deleted session never follows a new one.
CREATE TRIGGER sessions_deleted_id_max AFTER DELETE ON sessions
BEGIN
  UPDATE retention SET deleted_session_id_max = max(deleted_session_id_max, OLD.id) WHERE id = 1;
END;
