#include "cli/import_command.h"

#include <sys/stat.h>

#include <filesystem>
#include <iostream>
#include <memory>


#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "ingest/import_file.h"

namespace trafficdb {
namespace {

struct ImportArgs {
  std::vector<std::string> files;
  std::string name;
  std::string format = "auto";
  std::uint64_t max_body_bytes = 32u << 20;
  std::vector<std::string> keylogs;
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
    if (!writer_) {
      auto writer = Writer::open(context_.db_path(), bulk_import_writer_options(args_.max_body_bytes));
      if (!writer.is_ok()) {
        std::cerr << "trafficdb: " << writer.status().message() << '\n';
        return FileOutcome::unusable;
      }
      writer_ = std::move(writer).value();
    }
    ProgressLine progress_line("importing " + file, file_size(file));
    FileImportOptions options;
    options.name = session_name(args_, file, index);
    options.format = args_.format;
    options.max_body_bytes = args_.max_body_bytes;
    options.key_log_files = args_.keylogs;
    options.progress = [&](std::uint64_t bytes, std::size_t exchanges) { progress_line.update(bytes, exchanges); };
    auto imported = trafficdb::import_file(*writer_, file, options);
    progress_line.finish();
    if (!imported.is_ok()) {
      std::cerr << "trafficdb: " << imported.status().message() << '\n';
      return FileOutcome::unusable;
    }
    const FileImportResult& result = *imported;
    const ImportReport& report = result.report;
    print_report(file, report);
    if (!args_.quiet)
      for (const std::string& note : report.notes) std::cout << file << ": " << note << '\n';
    stored_anything_ = stored_anything_ || result.committed > 0;
    if (result.storage_error) {
      // The database stopped taking rows; what was committed before stays.
      std::cerr << "trafficdb: " << file << ": " << *result.storage_error << "; " << result.committed
                << " exchanges were stored before that, the rest of the file was not\n";
      return result.committed > 0 ? FileOutcome::with_errors : FileOutcome::unusable;
    }
    if (result.session_id == 0) {
      std::cerr << "trafficdb: " << file << ": nothing imported\n";
      return FileOutcome::unusable;
    }
    if (!args_.quiet) {
      std::cout << file << ": session " << result.session_id << ", " << report.stored << " exchanges stored";
      if (report.rejected) std::cout << ", " << report.rejected << " rejected";
      if (report.problem_count > report.rejected)
        std::cout << ", " << (report.problem_count - report.rejected) << " with problems";
      if (report.fatal) std::cout << ", stopped early";
      std::cout << '\n';
    }
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
        std::cout << "body and URL search over the " << indexable_rows_
                  << " new exchanges gets fast once the search indexes catch up: a running 'trafficdb mcp' on "
                     "this database does it in the background; 'trafficdb index' does it now\n";
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
  cmd->add_option("--keylog", args->keylogs,
                  "TLS key log (NSS format, what SSLKEYLOGFILE makes clients write) to decrypt HTTPS in captures; "
                  "may be given more than once. Default: the file SSLKEYLOGFILE names, if set. Key logs embedded "
                  "in a pcapng (editcap --inject-secrets) are always used")
      ->check(CLI::ExistingFile);
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
