-- Version 9: indexes for filters no index served, measured at a million
-- exchanges on the web page's calls: a path prefix (a scan: 1.8 s), errors
-- only (a walk: 152 ms), a host with a status range and a method (the
-- host_status index then a row read per match: 1.9 s at p99), and
-- statistics of one host (a row read per exchange: 855 ms at p99). See
-- docs/schema.md.

-- Path prefixes become a range on it (query/exchange_filter.cpp).
CREATE INDEX exchanges_path ON exchanges(path);

-- The failed exchanges, in id order: about one in a hundred.
CREATE INDEX exchanges_failed ON exchanges(id) WHERE error IS NOT NULL;

-- Everything a host's filters and statistics read, from the index alone.
-- exchanges_host and exchanges_host_status stay: an equality on all their
-- columns gives rows in id order, so a page needs no sort.
CREATE INDEX exchanges_host_stats ON exchanges(host, status, method, duration_ms, resp_body_size, error);
