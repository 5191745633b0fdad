-- Version 2: CONNECT tunnels, source-specific details, WebSocket messages.

-- 1 for a CONNECT tunnel: the bytes it carried are not HTTP (TLS, usually),
-- so its bodies are not stored; the sizes are.
ALTER TABLE exchanges ADD COLUMN tunnel INTEGER NOT NULL DEFAULT 0;

-- JSON object of what a source knows beyond the common columns, e.g. for
-- Charles {"charles_status":..., "ssl":{...}, "alpn":..., "notes":...,
-- "durations":{...}}. NULL when there is nothing more.
ALTER TABLE exchanges ADD COLUMN details TEXT;

-- Messages sent over a WebSocket after its upgrade exchange.
CREATE TABLE websocket_messages (
  id          INTEGER PRIMARY KEY,
  exchange_id INTEGER NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,  -- 0, 1, 2, ... in the order they were sent on the connection
  sender      TEXT    NOT NULL CHECK (sender IN ('client', 'server')),
  opcode      INTEGER NOT NULL,  -- 1 text, 2 binary, 8 close, 9 ping, 10 pong
  at          INTEGER,           -- µs since epoch; NULL when the source does not say
  size        INTEGER NOT NULL,  -- payload bytes (after joining fragments and decompressing)
  is_text     INTEGER NOT NULL,  -- 1 when payload is valid UTF-8 text
  payload     BLOB    NOT NULL   -- may be cut at the body limit (then length(payload) < size)
);
CREATE INDEX websocket_messages_exchange ON websocket_messages(exchange_id, seq);
