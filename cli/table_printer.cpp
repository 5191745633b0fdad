#include "cli/table_printer.h"

#include <algorithm>

#include "common/utf8.h"

namespace trafficdb {
namespace {

// Makes a cell printable on one line and cuts it to `max` characters.
// Returns the text and its width in characters.
std::pair<std::string, std::size_t> fit(const std::string& cell, std::size_t max) {
  std::string out;
  std::size_t width = 0;
  std::size_t i = 0;
  while (i < cell.size()) {
    if (max && width == max) {
      // Replace the last character with an ellipsis.
      while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
      if (!out.empty()) out.pop_back();
      out += "\xE2\x80\xA6";
      return {out, width};
    }
    const unsigned char c = static_cast<unsigned char>(cell[i]);
    if (c < 0x80) {
      out += c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c);
      ++i;
    } else {
      const std::size_t n = utf8_sequence_length(std::string_view(cell).substr(i));
      if (n == 0) {
        out += '?';
        ++i;
      } else {
        out.append(cell, i, n);
        i += n;
      }
    }
    ++width;
  }
  return {out, width};
}

}  // namespace

void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows, std::size_t max_cell_width) {
  const std::size_t ncols = header.size();
  std::vector<std::vector<std::pair<std::string, std::size_t>>> cells;
  std::vector<std::size_t> widths(ncols, 0);
  cells.reserve(rows.size() + 1);
  auto add = [&](const std::vector<std::string>& row) {
    std::vector<std::pair<std::string, std::size_t>> fitted;
    for (std::size_t c = 0; c < ncols; ++c) {
      fitted.push_back(fit(c < row.size() ? row[c] : std::string(), max_cell_width));
      widths[c] = std::max(widths[c], fitted.back().second);
    }
    cells.push_back(std::move(fitted));
  };
  add(header);
  for (const auto& r : rows) add(r);

  auto print_row = [&](const std::vector<std::pair<std::string, std::size_t>>& row) {
    std::string line;
    for (std::size_t c = 0; c < ncols; ++c) {
      line += row[c].first;
      if (c + 1 < ncols) line.append(widths[c] - row[c].second + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  print_row(cells[0]);
  std::string rule;
  for (std::size_t c = 0; c < ncols; ++c) {
    rule.append(widths[c], '-');
    if (c + 1 < ncols) rule += "  ";
  }
  out << rule << '\n';
  for (std::size_t r = 1; r < cells.size(); ++r) print_row(cells[r]);
}

}  // namespace trafficdb
