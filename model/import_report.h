// ImportReport: what a file import did, for the CLI's message and exit status.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/source_count.h"

namespace trafficdb {

struct ImportProblem {
  std::string where;    // "entry 5 (byte 1234)": enough to find it in the file
  std::string message;  // what was wrong
  bool rejected;        // true: the entry was not stored; false: stored, with this caveat
};

struct ImportReport {
  static constexpr std::size_t kMaxProblemsKept = 1000;

  std::size_t stored = 0;    // exchanges handed to the sink
  std::size_t rejected = 0;  // entries not stored
  std::size_t problem_count = 0;
  std::vector<ImportProblem> problems;  // the first kMaxProblemsKept
  // Set when reading stopped before the end of the input (invalid JSON, read
  // error, the database failed): what stopped it and where.
  std::optional<std::string> fatal;
  // Facts worth telling that are not problems (what a capture held and skipped).
  std::vector<std::string> notes;
  // What the reader saw and missed, for the session's capture integrity
  // (model/source_count.h); zeros included.
  std::vector<SourceCount> integrity;

  void add_problem(ImportProblem problem) {
    ++problem_count;
    if (problem.rejected) ++rejected;
    if (problems.size() < kMaxProblemsKept) problems.push_back(std::move(problem));
  }
  bool clean() const { return problem_count == 0 && !fatal; }
};

// Called now and then while a file is read: bytes consumed, exchanges stored.
using ImportProgress = std::function<void(std::uint64_t bytes, std::size_t exchanges)>;

}  // namespace trafficdb
