-- Capture integrity per session: what the source saw and could not store,
-- so that "this request never happened" can be told from "the capture did
-- not see it". See docs/schema.md.

-- JSON object from the source: packets, kernel drops, TCP gap bytes,
-- connections skipped (by reason), TLS connections not decrypted (by server
-- name), reconnections, ... Zeros are kept. NULL for sessions recorded
-- before this version.
ALTER TABLE sessions ADD COLUMN integrity TEXT;
-- Kept by the writer, like exchange_count.
ALTER TABLE sessions ADD COLUMN no_response_count INTEGER NOT NULL DEFAULT 0;  -- exchanges stored without a response
ALTER TABLE sessions ADD COLUMN bodies_cut_count  INTEGER NOT NULL DEFAULT 0;  -- exchanges with a body cut at the size cap

UPDATE sessions SET no_response_count =
  (SELECT count(*) FROM exchanges e WHERE e.session_id = sessions.id AND e.status IS NULL);
UPDATE sessions SET bodies_cut_count =
  (SELECT count(*) FROM exchanges e
    WHERE e.session_id = sessions.id
      AND ((e.req_body_id IS NOT NULL AND e.req_body_size > (SELECT b.size FROM bodies b WHERE b.id = e.req_body_id))
        OR (e.resp_body_id IS NOT NULL AND e.resp_body_size > (SELECT b.size FROM bodies b WHERE b.id = e.resp_body_id))));
