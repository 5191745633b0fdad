#include "cli/import_command.h"

#include <sys/stat.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "recorder/format_detection.h"
#include "recorder/charles/chlsj_reader.h"
#include "recorder/har/har_reader.h"
#include "recorder/pcap/pcap_file_reader.h"
#include "store/writer.h"

namespace trafficdb {
namespace {

struct ImportArgs {
  std::vector<std::string> files;
  std::string name;
  std::string format = "auto";
  std::uint64_t max_body_bytes = 32u << 20;
  bool quiet = false;
};

constexpr std::size_t kProblemsShown = 20;

enum class FileOutcome { clean, with_errors, unusable };

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

std::string session_name(const ImportArgs& args, const std::string& file, std::size_t index) {
  if (args.name.empty()) return std::filesystem::path(file).filename().string();
  if (args.files.size() == 1) return args.name;
  return args.name + " #" + std::to_string(index + 1);
}

std::string summary_of(const ImportReport& report) {
  std::string s;
  if (report.rejected) s += std::to_string(report.rejected) + " entries rejected";
  const std::size_t caveats = report.problem_count - report.rejected;
  if (caveats) s += (s.empty() ? "" : ", ") + std::to_string(caveats) + " stored with problems";
  if (!report.problems.empty())
    s += (s.empty() ? "" : "; ") + std::string("first: ") + report.problems.front().where + ": " +
         report.problems.front().message;
  if (report.fatal) s += (s.empty() ? "" : "; ") + *report.fatal;
  return s;
}

void print_report(const std::string& file, const ImportReport& report) {
  std::size_t shown = 0;
  for (const ImportProblem& p : report.problems) {
    if (shown++ == kProblemsShown) break;
    std::cerr << file << ": " << p.where << ": " << p.message << (p.rejected ? " [rejected]" : "") << '\n';
  }
  if (report.problem_count > kProblemsShown)
    std::cerr << file << ": ... and " << (report.problem_count - kProblemsShown)
              << " more problems (the first is kept in sessions.error)\n";
  if (report.fatal) std::cerr << file << ": " << *report.fatal << '\n';
}

class Importer {
 public:
  Importer(const CliContext& context, const ImportArgs& args) : context_(context), args_(args) {}

  FileOutcome import_file(const std::string& file, std::size_t index) {
    InputFormat format;
    if (args_.format == "auto") {
      auto detected = detect_file_format(file);
      if (!detected.is_ok()) {
        std::cerr << "trafficdb: " << detected.status().message() << '\n';
        return FileOutcome::unusable;
      }
      format = *detected;
      if (format == InputFormat::unknown) {
        std::cerr << "trafficdb: " << file
                  << ": not a format trafficdb reads (HAR 1.2, Charles .chlsj, pcap, pcapng); give --format if detection is wrong\n";
        return FileOutcome::unusable;
      }
    } else {
      format = parse_format_name(args_.format).value();  // validated by CLI11
    }
    if (format == InputFormat::charles_xml || format == InputFormat::charles_native) {
      std::cerr << "trafficdb: " << file << ": " << format_name(format)
                << " files are recognised but not imported; export the session from Charles as JSON (.chlsj) "
                   "or HAR instead\n";
      return FileOutcome::unusable;
    }
    const bool is_capture = format == InputFormat::pcap || format == InputFormat::pcapng;

    if (!writer_) {
      WriterOptions options;
      options.max_body_bytes = args_.max_body_bytes;
      options.index_when_idle = false;  // indexing competes with parsing; done at the end if small
      options.queue_max_bytes = 64u << 20;  // enough to keep the writer busy; bounds the import's memory
      // Few, large transactions: each commit rewrites every index page it
      // touched, and the bodies' hash index is touched all over.
      options.batch_size = 50000;
      options.max_delay = std::chrono::seconds(2);
      options.background_checkpoint = true;
      auto writer = Writer::open(context_.db_path(), options);
      if (!writer.is_ok()) {
        std::cerr << "trafficdb: " << writer.status().message() << '\n';
        return FileOutcome::unusable;
      }
      writer_ = std::move(writer).value();
    }

    // JSON inputs are opened before the session is created, so an unreadable
    // file leaves no trace; a capture is opened by its reader.
    HarReaderOptions har_options;
    har_options.max_body_bytes = args_.max_body_bytes;
    CharlesConversionOptions charles_options;
    charles_options.max_body_bytes = args_.max_body_bytes;
    std::unique_ptr<BoundedJsonInput> json_input;
    if (!is_capture) {
      const std::uint64_t max_string =
          format == InputFormat::har ? har_max_string_bytes(har_options) : chlsj_max_string_bytes(charles_options);
      auto input = BoundedJsonInput::open_file(file, max_string);
      if (!input.is_ok()) {
        std::cerr << "trafficdb: " << input.status().message() << '\n';
        return FileOutcome::unusable;
      }
      json_input = std::move(input).value();
    }

    std::error_code ec;
    const std::string absolute = std::filesystem::absolute(file, ec).string();
    nlohmann::json options = {{"format", format_name(format)}, {"max_body_bytes", args_.max_body_bytes}};
    const std::string_view source = is_capture                   ? session_source::pcap
                                    : format == InputFormat::har ? session_source::har
                                                                 : session_source::charles;
    auto session = writer_->create_session(
        {session_name(args_, file, index), source, absolute, session_status::recording, options.dump()});
    if (!session.is_ok()) {
      std::cerr << "trafficdb: " << session.status().message() << '\n';
      return FileOutcome::unusable;
    }

    ProgressLine progress_line("importing " + file, file_size(file));
    const std::uint64_t committed_before = writer_->stats().exchanges;
    auto sink = writer_->sink(*session);
    const auto progress = [&](std::uint64_t bytes, std::size_t exchanges) { progress_line.update(bytes, exchanges); };
    ImportReport report;
    if (is_capture) {
      CaptureOptions capture_options;
      capture_options.http.max_body_bytes = args_.max_body_bytes;
      auto read = read_pcap_file(file, *sink, capture_options, progress);
      if (!read.is_ok()) {
        progress_line.finish();
        (void)writer_->delete_session(*session);
        std::cerr << "trafficdb: " << read.status().message() << '\n';
        return FileOutcome::unusable;
      }
      report = std::move(read).value();
    } else if (format == InputFormat::har) {
      report = read_har(*json_input, *sink, har_options, progress);
    } else {
      report = read_chlsj(*json_input, *sink, charles_options, progress);
    }
    progress_line.finish();
    const Status flushed = writer_->flush();

    print_report(file, report);
    if (!args_.quiet)
      for (const std::string& note : report.notes) std::cout << file << ": " << note << '\n';
    if (!flushed.is_ok()) {
      // The database stopped taking rows; what was committed before stays.
      const std::uint64_t committed = writer_->stats().exchanges - committed_before;
      std::cerr << "trafficdb: " << file << ": " << flushed.message() << "; " << committed
                << " exchanges were stored before that, the rest of the file was not\n";
      if (Status s = writer_->finish_session(*session, session_status::failed, flushed.message()); !s.is_ok())
        std::cerr << "trafficdb: session " << *session << " is left as 'recording': " << s.message() << '\n';
      stored_anything_ = stored_anything_ || committed > 0;
      return committed > 0 ? FileOutcome::with_errors : FileOutcome::unusable;
    }
    if (report.stored == 0 && !report.clean()) {
      // Nothing usable: leave no trace of the attempt in the database.
      (void)writer_->delete_session(*session);
      std::cerr << "trafficdb: " << file << ": nothing imported\n";
      return FileOutcome::unusable;
    }
    const std::optional<std::string> error =
        report.clean() ? std::nullopt : std::optional<std::string>(summary_of(report));
    if (Status s = writer_->finish_session(*session, session_status::imported, error); !s.is_ok()) {
      std::cerr << "trafficdb: " << s.message() << '\n';
      return FileOutcome::with_errors;
    }
    if (!args_.quiet) {
      std::cout << file << ": session " << *session << ", " << report.stored << " exchanges stored";
      if (report.rejected) std::cout << ", " << report.rejected << " rejected";
      if (report.problem_count > report.rejected)
        std::cout << ", " << (report.problem_count - report.rejected) << " with problems";
      if (report.fatal) std::cout << ", stopped early";
      std::cout << '\n';
    }
    stored_anything_ = stored_anything_ || report.stored > 0;
    indexable_rows_ += report.stored;
    return report.clean() ? FileOutcome::clean : FileOutcome::with_errors;
  }

  int finish(bool any_unusable, bool any_errors) {
    // A small import is indexed for search right away; a large one would
    // take longer than the import itself, so it is left to `trafficdb index`.
    if (writer_ && indexable_rows_ > 0) {
      if (indexable_rows_ <= kIndexAtEndRows) {
        if (Status s = writer_->update_search_index(); !s.is_ok())
          std::cerr << "trafficdb: search index not updated (" << s.message() << "); run 'trafficdb index'\n";
      } else if (!args_.quiet) {
        std::cout << "run 'trafficdb index' to make body and URL search over the " << indexable_rows_
                  << " new exchanges fast\n";
      }
    }
    if (writer_) {
      if (Status s = writer_->close(); !s.is_ok()) {
        std::cerr << "trafficdb: " << s.message() << '\n';
        return stored_anything_ ? exit_code::stored_with_errors : exit_code::unusable;
      }
    }
    if (!any_unusable && !any_errors) return exit_code::ok;
    return stored_anything_ ? exit_code::stored_with_errors : exit_code::unusable;
  }

 private:
  const CliContext& context_;
  const ImportArgs& args_;
  static constexpr std::size_t kIndexAtEndRows = 20000;
  std::unique_ptr<Writer> writer_;
  bool stored_anything_ = false;
  std::size_t indexable_rows_ = 0;
};

}  // namespace

void add_import_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand("import", "Import capture files into the database, one session per file");
  cmd->footer(
      "The format is detected from each file's content: HAR 1.2 (browsers, Charles, HTTP Toolkit),\n"
      "Charles JSON sessions (.chlsj), and pcap/pcapng captures (tcpdump, Wireshark), whose TCP\n"
      "streams are reassembled and read as HTTP/1.x whatever their ports. Each file becomes its\n"
      "own session, even when imported twice.\n"
      "Entries that cannot be stored are named with their index and byte offset; the rest are kept.\n\n"
      "Exit status: 0 all stored; 1 usage error; 2 nothing stored (unreadable or invalid input);\n"
      "3 stored, but some entries were rejected or cut.\n\n"
      "Example: trafficdb import session.har --name checkout-bug");
  cmd->add_option("files", args->files, "Files to import (HAR, Charles .chlsj, pcap, pcapng)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--name", args->name, "Session name (default: the file name)");
  cmd->add_option("--format", args->format, "Input format; auto detects it from the content")
      ->check(CLI::IsMember({"auto", "har", "chlsj", "charles-xml", "chls", "pcap", "pcapng"}))
      ->capture_default_str();
  cmd->add_option("--max-body", args->max_body_bytes,
                  "Keep at most this many decoded bytes of each body (longer ones are cut; the full size is kept)")
      ->check(CLI::Range(std::uint64_t{1024}, std::uint64_t{512u << 20}))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", args->quiet, "Print only problems");
  cmd->callback([&context, &exit_status, args] {
    Importer importer(context, *args);
    bool any_unusable = false, any_errors = false;
    for (std::size_t i = 0; i < args->files.size(); ++i) {
      switch (importer.import_file(args->files[i], i)) {
        case FileOutcome::clean: break;
        case FileOutcome::with_errors: any_errors = true; break;
        case FileOutcome::unusable: any_unusable = true; break;
      }
    }
    exit_status = importer.finish(any_unusable, any_errors);
  });
}

}  // namespace trafficdb
