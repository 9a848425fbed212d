#include "response.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "json_reading.hpp"
#include "order.hpp"

namespace prolific {
namespace detail {

constexpr std::size_t max_title_bytes = 500;
constexpr std::size_t max_detail_bytes = 2000;

// Length of the UTF-8 sequence starting at `text[pos]` when it is well formed (RFC 3629), else 0.
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) {
  bool complete = false;
  std::size_t length = utf8_prefix_length(text, pos, &complete);
  return complete ? length : 0;
}

// Cuts valid UTF-8 `text` to at most `max_bytes`, on a character boundary, adding "…" when cut.
std::string truncate_utf8(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
  text.resize(end);
  text += "\xE2\x80\xA6";
  return text;
}

// Deepest nesting of arrays and objects outside strings; stops counting past `limit`.
int json_depth(std::string_view body, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

std::string_view strip_bom(std::string_view body) {
  if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  return body;
}

// Parses untrusted bytes without exceptions. Sets `problem` and returns false on failure.
bool parse_json(std::string_view body, JsonValue* value, std::string* problem) {
  *value = JsonValue();
  if (body.size() > max_body_bytes) {
    *problem = "the body is larger than " + std::to_string(max_body_bytes) + " bytes";
    return false;
  }
  body = strip_bom(body);
  if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") {
    *problem = "the body starts with more than one byte order mark";
    return false;
  }
  if (body.find('\0') != std::string_view::npos) {
    // JSON text never holds a raw NUL (RFC 8259 §7); nlohmann/json would stop reading there.
    *problem = "the body is not valid JSON (it holds a NUL byte)";
    return false;
  }
  if (json_depth(body, max_json_depth) > max_json_depth) {
    *problem = "the JSON is nested deeper than " + std::to_string(max_json_depth) + " levels";
    return false;
  }
  if (parse_json_value(body, value)) return true;
  *problem = "the body is not valid JSON";
  return false;
}

std::string flatten_detail(const JsonValue& value, int depth);

std::string join_flattened(const JsonValue& array, const char* separator, int depth) {
  std::string out;
  for (const JsonValue& item : array.items()) {
    std::string text = flatten_detail(item, depth + 1);
    if (text.empty()) continue;
    if (!out.empty()) out += separator;
    out += text;
  }
  return out;
}

// Readable text for a `detail`: strings as they are, arrays joined with "; ", objects as
// "field: message, message; field: message".
std::string flatten_detail(const JsonValue& value, int depth) {
  if (depth > max_json_depth) return "";
  switch (value.type()) {
    case JsonValue::Type::string:
      return value.string();
    case JsonValue::Type::array:
      return join_flattened(value, depth == 0 ? "; " : ", ", depth);
    case JsonValue::Type::object: {
      std::string out;
      for (const JsonMember& member : value.members()) {
        std::string text = member.value.is_array() ? join_flattened(member.value, ", ", depth + 1)
                                                   : flatten_detail(member.value, depth + 1);
        if (!out.empty()) out += "; ";
        out += member.key;
        if (!text.empty()) out += ": " + text;
      }
      return out;
    }
    case JsonValue::Type::null:
      return "";
    default:
      return to_json_text(value);
  }
}

std::string string_field(const JsonValue& object, const char* key) {
  const JsonValue* field = object.find(key);
  if (field == nullptr || !field->is_string()) return "";
  return field->string();
}

std::optional<long long> integer_field(const JsonValue& object, const char* key) {
  // The value reaches JavaScript as a number, so only safe integers (|n| <= 2^53 - 1) are kept.
  // nlohmann/json's lexer reads every non-negative integer as unsigned.
  constexpr unsigned long long max_safe_integer = 9007199254740991ULL;
  const JsonValue* field = object.find(key);
  if (field == nullptr) return std::nullopt;
  if (field->type() == JsonValue::Type::unsigned_integer) {
    unsigned long long value = field->unsigned_value();
    if (value <= max_safe_integer) return static_cast<long long>(value);
    return std::nullopt;
  }
  if (field->type() == JsonValue::Type::integer) {
    long long value = field->signed_value();
    if (value >= -static_cast<long long>(max_safe_integer) && value <= static_cast<long long>(max_safe_integer)) {
      return value;
    }
  }
  return std::nullopt;
}

void read_error_fields(const JsonValue& body, Error* error) {
  if (!body.is_object()) return;
  const JsonValue* nested = body.find("error");
  if (nested != nullptr && nested->is_object()) {
    error->error_code = integer_field(*nested, "error_code");
    error->title = string_field(*nested, "title");
    if (const JsonValue* detail = nested->find("detail")) error->detail = flatten_detail(*detail, 0);
    error->additional_information = string_field(*nested, "additional_information");
    return;
  }
  if (nested != nullptr && nested->is_string()) error->title = nested->string();
  std::string message = string_field(body, "message");
  if (!message.empty()) error->title = message;
  if (const JsonValue* detail = body.find("detail")) error->detail = flatten_detail(*detail, 0);
}

Error invalid_response(int http_status, std::string_view body, std::string_view token, const std::string& problem,
                       const char* expected) {
  Error error = make_error(ErrorKind::invalid_response, "The Prolific API answered HTTP " + std::to_string(http_status) +
                                                            " with a body that is not " + expected + ": " + problem);
  error.http_status = http_status;
  error.body_snippet = body_snippet(body, token);
  return error;
}

}  // namespace detail

using detail::JsonValue;
using detail::flatten_detail;
using detail::parse_json;
using detail::read_error_fields;
using detail::truncate_utf8;
using detail::utf8_sequence_length;
using detail::max_title_bytes;
using detail::max_detail_bytes;

bool is_terminal_status(std::string_view status) { return status == "READY" || status == "ERROR"; }

namespace {

constexpr std::string_view redacted_marker = "[REDACTED]";
// Rounds of redact() before it gives up on keeping any of the text (see its documentation).
constexpr int max_redaction_rounds = 16;

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_letter(char a, char b) { return ascii_lower(a) == ascii_lower(b); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = ascii_lower(c);
  return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

// The JSON escape at text[at] (RFC 8259 §7) of a character below U+0080 that a token may hold:
// \/, \\, \" or \uXXXX. Returns the character and the bytes used, or 0 bytes when there is none.
std::pair<char, std::size_t> json_escape_at(std::string_view text, std::size_t at) {
  if (text[at] != '\\' || at + 1 >= text.size()) return {0, 0};
  char escape = text[at + 1];
  if (escape == '/' || escape == '\\' || escape == '"') return {escape, 2};
  if (escape == 'u' && at + 5 < text.size()) {
    int value = 0;
    for (std::size_t i = at + 2; i < at + 6; ++i) {
      int digit = hex_value(text[i]);
      if (digit < 0) return {0, 0};
      value = value * 16 + digit;
    }
    if (value > 0 && value < 0x80) return {static_cast<char>(value), 6};
  }
  return {0, 0};
}

std::size_t raw_length_at(std::string_view text, std::size_t pos, std::string_view token) {
  if (text.size() - pos < token.size()) return 0;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (!same_letter(text[pos + i], token[i])) return 0;
  }
  return token.size();
}

// Positions in the text, kept sorted and without repeats: on the stack while few (always, but for
// texts made to branch at every character), on the heap past that. A match is tried at every
// position of every text redacted, so it must not allocate.
class PositionSet {
 public:
  void clear() {
    size_ = 0;
    heap_.clear();
  }
  bool empty() const { return size_ == 0 && heap_.empty(); }
  void add(std::size_t position) {
    if (heap_.empty() && size_ < inline_.size()) {
      inline_[size_++] = position;
      return;
    }
    if (heap_.empty()) heap_.assign(inline_.begin(), inline_.begin() + static_cast<std::ptrdiff_t>(size_));
    heap_.push_back(position);
  }
  // Sorts and removes repeats; then begin()..end() are the positions.
  void normalise() {
    std::size_t* first = begin();
    std::size_t* last = end();
    sort_positions(first, last, [](const void*, std::size_t a, std::size_t b) { return a < b; }, nullptr);
    std::size_t count = static_cast<std::size_t>(std::unique(first, last) - first);
    if (heap_.empty()) size_ = count;
    else heap_.resize(count);
  }
  std::size_t* begin() { return heap_.empty() ? inline_.data() : heap_.data(); }
  std::size_t* end() { return heap_.empty() ? inline_.data() + size_ : heap_.data() + heap_.size(); }

 private:
  std::array<std::size_t, 16> inline_{};
  std::size_t size_ = 0;
  std::vector<std::size_t> heap_;
};

// Every character of the token may be written raw or as an escape, so one start can have several
// spellings (a token "\\" is spelled by the text \\ raw, and by \\\\ escaped): the ends reachable
// after each character are kept as a set, and the furthest end after the last one is the answer.
std::size_t json_source_length_at(std::string_view text, std::size_t pos, std::string_view token) {
  // Up to the first backslash the only spelling is the raw one: compared directly (the usual
  // case, and a mismatch at the first character ends it at once).
  std::size_t at = pos;
  std::size_t matched = 0;
  while (matched < token.size() && at < text.size() && text[at] != '\\') {
    if (!same_letter(text[at], token[matched])) return 0;
    ++at;
    ++matched;
  }
  if (matched == token.size()) return at - pos;
  if (at >= text.size()) return 0;
  PositionSet sets[2];
  PositionSet* ends = &sets[0];
  PositionSet* next = &sets[1];
  ends->add(at);
  for (char expected : token.substr(matched)) {
    next->clear();
    for (std::size_t* from = ends->begin(); from != ends->end(); ++from) {
      if (*from >= text.size()) continue;
      if (same_letter(text[*from], expected)) next->add(*from + 1);
      auto [c, used] = json_escape_at(text, *from);
      if (used != 0 && same_letter(c, expected)) next->add(*from + used);
    }
    if (next->empty()) return 0;
    next->normalise();
    std::swap(ends, next);
  }
  return *(ends->end() - 1) - pos;
}

// The run of overlapping spellings of the token that starts with the one at `start` (whose end is
// `end`): spellings starting inside it that reach further extend it. Returns the end of the run.
std::size_t run_end(std::string_view text, std::size_t start, std::size_t end, std::string_view token,
                    TokenSpelling spelling) {
  for (std::size_t pos = start + 1; pos < end; ++pos) {
    if (std::size_t length = token_length_at(text, pos, token, spelling)) end = std::max(end, pos + length);
  }
  return end;
}

// One left-to-right pass: each run of overlapping spellings becomes one marker. False when the
// text holds no spelling (and `out` is left alone).
bool redact_once(std::string_view text, std::string_view token, TokenSpelling spelling, std::string* out) {
  std::size_t copied = 0;
  bool changed = false;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t length = token_length_at(text, pos, token, spelling);
    if (length == 0) {
      ++pos;
      continue;
    }
    if (!changed) {
      out->clear();
      out->reserve(text.size());
      changed = true;
    }
    out->append(text.substr(copied, pos - copied));
    *out += redacted_marker;
    pos = run_end(text, pos, pos + length, token, spelling);
    copied = pos;
  }
  if (changed) out->append(text.substr(copied));
  return changed;
}

// Appends the character at `*pos` of `text` to `out` (an invalid byte as U+FFFD) and moves past
// it, unless its UTF-16 units would take `*units` past max_snippet_units: then returns false.
bool append_snippet_character(std::string_view text, std::size_t* pos, std::string* out, std::size_t* units) {
  std::size_t length = utf8_sequence_length(text, *pos);
  std::size_t cost = length == 4 ? 2 : 1;
  if (*units + cost > max_snippet_units) return false;
  if (length == 0) {
    *out += "\xEF\xBF\xBD";
    *pos += 1;
  } else {
    out->append(text.substr(*pos, length));
    *pos += length;
  }
  *units += cost;
  return true;
}

// Valid UTF-8 (or invalid bytes as U+FFFD) cut to at most max_snippet_units UTF-16 units.
std::string cut_to_snippet(std::string_view text) {
  std::string out;
  std::size_t units = 0;
  std::size_t pos = 0;
  while (pos < text.size() && append_snippet_character(text, &pos, &out, &units)) {
  }
  return out;
}

}  // namespace

std::size_t token_length_at(std::string_view text, std::size_t pos, std::string_view token, TokenSpelling spelling) {
  if (token.empty() || pos >= text.size()) return 0;
  return spelling == TokenSpelling::text ? raw_length_at(text, pos, token) : json_source_length_at(text, pos, token);
}

bool contains_token(std::string_view text, std::string_view token, TokenSpelling spelling) {
  if (token.empty()) return false;
  for (std::size_t pos = 0; pos < text.size(); ++pos) {
    if (token_length_at(text, pos, token, spelling) != 0) return true;
  }
  return false;
}

std::string redact(std::string text, std::string_view token, TokenSpelling spelling) {
  if (token.empty()) return text;
  std::string out;
  for (int round = 0; round < max_redaction_rounds; ++round) {
    if (!redact_once(text, token, spelling, &out)) return text;
    text.swap(out);
  }
  if (contains_token(text, token, spelling)) return std::string(redacted_marker);
  return text;
}

void redact_error(Error* error, std::string_view token) {
  if (token.empty()) return;
  for (std::string* text : {&error->message, &error->title, &error->detail, &error->additional_information,
                            &error->cause, &error->status}) {
    *text = redact(std::move(*text), token);
  }
}

std::string body_snippet(std::string_view body, std::string_view token) {
  // Redaction and decoding in one pass over the body that stops at the limit: a cut can never
  // leave part of the token behind, whatever the token's length or how often it repeats, and
  // only the bytes that reach the snippet are read. (Redacting a fixed window first let a body of
  // repeated long tokens reach past the window, whose last, cut token was then not redacted.)
  // The token is ASCII, so it never starts inside a multi-byte UTF-8 sequence.
  constexpr TokenSpelling spelling = TokenSpelling::json_source;
  if (body.find('\0') != std::string_view::npos) return std::string();
  std::string out;
  std::size_t units = 0;
  std::size_t pos = 0;
  while (pos < body.size() && units < max_snippet_units) {
    if (std::size_t matched = token_length_at(body, pos, token, spelling)) {
      // The marker is ASCII, one unit a character; it is cut like any other text.
      std::size_t take = std::min(redacted_marker.size(), max_snippet_units - units);
      out.append(redacted_marker.substr(0, take));
      units += take;
      pos = run_end(body, pos, pos + matched, token, spelling);
      continue;
    }
    if (!append_snippet_character(body, &pos, &out, &units)) break;
  }
  // A marker next to the text around it may spell the token again (only with a token that holds
  // the marker's brackets): redact what is shown once more, and cut again.
  if (contains_token(out, token, spelling)) out = cut_to_snippet(redact(std::move(out), token, spelling));
  return out;
}

Result<std::optional<std::string>> parse_status_body(int http_status, std::string_view body, std::string_view token) {
  auto failure = [&](const std::string& problem) {
    return detail::invalid_response(http_status, body, token, problem, "a dataset status");
  };
  std::string problem;
  JsonValue value;
  if (!parse_json(body, &value, &problem)) return failure(body.empty() ? "the body is empty" : problem);
  if (!value.is_object()) return failure("the JSON is not an object");
  const JsonValue* status = value.find("status");
  // The reference marks `status` optional and nullable: a dataset without a status of its own.
  if (status == nullptr || status->is_null()) return std::optional<std::string>();
  if (!status->is_string()) return failure("\"status\" is not a string or null");
  const std::string& text = status->string();
  if (text.empty()) return failure("\"status\" is empty");
  return std::optional<std::string>(redact(text, token));
}

Error parse_error_response(int http_status, std::string_view body, std::optional<double> retry_after_ms,
                           std::string_view token, std::string_view subject) {
  Error error = make_error(ErrorKind::api, "");
  error.http_status = http_status;
  error.retry_after_ms = retry_after_ms;
  std::string problem;
  JsonValue value;
  if (parse_json(body.substr(0, max_body_bytes), &value, &problem)) read_error_fields(value, &error);
  if (error.title.empty()) error.title = reason_phrase(http_status);
  error.title = truncate_utf8(redact(std::move(error.title), token), max_title_bytes);
  error.detail = truncate_utf8(redact(std::move(error.detail), token), max_detail_bytes);
  error.additional_information =
      truncate_utf8(redact(std::move(error.additional_information), token), max_detail_bytes);
  error.message = "The Prolific API answered HTTP " + std::to_string(http_status) + " " + error.title;
  if (!error.detail.empty()) error.message += ": " + error.detail;
  error.message += " (" + std::string(subject) + ")";
  // Redacted again as a whole: a token split across title and detail is whole again once they are
  // joined with ": ".
  redact_error(&error, token);
  return error;
}

namespace {

// The reason phrases reason_phrase knows, as literals (one string is built, by the caller).
const char* known_reason_phrase(int http_status) {
  switch (http_status) {
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return nullptr;
  }
}

}  // namespace

std::string reason_phrase(int http_status) {
  if (const char* phrase = known_reason_phrase(http_status)) return phrase;
  return "HTTP " + std::to_string(http_status);
}

std::string quote_dataset_id(std::string_view dataset_id) {
  std::string text;
  std::size_t pos = 0;
  while (pos < dataset_id.size() && text.size() < 100) {
    std::size_t length = utf8_sequence_length(dataset_id, pos);
    if (length == 0) {
      text += "\xEF\xBF\xBD";
      pos += 1;
    } else {
      text.append(dataset_id.substr(pos, length));
      pos += length;
    }
  }
  if (pos < dataset_id.size()) text += "\xE2\x80\xA6";
  return "\"" + text + "\"";
}

}  // namespace prolific
