#include "ingest/replay_exchange.h"

#include <nlohmann/json.hpp>

#include "store/database.h"
#include "store/sessions.h"
#include "store/writer.h"

namespace trafficdb {
namespace {

nlohmann::json replay_link(std::int64_t original_id, const ReplayChanges& changes) {
  nlohmann::json changed = nlohmann::json::array();
  if (changes.method) changed.push_back("method");
  if (changes.url) changed.push_back("url");
  if (!changes.set_headers.empty() || !changes.remove_headers.empty()) changed.push_back("headers");
  if (changes.body) changed.push_back("body");
  return {{"replay_of", original_id}, {"changed", changed}};
}

}  // namespace

Result<ReplayOutcome> replay_exchange(const std::string& db_path, std::int64_t original_id, const Exchange& original,
                                      const ReplayOptions& options) {
  if (original.tunnel) return Status::invalid_input("exchange " + std::to_string(original_id) +
                                                    " is a CONNECT tunnel: there is no HTTP request to replay");
  auto request = replay_request(original.request, options.changes);
  if (!request.is_ok()) return request.status();
  if (Status s = check_replay_allowed(original.request, *request, options.policy, options.confirm_hint,
                                      options.allow_hint);
      !s.is_ok())
    return s;

  WriterOptions writer_options;
  writer_options.max_body_bytes = options.send.max_body_bytes;
  auto writer = Writer::open(db_path, writer_options);
  if (!writer.is_ok()) return writer.status();
  const nlohmann::json link = replay_link(original_id, options.changes);
  auto session = (*writer)->create_session({"replay of exchange " + std::to_string(original_id),
                                            session_source::replay, request->url, session_status::recording,
                                            link.dump()});
  if (!session.is_ok()) return session.status();

  Exchange sent = send_replay(*request, options.send);
  sent.source_key = "replay-of-" + std::to_string(original_id);
  sent.details = link.dump();
  ReplayOutcome outcome;
  outcome.session_id = *session;
  outcome.error = sent.error;
  const std::optional<std::string> session_error =
      sent.error.empty() ? std::nullopt : std::optional<std::string>(sent.error);
  if (Status s = (*writer)->consume(*session, std::move(sent)); !s.is_ok()) return s;
  if (Status s = (*writer)->finish_session(*session, session_status::stopped, session_error); !s.is_ok()) return s;
  if (Status s = (*writer)->close(); !s.is_ok()) return s;

  auto db = open_database(db_path, OpenMode::read_only);
  if (!db.is_ok()) return db.status();
  auto id = last_exchange_id(**db, *session);
  if (!id.is_ok()) return id.status();
  if (!*id) return Status::error("the replay of exchange " + std::to_string(original_id) + " was not stored");
  outcome.exchange_id = **id;
  return outcome;
}

}  // namespace trafficdb
