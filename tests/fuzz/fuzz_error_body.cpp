// libFuzzer target: parse_error_response on arbitrary non-2xx bodies, and StatusOperation driven
// by a byte-coded script of transport results, for every request kind it runs.
//
// Input layout (seeds in tests/fuzz/corpus/error_body/), byte 0 bit 7 picks the mode:
//
// Mode 0 (bit 7 clear), parse_error_response:
//   byte 0  bits 0-4 HTTP status (index into `statuses`), bits 5-6 token (low bits of an index
//           into fuzz::tokens)
//   byte 1  bits 0-2 token pieces to splice into the body, bit 3 high bit of the token index,
//           bits 4-5 piece kind, bits 6-7 Retry-After
//   byte 2  bits 0-2 dataset id (index into `dataset_ids`), bits 3-7 splice seed
//   rest    the body
//
// Mode 1 (bit 7 set), StatusOperation:
//   byte 0  bits 0-1 max_retries, bit 2 wait options, bits 3-4 base URL and token (low bits of
//           an index into `setups`), bit 5 timeout_ms 0 (no limit) instead of 30000, bit 6 short
//           wait deadline (5 s)
//   byte 1  jitter seed; bit 0 is also the high bit of the `setups` index
//   byte 2  bits 0-2 dataset id, bits 3-5 request kind: 2 import status, 3 create dataset,
//           4 upload URL, 5 upload, 6 dataset (with its import jobs), others the dataset status
//   then one step per send, until the bytes run out:
//     s      bits 0-1 transport kind (response, network_error, timeout, body_too_large),
//            bits 2-4 clock advance (index into `advances`), bits 5-7 Retry-After (`retry_after_header`)
//     c      response/body_too_large: bits 0-4 HTTP status, bits 5-7 body template (`body_from`);
//            network_error: bits 0-1 cause (`cause_of`, the token echoed in some)
//     n      response/body_too_large: body length, then n bytes fed to the template
//
// Invariants: every text of an Error (title, detail, additional_information, message,
// body_snippet, cause) is valid UTF-8 and never holds the token (in any letter case; the snippet
// in no JSON spelling either, and the message not even when title and detail join into the
// token); the title is never empty; the
// cuts hold (title <= 500 bytes + "…", detail <= 2000 + "…"); title, string details and
// error_code match a reference read of the body with nlohmann/json (error_code only when it is a
// JavaScript safe integer). The operation never sends more than max_retries + 1 times for one
// read, never asks for a negative, non-finite or past-the-deadline delay or timeout, never waits
// less than the backoff before a retry (whatever Retry-After says, unless the deadline is nearer),
// reports
// reads 1, 2, 3..., finishes a wait only with a terminal status, a dataset_processing error or a
// final error, retries non-idempotent calls only when the server asks, and its JSON results are
// valid JSON whose strings are valid UTF-8 without the token (an import job's reason redacted
// before it is cut).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_common.hpp"
#include "lifecycle.hpp"
#include "operation.hpp"
#include "response.hpp"
#include "retry.hpp"

namespace {

using prolific::Action;
using prolific::Error;
using prolific::ErrorKind;
using prolific::TransportResult;

constexpr int statuses[32] = {400, 401, 403, 404, 405, 408, 409, 410, 413, 422, 429, 500, 502, 503, 504, 599,
                              200, 200, 201, 204, 299, 301, 302, 304, 0,   -1,  100, 418, 999, 1000, 451, 501};

const std::string dataset_ids[8] = {
    "ds-1",
    "64a1f0c2e4b0a1b2c3d4e5f6",
    "a/b?c#d e%2F",
    "\xC3\xBCn\xC3\xAF" "code-\xE2\x9C\x93",
    "\xff\xfe bad \xc3 utf8",
    std::string(300, 'x') + "\xE2\x9C\x93",
    "%2e%2e",
    std::string(150, 'y') + "\xF0\x9F\x98\x80" + std::string(10, 'z'),
};

constexpr std::size_t max_title_bytes = 500;
constexpr std::size_t max_detail_bytes = 2000;

// Cut of valid UTF-8 to max bytes on a character boundary, "…" added when cut (the documented rule).
std::string reference_truncate(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t length = fuzz::utf8_length_at(text, pos);
    if (length == 0) length = 1;
    if (pos + length > max_bytes) break;
    pos += length;
    end = pos;
  }
  text.resize(end);
  return text + "\xE2\x80\xA6";
}

// Title and (string) detail as parse_error_response documents them, read with nlohmann/json.
struct ExpectedFields {
  std::string title;
  std::optional<std::string> string_detail;  // only when detail is a plain string
  std::optional<long long> error_code;
  bool known = false;
};

ExpectedFields expected_fields(std::string_view body) {
  ExpectedFields out;
  if (body.size() > prolific::max_body_bytes) return out;
  if (fuzz::refused_before_parsing(body)) {
    out.known = true;  // read as a body that is not JSON: reason phrase, no fields
    return out;
  }
  std::string_view text = body;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  // Bodies nested past the limit are refused before parsing; keep the reference to shallow ones.
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') in_string = true;
    else if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    else if (c == ']' || c == '}') --depth;
  }
  if (deepest > prolific::max_json_depth) return out;
  nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  out.known = true;
  if (value.is_discarded() || !value.is_object()) return out;
  auto string_of = [](const nlohmann::json& object, const char* key) -> std::string {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto error = value.find("error");
  const nlohmann::json* holder = &value;
  if (error != value.end() && error->is_object()) {
    holder = &*error;
    out.title = string_of(*error, "title");
    // error_code goes to JavaScript as a number: kept only when it is exactly representable there
    // (a safe integer, |n| <= 2^53 - 1), never wrapped or rounded.
    constexpr long long max_safe = 9007199254740991LL;
    auto code = error->find("error_code");
    if (code != error->end() && code->is_number_unsigned()) {
      if (code->get<unsigned long long>() <= static_cast<unsigned long long>(max_safe)) {
        out.error_code = static_cast<long long>(code->get<unsigned long long>());
      }
    } else if (code != error->end() && code->is_number_integer()) {
      if (code->get<long long>() >= -max_safe) out.error_code = code->get<long long>();
    }
  } else {
    if (error != value.end() && error->is_string()) out.title = error->get<std::string>();
    std::string message = string_of(value, "message");
    if (!message.empty()) out.title = message;
  }
  auto detail = holder->find("detail");
  if (detail != holder->end() && detail->is_string()) out.string_detail = detail->get<std::string>();
  if (detail == holder->end() || detail->is_null()) out.string_detail = "";
  return out;
}

void check_text(const std::string& text, std::string_view token) {
  FUZZ_CHECK(fuzz::valid_utf8(text));
  FUZZ_CHECK(!fuzz::contains(text, token));
}

void check_error_texts(const Error& error, std::string_view token) {
  check_text(error.message, token);
  check_text(error.title, token);
  check_text(error.detail, token);
  check_text(error.additional_information, token);
  check_text(error.body_snippet, token);
  FUZZ_CHECK(!fuzz::contains_spelling(error.body_snippet, token, true));
  check_text(error.cause, token);
  check_text(error.status, token);
  FUZZ_CHECK(fuzz::utf16_units(error.body_snippet) <= prolific::max_snippet_units);
}

void run_parse_error_response(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return;
  const int http_status = statuses[data[0] & 31];
  const std::string_view token = fuzz::tokens[((data[0] >> 5) & 3) | ((data[1] & 8) >> 1)];
  const std::string piece = fuzz::token_piece(token, (data[1] >> 4) & 3);
  static const std::optional<double> retry_afters[4] = {std::nullopt, 0.0, 1500.0,
                                                       std::numeric_limits<double>::infinity()};
  const std::optional<double> retry_after = retry_afters[data[1] >> 6];
  const std::string& dataset_id = dataset_ids[data[2] & 7];
  const std::string body = fuzz::splice(std::string(reinterpret_cast<const char*>(data + 3), size - 3), piece,
                                        data[1] & 7, data[2] >> 3);

  // Read once with nlohmann/json: the reference for both tokens. Without a token (nothing
  // redacted) only the inputs without spliced pieces are read again: the rest is the same.
  const ExpectedFields expected = expected_fields(body);
  const int token_runs = (data[1] & 7) == 0 ? 2 : 1;
  const std::string_view used_tokens[2] = {token, std::string_view()};
  for (int run = 0; run < token_runs; ++run) {
    const std::string_view used_token = used_tokens[run];
    const std::string subject = "dataset " + prolific::quote_dataset_id(dataset_id);
    Error error = prolific::parse_error_response(http_status, body, retry_after, used_token, subject);
    FUZZ_CHECK(error.kind == ErrorKind::api);
    FUZZ_CHECK(error.http_status == http_status);
    FUZZ_CHECK(error.retry_after_ms == retry_after);
    check_error_texts(error, used_token);
    FUZZ_CHECK(!error.title.empty());
    FUZZ_CHECK(error.title.size() <= max_title_bytes + 3);
    FUZZ_CHECK(error.detail.size() <= max_detail_bytes + 3);
    FUZZ_CHECK(error.additional_information.size() <= max_detail_bytes + 3);
    const std::string prefix = "The Prolific API answered HTTP " + std::to_string(http_status) + " ";
    FUZZ_CHECK(error.message.compare(0, prefix.size(), prefix) == 0);
    FUZZ_CHECK(error.message.size() >= subject.size() + 2 &&
               error.message.compare(error.message.size() - subject.size() - 2, std::string::npos,
                                     "(" + subject + ")") == 0);

    if (!expected.known) continue;
    std::string title = expected.title.empty() ? prolific::reason_phrase(http_status) : expected.title;
    FUZZ_CHECK(error.title == reference_truncate(fuzz::reference_redact(title, used_token), max_title_bytes));
    if (expected.string_detail) {
      FUZZ_CHECK(error.detail ==
                 reference_truncate(fuzz::reference_redact(*expected.string_detail, used_token), max_detail_bytes));
    }
    FUZZ_CHECK(error.error_code == expected.error_code);
  }
}

// ---- StatusOperation ----------------------------------------------------------------------------

struct Setup {
  const char* base_url;
  std::optional<std::string_view> token;
};
const Setup setups[8] = {
    {"http://127.0.0.1:9999", std::nullopt},
    {"http://localhost:8080/prefix", fuzz::tokens[0]},
    {"https://api.prolific.com", fuzz::tokens[1]},
    {"https://[::1]/p/", fuzz::tokens[2]},
    {"http://127.0.0.1:9999", fuzz::tokens[4]},
    {"https://api.prolific.com", fuzz::tokens[5]},
    {"http://localhost:8080/prefix", fuzz::tokens[6]},
    {"https://[::1]/p/", fuzz::tokens[7]},
};

constexpr double advances[8] = {0, 1, 10, 500, 2000, 30000, 60000, 1e6};

// What a runtime may report, the token echoed in it.
std::string cause_of(unsigned choice, std::string_view token) {
  switch (choice & 3) {
    case 0: return "";
    case 1: return "ECONNREFUSED";
    case 2: return "TypeError: Failed to fetch with Token " + std::string(token);
    default: return "reset by peer " + std::string(token) + " " + fuzz::json_escaped(token) + " \xC3\xA9";
  }
}

std::string imf_date(double epoch_ms) {
  std::time_t seconds = static_cast<std::time_t>(std::floor(epoch_ms / 1000));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[64];
  std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return out;
}

std::string retry_after_header(unsigned choice, double wall_ms) {
  switch (choice & 7) {
    case 0: return "";
    case 1: return "Retry-After: 0\r\n";
    case 2: return "Content-Type: text/html\r\nretry-after:  5 \r\n";
    case 3: return "Retry-After: 120\r\n";
    case 4: return "Retry-After: " + imf_date(wall_ms + 30000) + "\r\n";
    case 5: return "Retry-After: soon\r\n";
    case 6: return "Retry-After: 99999999999999999999999\r\n";
    default: return "Retry-After: " + imf_date(wall_ms - 86400000.0) + "\r\n";
  }
}

// Byte reader over the script; reads past the end give 0.
struct Script {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t pos = 0;
  bool done() const { return pos >= size; }
  unsigned byte() { return pos < size ? data[pos++] : 0; }
  std::string bytes(std::size_t n) {
    n = std::min(n, size - std::min(pos, size));
    std::string out(reinterpret_cast<const char*>(data + pos), n);
    pos += n;
    return out;
  }
};

// Bodies around the fuzzed bytes, for every kind of answer the operation reads.
std::string body_from(unsigned tmpl, const std::string& raw, std::string_view token) {
  const std::string hidden = fuzz::json_unicode_escaped(token);
  switch (tmpl & 7) {
    case 0: return raw;
    case 1: return "{\"status\":\"" + raw + "\"}";
    case 2: return "{\"error\":{\"title\":\"" + raw + "\",\"detail\":\"" + hidden + "\",\"traceback\":\"" +
                   std::string(token) + "\"}}";
    case 3: return raw + std::string(token);
    case 4: {
      // An import job whose reason is long enough to be cut, with the token right at the cut.
      std::string pad(1990 + raw.size() % 16, 'r');
      return "{\"status\":\"processing\",\"reason\":\"" + pad + std::string(token) + raw + "\"}";
    }
    case 5:
      return "{\"id\":\"" + raw + "\",\"name\":\"n " + hidden + "\",\"workspace_id\":\"" + std::string(token) +
             "\",\"status\":\"UNINITIALISED\",\"created_at\":\"2024-01-01T00:00:00Z\",\"schema_version\":" +
             std::to_string(raw.size()) + ",\"total_datapoint_count\":-3,\"imports\":[{\"id\":\"imp-" + hidden +
             "\",\"filename\":\"" + raw + "\",\"status\":\"failed\",\"errors\":[\"" + std::string(token) +
             "\"],\"reason\":\"" + raw + "\"},7,{\"status\":\"\"}]}";
    case 6:
      return "{\"upload_url\":\"https://bucket.example.com/" + raw + "?X-Amz-Signature=1\",\"http_method\":\"PUT\"," +
             "\"expires_at\":\"" + hidden + "\",\"import_id\":\"imp-" + raw + "\"}";
    default:
      return "{\"status\":\"" + raw + "\",\"accepted_count\":1,\"rejected_count\":18446744073709551615," +
             "\"errors\":[{\"row\":3,\"message\":\"bad " + hidden + "\"},\"" + std::string(token) +
             "\",{\"line\":4,\"detail\":[\"" + raw + "\"]},{\"index\":-1}],\"reason\":{\"why\":[\"" + hidden + "\"]}}";
  }
}

// Every string (keys too) of a JSON value is valid UTF-8 and free of the token.
void check_json_strings(const nlohmann::json& value, std::string_view token) {
  if (value.is_string()) {
    check_text(value.get_ref<const std::string&>(), token);
  } else if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      check_text(it.key(), token);
      check_json_strings(it.value(), token);
    }
  } else if (value.is_array()) {
    for (const auto& item : value) check_json_strings(item, token);
  }
}

// The JSON result of a finish (or report) of `kind`.
void check_result_json(prolific::RequestKind kind, const std::string& text, const std::string& status,
                       const std::string& body, int http_status, std::string_view token) {
  using prolific::RequestKind;
  if (kind == RequestKind::dataset_status) {
    FUZZ_CHECK(text.empty());
    return;
  }
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  FUZZ_CHECK(!value.is_discarded() && value.is_object());
  check_json_strings(value, token);
  switch (kind) {
    case RequestKind::import_status: {
      FUZZ_CHECK(value.contains("status") && value["status"] == status);
      // The reason is redacted, then cut: cutting first could keep the start of a token.
      nlohmann::json answer = nlohmann::json::parse(body, nullptr, false);
      if (!answer.is_discarded() && answer.is_object() && answer.contains("reason") && answer["reason"].is_string()) {
        std::string expected = reference_truncate(fuzz::reference_redact(answer["reason"].get<std::string>(), token), 2000);
        if (expected.empty()) FUZZ_CHECK(!value.contains("reason"));
        else FUZZ_CHECK(value.contains("reason") && value["reason"] == expected);
      }
      if (value.contains("errors")) {
        FUZZ_CHECK(value["errors"].is_array() && value["errors"].size() <= 1000);
        for (const auto& entry : value["errors"]) FUZZ_CHECK(entry.is_string() && entry.get<std::string>().size() <= 1003);
      }
      for (const char* key : {"acceptedCount", "rejectedCount"}) {
        if (value.contains(key)) FUZZ_CHECK(value[key].is_number_integer() && value[key].get<long long>() >= 0);
      }
      break;
    }
    case RequestKind::create_dataset:
    case RequestKind::dataset:
      FUZZ_CHECK(status.empty());
      FUZZ_CHECK(value.contains("id") && value["id"].is_string() && !value["id"].get<std::string>().empty());
      if (value.contains("imports")) {
        FUZZ_CHECK(kind == RequestKind::dataset && value["imports"].is_array() && value["imports"].size() <= 1000);
        for (const auto& job : value["imports"]) {
          FUZZ_CHECK(job.is_object() && job.contains("status") && job["status"].is_string());
        }
      }
      break;
    case RequestKind::upload_url:
      FUZZ_CHECK(status.empty());
      FUZZ_CHECK(value.contains("uploadUrl") && value["httpMethod"] == "PUT");
      FUZZ_CHECK(prolific::parse_presigned_url(value["uploadUrl"].get<std::string>()).ok());
      break;
    case RequestKind::upload:
      FUZZ_CHECK(status.empty());
      FUZZ_CHECK(value == nlohmann::json({{"httpStatus", http_status}}));
      break;
    default:
      break;
  }
}

struct Built {
  prolific::RequestKind kind;
  prolific::StatusOperation operation;
  std::string url;
};

Built build_operation(unsigned selector, const std::string& dataset_id, const prolific::ClientOptions& options,
                      const std::optional<prolific::WaitOptions>& wait, std::uint64_t seed) {
  using prolific::RequestKind;
  const std::string token = options.token.value_or("");
  auto wrap = [&](const prolific::OperationRules& rules, prolific::Result<prolific::HttpRequest> request,
                  std::string subject) {
    FUZZ_CHECK(request.ok());
    std::string url = request.value().url;
    return Built{rules.kind, prolific::StatusOperation::for_request(rules, std::move(request.value()), dataset_id,
                                                              std::move(subject), token, options.max_retries, wait, seed),
                 url};
  };
  switch (selector & 7) {
    case 2:
      return wrap(prolific::import_status_rules, prolific::build_import_status_request(dataset_id, "imp-1", options),
                  "import \"imp-1\" of dataset " + prolific::quote_dataset_id(dataset_id));
    case 3: {
      prolific::CreateDatasetInput input{"My dataset", "ws-1", std::string("{\"fields\":[]}")};
      return wrap(prolific::create_dataset_rules, prolific::build_create_dataset_request(input, options),
                  "new dataset \"My dataset\"");
    }
    case 4:
      return wrap(prolific::upload_url_rules, prolific::build_upload_url_request(dataset_id, "data.csv", options),
                  "upload URL of \"data.csv\" for dataset " + prolific::quote_dataset_id(dataset_id));
    case 6:
      return wrap(prolific::dataset_rules, prolific::build_dataset_request(dataset_id, options),
                  "dataset " + prolific::quote_dataset_id(dataset_id));
    case 5:
      return wrap(prolific::upload_rules,
                  prolific::build_upload_request("https://bucket.s3.amazonaws.com/k.csv?X-Amz-Signature=ab", "text/csv",
                                                 options.timeout_ms),
                  "upload for dataset " + prolific::quote_dataset_id(dataset_id));
    default: {
      auto created = prolific::StatusOperation::create(dataset_id, options, wait, seed);
      FUZZ_CHECK(created.ok());
      auto request = prolific::build_status_request(dataset_id, options);
      FUZZ_CHECK(request.ok());
      return Built{RequestKind::dataset_status, std::move(created.value()), request.value().url};
    }
  }
}

void run_operation(const std::uint8_t* data, std::size_t size) {
  using prolific::RequestKind;
  if (size < 3) return;
  const int max_retries = data[0] & 3;
  const Setup& setup = setups[((data[0] >> 3) & 3) | ((data[1] & 1) << 2)];
  const std::string_view token = setup.token.value_or("");
  const std::string& dataset_id = dataset_ids[data[2] & 7];

  prolific::ClientOptions options;
  options.base_url = setup.base_url;
  if (setup.token) options.token = std::string(*setup.token);
  options.timeout_ms = (data[0] >> 5) & 1 ? 0 : 30000;
  options.max_retries = max_retries;
  std::optional<prolific::WaitOptions> wait_options;
  if ((data[0] >> 2) & 1) {
    wait_options.emplace();
    if ((data[0] >> 6) & 1) {
      wait_options->interval_ms = 100;
      wait_options->max_interval_ms = 1000;
      wait_options->deadline_ms = 5000;
    }
  }
  Built built = build_operation(data[2] >> 3, dataset_id, options, wait_options, data[1]);
  const RequestKind kind = built.kind;
  const bool idempotent = prolific::is_idempotent(kind);
  // Only the status reads poll; the other kinds ignore the wait options.
  const bool wait = wait_options && (kind == RequestKind::dataset_status || kind == RequestKind::import_status);
  prolific::StatusOperation& operation = built.operation;

  Script script{data + 3, size - 3};
  const double start = 1000;
  const double wall_start = 1.7e12;
  double now = start;
  int sends = 0;  // since the last successful read
  int reads = 0;
  std::string last_body;
  int last_status = 0;
  Action action = operation.start(now);
  for (int step = 0; step < 256; ++step) {
    const double remaining =
        wait ? wait_options->deadline_ms - (now - start) : std::numeric_limits<double>::infinity();
    if (action.report) {
      FUZZ_CHECK(wait);
      ++reads;
      FUZZ_CHECK(action.report->attempt == reads);
      FUZZ_CHECK(action.report->elapsed_ms == now - start);
      // An empty status is a read of no status (null or absent), reported once before the wait ends.
      FUZZ_CHECK(!action.report->status.empty() || action.report->status_null);
      check_text(action.report->status, token);
      check_result_json(kind, action.report->json, action.report->status, last_body, last_status, token);
    }
    if (action.type == Action::Type::finish) {
      FUZZ_CHECK(action.status.has_value() != action.error.has_value());
      if (action.status) {
        check_text(*action.status, token);
        check_result_json(kind, action.json, *action.status, last_body, last_status, token);
        if (kind == RequestKind::import_status) FUZZ_CHECK(!action.status->empty());
        // A single read of no status (null or absent) finishes with "" and status_null.
        if (kind == RequestKind::dataset_status) FUZZ_CHECK(action.status->empty() == action.status_null);
        if (action.status_null) FUZZ_CHECK(kind == RequestKind::dataset_status && !wait);
        if (wait && kind == RequestKind::dataset_status) FUZZ_CHECK(*action.status == "READY");
        if (wait && kind == RequestKind::import_status) FUZZ_CHECK(prolific::is_terminal_import_status(*action.status));
      } else {
        const Error& error = *action.error;
        check_error_texts(error, token);
        if (kind != RequestKind::create_dataset) FUZZ_CHECK(error.dataset_id == dataset_id);
        FUZZ_CHECK(error.kind != ErrorKind::invalid_argument);
        if (error.kind == ErrorKind::dataset_processing) {
          FUZZ_CHECK(wait && kind == RequestKind::dataset_status && error.status == "ERROR");
        }
        if (error.kind == ErrorKind::api) FUZZ_CHECK(error.http_status < 200 || error.http_status >= 300);
        if (error.kind == ErrorKind::timeout && wait) FUZZ_CHECK(error.timeout_ms > 0);
        // A failure worth retrying only ends a call once the retries are spent, and never a wait
        // (which ends on its deadline, a timeout). Non-idempotent calls retry only when the
        // server asks: 429, or 503 with Retry-After.
        bool retryable = idempotent ? prolific::is_retryable(error)
                                    : error.kind == ErrorKind::api &&
                                          (error.http_status == 429 ||
                                           (error.http_status == 503 && error.retry_after_ms.has_value()));
        if (retryable && !(wait && error.kind == ErrorKind::timeout)) FUZZ_CHECK(!wait && sends == max_retries + 1);
      }
      return;
    }
    if (action.type == Action::Type::sleep) {
      FUZZ_CHECK(std::isfinite(action.delay_ms) && action.delay_ms >= 0);
      FUZZ_CHECK(action.delay_ms <= remaining);
      if (!action.report) {
        FUZZ_CHECK(action.delay_ms <= prolific::max_retry_after_delay_ms);
        // The retry floor: never sooner than the backoff (at its largest jitter), whatever
        // Retry-After asked for, unless the wait's deadline comes first.
        FUZZ_CHECK(sends >= 1);
        FUZZ_CHECK(action.delay_ms >= std::min(remaining, prolific::backoff_delay_ms(sends - 1, 1.0)));
      } else {
        FUZZ_CHECK(action.delay_ms <= wait_options->max_interval_ms);
      }
      now += action.delay_ms;
      action = operation.on_timer(now);
      continue;
    }
    FUZZ_CHECK(action.type == Action::Type::send);
    ++sends;
    if (!wait) FUZZ_CHECK(sends <= max_retries + 1);
    const prolific::HttpRequest& request = action.request;
    FUZZ_CHECK(request.url == built.url);
    FUZZ_CHECK(std::isfinite(request.timeout_ms) && request.timeout_ms >= 0);
    if (wait) FUZZ_CHECK(request.timeout_ms > 0 && request.timeout_ms <= remaining);
    else FUZZ_CHECK(request.timeout_ms == options.timeout_ms);
    bool authorization = false;
    for (const auto& header : request.headers) authorization |= header.first == "Authorization";
    FUZZ_CHECK(authorization == (setup.token.has_value() && kind != RequestKind::upload));
    if (script.done()) return;

    unsigned s = script.byte();
    now += advances[(s >> 2) & 7];
    TransportResult result;
    result.kind = static_cast<TransportResult::Kind>(s & 3);
    result.wall_clock_ms = wall_start + (now - start);
    result.headers = retry_after_header(s >> 5, result.wall_clock_ms);
    unsigned c = script.byte();
    if (result.kind == TransportResult::Kind::network_error) {
      result.cause = cause_of(c, token);
    } else if (result.kind != TransportResult::Kind::timeout) {
      result.http_status = statuses[c & 31];
      result.body = body_from(c >> 5, script.bytes(script.byte()), token);
    }
    last_body = result.body;
    last_status = result.http_status;
    const bool read_ok = result.kind == TransportResult::Kind::response && result.http_status >= 200 &&
                         result.http_status < 300;
    action = operation.on_transport_result(result, now);
    if (read_ok && action.report) sends = 0;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  if (data[0] & 0x80) run_operation(data, size);
  else run_parse_error_response(data, size);
  return 0;
}
