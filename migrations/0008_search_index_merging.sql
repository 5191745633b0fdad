-- Version 8: what pruning leaves in the full-text indexes. FTS5 keeps the
-- entries of removed rows, and the markers that remove them, until the
-- segments holding them are merged; pruning counts what it removed from
-- each index and merges the index once that is a large share of what the
-- index holds (store/search_index_merge.h), so a size limit is not spent
-- on dead index pages. See docs/schema.md.

-- Tokens (trigrams) removed from the index since it was last merged whole.
ALTER TABLE search_state ADD COLUMN removed_tokens INTEGER NOT NULL DEFAULT 0;
-- Set while a pruner merges the index (refreshed at each of its steps):
-- indexers leave the index alone meanwhile, since a segment added during a
-- merge makes it start over. A value older than a few minutes is a merge
-- that died and is ignored.
ALTER TABLE search_state ADD COLUMN merging_since INTEGER;
