-- Version 3: text search without full scans, and lookups from a body to its exchanges.

-- A host and a status together (a host that never had that status would
-- otherwise walk every row with the status).
CREATE INDEX exchanges_host_status ON exchanges(host, status);

-- Which exchanges carry a body (body search, and cleaning up unused bodies).
CREATE INDEX exchanges_req_body  ON exchanges(req_body_id)  WHERE req_body_id IS NOT NULL;
CREATE INDEX exchanges_resp_body ON exchanges(resp_body_id) WHERE resp_body_id IS NOT NULL;

-- Trigram full-text indexes (substring search, case-insensitive). Contentless:
-- they hold only the index; rowid is bodies.id / exchanges.id. They are kept in
-- step by the writer off its hot path, so they may lag the newest rows;
-- search_state says how far each has got, and searches scan the rest.
CREATE VIRTUAL TABLE bodies_fts USING fts5(text, content = '', tokenize = 'trigram');
CREATE VIRTUAL TABLE urls_fts   USING fts5(url,  content = '', tokenize = 'trigram');

-- Bodies longer than the indexed prefix (1 MiB), which searches also scan.
CREATE INDEX bodies_large ON bodies(size) WHERE size > 1048576;

CREATE TABLE search_state (
  name     TEXT PRIMARY KEY,           -- 'bodies_fts' or 'urls_fts'
  position INTEGER NOT NULL DEFAULT 0  -- highest bodies.id / exchanges.id indexed
) WITHOUT ROWID;
INSERT INTO search_state(name, position) VALUES ('bodies_fts', 0), ('urls_fts', 0);
