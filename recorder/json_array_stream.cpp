#include "recorder/json_array_stream.h"

namespace trafficdb {
namespace {

using nlohmann::json;

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
    // nlohmann quotes the token it read last, which can be huge.
    if (what.size() > 300) what = what.substr(0, 300) + "...";
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
    std::string token;  // this container's key or index in its parent (for pointers)
  };

  bool in_target_array() const {
    return !frames_.empty() && frames_.back().on_path && !frames_.back().is_object &&
           frames_.size() == path_.size() + 1;
  }

  // The token the next value gets in the container being built.
  std::string next_token() const {
    if (build_.empty()) return "";
    const json* top = build_.back().value;
    return top->is_array() ? std::to_string(top->size()) : json_pointer_token(key_);
  }

  // The JSON pointer of the next value; built only when a string was cut.
  std::string current_pointer() const {
    std::string pointer;
    for (std::size_t i = 1; i < build_.size(); ++i) pointer += "/" + build_[i].token;
    return build_.empty() ? pointer : pointer + "/" + next_token();
  }

  void begin_element() {
    current_ = JsonElement{};
    current_.index = result.elements;
    current_.offset = input_.offset() == 0 ? 0 : input_.offset() - 1;
    element_start_passed_ = input_.passed_on();
    element_values_ = 0;
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

  // Memory of the element being built: its text, plus what each value costs
  // as a json node (so [{},{},...] cannot grow 30 times its size), within
  // max_element; and its depth within kMaxDepth.
  void check_size() {
    ++element_values_;
    if (skipping_) return;
    const std::uint64_t cost = input_.passed_on() - element_start_passed_ + element_values_ * kValueCost;
    if (cost > max_element_) skip("is larger than the limit of " + std::to_string(max_element_ >> 20) + " MiB");
    else if (element_depth_ > kMaxDepth) skip("is nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }

  void skip(std::string reason) {
    skipping_ = true;
    build_.clear();
    current_.value = json();
    current_.skip_reason = std::move(reason);
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
        std::string token = next_token();
        json* child = add(is_object ? json::object() : json::array());
        build_.push_back({child, std::move(token)});
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
  static constexpr std::uint64_t kValueCost = 64;  // bytes a json node costs, roughly
  static constexpr int kMaxDepth = 512;
  int element_depth_ = 0;
  std::uint64_t element_start_passed_ = 0;
  std::uint64_t element_values_ = 0;
  bool skipping_ = false;
  JsonElement current_;
  std::vector<BuildFrame> build_;
  std::string key_;
};

}  // namespace

std::string json_pointer_token(const std::string& key) {
  std::string out;
  for (const char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

Result<JsonArrayStreamResult> stream_json_array(BoundedJsonInput& input,
                                                const std::vector<std::string>& path,
                                                std::uint64_t max_element_bytes,
                                                const JsonElementCallback& on_element) {
  ArraySax sax(input, path, max_element_bytes, on_element);
  json::sax_parse(input.begin(), input.end(), &sax, json::input_format_t::json, true);
  if (!input.read_status().is_ok()) return input.read_status();
  if (sax.done_ || sax.result.stopped) return sax.result;
  if (sax.error_) {
    if (input.refused_long_token())
      return Status::invalid_input("invalid JSON at byte " + std::to_string(sax.error_position_) +
                           ": a number or literal longer than " + std::to_string(BoundedJsonInput::kMaxTokenBytes) +
                           " characters");
    return Status::invalid_input("invalid JSON at byte " + std::to_string(sax.error_position_) + ": " + *sax.error_);
  }
  return sax.result;
}

}  // namespace trafficdb
