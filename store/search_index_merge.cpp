#include "store/search_index_merge.h"

#include <sqlite3.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>

#include "common/timestamp.h"

namespace trafficdb {
namespace {

// SQLite's varint, as FTS5 writes its records: big-endian groups of 7 bits
// with the high bit saying more follow; a ninth byte gives 8 bits.
std::size_t read_varint(const unsigned char* p, std::size_t n, std::uint64_t& value) {
  value = 0;
  for (std::size_t i = 0; i < n && i < 9; ++i) {
    if (i == 8) {
      value = (value << 8) | p[i];
      return 9;
    }
    value = (value << 7) | (p[i] & 0x7f);
    if (!(p[i] & 0x80)) return i + 1;
  }
  return 0;  // cut short
}

// FTS5's totals ("averages") record, rowid 1 of <index>_data: the row
// count, then each column's token total.
std::int64_t held_tokens(SQLite::Database& db, const std::string& index) {
  SQLite::Statement st(db, "SELECT block FROM " + index + "_data WHERE id = 1");
  if (!st.executeStep()) return 0;
  const auto* p = static_cast<const unsigned char*>(st.getColumn(0).getBlob());
  const auto n = static_cast<std::size_t>(st.getColumn(0).getBytes());
  std::uint64_t value = 0;
  std::size_t at = read_varint(p, n, value);  // rows
  std::int64_t total = 0;
  while (at > 0 && at < n) {
    const std::size_t used = read_varint(p + at, n - at, value);
    if (used == 0) break;
    total += static_cast<std::int64_t>(value);
    at += used;
  }
  return total;
}

// The most segments one level of the index holds, from FTS5's structure
// record (rowid 10 of <index>_data): a 4-byte cookie, optionally the
// 0xff000001 marker of the second format (SQLite 3.44+, five more varints
// per segment), then the level count, segment count and write counter, and
// per level its merge count and segment count, each segment as three
// varints. -1 when it does not read as that.
int most_segments_on_a_level(SQLite::Database& db, const std::string& index) {
  SQLite::Statement st(db, "SELECT block FROM " + index + "_data WHERE id = 10");
  if (!st.executeStep()) return 0;
  const auto* p = static_cast<const unsigned char*>(st.getColumn(0).getBlob());
  const auto n = static_cast<std::size_t>(st.getColumn(0).getBytes());
  std::size_t at = 4;
  if (n < at) return -1;
  int per_segment = 3;
  if (n >= 8 && p[4] == 0xff && p[5] == 0 && p[6] == 0 && p[7] == 1) {
    at = 8;
    per_segment = 8;
  }
  bool ok = true;
  auto next = [&]() -> std::uint64_t {
    std::uint64_t value = 0;
    const std::size_t used = ok && at < n ? read_varint(p + at, n - at, value) : 0;
    if (used == 0) ok = false;
    at += used;
    return value;
  };
  const std::uint64_t levels = next();
  next();  // segments
  next();  // write counter
  std::uint64_t most = 0;
  for (std::uint64_t level = 0; ok && level < levels; ++level) {
    next();  // segments being merged
    const std::uint64_t segments = next();
    most = std::max(most, segments);
    for (std::uint64_t i = 0; ok && i < segments * per_segment; ++i) next();
  }
  return ok ? static_cast<int>(std::min<std::uint64_t>(most, 1 << 20)) : -1;
}

}  // namespace

Result<IndexTokens> index_tokens(SQLite::Database& db, const std::string& index) {
  try {
    IndexTokens tokens;
    tokens.held = held_tokens(db, index);
    SQLite::Statement st(db, "SELECT removed_tokens FROM search_state WHERE name = ?");
    st.bind(1, index);
    if (st.executeStep()) tokens.removed = st.getColumn(0).getInt64();
    return tokens;
  } catch (const SQLite::Exception& e) {
    return Status::io_error("cannot read " + index + "'s size: " + e.what());
  }
}

bool merge_due(const IndexTokens& tokens) {
  return tokens.removed > 0 && static_cast<double>(tokens.removed) >= kMergeShare * static_cast<double>(tokens.held);
}

void record_removed_tokens(SQLite::Database& db, const std::string& index, std::int64_t tokens) {
  SQLite::Statement st(db, "UPDATE search_state SET removed_tokens = removed_tokens + ? WHERE name = ?");
  st.bind(1, static_cast<std::int64_t>(tokens));
  st.bind(2, index);
  st.exec();
}

bool merge_step(SQLite::Database& db, const std::string& index, std::int64_t pages) {
  SQLite::Statement mark(db, "UPDATE search_state SET merging_since = ? WHERE name = ?");
  mark.bind(1, static_cast<std::int64_t>(now_micros()));
  mark.bind(2, index);
  mark.exec();
  // FTS5: the command changed fewer than two rows when it found nothing to merge.
  const sqlite3_int64 before = sqlite3_total_changes64(db.getHandle());
  db.exec("INSERT INTO " + index + "(" + index + ", rank) VALUES ('merge', " + std::to_string(-pages) + ")");
  if (sqlite3_total_changes64(db.getHandle()) - before >= 2) return false;
  SQLite::Statement done(db, "UPDATE search_state SET removed_tokens = 0, merging_since = NULL WHERE name = ?");
  done.bind(1, index);
  done.exec();
  return true;
}

bool index_may_grow(SQLite::Database& db, const std::string& index) {
  SQLite::Statement st(db, "SELECT merging_since FROM search_state WHERE name = ?");
  st.bind(1, index);
  if (!st.executeStep() || st.getColumn(0).isNull()) return true;
  const Micros lease = std::chrono::duration_cast<std::chrono::microseconds>(kMergeLease).count();
  return st.getColumn(0).getInt64() < now_micros() - lease;
}

bool SegmentMerger::step() {
  using clock = std::chrono::steady_clock;
  db_.exec("BEGIN IMMEDIATE");
  const auto started = clock::now();
  bool worked = false;
  try {
    for (const char* index : kSearchIndexNames) {
      if (!index_may_grow(db_, index)) continue;
      // FTS5: the command changed fewer than two rows when no level had enough segments.
      const sqlite3_int64 before = sqlite3_total_changes64(db_.getHandle());
      db_.exec(std::string("INSERT INTO ") + index + "(" + index + ", rank) VALUES ('merge', " +
               std::to_string(pages_) + ")");
      if (sqlite3_total_changes64(db_.getHandle()) - before >= 2) {
        worked = true;
        break;
      }
    }
    db_.exec("COMMIT");
    last_hold_ = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started);
  } catch (const SQLite::Exception&) {
    try {
      db_.exec("ROLLBACK");
    } catch (const SQLite::Exception&) {
    }
    throw;
  }
  if (worked) {
    const auto took = last_hold_;
    if (took > 2 * kStepTarget) pages_ = std::max<std::int64_t>(16, pages_ / 2);
    else if (took < kStepTarget / 2) pages_ = std::min<std::int64_t>(512, pages_ * 2);
  }
  return worked;
}

bool SegmentMerger::pressed() {
  try {
    for (const char* index : kSearchIndexNames)
      if (most_segments_on_a_level(db_, index) >= kPressedSegments) return true;
  } catch (const SQLite::Exception&) {
  }
  return false;
}

std::int64_t SegmentMerger::run_to_end() {
  std::int64_t steps = 0;
  while (step()) ++steps;
  return steps;
}

}  // namespace trafficdb
