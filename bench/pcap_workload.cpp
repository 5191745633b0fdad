// pcap_workload: writes the pcap benchmark's capture (see pcap_workload_gen.h)
// to a file of your choice, with its counts next to it (FILE.counts), e.g.
//   ./build/bench/pcap_workload --out /tmp/http.pcap --exchanges 100000
// See bench/README.md.

#include <exception>
#include <iostream>
#include <string>

#include "bench_args.h"
#include "bench_report.h"
#include "pcap_workload_gen.h"

int main(int argc, char** argv) {
  using namespace bench;
  using namespace bench::pcap_workload;
  std::string out;
  std::string profile = "mixed";
  WorkloadOptions o;
  Args args("pcap_workload",
            "Writes a large realistic classic pcap of HTTP/1.1 keep-alive traffic (Ethernet/IPv4/TCP) and\n"
            "its expected counts (FILE.counts), for `trafficdb import` benchmarks.\n");
  args.text("--out FILE", out, "the pcap to write (FILE.counts is written next to it)")
      .required()
      .number("--exchanges N", o.exchanges, "HTTP exchanges", 1)
      .number("--connections C", o.connections, "concurrent keep-alive connections", 1)
      .number("--seed S", o.seed, "PRNG seed")
      .text("--profile P", profile, "mixed (every kind of exchange) or api-json (JSON GETs of 1-8 KB,\nidentity, as a client polling an API)");
  if (const auto exit_code = args.parse(argc, argv)) return *exit_code;
  if (const auto p = parse_profile(profile)) o.profile = *p;
  else return args.usage_error("--profile: '" + profile + "' is not mixed or api-json");
  try {
    const auto t0 = Clock::now();
    const WorkloadCounts counts = generate_workload(out, o);
    std::cout << "wrote " << out << " and " << counts_path(out) << " in " << fixed(seconds_since(t0), 2) << " s, seed "
              << o.seed << ":\n"
              << describe(counts) << "reproduce: " << args.command_line() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "pcap_workload: " << e.what() << "\n";
    return 1;
  }
}
