#include "store/pruning.h"

#include <sqlite3.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <ctime>
#include <thread>

#include "store/search_index.h"
#include "store/search_index_merge.h"
#include "store/write_lock.h"

namespace trafficdb {
namespace {

using clock = std::chrono::steady_clock;

constexpr std::int64_t kMinBatch = 10, kMaxBatch = 20000, kFirstBatch = 50;
constexpr std::int64_t kMinVacuumPages = 8, kMaxVacuumPages = 8192, kFirstVacuumPages = 32;
constexpr std::int64_t kMinMergePages = 4, kMaxMergePages = 8192, kFirstMergePages = kMinMergePages;
// first_exchange_at of a session that lost exchanges is recomputed from its
// oldest remaining ones (by id), at most this many, so the update is bounded.
constexpr std::int64_t kSpanRows = 1000;

std::chrono::microseconds micros_since(clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - start);
}

// The next batch: the size that would have taken `target`, moving by at
// most a factor of two per step.
std::int64_t adapt(std::int64_t batch, std::chrono::microseconds held, std::chrono::milliseconds target,
                   std::int64_t lo, std::int64_t hi) {
  const double ratio = static_cast<double>(std::chrono::microseconds(target).count()) /
                       static_cast<double>(std::max<std::int64_t>(held.count(), 1));
  const auto next = static_cast<std::int64_t>(static_cast<double>(batch) * std::clamp(ratio, 0.5, 2.0));
  return std::clamp(next, lo, hi);
}

// One step's transaction: BEGIN IMMEDIATE (retried while others hold the
// lock, up to busy_give_up), `body`, COMMIT; rolled back on any failure.
// Returns how long the write lock was held.
std::chrono::microseconds thread_cpu_time() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::nanoseconds(ts.tv_nsec));
}

struct LockHold {
  std::chrono::microseconds held{0};  // wall time from the lock taken to the commit done
  std::chrono::microseconds cpu{0};   // of it, this thread's CPU time (the rest: waiting for disk or a core)
};

template <typename Body>
Result<LockHold> locked_step(SQLite::Database& db, const PruneOptions& options, Body&& body) {
  try {
    begin_immediate(db, clock::now() + options.busy_give_up);
  } catch (const SQLite::Exception& e) {
    return Status::with_code(is_busy(e) ? Status::Code::busy : Status::Code::io_error,
                             std::string("pruning cannot start a step: ") + e.what());
  }
  const auto locked = clock::now();
  const auto cpu_before = thread_cpu_time();
  LockHold hold;
  try {
    body();
    db.exec("COMMIT");
    hold.held = micros_since(locked);
    hold.cpu = thread_cpu_time() - cpu_before;
    // Copies what the step wrote into the database file; the write lock is
    // already released, so writers go on meanwhile (PASSIVE never waits).
    sqlite3_wal_checkpoint_v2(db.getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } catch (const SQLite::Exception& e) {
    try {
      db.exec("ROLLBACK");
    } catch (const SQLite::Exception&) {
    }
    return Status::io_error(std::string("pruning step failed: ") + e.what());
  }
  return hold;
}

class Stepper {
 public:
  Stepper(SQLite::Database& db, const PruneOptions& options) : db_(db), options_(options) {
    db_.exec("CREATE TEMP TABLE IF NOT EXISTS prune_exchanges(id INTEGER PRIMARY KEY)");
    db_.exec("CREATE TEMP TABLE IF NOT EXISTS prune_bodies(id INTEGER PRIMARY KEY)");
  }

  bool stopping() const { return options_.stop && options_.stop->load(); }
  std::int64_t keep_free_bytes() const { return options_.keep_free_bytes; }

  // Counts one step (which held the lock for `held`) into `report` and tells the options' observers.
  void count_step(const char* kind, const LockHold& held, PruneReport& step, PruneReport& report) {
    step.steps = 1;
    step.longest_step = held.held;
    step.longest_step_cpu = held.cpu;
    step.longest_step_kind = kind;
    report.add(step);
    if (options_.on_step) options_.on_step(kind, step);
    if (options_.progress) options_.progress(report);
  }

  void rest(std::chrono::microseconds held) {
    std::this_thread::sleep_for(std::max<std::chrono::microseconds>(held, options_.min_rest));
  }

  // Removes up to batch_ selected exchanges; `more` says whether the selection may hold more.
  Status prune_step(const PruneSelection& selection, PruneReport& report, bool& more) {
    std::int64_t selected = 0;
    PruneReport step;
    auto held = locked_step(db_, options_, [&] { selected = remove_batch(selection, step); });
    if (!held.is_ok()) return held.status();
    count_step("prune", *held, step, report);
    more = selected >= batch_;
    batch_ = adapt(batch_, held->held, options_.step_target, kMinBatch, kMaxBatch);
    rest(held->held);
    return Status::ok();
  }

  // Gives up to vacuum_pages_ free pages back; `more` when free pages are left.
  Status vacuum_step(PruneReport& report, bool& more) {
    std::int64_t freed = 0, left = 0, page_size = 0, keep_pages = 0;
    auto held = locked_step(db_, options_, [&] {
      page_size = db_.execAndGet("PRAGMA page_size").getInt64();
      keep_pages = options_.keep_free_bytes / page_size;
      const std::int64_t before = db_.execAndGet("PRAGMA freelist_count").getInt64();
      const std::int64_t pages = std::min(vacuum_pages_, before - keep_pages);
      if (pages > 0) db_.exec("PRAGMA incremental_vacuum(" + std::to_string(pages) + ")");
      left = db_.execAndGet("PRAGMA freelist_count").getInt64();
      freed = before - left;
      SQLite::Statement st(db_, "UPDATE retention SET bytes_given_back = bytes_given_back + ? WHERE id = 1");
      st.bind(1, static_cast<std::int64_t>(freed * page_size));
      st.exec();
    });
    if (!held.is_ok()) return held.status();
    PruneReport step;
    step.bytes_given_back = freed * page_size;
    count_step("vacuum", *held, step, report);
    more = left > keep_pages && freed > 0;
    vacuum_pages_ = adapt(vacuum_pages_, held->held, options_.step_target, kMinVacuumPages, kMaxVacuumPages);
    rest(held->held);
    return Status::ok();
  }

  // Merges each search index whose removed entries are due (search_index_merge.h), to the end.
  Status merge_due_indexes(PruneReport& report) {
    for (const char* index : kSearchIndexNames) {
      auto tokens = index_tokens(db_, index);
      if (!tokens.is_ok()) return tokens.status();
      if (!merge_due(*tokens)) continue;
      // Pages cost differently in each index and merge: each starts small.
      merge_pages_ = kFirstMergePages;
      for (bool done = false; !done;) {
        if (stopping()) return Status::ok();
        auto held = locked_step(db_, options_, [&] { done = merge_step(db_, index, merge_pages_); });
        if (!held.is_ok()) return held.status();
        PruneReport step;
        step.index_merges = done ? 1 : 0;
        count_step("merge", *held, step, report);
        merge_pages_ = adapt(merge_pages_, held->held, options_.step_target, kMinMergePages, kMaxMergePages);
        rest(held->held);
      }
    }
    return Status::ok();
  }

  // Merges the segments the prune steps' index deletions added (FTS5 does
  // not, search_index_merge.h), a short transaction per step: to the end,
  // or (`while_pressed`) while a level holds many segments.
  Status merge_segments(PruneReport& report, bool while_pressed = false) {
    for (bool more = true; more;) {
      if (stopping() || (while_pressed && !merger_.pressed())) return Status::ok();
      const auto cpu_before = thread_cpu_time();
      try {
        more = merger_.step();
      } catch (const SQLite::Exception& e) {
        return Status::with_code(is_busy(e) ? Status::Code::busy : Status::Code::io_error,
                                 std::string("pruning cannot merge the search index: ") + e.what());
      }
      PruneReport step;
      count_step("segments", LockHold{merger_.last_hold(), thread_cpu_time() - cpu_before}, step, report);
      rest(step.longest_step);
    }
    return Status::ok();
  }

  // first_exchange_at / last_exchange_at of sessions that lost exchanges,
  // from those left; in a short transaction of its own.
  Status update_spans(const std::set<std::int64_t>& sessions, PruneReport& report) {
    if (sessions.empty()) return Status::ok();
    auto held = locked_step(db_, options_, [&] {
      SQLite::Statement st(db_,
                           "UPDATE sessions SET "
                           "first_exchange_at = (SELECT min(started_at) FROM (SELECT started_at FROM exchanges "
                           "  WHERE session_id = ?1 ORDER BY id LIMIT ?2)), "
                           "last_exchange_at = CASE WHEN exchange_count = 0 THEN NULL ELSE last_exchange_at END "
                           "WHERE id = ?1");
      for (std::int64_t id : sessions) {
        st.bind(1, static_cast<std::int64_t>(id));
        st.bind(2, kSpanRows);
        st.exec();
        st.reset();
      }
    });
    if (!held.is_ok()) return held.status();
    PruneReport step;
    count_step("spans", *held, step, report);
    return Status::ok();
  }

 private:
  std::int64_t remove_batch(const PruneSelection& selection, PruneReport& step) {
    db_.exec("DELETE FROM temp.prune_exchanges");
    db_.exec("DELETE FROM temp.prune_bodies");
    std::int64_t selected = 0;
    {
      // The age index for an age limit alone, the session's otherwise; ids (the order rows came in) for size.
      std::string sql = "INSERT INTO temp.prune_exchanges SELECT id FROM exchanges";
      if (selection.session_id) sql += " WHERE session_id = ?1" + std::string(selection.started_before ? " AND started_at < ?3" : "");
      else if (selection.started_before) sql += " WHERE started_at < ?3";
      sql += selection.started_before && !selection.session_id ? " ORDER BY started_at LIMIT ?2" : " ORDER BY id LIMIT ?2";
      SQLite::Statement st(db_, sql);
      if (selection.session_id) st.bind(1, static_cast<std::int64_t>(*selection.session_id));
      st.bind(2, batch_);
      if (selection.started_before) st.bind(3, static_cast<std::int64_t>(*selection.started_before));
      selected = st.exec();
    }
    if (selected == 0) return 0;

    {
      SQLite::Statement sessions(db_, "SELECT DISTINCT session_id FROM exchanges WHERE id IN temp.prune_exchanges");
      while (sessions.executeStep()) step.sessions.insert(sessions.getColumn(0).getInt64());
    }
    db_.exec(
        "UPDATE sessions SET exchange_count = max(0, exchange_count - p.n), "
        "  error_count = max(0, error_count - p.errors), "
        "  no_response_count = max(0, no_response_count - p.no_response), "
        "  bodies_cut_count = max(0, bodies_cut_count - p.cut), "
        "  pruned_count = pruned_count + p.n "
        "FROM (SELECT e.session_id, count(*) AS n, sum(e.error IS NOT NULL) AS errors, "
        "             sum(e.status IS NULL) AS no_response, "
        "             sum((e.req_body_id IS NOT NULL AND e.req_body_size > "
        "                    (SELECT b.size FROM bodies b WHERE b.id = e.req_body_id)) "
        "              OR (e.resp_body_id IS NOT NULL AND e.resp_body_size > "
        "                    (SELECT b.size FROM bodies b WHERE b.id = e.resp_body_id))) AS cut "
        "      FROM exchanges e WHERE e.id IN temp.prune_exchanges GROUP BY e.session_id) AS p "
        "WHERE sessions.id = p.session_id");
    // The search index rows of what goes, with the very text they were indexed from.
    const std::string indexed_urls =
        " FROM exchanges WHERE id IN temp.prune_exchanges "
        "AND id <= (SELECT position FROM search_state WHERE name = 'urls_fts')";
    record_removed_tokens(db_, "urls_fts", db_.execAndGet("SELECT coalesce(sum(length(url)), 0)" + indexed_urls).getInt64());
    db_.exec("INSERT INTO urls_fts(urls_fts, rowid, url) SELECT 'delete', id, url" + indexed_urls);
    db_.exec(
        "INSERT OR IGNORE INTO temp.prune_bodies "
        "SELECT req_body_id FROM exchanges WHERE id IN temp.prune_exchanges AND req_body_id IS NOT NULL "
        "UNION SELECT resp_body_id FROM exchanges WHERE id IN temp.prune_exchanges AND resp_body_id IS NOT NULL");
    step.websocket_messages =
        db_.exec("DELETE FROM websocket_messages WHERE exchange_id IN temp.prune_exchanges");
    step.exchanges = db_.exec("DELETE FROM exchanges WHERE id IN temp.prune_exchanges");
    // Bodies still used by an exchange left stay.
    db_.exec(
        "DELETE FROM temp.prune_bodies WHERE EXISTS (SELECT 1 FROM exchanges WHERE req_body_id = prune_bodies.id) "
        "OR EXISTS (SELECT 1 FROM exchanges WHERE resp_body_id = prune_bodies.id)");
    const std::string indexed_bodies =
        " FROM bodies WHERE id IN temp.prune_bodies AND is_text "
        "AND id <= (SELECT position FROM search_state WHERE name = 'bodies_fts')";
    record_removed_tokens(
        db_, "bodies_fts",
        db_.execAndGet("SELECT coalesce(sum(length(" + indexed_body_text_sql() + ")), 0)" + indexed_bodies).getInt64());
    db_.exec("INSERT INTO bodies_fts(bodies_fts, rowid, text) SELECT 'delete', id, " + indexed_body_text_sql() +
             indexed_bodies);
    {
      SQLite::Statement bytes(db_, "SELECT coalesce(sum(size), 0) FROM bodies WHERE id IN temp.prune_bodies");
      bytes.executeStep();
      step.body_bytes = bytes.getColumn(0).getInt64();
    }
    step.bodies = db_.exec("DELETE FROM bodies WHERE id IN temp.prune_bodies");
    // A body id above the highest left may be given again: it must be indexed then.
    db_.exec(
        "UPDATE search_state SET position = min(position, (SELECT coalesce(max(id), 0) FROM bodies)) "
        "WHERE name = 'bodies_fts'");
    SQLite::Statement totals(db_,
                             "UPDATE retention SET pruned_exchanges = pruned_exchanges + ?1, "
                             "pruned_bodies = pruned_bodies + ?2, "
                             "pruned_websocket_messages = pruned_websocket_messages + ?3, "
                             "pruned_body_bytes = pruned_body_bytes + ?4, last_pruned_at = ?5 WHERE id = 1");
    totals.bind(1, static_cast<std::int64_t>(step.exchanges));
    totals.bind(2, static_cast<std::int64_t>(step.bodies));
    totals.bind(3, static_cast<std::int64_t>(step.websocket_messages));
    totals.bind(4, static_cast<std::int64_t>(step.body_bytes));
    totals.bind(5, static_cast<std::int64_t>(now_micros()));
    totals.exec();
    return selected;
  }

  SQLite::Database& db_;
  const PruneOptions& options_;
  std::int64_t batch_ = kFirstBatch;
  std::int64_t vacuum_pages_ = kFirstVacuumPages;
  std::int64_t merge_pages_ = kFirstMergePages;
  SegmentMerger merger_{db_};
};

bool under_size(SQLite::Database& db, const PruneSelection& selection) {
  if (!selection.by_size()) return false;
  auto size = database_size(db);
  return size.is_ok() && static_cast<std::uint64_t>(size->used_bytes) <= selection.until_used_bytes;
}

// Prunes the selection, merging the search indexes whenever their removed
// entries are due, so a size limit is measured without them.
Status run_selection(Stepper& stepper, SQLite::Database& db, const PruneSelection& selection, PruneReport& report) {
  for (bool more = true; more;) {
    if (Status s = stepper.merge_due_indexes(report); !s.is_ok()) return s;
    // Each step's deletions add a segment to each index: a long run keeps
    // the levels short as it goes, as indexers do.
    if (Status s = stepper.merge_segments(report, true); !s.is_ok()) return s;
    if (stepper.stopping()) {
      report.stopped = true;
      return Status::ok();
    }
    if (under_size(db, selection)) break;
    if (Status s = stepper.prune_step(selection, report, more); !s.is_ok()) return s;
  }
  if (Status s = stepper.merge_due_indexes(report); !s.is_ok()) return s;
  return report.exchanges > 0 ? stepper.merge_segments(report) : Status::ok();
}

Status run_vacuum(Stepper& stepper, SQLite::Database& db, PruneReport& report) {
  auto size = database_size(db);
  if (!size.is_ok()) return size.status();
  if (!size->incremental_vacuum) {
    report.vacuum_unavailable = size->free_bytes > 0;
    return Status::ok();
  }
  for (bool more = size->free_bytes >= stepper.keep_free_bytes() + size->page_size; more;) {
    if (stepper.stopping()) {
      report.stopped = true;
      return Status::ok();
    }
    if (Status s = stepper.vacuum_step(report, more); !s.is_ok()) return s;
  }
  return Status::ok();
}

// Turns SQLite's automatic checkpoint off on a connection for its lifetime.
class AutocheckpointOff {
 public:
  explicit AutocheckpointOff(SQLite::Database& db)
      : db_(db), pages_(db.execAndGet("PRAGMA wal_autocheckpoint").getInt()) {
    db_.exec("PRAGMA wal_autocheckpoint = 0");
  }
  ~AutocheckpointOff() { sqlite3_wal_autocheckpoint(db_.getHandle(), pages_); }
  AutocheckpointOff(const AutocheckpointOff&) = delete;
  AutocheckpointOff& operator=(const AutocheckpointOff&) = delete;

 private:
  SQLite::Database& db_;
  const int pages_;
};

// Runs `work` on a Stepper, then records the run's longest step and the
// sizes before and after. SQLite exceptions outside a step become io_error.
template <typename Work>
Result<PruneReport> run(SQLite::Database& db, const PruneOptions& options, Work&& work) {
  const auto started = clock::now();
  PruneReport report;
  try {
    auto before = database_size(db);
    if (!before.is_ok()) return before.status();
    report.before = *before;
    Stepper stepper(db, options);
    // Checkpoints run after each step, outside its lock (locked_step), not
    // inside a COMMIT that crosses SQLite's threshold.
    const AutocheckpointOff autocheckpoint_off(db);
    Status s = work(stepper, report);
    // Spans are fixed even when a step failed: what was removed stays removed.
    Status spans = stepper.update_spans(report.sessions, report);
    if (!s.is_ok()) return s;
    if (!spans.is_ok()) return spans;
    if (report.exchanges > 0 || report.bytes_given_back > 0) {
      SQLite::Statement st(db, "UPDATE retention SET last_prune_longest_step_ms = ? WHERE id = 1");
      st.bind(1, static_cast<double>(report.longest_step.count()) / 1000.0);
      st.exec();
    }
    auto after = database_size(db);
    if (!after.is_ok()) return after.status();
    report.after = *after;
  } catch (const SQLite::Exception& e) {
    return Status::io_error(std::string("pruning failed: ") + e.what());
  }
  report.elapsed = micros_since(started);
  return report;
}

}  // namespace

void PruneReport::add(const PruneReport& other) {
  exchanges += other.exchanges;
  bodies += other.bodies;
  websocket_messages += other.websocket_messages;
  body_bytes += other.body_bytes;
  bytes_given_back += other.bytes_given_back;
  steps += other.steps;
  index_merges += other.index_merges;
  if (other.longest_step > longest_step) {
    longest_step = other.longest_step;
    longest_step_kind = other.longest_step_kind;
  }
  longest_step_cpu = std::max(longest_step_cpu, other.longest_step_cpu);
  sessions.insert(other.sessions.begin(), other.sessions.end());
}

Result<PruneReport> prune(SQLite::Database& db, const PruneSelection& selection, const PruneOptions& options) {
  return run(db, options, [&](Stepper& stepper, PruneReport& report) {
    if (Status s = run_selection(stepper, db, selection, report); !s.is_ok()) return s;
    return options.vacuum && !report.stopped ? run_vacuum(stepper, db, report) : Status::ok();
  });
}

Result<PruneReport> apply_retention(SQLite::Database& db, const RetentionPolicy& policy, const PruneOptions& options) {
  return run(db, options, [&](Stepper& stepper, PruneReport& report) {
    if (policy.max_age_us) {
      const auto cutoff = PruneSelection::older_than(now_micros() - *policy.max_age_us);
      if (Status s = run_selection(stepper, db, cutoff, report); !s.is_ok()) return s;
    }
    if (policy.max_size_bytes && !report.stopped) {
      if (Status s = run_selection(stepper, db, PruneSelection::until_size(*policy.max_size_bytes), report);
          !s.is_ok())
        return s;
    }
    return options.vacuum && !report.stopped ? run_vacuum(stepper, db, report) : Status::ok();
  });
}

Result<PruneReport> vacuum_free_pages(SQLite::Database& db, const PruneOptions& options) {
  return run(db, options, [&](Stepper& stepper, PruneReport& report) { return run_vacuum(stepper, db, report); });
}

Status convert_to_incremental_vacuum(SQLite::Database& db) {
  try {
    if (db.execAndGet("PRAGMA auto_vacuum").getInt() == 2) return Status::ok();
    db.exec("PRAGMA auto_vacuum = INCREMENTAL");
    db.exec("VACUUM");
    if (db.execAndGet("PRAGMA auto_vacuum").getInt() != 2)
      return Status::io_error("VACUUM ran but auto_vacuum is still not INCREMENTAL");
    return Status::ok();
  } catch (const SQLite::Exception& e) {
    return Status::with_code(is_busy(e) ? Status::Code::busy : Status::Code::io_error,
                             std::string("VACUUM failed: ") + e.what());
  }
}

}  // namespace trafficdb
