#include "recorder/json_array_stream.h"

namespace trafficdb {
namespace {

using nlohmann::json;

// Escapes a key for a JSON pointer (RFC 6901).
std::string pointer_token(const std::string& key) {
  std::string out;
  for (const char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

class ArraySax {
 public:
  ArraySax(BoundedJsonInput& input, const std::vector<std::string>& path, std::uint64_t max_element,
           const JsonElementCallback& callback)
      : input_(input), path_(path), max_element_(max_element), callback_(callback) {}

  // --- nlohmann SAX interface ---
  bool null() { return scalar(json(nullptr)); }
  bool boolean(bool v) { return scalar(json(v)); }
  bool number_integer(json::number_integer_t v) { return scalar(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return scalar(json(v)); }
  bool number_float(json::number_float_t v, const std::string&) { return scalar(json(v)); }
  bool string(std::string& v) {
    if (const auto cut = input_.take_cut(); cut && element_depth_ > 0 && !skipping_) {
      current_.cut_strings.emplace_back(current_pointer(), cut->original_length);
    }
    return scalar(json(std::move(v)));
  }
  bool binary(json::binary_t&) { return scalar(json()); }
  bool key(std::string& k) {
    input_.take_cut();  // a cut key is simply kept short
    if (element_depth_ > 0) {
      if (!skipping_) key_ = std::move(k);
      return true;
    }
    frames_.back().key = std::move(k);
    return true;
  }
  bool start_object(std::size_t) { return start_container(true); }
  bool start_array(std::size_t) { return start_container(false); }
  bool end_object() { return end_container(); }
  bool end_array() { return end_container(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
    error_position_ = input_.offset();
    std::string what = ex.what();
    if (const auto close = what.find("] "); what.rfind("[json.exception", 0) == 0 && close != std::string::npos)
      what = what.substr(close + 2);
    error_ = what;
    return false;
  }

  JsonArrayStreamResult result;
  std::optional<std::string> error_;
  std::size_t error_position_ = 0;

 private:
  struct Frame {
    bool is_object;
    bool on_path;
    std::string key;
  };
  struct BuildFrame {
    json* value;
    std::string pointer;  // JSON pointer of this container within the element
  };

  bool in_target_array() const {
    return !frames_.empty() && frames_.back().on_path && !frames_.back().is_object &&
           frames_.size() == path_.size() + 1;
  }

  std::string current_pointer() const {
    if (build_.empty()) return "";
    const BuildFrame& top = build_.back();
    if (top.value->is_array()) return top.pointer + "/" + std::to_string(top.value->size());
    return top.pointer + "/" + pointer_token(key_);
  }

  void begin_element() {
    current_ = JsonElement{};
    current_.index = result.elements;
    current_.offset = input_.offset() == 0 ? 0 : input_.offset() - 1;
    element_start_passed_ = input_.passed_on();
    skipping_ = false;
  }

  bool finish_element() {
    ++result.elements;
    build_.clear();
    if (skipping_) {
      current_.value = json();
      current_.oversized = true;
      current_.cut_strings.clear();
    }
    if (!callback_(std::move(current_))) {
      result.stopped = true;
      return false;
    }
    return true;
  }

  bool check_size() {
    if (!skipping_ && input_.passed_on() - element_start_passed_ > max_element_) {
      skipping_ = true;
      build_.clear();
      current_.value = json();
    }
    return true;
  }

  // Adds `v` to the container being built; returns where it went.
  json* add(json&& v) {
    if (build_.empty()) {
      current_.value = std::move(v);
      return &current_.value;
    }
    json* parent = build_.back().value;
    if (parent->is_array()) {
      parent->push_back(std::move(v));
      return &parent->back();
    }
    json& slot = (*parent)[key_];
    slot = std::move(v);
    return &slot;
  }

  bool scalar(json&& v) {
    if (element_depth_ > 0) {
      check_size();
      if (!skipping_) add(std::move(v));
      return true;
    }
    if (in_target_array()) {  // an element that is a bare scalar
      begin_element();
      current_.value = std::move(v);
      return finish_element();
    }
    return true;
  }

  bool start_container(bool is_object) {
    if (element_depth_ > 0) {
      ++element_depth_;
      check_size();
      if (!skipping_) {
        const std::string pointer = current_pointer();
        json* child = add(is_object ? json::object() : json::array());
        build_.push_back({child, pointer});
      }
      return true;
    }
    if (in_target_array()) {
      begin_element();
      element_depth_ = 1;
      json* root = add(is_object ? json::object() : json::array());
      build_.push_back({root, ""});
      return true;
    }
    const std::size_t level = frames_.size();
    bool on_path = level <= path_.size() && (level == path_.size() ? !is_object : is_object);
    if (level > 0) {
      const Frame& parent = frames_.back();
      on_path = on_path && parent.on_path && parent.is_object && parent.key == path_[level - 1];
    }
    if (on_path && level == path_.size()) result.array_found = true;
    frames_.push_back({is_object, on_path, {}});
    return true;
  }

  bool end_container() {
    if (element_depth_ > 0) {
      --element_depth_;
      if (!skipping_) build_.pop_back();
      if (element_depth_ == 0) return finish_element();
      return true;
    }
    const bool was_target = in_target_array();
    frames_.pop_back();
    // Nothing after the target array matters: stop reading.
    if (was_target) {
      done_ = true;
      return false;
    }
    return true;
  }

 public:
  bool done_ = false;

 private:
  BoundedJsonInput& input_;
  const std::vector<std::string>& path_;
  const std::uint64_t max_element_;
  const JsonElementCallback& callback_;

  std::vector<Frame> frames_;  // containers outside any element
  int element_depth_ = 0;
  std::uint64_t element_start_passed_ = 0;
  bool skipping_ = false;
  JsonElement current_;
  std::vector<BuildFrame> build_;
  std::string key_;
};

}  // namespace

Result<JsonArrayStreamResult> stream_json_array(BoundedJsonInput& input,
                                                const std::vector<std::string>& path,
                                                std::uint64_t max_element_bytes,
                                                const JsonElementCallback& on_element) {
  ArraySax sax(input, path, max_element_bytes, on_element);
  json::sax_parse(input.begin(), input.end(), &sax, json::input_format_t::json, true);
  if (!input.read_status().is_ok()) return input.read_status();
  if (sax.done_ || sax.result.stopped) return sax.result;
  if (sax.error_) {
    std::string message = "invalid JSON at byte " + std::to_string(sax.error_position_) + ": " + *sax.error_;
    return Status::error(message);
  }
  return sax.result;
}

}  // namespace trafficdb
