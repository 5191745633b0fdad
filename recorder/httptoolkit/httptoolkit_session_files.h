// Finding the Mockttp session HTTP Toolkit's own UI runs (for
// `--attach auto`), from the files HTTP Toolkit writes for its browser
// extension: one per proxy port,
//   $TMPDIR/httptoolkit-webextension/config/127_0_0_1.<proxyPort>
// holding "adminBaseUrl":"http://internal.httptoolkit.localhost:45456/session/<sessionId>".
//
// Files outlive the HTTP Toolkit that wrote them, so there may be stale
// ones: they are listed newest first, and the caller asks the admin server
// which session still exists.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace trafficdb {

struct HttpToolkitSessionFile {
  std::string path;
  std::string session_id;
  int proxy_port = 0;  // from the file's name; 0 when it does not end in a port
  std::filesystem::file_time_type modified;
};

// $TMPDIR (else /tmp) + "/httptoolkit-webextension/config", where HTTP
// Toolkit writes them (Node's os.tmpdir()).
std::string httptoolkit_session_dir();

// The session files in `dir`, newest first. A file that names no session
// is left out, and said in `unreadable` (if given) with why. A directory
// that does not exist gives an empty list; one that cannot be read fails.
Result<std::vector<HttpToolkitSessionFile>> find_httptoolkit_session_files(const std::string& dir,
                                                                          std::vector<std::string>* unreadable = nullptr);

}  // namespace trafficdb
