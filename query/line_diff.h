// A bounded unified diff of two texts, by lines (Myers' O(ND) algorithm),
// for showing how two bodies differ.
//
// Bounds, so that any input ends quickly in bounded memory: the common first
// and last lines are skipped in one linear pass; what is left is diffed only
// when neither side has more than `max_lines` lines and the two differ in at
// most `max_edits` inserted plus deleted lines (memory: about max_edits^2
// 4-byte ints for the search's trace, 4 MB at the default; time: O(lines *
// max_edits)). Past those the
// result is `summarized` with the reason and the line counts, never partial
// hunks. The rendered diff keeps at most `max_output_lines` lines (the count
// of the rest is said) and cuts each line at `max_line_bytes` (at a UTF-8
// boundary, marked with "…").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace trafficdb {

struct LineDiffLimits {
  std::size_t max_lines = 20000;       // per side, after common first/last lines
  std::size_t max_edits = 1000;        // inserted + deleted lines the search may find
  std::size_t context = 3;             // unchanged lines around each change
  std::size_t max_output_lines = 200;  // lines of the rendered hunks
  std::size_t max_line_bytes = 240;
};

struct LineDiff {
  bool equal = false;
  bool summarized = false;     // too large to diff: see `reason`
  std::string reason;
  std::size_t lines_a = 0, lines_b = 0;
  std::size_t added = 0, removed = 0;  // lines; 0 when summarized
  std::string unified;         // "@@ -3,4 +3,5 @@\n a\n-b\n+c\n", hunks only (no file header)
  std::size_t omitted_lines = 0;  // hunk lines left out past max_output_lines
};

LineDiff diff_lines(std::string_view a, std::string_view b, const LineDiffLimits& limits = {});

}  // namespace trafficdb
