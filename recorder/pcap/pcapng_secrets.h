// The TLS key logs a pcapng file carries in Decryption Secrets Blocks
// (block type 0x0000000A, secrets type "TLSK"; what `editcap
// --inject-secrets tls,keys.log` writes). libpcap does not hand these
// blocks out, so the file's block headers are walked here (each block is
// skipped by its length; only DSBs are read, each at most 64 MiB).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace trafficdb {

// The key log text of every TLS DSB, in file order. Not a pcapng file: an
// empty list. A malformed block ends the walk (the packets are libpcap's
// to judge): what was found before is returned.
Result<std::vector<std::string>> read_pcapng_key_logs(const std::string& path);

}  // namespace trafficdb
