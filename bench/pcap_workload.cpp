// pcap_workload: writes the pcap benchmark's capture (see pcap_workload_gen.h)
// to a file of your choice, with its counts next to it (FILE.counts), e.g.
//   ./build/bench/pcap_workload --out /tmp/http.pcap --exchanges 100000
// See bench/README.md.

#include <chrono>
#include <exception>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "bench_support.h"
#include "pcap_workload_gen.h"

int main(int argc, char** argv) {
  using namespace bench::pcap_workload;
  CLI::App app{
      "Writes a large realistic classic pcap of HTTP/1.1 keep-alive traffic (Ethernet/IPv4/TCP) and\n"
      "its expected counts (FILE.counts), for `trafficdb import` benchmarks."};
  std::string out;
  WorkloadOptions o;
  app.add_option("--out", out, "the pcap to write (FILE.counts is written next to it)")
      ->required()
      ->option_text("FILE");
  app.add_option("--exchanges", o.exchanges, "HTTP exchanges (default 100000)")->check(CLI::PositiveNumber);
  app.add_option("--connections", o.connections, "concurrent keep-alive connections (default 64)")
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "PRNG seed (default 1)");
  CLI11_PARSE(app, argc, argv);
  try {
    const auto t0 = std::chrono::steady_clock::now();
    const WorkloadCounts counts = generate_workload(out, o);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "wrote " << out << " and " << counts_path(out) << " in " << bench::fixed(seconds, 2) << " s, seed "
              << o.seed << ":\n"
              << describe(counts);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "pcap_workload: " << e.what() << "\n";
    return 1;
  }
}
