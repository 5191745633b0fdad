-- Endpoints stored once, and statistics that read an index instead of the
-- whole table. See docs/schema.md.

-- The path with its varying parts folded (path_template(), model/path_template.h):
-- /users/42/orders/9f8e...-... -> /users/{id}/orders/{uuid}. An endpoint is
-- method || ' ' || path_template. Written with the row; filled here for
-- rows written before this version (the only migration that rewrites every
-- exchange: about 15 s per million rows, once).
ALTER TABLE exchanges ADD COLUMN path_template TEXT;
UPDATE exchanges SET path_template = path_template(path);

-- The session index now also carries what statistics and endpoint filters
-- read, so they scan it (about 100 bytes a row) instead of the table (about
-- 1 KB a row with its headers). Rows are appended at its end as before
-- (session_id, id lead), so writing costs little more.
DROP INDEX exchanges_session_id;
CREATE INDEX exchanges_session_id ON exchanges(session_id, id, host, method, status, duration_ms, resp_body_size,
                                               resp_content_type, error, path_template);
