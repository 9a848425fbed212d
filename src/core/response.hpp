// Reading answers: the 200 status body, Prolific error bodies, redaction of the token.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "result.hpp"

namespace prolific {

/// Largest response body read, in bytes (1 MiB). A larger body is an invalid_response for a 2xx
/// and is cut (error text from the first bytes only) otherwise; the transport stops reading there.
inline constexpr std::size_t max_body_bytes = 1024 * 1024;

/// Deepest JSON nesting accepted (arrays and objects). Deeper bodies are invalid_response.
inline constexpr int max_json_depth = 64;

/// Longest body_snippet, in UTF-16 code units (what JavaScript's String.length counts).
inline constexpr std::size_t max_snippet_units = 200;

/// The four statuses of the Prolific API reference; any other non-empty string is passed through.
inline constexpr std::string_view documented_statuses[] = {"UNINITIALISED", "PROCESSING", "READY", "ERROR"};

/// True for READY and ERROR, the statuses after which a dataset never changes.
bool is_terminal_status(std::string_view status);

/// What a text is, which decides the spellings of the token looked for in it.
enum class TokenSpelling {
  /// Decoded text: a JSON string's value, a header, a message. The token is matched as its bytes,
  /// ASCII letters in any case (a host name is lower-cased by URL parsers); a backslash is a
  /// backslash, never the start of an escape.
  text,
  /// Bytes that may be JSON source (a response body, as the server sent it): the token's bytes as
  /// above, and also any of its characters written as a JSON escape (\/, \\, \", \uXXXX below
  /// U+0080), in any mix. Every raw spelling is still found, whatever escapes the token holds.
  json_source,
};

/// Bytes of `text` from `pos` that spell `token` in `spelling`, the longest such spelling; 0 when
/// none starts there. An empty token never matches.
std::size_t token_length_at(std::string_view text, std::size_t pos, std::string_view token,
                            TokenSpelling spelling = TokenSpelling::text);

/// True when `text` holds `token` in any of the spellings of token_length_at.
bool contains_token(std::string_view text, std::string_view token, TokenSpelling spelling = TokenSpelling::text);

/// Replaces `token` in `text`, in every spelling token_length_at matches, by "[REDACTED]": each
/// run of overlapping spellings becomes one marker. Repeated until no spelling is left, so the
/// marker and the text around it cannot form the token either (after 16 rounds, which only a
/// token built around the marker's own brackets can need, the whole text becomes the marker).
/// A token that is itself part of "[REDACTED]" cannot be hidden by it. An empty token changes
/// nothing. Linear in the text for a given token length, however often the token occurs.
std::string redact(std::string text, std::string_view token, TokenSpelling spelling = TokenSpelling::text);

/// Redacts every text field of `error` (message, title, detail, additional_information, cause,
/// status) as decoded text, once the error is fully assembled: a token that a join of several
/// separately redacted parts (title ": " detail) would spell again is then caught too.
void redact_error(Error* error, std::string_view token);

/// The first max_snippet_units UTF-16 units of `body`, decoded as UTF-8 with each invalid byte
/// replaced by U+FFFD, after redaction of `token` spelled as in JSON source (the body may be JSON
/// or not: raw spellings are found either way). When the cut text still holds the token (formed
/// with a marker), it is redacted again and cut again. Always valid UTF-8. A body holding a NUL
/// byte (UTF-16 or UTF-32 text, binary data) gives "": redaction matches the token's bytes, which
/// such encodings interleave with NULs, so none of it is shown.
std::string body_snippet(std::string_view body, std::string_view token);

/// Parses the body of a 2xx answer to `GET .../datasets/{id}/status` (Prolific API reference,
/// docs/openapi/prolific-datasets.yaml `DatasetStatus`: `{"status": "UNINITIALISED" | "PROCESSING"
/// | "READY" | "ERROR" | null}`, the field optional). Other members are ignored.
/// A leading UTF-8 byte order mark is skipped (RFC 8259 §8.1); with duplicate keys the last one
/// wins, as in JavaScript's JSON.parse. Returns the status string, unchanged but redacted, or
/// std::nullopt when the dataset has no status of its own (`"status": null` or no `status` field:
/// a V4 dataset, whose progress lives in its import jobs).
/// Errors (invalid_response, with http_status and body_snippet): a body larger than
/// max_body_bytes, not JSON (syntax, invalid UTF-8, truncation), nested deeper than
/// max_json_depth, not an object, or whose status is neither null nor a non-empty string.
Result<std::optional<std::string>> parse_status_body(int http_status, std::string_view body, std::string_view token);

/// Reads a non-2xx answer into an api Error (JS: ProlificApiError).
/// Understands Prolific's `{"error": {"status", "error_code", "title", "detail",
/// "additional_information", "traceback", "interactive"}}`, the `{"message", "detail"}` shape and
/// `{"detail": ...}`; `detail` may be a string, an array of strings, or an object of field name to
/// strings, and is flattened to one readable line. Any other body (HTML from a gateway, empty,
/// broken JSON) gives the standard reason phrase as title. The traceback is never copied.
/// `retry_after_ms` is stored as given. Every text is redacted and cut to a readable length.
/// `subject` names what the request was about in the message, e.g. `dataset "abc"`.
Error parse_error_response(int http_status, std::string_view body, std::optional<double> retry_after_ms,
                           std::string_view token, std::string_view subject);

/// The standard reason phrase of an HTTP status code (RFC 9110 §15), or "HTTP <code>".
std::string reason_phrase(int http_status);

/// Puts a dataset id into a message: quoted, cut to 100 bytes (on a UTF-8 boundary).
std::string quote_dataset_id(std::string_view dataset_id);

}  // namespace prolific
