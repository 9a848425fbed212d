// A small JSON value for the response parsers of src/core (internal header): read from untrusted
// bytes through nlohmann/json's SAX parser, written back as nlohmann/json's dump() would write it.
// It holds what nlohmann::json's DOM holds, with the same meaning (objects keep their keys sorted
// by byte, a repeated key keeps its last value, non-negative integers are unsigned), at a fraction
// of the code in the WebAssembly module.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace prolific::detail {

struct JsonMember;

/// A JSON value: null, boolean, number (signed integer, unsigned integer or double, as nlohmann's
/// lexer tells them apart), string, array or object.
class JsonValue {
 public:
  enum class Type : unsigned char { null, boolean, integer, unsigned_integer, floating, string, array, object };

  JsonValue();
  /// A string value.
  explicit JsonValue(std::string text);
  JsonValue(const JsonValue& other);
  JsonValue(JsonValue&& other) noexcept;
  JsonValue& operator=(const JsonValue& other);
  JsonValue& operator=(JsonValue&& other) noexcept;
  ~JsonValue();
  /// A signed integer value.
  static JsonValue integer(long long value);
  /// An empty array / object.
  static JsonValue array();
  static JsonValue object();

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::null; }
  bool is_string() const { return type_ == Type::string; }
  bool is_array() const { return type_ == Type::array; }
  bool is_object() const { return type_ == Type::object; }

  /// The text of a string value ("" for other types).
  const std::string& string() const;
  /// The value of a boolean / integer / unsigned integer / double (only for a value of that type).
  bool boolean() const { return scalar_.boolean; }
  long long signed_value() const { return scalar_.signed_value; }
  unsigned long long unsigned_value() const { return scalar_.unsigned_value; }
  double double_value() const { return scalar_.double_value; }
  /// Items of an array (empty for other types).
  const std::vector<JsonValue>& items() const;
  /// Members of an object, sorted by key, each key once (empty for other types).
  const std::vector<JsonMember>& members() const;

  /// The member `key` of an object, or nullptr (also when this is not an object).
  const JsonValue* find(std::string_view key) const;
  /// Sets member `key` of an object (replacing a member of that key), keeping keys sorted.
  void set(std::string key, JsonValue value);
  /// Removes member `key` of an object, when there is one.
  void erase(std::string_view key);
  /// Appends an item to an array.
  void push_back(JsonValue value);

 private:
  friend class JsonBuilder;
  struct Payload;
  // The payload of a string, array or object, made when first needed.
  Payload& payload();

  // A value is small (24 bytes in WebAssembly, the DOM's 16 plus a pointer): a hostile body of 1
  // MiB of tiny values then takes about what nlohmann's DOM took, not four times as much.
  Type type_ = Type::null;
  union Scalar {
    bool boolean;
    long long signed_value;
    unsigned long long unsigned_value;
    double double_value;
  } scalar_{};
  std::unique_ptr<Payload> payload_;
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

/// Parses JSON text (RFC 8259, as nlohmann/json's parser reads it: whole input, no comments) with
/// no exception. Returns false when `text` is not valid JSON (syntax, invalid UTF-8, a number out
/// of range, trailing bytes), and then `*out` is left null.
bool parse_json_value(std::string_view text, JsonValue* out);

/// Length of the longest start of a UTF-8 sequence at `text[pos]` (pos < text.size()) that can
/// still become well formed (RFC 3629), up to the whole sequence; `*complete` tells whether it is
/// whole. 0: not a lead byte. The writer replaces a broken start with one U+FFFD, as nlohmann's
/// dump() does; utf8_sequence_length (json_reading.hpp) is the whole sequence or 0.
std::size_t utf8_prefix_length(std::string_view text, std::size_t pos, bool* complete);

/// Appends `value` as compact JSON text, byte for byte what nlohmann::json::dump(-1, ' ', false,
/// error_handler_t::replace) writes: keys sorted, no spaces, "/" and non-ASCII as they are,
/// controls as \b \t \n \f \r or \u00XX, each maximal invalid UTF-8 sequence as U+FFFD, doubles
/// in nlohmann's shortest round-trip form.
void write_json(const JsonValue& value, std::string* out);

/// write_json into a new string.
std::string to_json_text(const JsonValue& value);

}  // namespace prolific::detail
