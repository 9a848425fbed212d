#include "json_value.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "order.hpp"

namespace prolific::detail {

namespace {

std::vector<JsonMember>::const_iterator lower_bound_key(const std::vector<JsonMember>& members, std::string_view key) {
  return std::lower_bound(members.begin(), members.end(), key,
                          [](const JsonMember& member, std::string_view k) { return std::string_view(member.key) < k; });
}

}  // namespace

struct JsonValue::Payload {
  std::string string;
  std::vector<JsonValue> items;
  std::vector<JsonMember> members;
};

JsonValue::JsonValue(std::string text) : type_(Type::string) { payload().string = std::move(text); }

JsonValue::JsonValue(const JsonValue& other) : type_(other.type_), scalar_(other.scalar_) {
  if (other.payload_) payload_ = std::make_unique<Payload>(*other.payload_);
}

JsonValue& JsonValue::operator=(const JsonValue& other) {
  if (this != &other) *this = JsonValue(other);
  return *this;
}

JsonValue::JsonValue() = default;
JsonValue::JsonValue(JsonValue&& other) noexcept = default;
JsonValue& JsonValue::operator=(JsonValue&& other) noexcept = default;
JsonValue::~JsonValue() = default;

JsonValue::Payload& JsonValue::payload() {
  if (!payload_) payload_ = std::make_unique<Payload>();
  return *payload_;
}

const std::string& JsonValue::string() const {
  static const std::string empty;
  return payload_ ? payload_->string : empty;
}

const std::vector<JsonValue>& JsonValue::items() const {
  static const std::vector<JsonValue> empty;
  return payload_ ? payload_->items : empty;
}

const std::vector<JsonMember>& JsonValue::members() const {
  static const std::vector<JsonMember> empty;
  return payload_ ? payload_->members : empty;
}

void JsonValue::push_back(JsonValue value) { payload().items.push_back(std::move(value)); }

JsonValue JsonValue::integer(long long value) {
  JsonValue out;
  out.type_ = Type::integer;
  out.scalar_.signed_value = value;
  return out;
}

JsonValue JsonValue::array() {
  JsonValue out;
  out.type_ = Type::array;
  return out;
}

JsonValue JsonValue::object() {
  JsonValue out;
  out.type_ = Type::object;
  return out;
}

const JsonValue* JsonValue::find(std::string_view key) const {
  const std::vector<JsonMember>& all = members();
  auto it = lower_bound_key(all, key);
  if (it == all.end() || it->key != key) return nullptr;
  return &it->value;
}

void JsonValue::set(std::string key, JsonValue value) {
  std::vector<JsonMember>& all = payload().members;
  auto it = all.begin() + (lower_bound_key(all, key) - all.cbegin());
  if (it != all.end() && it->key == key) it->value = std::move(value);
  else all.insert(it, JsonMember{std::move(key), std::move(value)});
}

void JsonValue::erase(std::string_view key) {
  if (!payload_) return;
  std::vector<JsonMember>& all = payload_->members;
  auto it = lower_bound_key(all, key);
  if (it != all.end() && it->key == key) all.erase(it);
}

// The SAX handler (nlohmann/json's json_sax interface) that builds a JsonValue. Objects collect
// members in the order read and are sorted once, at their end, keeping the last of equal keys:
// what nlohmann's DOM (a std::map assigned key by key) holds, in O(n log n).
class JsonBuilder {
 public:
  using json = nlohmann::json;
  explicit JsonBuilder(JsonValue* root) : root_(root) {}

  bool null() { return add(JsonValue()) != nullptr; }
  bool boolean(bool value) {
    JsonValue v;
    v.type_ = JsonValue::Type::boolean;
    v.scalar_.boolean = value;
    return add(std::move(v)) != nullptr;
  }
  bool number_integer(json::number_integer_t value) { return add(JsonValue::integer(value)) != nullptr; }
  bool number_unsigned(json::number_unsigned_t value) {
    JsonValue v;
    v.type_ = JsonValue::Type::unsigned_integer;
    v.scalar_.unsigned_value = value;
    return add(std::move(v)) != nullptr;
  }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) {
    JsonValue v;
    v.type_ = JsonValue::Type::floating;
    v.scalar_.double_value = value;
    return add(std::move(v)) != nullptr;
  }
  bool string(json::string_t& value) { return add(JsonValue(std::move(value))) != nullptr; }
  bool binary(json::binary_t& /*value*/) { return false; }  // never called for JSON text
  bool start_object(std::size_t /*elements*/) {
    stack_.push_back(add(JsonValue::object()));
    return true;
  }
  bool key(json::string_t& value) {
    stack_.back()->payload().members.push_back(JsonMember{std::move(value), JsonValue()});
    return true;
  }
  bool end_object() {
    std::vector<JsonMember>& members = stack_.back()->payload().members;
    stack_.pop_back();
    std::size_t count = members.size();
    bool sorted = true;
    for (std::size_t i = 1; i < count && sorted; ++i) sorted = members[i - 1].key < members[i].key;
    if (sorted) return true;
    // Sorted by key, then by reading order; of a run of equal keys the last read wins.
    std::vector<std::size_t> order(count);
    for (std::size_t i = 0; i < count; ++i) order[i] = i;
    sort_positions(order, [&members](std::size_t a, std::size_t b) {
      int compared = members[a].key.compare(members[b].key);
      return compared < 0 || (compared == 0 && a < b);
    });
    std::vector<JsonMember> kept;
    kept.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      if (i + 1 < count && members[order[i + 1]].key == members[order[i]].key) continue;
      kept.push_back(std::move(members[order[i]]));
    }
    members = std::move(kept);
    return true;
  }
  bool start_array(std::size_t /*elements*/) {
    stack_.push_back(add(JsonValue::array()));
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*error*/) {
    return false;
  }

 private:
  // Places a value: the root, the next item of the open array, or the value of the last key read.
  // The open containers are the last values of their parents, so their addresses stay valid
  // while they are open.
  JsonValue* add(JsonValue value) {
    if (stack_.empty()) {
      *root_ = std::move(value);
      return root_;
    }
    JsonValue* parent = stack_.back();
    if (parent->type_ == JsonValue::Type::array) {
      std::vector<JsonValue>& items = parent->payload().items;
      items.push_back(std::move(value));
      return &items.back();
    }
    JsonValue* slot = &parent->payload_->members.back().value;
    *slot = std::move(value);
    return slot;
  }

  JsonValue* root_;
  std::vector<JsonValue*> stack_;
};

bool parse_json_value(std::string_view text, JsonValue* out) {
  JsonBuilder builder(out);
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &builder);
  if (!ok) *out = JsonValue();
  return ok;
}

std::size_t utf8_prefix_length(std::string_view text, std::size_t pos, bool* complete) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(pos);
  *complete = false;
  std::size_t length = 0;
  unsigned char min_second = 0x80, max_second = 0xbf;
  if (lead < 0x80) {
    *complete = true;
    return 1;
  }
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) min_second = 0xa0;
    if (lead == 0xed) max_second = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) min_second = 0x90;
    if (lead == 0xf4) max_second = 0x8f;
  } else {
    return 0;
  }
  std::size_t good = 1;
  while (good < length && pos + good < text.size()) {
    unsigned char b = byte(pos + good);
    unsigned char low = good == 1 ? min_second : 0x80, high = good == 1 ? max_second : 0xbf;
    if (b < low || b > high) break;
    ++good;
  }
  *complete = good == length;
  return good;
}

namespace {

void write_string(const std::string& text, std::string* out) {
  static constexpr char hex[] = "0123456789abcdef";
  *out += '"';
  for (std::size_t pos = 0; pos < text.size();) {
    bool complete = false;
    std::size_t length = utf8_prefix_length(text, pos, &complete);
    if (!complete) {
      // nlohmann's replace handler: one U+FFFD for the bytes read before the sequence broke (at
      // least the first); the byte that broke it is read again as a start.
      *out += "\xEF\xBF\xBD";
      pos += length == 0 ? 1 : length;
      continue;
    }
    char c = text[pos];
    switch (c) {
      case '\b': *out += "\\b"; break;
      case '\t': *out += "\\t"; break;
      case '\n': *out += "\\n"; break;
      case '\f': *out += "\\f"; break;
      case '\r': *out += "\\r"; break;
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          *out += "\\u00";
          *out += hex[(c >> 4) & 0xf];
          *out += hex[c & 0xf];
        } else {
          out->append(text, pos, length);
        }
    }
    pos += length;
  }
  *out += '"';
}

}  // namespace

void write_json(const JsonValue& value, std::string* out) {
  switch (value.type()) {
    case JsonValue::Type::null: *out += "null"; return;
    case JsonValue::Type::boolean: *out += value.boolean() ? "true" : "false"; return;
    case JsonValue::Type::integer: *out += std::to_string(value.signed_value()); return;
    case JsonValue::Type::unsigned_integer: *out += std::to_string(value.unsigned_value()); return;
    case JsonValue::Type::floating: {
      if (!std::isfinite(value.double_value())) {
        *out += "null";
        return;
      }
      // nlohmann's own shortest round-trip formatting (Grisu2), which dump() uses for doubles.
      char buffer[64];
      char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, value.double_value());
      out->append(buffer, static_cast<std::size_t>(end - buffer));
      return;
    }
    case JsonValue::Type::string: write_string(value.string(), out); return;
    case JsonValue::Type::array: {
      *out += '[';
      bool first = true;
      for (const JsonValue& item : value.items()) {
        if (!first) *out += ',';
        first = false;
        write_json(item, out);
      }
      *out += ']';
      return;
    }
    case JsonValue::Type::object: {
      *out += '{';
      bool first = true;
      for (const JsonMember& member : value.members()) {
        if (!first) *out += ',';
        first = false;
        write_string(member.key, out);
        *out += ':';
        write_json(member.value, out);
      }
      *out += '}';
      return;
    }
  }
}

std::string to_json_text(const JsonValue& value) {
  std::string out;
  write_json(value, &out);
  return out;
}

}  // namespace prolific::detail
