#include "query/line_diff.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace trafficdb {
namespace {

// Lines without their "\n" (a trailing "\r" is kept: it is part of the text).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

enum class Op : std::uint8_t { keep, remove, add };

struct Edit {
  Op op;
  std::size_t a, b;  // line index in a (keep, remove) and in b (keep, add)
};

// Myers' greedy forward search over line ids, keeping each round's frontier
// (2d+1 entries for round d) to walk the script back. Returns false when more
// than max_edits edits would be needed.
bool myers(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b, std::size_t max_edits,
           std::vector<Edit>& script) {
  const auto n = static_cast<std::int64_t>(a.size()), m = static_cast<std::int64_t>(b.size());
  const std::int64_t max_d = std::min<std::int64_t>(n + m, static_cast<std::int64_t>(max_edits));
  std::vector<std::vector<std::int32_t>> trace;  // trace[d][k + d] = furthest x on diagonal k after d edits
  std::vector<std::int64_t> v(2 * static_cast<std::size_t>(max_d) + 3, 0);
  const std::int64_t offset = max_d + 1;
  std::int64_t final_d = -1;
  for (std::int64_t d = 0; d <= max_d && final_d < 0; ++d) {
    for (std::int64_t k = -d; k <= d; k += 2) {
      std::int64_t x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1]
                                                                                       : v[offset + k - 1] + 1;
      std::int64_t y = x - k;
      while (x < n && y < m && a[static_cast<std::size_t>(x)] == b[static_cast<std::size_t>(y)]) ++x, ++y;
      v[offset + k] = x;
      if (x >= n && y >= m) final_d = d;
    }
    trace.emplace_back(v.begin() + (offset - d), v.begin() + (offset + d + 1));
  }
  if (final_d < 0) return false;
  trace.resize(static_cast<std::size_t>(final_d) + 1);
  std::int64_t x = n, y = m;
  std::vector<Edit> reversed;
  for (std::int64_t d = final_d; d > 0; --d) {
    const std::vector<std::int32_t>& prev = trace[static_cast<std::size_t>(d - 1)];
    auto at = [&](std::int64_t k) { return prev[static_cast<std::size_t>(k + d - 1)]; };
    const std::int64_t k = x - y;
    const bool down = k == -d || (k != d && at(k - 1) < at(k + 1));
    const std::int64_t prev_k = down ? k + 1 : k - 1;
    const std::int64_t prev_x = at(prev_k), prev_y = prev_x - prev_k;
    while (x > prev_x + (down ? 0 : 1) && y > prev_y + (down ? 1 : 0)) {
      --x, --y;
      reversed.push_back({Op::keep, static_cast<std::size_t>(x), static_cast<std::size_t>(y)});
    }
    if (down) reversed.push_back({Op::add, static_cast<std::size_t>(prev_x), static_cast<std::size_t>(--y)});
    else reversed.push_back({Op::remove, static_cast<std::size_t>(--x), static_cast<std::size_t>(prev_y)});
    x = prev_x, y = prev_y;
  }
  while (x > 0 && y > 0) {
    --x, --y;
    reversed.push_back({Op::keep, static_cast<std::size_t>(x), static_cast<std::size_t>(y)});
  }
  script.assign(reversed.rbegin(), reversed.rend());
  return true;
}

std::string cut_line(std::string_view line, std::size_t max) {
  if (line.size() <= max) return std::string(line);
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) --end;
  return std::string(line.substr(0, end)) + "\xE2\x80\xA6";  // …
}

// Renders the script as unified hunks with `context` lines around changes.
void render(const std::vector<Edit>& script, const std::vector<std::string_view>& la,
            const std::vector<std::string_view>& lb, std::size_t base, const LineDiffLimits& limits, LineDiff& out) {
  std::size_t output_lines = 0;
  auto emit = [&](char sign, std::string_view text) {
    if (output_lines >= limits.max_output_lines) {
      ++out.omitted_lines;
      return;
    }
    ++output_lines;
    out.unified += sign;
    out.unified += cut_line(text, limits.max_line_bytes);
    out.unified += '\n';
  };
  std::size_t i = 0;
  while (i < script.size()) {
    if (script[i].op == Op::keep) {
      ++i;
      continue;
    }
    // A hunk: from `context` keeps before this change to `context` keeps
    // after the last change that is within 2*context keeps of the previous.
    const std::size_t start = i >= limits.context ? i - limits.context : 0;
    std::size_t end = i;
    std::size_t keeps = 0;
    for (std::size_t j = i; j < script.size(); ++j) {
      if (script[j].op == Op::keep) {
        if (++keeps > 2 * limits.context) break;
      } else {
        keeps = 0;
        end = j;
      }
    }
    const std::size_t stop = std::min(script.size(), end + 1 + limits.context);
    std::size_t a_count = 0, b_count = 0;
    for (std::size_t j = start; j < stop; ++j) {
      if (script[j].op != Op::add) ++a_count;
      if (script[j].op != Op::remove) ++b_count;
    }
    const std::size_t a_first = base + script[start].a + (a_count ? 1 : 0);
    const std::size_t b_first = base + script[start].b + (b_count ? 1 : 0);
    const std::string header = "@@ -" + std::to_string(a_first) + "," + std::to_string(a_count) + " +" +
                               std::to_string(b_first) + "," + std::to_string(b_count) + " @@";
    if (output_lines < limits.max_output_lines) {
      out.unified += header + '\n';
      ++output_lines;
    }
    for (std::size_t j = start; j < stop; ++j) {
      const Edit& e = script[j];
      if (e.op == Op::keep) emit(' ', la[e.a]);
      else if (e.op == Op::remove) emit('-', la[e.a]);
      else emit('+', lb[e.b]);
    }
    i = stop;
  }
}

}  // namespace

LineDiff diff_lines(std::string_view a, std::string_view b, const LineDiffLimits& limits) {
  LineDiff out;
  const std::vector<std::string_view> la_all = split_lines(a), lb_all = split_lines(b);
  out.lines_a = la_all.size();
  out.lines_b = lb_all.size();
  if (a == b) {
    out.equal = true;
    return out;
  }
  std::size_t prefix = 0;
  while (prefix < la_all.size() && prefix < lb_all.size() && la_all[prefix] == lb_all[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < la_all.size() - prefix && suffix < lb_all.size() - prefix &&
         la_all[la_all.size() - 1 - suffix] == lb_all[lb_all.size() - 1 - suffix])
    ++suffix;
  // Keep up to `context` common lines on each side so hunks show them.
  const std::size_t lead = std::min(prefix, limits.context), trail = std::min(suffix, limits.context);
  const std::size_t base = prefix - lead;
  const std::vector<std::string_view> la(la_all.begin() + static_cast<std::ptrdiff_t>(base),
                                         la_all.end() - static_cast<std::ptrdiff_t>(suffix - trail));
  const std::vector<std::string_view> lb(lb_all.begin() + static_cast<std::ptrdiff_t>(base),
                                         lb_all.end() - static_cast<std::ptrdiff_t>(suffix - trail));
  const std::size_t middle_a = la.size() - lead - trail, middle_b = lb.size() - lead - trail;
  if (middle_a > limits.max_lines || middle_b > limits.max_lines) {
    out.summarized = true;
    out.reason = "too large to diff by lines: " + std::to_string(middle_a) + " and " + std::to_string(middle_b) +
                 " lines differ between the first " + std::to_string(prefix) + " and last " + std::to_string(suffix) +
                 " common lines (limit " + std::to_string(limits.max_lines) + ")";
    return out;
  }
  // Lines as small ids, so the search compares integers.
  std::unordered_map<std::string_view, std::uint32_t> ids;
  auto to_ids = [&](const std::vector<std::string_view>& lines) {
    std::vector<std::uint32_t> v;
    v.reserve(lines.size());
    for (const std::string_view l : lines) v.push_back(ids.emplace(l, static_cast<std::uint32_t>(ids.size())).first->second);
    return v;
  };
  const std::vector<std::uint32_t> ia = to_ids(la), ib = to_ids(lb);
  std::vector<Edit> script;
  if (!myers(ia, ib, limits.max_edits, script)) {
    out.summarized = true;
    out.reason = "too many changes to diff by lines: more than " + std::to_string(limits.max_edits) +
                 " lines added or removed among " + std::to_string(middle_a) + " and " + std::to_string(middle_b) +
                 " differing lines";
    return out;
  }
  for (const Edit& e : script) {
    if (e.op == Op::add) ++out.added;
    if (e.op == Op::remove) ++out.removed;
  }
  if (out.added == 0 && out.removed == 0) out.reason = "the lines are the same; only a final newline differs";
  render(script, la, lb, base, limits, out);
  return out;
}

}  // namespace trafficdb
