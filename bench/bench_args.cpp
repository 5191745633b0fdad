// Command-line options of the benchmarks; see bench_args.h.

#include "bench_args.h"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>

#include "scratch_files.h"

namespace bench {
namespace {

enum class Kind { number, text, flag };

struct Option {
  Kind kind = Kind::number;
  std::string name;        // "--count"
  std::string value_name;  // "N"; empty for a flag
  std::string help;
  std::uint64_t* number = nullptr;
  std::uint64_t min = 0, max = 0;
  std::string* text = nullptr;
  bool* flag = nullptr;
  bool required = false;
  bool existing_file = false;
  bool given = false;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find('\n', start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

std::string shell_quoted(const std::string& s) {
  const bool plain = !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                       "0123456789-_./:=,+@%") == std::string::npos;
  if (plain) return s;
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

bool parse_u64(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

struct Args::Impl {
  std::string program, about, epilog, invoked;
  std::vector<Option> options;

  Option& declare(Kind kind, std::string_view spec, std::string help) {
    Option o;
    o.kind = kind;
    const std::size_t space = spec.find(' ');
    o.name = std::string(spec.substr(0, space));
    if (space != std::string_view::npos) o.value_name = std::string(spec.substr(space + 1));
    o.help = std::move(help);
    options.push_back(std::move(o));
    return options.back();
  }

  // Checks and stores what CLI11 collected for `o`; "" when it is good.
  std::string take(Option& o, const std::string& raw) const {
    if (o.required && !o.given) return o.name + " is required";
    if (!o.given) return "";
    switch (o.kind) {
      case Kind::number: {
        std::uint64_t v = 0;
        if (!parse_u64(raw, v) || v < o.min || v > o.max) {
          if (o.max != std::numeric_limits<std::uint64_t>::max())
            return o.name + " needs an integer from " + std::to_string(o.min) + " to " + std::to_string(o.max);
          return o.name + " needs an integer >= " + std::to_string(o.min);
        }
        *o.number = v;
        return "";
      }
      case Kind::text:
        if (raw.empty()) return o.name + " needs a value";
        if (o.existing_file && !file_exists(raw)) return o.name + ": no such file: " + raw;
        *o.text = raw;
        return "";
      case Kind::flag:
        *o.flag = true;
        return "";
    }
    return "";
  }
};

Args::Args(std::string program, std::string about) : impl_(std::make_unique<Impl>()) {
  impl_->program = std::move(program);
  impl_->about = std::move(about);
}

Args::~Args() = default;

Args& Args::number(std::string_view spec, std::uint64_t& value, std::string help, std::uint64_t min,
                   std::uint64_t max) {
  Option& o = impl_->declare(Kind::number, spec, std::move(help) + " (default " + std::to_string(value) + ")");
  o.number = &value;
  o.min = min;
  o.max = max;
  return *this;
}

Args& Args::text(std::string_view spec, std::string& value, std::string help) {
  if (!value.empty()) help += " (default " + value + ")";
  impl_->declare(Kind::text, spec, std::move(help)).text = &value;
  return *this;
}

Args& Args::flag(std::string_view name, bool& value, std::string help) {
  impl_->declare(Kind::flag, name, std::move(help)).flag = &value;
  return *this;
}

Args& Args::required() {
  impl_->options.back().required = true;
  return *this;
}

Args& Args::existing_file() {
  impl_->options.back().existing_file = true;
  return *this;
}

Args& Args::epilog(std::string text) {
  impl_->epilog = std::move(text);
  return *this;
}

std::optional<int> Args::parse(int argc, char** argv) {
  impl_->invoked = argc > 0 ? argv[0] : impl_->program;
  CLI::App app(impl_->about, impl_->program);
  app.set_help_flag("-h,--help", "show this help");
  std::vector<std::string> raw(impl_->options.size());
  std::vector<CLI::Option*> cli(impl_->options.size());
  for (std::size_t i = 0; i < impl_->options.size(); ++i) {
    const Option& o = impl_->options[i];
    cli[i] = o.kind == Kind::flag ? app.add_flag(o.name)
                                  : app.add_option(o.name, raw[i])
                                        ->type_name(o.value_name)
                                        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << usage();
    return 0;
  } catch (const CLI::ParseError& e) {
    return usage_error(e.what());
  }
  for (std::size_t i = 0; i < impl_->options.size(); ++i) {
    Option& o = impl_->options[i];
    o.given = cli[i]->count() > 0;
    if (const std::string problem = impl_->take(o, raw[i]); !problem.empty()) return usage_error(problem);
  }
  return std::nullopt;
}

bool Args::given(std::string_view name) const {
  for (const Option& o : impl_->options)
    if (o.name == name) return o.given;
  return false;
}

int Args::usage_error(std::string_view message) const {
  std::cerr << impl_->program << ": " << message << "\n" << usage();
  return 2;
}

std::string Args::command_line() const {
  std::string out = shell_quoted(impl_->invoked.empty() ? impl_->program : impl_->invoked);
  for (const Option& o : impl_->options) {
    switch (o.kind) {
      case Kind::number: out += " " + o.name + " " + std::to_string(*o.number); break;
      case Kind::text:
        if (!o.text->empty()) out += " " + o.name + " " + shell_quoted(*o.text);
        break;
      case Kind::flag:
        if (*o.flag) out += " " + o.name;
        break;
    }
  }
  return out;
}

const std::string& Args::program() const { return impl_->program; }

std::string Args::usage() const {
  std::vector<std::pair<std::string, std::string>> rows;  // left column, help
  for (const Option& o : impl_->options)
    rows.emplace_back("  " + o.name + (o.value_name.empty() ? "" : " " + o.value_name) +
                          (o.required ? " (required)" : ""),
                      o.help);
  rows.emplace_back("  -h, --help", "show this help");
  std::size_t width = 0;
  for (const auto& [left, help] : rows) width = std::max(width, left.size());
  width += 2;

  std::string out = "usage: " + impl_->program + " [options]\n\n" + impl_->about;
  if (!impl_->about.empty() && impl_->about.back() != '\n') out += '\n';
  out += "\noptions:\n";
  for (const auto& [left, help] : rows) {
    const std::vector<std::string> lines = lines_of(help);
    out += left + std::string(width - left.size(), ' ') + lines[0] + "\n";
    for (std::size_t i = 1; i < lines.size(); ++i) out += std::string(width, ' ') + lines[i] + "\n";
  }
  if (!impl_->epilog.empty()) {
    out += "\n" + impl_->epilog;
    if (out.back() != '\n') out += '\n';
  }
  return out;
}

}  // namespace bench
