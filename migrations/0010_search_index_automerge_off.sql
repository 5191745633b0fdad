-- Version 10: the full-text indexes no longer merge their segments inside
-- the transaction that adds rows. FTS5's automerge did up to 64 pages per
-- level of merging in one indexing step (100-600 ms of CPU measured beside
-- a recorder at 100 exchanges/s), and the recorder's next batch waited for
-- it. Indexers now run the same merging in short steps of their own while
-- otherwise idle (store/search_index_merge.h, SegmentMerger); FTS5 still
-- merges a level whole once it reaches crisismerge (16) segments.
INSERT INTO urls_fts(urls_fts, rank) VALUES ('automerge', 0);
INSERT INTO bodies_fts(bodies_fts, rank) VALUES ('automerge', 0);
