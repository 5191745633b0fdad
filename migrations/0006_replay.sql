-- Version 6: replayed requests. A replay (trafficdb replay, MCP
-- replay_exchange) is stored as a session of source 'replay'; its exchange's
-- details say which stored exchange it replays ({"replay_of": id, ...}) and
-- the session's options likewise. See docs/schema.md.
--
-- SQLite cannot change a CHECK constraint in place: the sessions table is
-- rebuilt (its rows, ids and columns unchanged) with 'replay' allowed as a
-- source. Migrations run with foreign keys off, so dropping the old table
-- leaves the exchanges that refer to it alone.

DROP VIEW sessions_view;

CREATE TABLE sessions_new (
  id               INTEGER PRIMARY KEY,
  name             TEXT    NOT NULL,
  source           TEXT    NOT NULL CHECK (source IN ('pcap', 'pcap-live', 'har', 'charles',
                                                      'charles-live', 'httptoolkit', 'replay')),
  source_uri       TEXT,
  status           TEXT    NOT NULL CHECK (status IN ('recording', 'stopped', 'failed', 'imported')),
  started_at       INTEGER NOT NULL,
  stopped_at       INTEGER,
  error            TEXT,
  exchange_count   INTEGER NOT NULL DEFAULT 0,
  error_count      INTEGER NOT NULL DEFAULT 0,
  first_exchange_at INTEGER,
  last_exchange_at  INTEGER,
  options          TEXT,
  integrity        TEXT,
  no_response_count INTEGER NOT NULL DEFAULT 0,
  bodies_cut_count  INTEGER NOT NULL DEFAULT 0
);

INSERT INTO sessions_new (id, name, source, source_uri, status, started_at, stopped_at, error, exchange_count,
                          error_count, first_exchange_at, last_exchange_at, options, integrity,
                          no_response_count, bodies_cut_count)
SELECT id, name, source, source_uri, status, started_at, stopped_at, error, exchange_count,
       error_count, first_exchange_at, last_exchange_at, options, integrity,
       no_response_count, bodies_cut_count
FROM sessions;

DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;

CREATE VIEW sessions_view AS
SELECT id, name, source, source_uri, status,
       strftime('%Y-%m-%dT%H:%M:%fZ', started_at / 1000000.0, 'unixepoch') AS started,
       strftime('%Y-%m-%dT%H:%M:%fZ', stopped_at / 1000000.0, 'unixepoch') AS stopped,
       exchange_count, error_count,
       strftime('%Y-%m-%dT%H:%M:%fZ', first_exchange_at / 1000000.0, 'unixepoch') AS first_exchange,
       strftime('%Y-%m-%dT%H:%M:%fZ', last_exchange_at / 1000000.0, 'unixepoch') AS last_exchange,
       error
FROM sessions;
