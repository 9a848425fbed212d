// libFuzzer target: parse_status_body, body_snippet and redact on arbitrary 2xx bodies.
//
// Input layout (seeds in tests/fuzz/corpus/status_body/):
//   byte 0  bits 0-3  HTTP status, an index into `statuses`
//           bits 4-5  token, low bits of an index into fuzz::tokens
//           bits 6-7  kind of token piece spliced into the body (fuzz::token_piece)
//   byte 1  bits 0-2  how many pieces to splice in (0-7), bit 3 high bit of the token index,
//           bits 4-7  where (seed)
//   rest    the body
//
// Invariants (besides ASan/UBSan/abort-free):
//   * success <=> the body (BOM skipped) is JSON nested at most max_json_depth deep, an object,
//     whose "status" is a non-empty string; the status returned is that string, redacted as
//     decoded text, valid UTF-8, non-empty, without the token in any letter case;
//   * failure is invalid_response with the same http_status, a message that is valid UTF-8
//     without the token, and a body_snippet equal to the documented reference (redact the whole
//     body as JSON source, decode with U+FFFD per invalid byte, first 200 UTF-16 units, again if
//     the token is spelled once more) that spells the token in no way;
//   * redact() in both spellings and body_snippet() agree with the reference models.
// Speed: each input is checked with its own token (and without one when no piece is spliced in),
// not with every token; each check runs once (the snippet of a body that is not a status is
// compared with the reference by check_status_body only); the reference models match character
// by character and are not instrumented for coverage.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_common.hpp"
#include "response.hpp"

namespace {

constexpr int statuses[16] = {200, 200, 200, 201, 202, 203, 204, 206, 299, 0, -1, 100, 404, 500, INT_MIN, INT_MAX};

int json_depth(const nlohmann::json& value) {
  if (!value.is_structured()) return 0;
  int deepest = 0;
  for (const auto& child : value) {
    int depth = json_depth(child);
    if (depth > deepest) deepest = depth;
    if (deepest > prolific::max_json_depth) break;
  }
  return deepest + 1;
}

// What parse_status_body should return, worked out with nlohmann/json directly ("" for no status).
bool expected_status(std::string_view body, std::string* status) {
  if (body.size() > prolific::max_body_bytes || fuzz::refused_before_parsing(body)) return false;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  nlohmann::json value = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (value.is_discarded() || json_depth(value) > prolific::max_json_depth || !value.is_object()) return false;
  auto it = value.find("status");
  if (it == value.end() || it->is_null()) {
    status->clear();
    return true;
  }
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) return false;
  *status = it->get_ref<const std::string&>();
  return true;
}

// Returns true when the body was read as a status (so the snippet was not checked here).
bool check_status_body(int http_status, std::string_view body, std::string_view token) {
  std::string expected;
  bool expected_ok = expected_status(body, &expected);
  auto result = prolific::parse_status_body(http_status, body, token);
  FUZZ_CHECK(result.ok() == expected_ok);
  if (result.ok()) {
    FUZZ_CHECK(result.value().has_value() == !expected.empty());
    if (!result.value()) return true;
    const std::string& status = *result.value();
    FUZZ_CHECK(!status.empty());
    FUZZ_CHECK(fuzz::valid_utf8(status));
    FUZZ_CHECK(!fuzz::contains(status, token));
    FUZZ_CHECK(status == fuzz::reference_redact(expected, token));
    return true;
  }
  const prolific::Error& error = result.error();
  FUZZ_CHECK(error.kind == prolific::ErrorKind::invalid_response);
  FUZZ_CHECK(error.http_status == http_status);
  FUZZ_CHECK(fuzz::valid_utf8(error.message));
  FUZZ_CHECK(!fuzz::contains(error.message, token));
  FUZZ_CHECK(fuzz::valid_utf8(error.body_snippet));
  FUZZ_CHECK(fuzz::utf16_units(error.body_snippet) <= prolific::max_snippet_units);
  FUZZ_CHECK(!fuzz::contains_spelling(error.body_snippet, token, true));
  FUZZ_CHECK(error.body_snippet == fuzz::reference_snippet(body, token, prolific::max_snippet_units));
  return false;
}

void check_helpers(std::string_view body, std::string_view token, bool snippet_unchecked) {
  if (snippet_unchecked) {
    std::string snippet = prolific::body_snippet(body, token);
    FUZZ_CHECK(fuzz::valid_utf8(snippet));
    FUZZ_CHECK(fuzz::utf16_units(snippet) <= prolific::max_snippet_units);
    FUZZ_CHECK(!fuzz::contains_spelling(snippet, token, true));
    FUZZ_CHECK(snippet == fuzz::reference_snippet(body, token, prolific::max_snippet_units));
  }
  for (bool json : {false, true}) {
    std::string redacted = prolific::redact(std::string(body), token,
                                            json ? prolific::TokenSpelling::json_source : prolific::TokenSpelling::text);
    FUZZ_CHECK(!fuzz::contains_spelling(redacted, token, json));
    FUZZ_CHECK(redacted == fuzz::reference_redact(body, token, json));
    FUZZ_CHECK(prolific::contains_token(body, token, json ? prolific::TokenSpelling::json_source
                                                          : prolific::TokenSpelling::text) ==
               fuzz::contains_spelling(body, token, json));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const int http_status = statuses[data[0] & 15];
  const std::size_t token_index = ((data[0] >> 4) & 3) | ((data[1] & 8) >> 1);
  const std::string_view token = fuzz::tokens[token_index];
  const std::string piece = fuzz::token_piece(token, data[0] >> 6);
  const std::string body = fuzz::splice(std::string(reinterpret_cast<const char*>(data + 2), size - 2), piece,
                                        data[1] & 7, data[1] >> 4);

  const bool read_as_status = check_status_body(http_status, body, token);
  // No token: nothing redacted. Checked for the inputs without spliced pieces only (an eighth of
  // them): the rest of a body is the same with or without a token.
  if ((data[1] & 7) == 0) check_status_body(http_status, body, "");
  check_helpers(body, token, read_as_status);
  return 0;
}
