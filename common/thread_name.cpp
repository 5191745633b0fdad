#include "common/thread_name.h"

#include <pthread.h>

#include <cstring>
#include <algorithm>
#include <string>

namespace trafficdb {

void name_this_thread(const char* name) {
  const std::string cut(name, std::min<std::size_t>(std::strlen(name), 15));
  pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace trafficdb
