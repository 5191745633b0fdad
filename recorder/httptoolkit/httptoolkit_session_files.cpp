#include "recorder/httptoolkit/httptoolkit_session_files.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

#include "recorder/httptoolkit/mockttp_admin_client.h"

namespace trafficdb {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxFileBytes = 64u << 10;  // the real ones are a few hundred bytes

// The adminBaseUrl the file holds: from its JSON, else found in its text.
std::optional<std::string> admin_base_url(const std::string& text) {
  const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_object())
    if (const auto it = parsed.find("adminBaseUrl"); it != parsed.end() && it->is_string()) return it->get<std::string>();
  const std::string key = "\"adminBaseUrl\"";
  auto at = text.find(key);
  if (at == std::string::npos) return std::nullopt;
  at = text.find('"', text.find(':', at + key.size()));
  if (at == std::string::npos) return std::nullopt;
  const auto end = text.find('"', at + 1);
  if (end == std::string::npos) return std::nullopt;
  return text.substr(at + 1, end - at - 1);
}

// "<anything>/session/<id>[/...]" -> id
std::optional<std::string> session_of(const std::string& url) {
  const std::string marker = "/session/";
  const auto at = url.rfind(marker);
  if (at == std::string::npos) return std::nullopt;
  std::string id = url.substr(at + marker.size());
  id = id.substr(0, id.find('/'));
  if (!is_session_id(id)) return std::nullopt;
  return id;
}

int port_of(const std::string& file_name) {
  const auto dot = file_name.rfind('.');
  if (dot == std::string::npos || dot + 1 == file_name.size() || file_name.size() - dot > 6) return 0;
  int port = 0;
  for (std::size_t i = dot + 1; i < file_name.size(); ++i) {
    if (file_name[i] < '0' || file_name[i] > '9') return 0;
    port = port * 10 + (file_name[i] - '0');
  }
  return port <= 65535 ? port : 0;
}

}  // namespace

std::string httptoolkit_session_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp && *tmp ? tmp : "/tmp";
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base + "/httptoolkit-webextension/config";
}

Result<std::vector<HttpToolkitSessionFile>> find_httptoolkit_session_files(const std::string& dir,
                                                                          std::vector<std::string>* unreadable) {
  std::vector<HttpToolkitSessionFile> files;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return files;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::io_error("cannot read " + dir + ": " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return Status::io_error("cannot read " + dir + ": " + ec.message());
    if (!it->is_regular_file(ec)) continue;
    const std::string path = it->path().string();
    std::ifstream in(path, std::ios::binary);
    std::string text(kMaxFileBytes, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    const auto url = admin_base_url(text);
    const auto session = url ? session_of(*url) : std::nullopt;
    if (!session) {
      if (unreadable)
        unreadable->push_back(path + (url ? ": its adminBaseUrl names no session" : ": it has no adminBaseUrl"));
      continue;
    }
    files.push_back({path, *session, port_of(it->path().filename().string()), it->last_write_time(ec)});
  }
  std::stable_sort(files.begin(), files.end(),
                   [](const auto& a, const auto& b) { return a.modified > b.modified; });
  return files;
}

}  // namespace trafficdb
