// Importing one capture file (HAR, Charles .chlsj, pcap, pcapng) into a new
// session through a Writer: the routine the CLI's `import` and the MCP
// server's `import_capture` share.
//
// The format is detected from the content unless given. The session is
// created `recording`, then ended `imported` (with the first problem in its
// error when there were problems), or `failed` when storing stopped. A file
// that yields nothing and had problems leaves no session behind. With
// `cancel`, a set flag stops the import at the next exchange: what was stored
// stays, and the session is ended `failed` with "cancelled".
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/import_report.h"
#include "store/writer.h"

namespace trafficdb {

// Writer settings for bulk imports: large transactions, checkpoints off the
// writer's thread, no search indexing while importing.
WriterOptions bulk_import_writer_options(std::uint64_t max_body_bytes);

struct FileImportOptions {
  std::string name;             // session name; "" = the file's name
  std::string format = "auto";  // or a --format name (har, chlsj, pcap, pcapng)
  std::uint64_t max_body_bytes = 32u << 20;
  // Captures: TLS key logs to decrypt with; empty = the file SSLKEYLOGFILE names, if set.
  std::vector<std::string> key_log_files;
  ImportProgress progress;      // bytes read, exchanges stored
  const std::atomic<bool>* cancel = nullptr;
};

struct FileImportResult {
  std::int64_t session_id = 0;   // 0 when no session was kept
  ImportReport report;
  std::uint64_t committed = 0;   // exchanges committed to the database
  std::string format;            // what was read
  bool cancelled = false;
  std::optional<std::string> storage_error;  // the database stopped taking rows
};

// Fails, leaving nothing behind, when the file cannot be read as any format
// trafficdb imports.
Result<FileImportResult> import_file(Writer& writer, const std::string& path, const FileImportOptions& options);

// The same through a Writer of its own on the database at `db_path`
// (bulk_import_writer_options), closed before it returns; a failure to
// close is the result's storage_error.
Result<FileImportResult> import_file(const std::string& db_path, const std::string& path,
                                     const FileImportOptions& options);

}  // namespace trafficdb
