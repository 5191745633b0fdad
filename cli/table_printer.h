// Aligned plain-text tables for human output.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace trafficdb {

// Prints a header row, a rule, then the rows, columns padded to their widest
// cell (counted in characters, not bytes). Cells longer than max_cell_width
// are cut with "…"; control characters are shown as spaces. 0 = no cut.
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows, std::size_t max_cell_width = 60);

}  // namespace trafficdb
