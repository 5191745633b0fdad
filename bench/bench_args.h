// Args: the one way a benchmark declares and reads its command line.
//
// Each option is declared once, with the variable it fills (whose value at
// declaration is the default), the name of its value and a help text:
//
//   bench::Args args("writer_bench", "Writes N synthetic exchanges ...");
//   args.number("--count N", o.count, "exchanges to write", 1)
//       .text("--db PATH", o.db_path, "writer database file ...")
//       .flag("--no-baseline", o.no_baseline, "skip the raw SQLite baseline");
//   if (const auto exit_code = args.parse(argc, argv)) return *exit_code;
//
// parse() answers -h/--help with the usage on stdout (exit status 0) and
// bad input with "<program>: <what is wrong>" and the usage on stderr (exit
// status 2). Numbers are decimal digits only, checked against their range.
// An option given twice takes its last value; "--name=value" works too.
// CLI11 does the tokenizing underneath; it stays out of this header.
//
// After parse(), command_line() is the command that repeats the run (every
// option with its value), which the report prints (bench_report.h).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace bench {

// "123" -> 123; false for an empty text, anything but decimal digits, or a
// number that does not fit.
bool parse_u64(std::string_view text, std::uint64_t& out);

class Args {
 public:
  // `program` names the benchmark in the usage and in messages; `about` is
  // the paragraph --help prints under the usage line (lines end in "\n").
  Args(std::string program, std::string about);
  ~Args();
  Args(const Args&) = delete;
  Args& operator=(const Args&) = delete;

  // Declarations, in the order --help lists them. `spec` is the option and
  // the name of its value, e.g. "--count N". `help` may have several lines
  // (separated by "\n"); a number's help ends with "(default V)", a text's
  // too when its default is not empty.
  Args& number(std::string_view spec, std::uint64_t& value, std::string help, std::uint64_t min = 0,
               std::uint64_t max = std::numeric_limits<std::uint64_t>::max());
  Args& text(std::string_view spec, std::string& value, std::string help);  // a value must not be empty
  Args& flag(std::string_view name, bool& value, std::string help);

  // Modifiers of the option declared last.
  Args& required();       // parse() fails without it
  Args& existing_file();  // its value must name an existing file

  // Lines --help prints after the options (e.g. which trafficdb binary is run).
  Args& epilog(std::string text);

  // Fills the declared variables from argv. nullopt: go on; otherwise the
  // exit status to stop with (0 after --help, 2 after a problem).
  std::optional<int> parse(int argc, char** argv);

  // After parse(): whether the option `name` ("--count") was given.
  bool given(std::string_view name) const;

  // For a problem parse() cannot see (one option against another): prints
  // "<program>: <message>" and the usage to stderr; returns 2, the exit status.
  int usage_error(std::string_view message) const;

  // After parse(): the program as invoked and every option with its value
  // (numbers always, texts when not empty, flags when set), quoted for a
  // POSIX shell.
  std::string command_line() const;

  const std::string& program() const;
  std::string usage() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bench
