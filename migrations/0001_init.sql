-- trafficdb schema, version 1.
-- Times are INTEGER microseconds since the Unix epoch (UTC); the views show
-- them as ISO-8601 text. Sizes are bytes. See docs/schema.md.

PRAGMA application_id = 1414677570;  -- 0x54524442, 'TRDB'

-- One capture or import.
CREATE TABLE sessions (
  id               INTEGER PRIMARY KEY,
  name             TEXT    NOT NULL,
  source           TEXT    NOT NULL CHECK (source IN ('pcap', 'pcap-live', 'har', 'charles',
                                                      'charles-live', 'httptoolkit')),
  source_uri       TEXT,            -- file path, interface, proxy or admin URL
  status           TEXT    NOT NULL CHECK (status IN ('recording', 'stopped', 'failed', 'imported')),
  started_at       INTEGER NOT NULL,  -- when the session was created
  stopped_at       INTEGER,           -- when it stopped recording or the import ended
  error            TEXT,              -- why it failed, or a summary of what an import rejected
  exchange_count   INTEGER NOT NULL DEFAULT 0,  -- kept by the writer
  error_count      INTEGER NOT NULL DEFAULT 0,  -- exchanges with a non-NULL error
  first_exchange_at INTEGER,          -- earliest exchanges.started_at
  last_exchange_at  INTEGER,          -- latest exchanges.started_at
  options          TEXT               -- JSON: how the session was started
);

-- Bodies, stored once per distinct content.
CREATE TABLE bodies (
  id        INTEGER PRIMARY KEY,
  hash      BLOB    NOT NULL UNIQUE,  -- SHA-256 of data
  size      INTEGER NOT NULL,         -- bytes stored in data
  encoding  TEXT,                     -- content-encoding it first arrived in; NULL = identity
  is_text   INTEGER NOT NULL,         -- 1 when data is valid UTF-8 text
  data      BLOB    NOT NULL          -- decoded bytes
);

-- One request and its response (or the reason there is none). Written once,
-- when complete; id only grows (AUTOINCREMENT: never reused, even after a
-- delete) and is the cursor readers page by.
CREATE TABLE exchanges (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id          INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  started_at          INTEGER,   -- first byte of the request
  request_sent_at     INTEGER,   -- last byte of the request
  response_started_at INTEGER,   -- first byte of the response
  ended_at            INTEGER,   -- last byte of the response, or when it failed
  duration_ms         REAL,      -- ended_at - started_at, in milliseconds
  method              TEXT NOT NULL,
  scheme              TEXT,      -- http, https, ws, wss
  host                TEXT,      -- lower-case, no port
  port                INTEGER,
  path                TEXT,      -- without the query string
  query               TEXT,      -- after '?', without it; NULL when absent
  url                 TEXT NOT NULL,
  http_version        TEXT,
  status              INTEGER,   -- NULL when there is no response
  status_text         TEXT,
  req_headers         TEXT NOT NULL,  -- JSON [[name, value], ...] in wire order
  resp_headers        TEXT,           -- likewise; NULL when there is no response
  req_content_type    TEXT,      -- media type, lower-case, no parameters
  resp_content_type   TEXT,
  req_body_size       INTEGER,   -- decoded bytes (after chunked and content decoding)
  resp_body_size      INTEGER,
  req_wire_size       INTEGER,   -- body bytes as sent, before content decoding
  resp_wire_size      INTEGER,
  req_body_id         INTEGER REFERENCES bodies(id),
  resp_body_id        INTEGER REFERENCES bodies(id),
  client_addr         TEXT,      -- ip:port
  server_addr         TEXT,      -- ip:port
  error               TEXT,      -- why the exchange is incomplete or failed; NULL when whole
  source_key          TEXT       -- the source's own id for the exchange
);

CREATE INDEX exchanges_session_id ON exchanges(session_id, id);
CREATE INDEX exchanges_host       ON exchanges(host);
CREATE INDEX exchanges_method     ON exchanges(method);
CREATE INDEX exchanges_status     ON exchanges(status);
CREATE INDEX exchanges_started_at ON exchanges(started_at);

-- Where each named reader of a capture has got to. session_id 0 = all sessions.
CREATE TABLE cursors (
  consumer   TEXT    NOT NULL,
  session_id INTEGER NOT NULL DEFAULT 0,
  position   INTEGER NOT NULL DEFAULT 0,  -- last exchanges.id delivered
  updated_at INTEGER,
  PRIMARY KEY (consumer, session_id)
) WITHOUT ROWID;

-- For people at the sqlite3 shell: readable times, text bodies as text.
CREATE VIEW exchanges_view AS
SELECT e.id,
       e.session_id,
       strftime('%Y-%m-%dT%H:%M:%fZ', e.started_at / 1000000.0, 'unixepoch') AS started,
       round(e.duration_ms, 3) AS duration_ms,
       e.method,
       e.url,
       e.status,
       e.status_text,
       e.req_content_type,
       e.resp_content_type,
       e.req_body_size,
       e.resp_body_size,
       e.client_addr,
       e.server_addr,
       e.error,
       CASE WHEN rq.is_text THEN CAST(rq.data AS TEXT) END AS req_body,
       CASE WHEN rs.is_text THEN CAST(rs.data AS TEXT) END AS resp_body
FROM exchanges e
LEFT JOIN bodies rq ON rq.id = e.req_body_id
LEFT JOIN bodies rs ON rs.id = e.resp_body_id;

CREATE VIEW sessions_view AS
SELECT id, name, source, source_uri, status,
       strftime('%Y-%m-%dT%H:%M:%fZ', started_at / 1000000.0, 'unixepoch') AS started,
       strftime('%Y-%m-%dT%H:%M:%fZ', stopped_at / 1000000.0, 'unixepoch') AS stopped,
       exchange_count, error_count,
       strftime('%Y-%m-%dT%H:%M:%fZ', first_exchange_at / 1000000.0, 'unixepoch') AS first_exchange,
       strftime('%Y-%m-%dT%H:%M:%fZ', last_exchange_at / 1000000.0, 'unixepoch') AS last_exchange,
       error
FROM sessions;
