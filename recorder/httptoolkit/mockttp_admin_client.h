// MockttpAdminClient: the HTTP side of Mockttp's admin API (see
// ../shared/notes/httptoolkit.md): starting, configuring, checking and
// stopping sessions, and GraphQL queries on a session.
//
// Every request carries the Origin HTTP Toolkit's admin server insists on
// (it answers 403, or drops a WebSocket upgrade, without it); plain
// Mockttp accepts any. Each call opens its own connection, so calls are
// safe from any thread. Errors name the admin URL and say what to check:
// nothing listening (is HTTP Toolkit running? plain Mockttp listens on
// 45454), the origin refused, an unknown session, Mockttp's own message.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace trafficdb {

inline constexpr const char* kHttpToolkitOrigin = "https://app.httptoolkit.tech";

// Whether `id` can be a Mockttp session id (letters, digits, '-' and '_',
// as Mockttp's routes accept): anything else is refused before it is put
// in a URL.
bool is_session_id(std::string_view id);

struct MockttpSession {
  std::string id;
  int proxy_port = 0;  // where the session's proxy listens
};

class MockttpAdminClient {
 public:
  // `admin_url`: "http://host:port" (a trailing "/" is fine). Fails on
  // anything else.
  static Result<MockttpAdminClient> for_url(const std::string& admin_url, std::string origin = kHttpToolkitOrigin,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(10));

  const std::string& url() const { return url_; }  // "http://127.0.0.1:45456"
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  const std::string& origin() const { return origin_; }

  // POST /start: a session whose proxy listens on `proxy_port` (0: any free
  // port), bodies sent as they were on the wire (messageBodyDecoding
  // "none"). `https` ({"key": PEM, "cert": PEM}, or null for the admin
  // server's default) lets it intercept TLS.
  Result<MockttpSession> start_session(int proxy_port, const nlohmann::json& https) const;

  // Rules that pass every request and every WebSocket through to where it
  // was going.
  Status set_passthrough_rules(const std::string& session_id) const;

  Status stop_session(const std::string& session_id) const;

  // true / false for a session the admin server knows / does not know; an
  // error when the server cannot be asked.
  Result<bool> session_exists(const std::string& session_id) const;

  // A GraphQL query on the session: its `data`, or an error carrying the
  // first of its `errors`.
  Result<nlohmann::json> graphql(const std::string& session_id, const std::string& query,
                                 const nlohmann::json& variables = nullptr) const;

 private:
  struct Answer {
    int status = 0;
    std::string body;
  };
  MockttpAdminClient() = default;
  Result<Answer> post(const std::string& path, const std::string& body) const;
  Status refused(const std::string& what, const Answer& answer) const;

  std::string url_, host_, origin_;
  int port_ = 0;
  std::chrono::milliseconds timeout_{10000};
};

}  // namespace trafficdb
