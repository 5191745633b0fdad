-- Version 11: FTS5 merges a level of a full-text index whole, inside the
-- transaction that adds a segment, only once the level holds 64 segments
-- (was 16). At 16, under heavy indexing, such a merge cascaded through
-- nearly the whole index and held a recorder's batch 1.3 s; indexers now
-- keep levels short with their own merge steps, going first while a level
-- holds 8 or more (store/search_index_merge.h, SegmentMerger).
INSERT INTO urls_fts(urls_fts, rank) VALUES ('crisismerge', 64);
INSERT INTO bodies_fts(bodies_fts, rank) VALUES ('crisismerge', 64);
