// Opening the trafficdb SQLite file.
//
// A read-write open creates the file if needed, sets the pragmas (WAL,
// synchronous=NORMAL, busy timeout, page size, checkpoint interval, foreign
// keys; auto_vacuum = INCREMENTAL for a new file) and migrates it to the
// latest schema, saying so on stderr when it upgrades an existing store (and
// waiting, up to minutes, while another process upgrades it). A read-only
// open never creates or changes the file except to upgrade an older schema
// once; it answers queries while a recorder writes (WAL lets readers and one
// writer coexist, and the sqlite3 shell is just another such connection).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <SQLiteCpp/Database.h>

#include "common/status.h"

namespace trafficdb {

enum class OpenMode { read_write, read_only };

inline constexpr int kBusyTimeoutMs = 10000;
// 32 KiB pages: bodies of a few KB share pages instead of leaving a third of
// each 8 KiB page empty (a capture of 1-8 KB JSON bodies: 173 MB of bodies in
// 225 MB of pages at 8 KiB), so imports write less; point reads are no slower.
inline constexpr int kPageSize = 32768;
inline constexpr int kWalAutocheckpointPages = (16 << 20) / kPageSize;  // 16 MiB of WAL between checkpoints
// A write-ahead log that grew past this (a long pruning run, a large
// import's batch) is cut back to it when it starts over, instead of keeping
// its largest size for as long as the file is open.
inline constexpr std::int64_t kWalSizeLimitBytes = 32 << 20;

// Errors name the path and say what is wrong (missing file for read-only,
// permission, not a trafficdb database, newer schema).
Result<std::unique_ptr<SQLite::Database>> open_database(const std::string& path, OpenMode mode);

}  // namespace trafficdb
