// Names the calling thread as top, perf, gdb and /proc show it (Linux keeps
// 15 bytes; longer names are cut). Best effort: a failure changes nothing.
#pragma once

namespace trafficdb {

void name_this_thread(const char* name);

}  // namespace trafficdb
