// Reading untrusted JSON safely, shared by the response parsers of src/core (internal header).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "json_value.hpp"
#include "result.hpp"

namespace prolific::detail {

/// Parses untrusted bytes with no exception: bodies above max_body_bytes, nested deeper than
/// max_json_depth, or not valid JSON (invalid UTF-8 included) give false and a readable
/// `problem` (`*value` is then null). A leading UTF-8 byte order mark is skipped; duplicate keys:
/// the last wins.
bool parse_json(std::string_view body, JsonValue* value, std::string* problem);

/// Readable text of a JSON value: strings as they are, arrays joined with "; ", objects as
/// "key: value, value; key: value". `depth` is the nesting already walked (start with 0).
std::string flatten_detail(const JsonValue& value, int depth);

/// The string at `object[key]`, or "" when it is missing or not a string.
std::string string_field(const JsonValue& object, const char* key);

/// The integer at `object[key]` when it is a whole number JavaScript can hold exactly.
std::optional<long long> integer_field(const JsonValue& object, const char* key);

/// Fills an api Error from a Prolific error body (both documented shapes).
void read_error_fields(const JsonValue& body, Error* error);

/// Cuts valid UTF-8 `text` to at most `max_bytes` on a character boundary, adding "…" when cut.
std::string truncate_utf8(std::string text, std::size_t max_bytes);

/// Length of the well-formed UTF-8 sequence at `text[pos]`, or 0 (RFC 3629).
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos);

/// An invalid_response Error for a 2xx `body` that is not what was expected, with a snippet.
Error invalid_response(int http_status, std::string_view body, std::string_view token, const std::string& problem,
                       const char* expected);

}  // namespace prolific::detail
