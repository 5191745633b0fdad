// The process exit statuses every trafficdb command uses.
#pragma once

namespace trafficdb::exit_code {

inline constexpr int ok = 0;
inline constexpr int usage = 1;               // bad arguments or options
inline constexpr int unusable = 2;            // input or database unusable: nothing stored / nothing done
inline constexpr int stored_with_errors = 3;  // stored, but some entries were rejected or cut

}  // namespace trafficdb::exit_code
