#include <gtest/gtest.h>

#include <cstdio>

#include "response.hpp"

using namespace prolific;

TEST(StatusBody, ReadsTheFourDocumentedStatuses) {
  for (std::string_view status : documented_statuses) {
    auto result = parse_status_body(200, "{\"status\":\"" + std::string(status) + "\"}", "");
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result.value(), std::optional<std::string>(status));
  }
}

TEST(StatusBody, NullOrAbsentStatusIsADatasetWithoutStatus) {
  // docs/openapi/prolific-datasets.yaml: `status` is optional and nullable (V4 datasets).
  for (const char* body : {R"({"status":null})", "{}", R"({"status":null,"import_ids":["a"]})", "\xEF\xBB\xBF{}"}) {
    auto result = parse_status_body(200, body, "");
    ASSERT_TRUE(result.ok()) << body;
    EXPECT_FALSE(result.value().has_value()) << body;
  }
}

TEST(StatusBody, PassesOtherNonEmptyStringsThrough) {
  auto result = parse_status_body(200, R"({"status":"ARCHIVED","extra":[1,2,{"a":null}]})", "");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value(), std::optional<std::string>("ARCHIVED"));
}

TEST(StatusBody, BomIsSkippedAndTheLastDuplicateKeyWins) {
  auto bom = parse_status_body(200, "\xEF\xBB\xBF{\"status\":\"READY\"}", "");
  ASSERT_TRUE(bom.ok());
  EXPECT_EQ(bom.value(), std::optional<std::string>("READY"));
  auto duplicate = parse_status_body(200, R"({"status":"PROCESSING","status":"READY"})", "");
  ASSERT_TRUE(duplicate.ok());
  EXPECT_EQ(duplicate.value(), std::optional<std::string>("READY"));
}

TEST(StatusBody, EveryMalformedBodyIsAnInvalidResponse) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string huge = "{\"status\":\"READY\",\"pad\":\"" + std::string(max_body_bytes, 'x') + "\"}";
  for (const std::string& body :
       {std::string(""), std::string("hello"), std::string("{\"status\": \"REA"), std::string("{\"status\": 5}"),
        std::string("{\"status\": false}"), std::string("{\"status\": \"\"}"), std::string("{\"status\": {}}"),
        std::string("[]"),
        std::string("\"READY\""), std::string("{\"status\":\"\xff\xfe\"}"), std::string("<html>hi</html>"), deep,
        huge, std::string("{\"status\":\"READY\"} trailing"), std::string("\xEF\xBB\xBF"),
        std::string("{\"status\":[\"READY\"]}")}) {
    auto result = parse_status_body(200, body, "");
    ASSERT_FALSE(result.ok()) << body.substr(0, 40);
    EXPECT_EQ(result.error().kind, ErrorKind::invalid_response);
    EXPECT_EQ(result.error().http_status, 200);
    EXPECT_LE(result.error().body_snippet.size(), 800u);
  }
}

TEST(StatusBody, AcceptsNestingUpToTheLimit) {
  std::string body = "{\"status\":\"READY\",\"x\":" + std::string(max_json_depth - 1, '[') +
                     std::string(max_json_depth - 1, ']') + "}";
  EXPECT_TRUE(parse_status_body(200, body, "").ok());
  std::string deeper = "{\"status\":\"READY\",\"x\":" + std::string(max_json_depth, '[') +
                       std::string(max_json_depth, ']') + "}";
  EXPECT_FALSE(parse_status_body(200, deeper, "").ok());
}

TEST(StatusBody, SnippetIsShortValidAndRedacted) {
  std::string body = "tok-123 " + std::string(300, 'a');
  auto result = parse_status_body(200, body, "tok-123");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().body_snippet.substr(0, 11), "[REDACTED] ");
  EXPECT_EQ(result.error().body_snippet.size(), max_snippet_units);
  auto invalid_utf8 = parse_status_body(200, "\xff\xfe{", "");
  EXPECT_EQ(invalid_utf8.error().body_snippet, "\xEF\xBF\xBD\xEF\xBF\xBD{");
}

TEST(Snippet, ABodyWithNulBytesIsNotShown) {
  // The token in UTF-16LE: its bytes interleaved with NULs, where redaction cannot match it.
  const std::string token = "tokU16abcdef012345";
  std::string utf16;
  for (char c : "{\"echo\":\"Token " + token + "\"}") {
    utf16 += c;
    utf16 += '\0';
  }
  EXPECT_EQ(body_snippet(utf16, token), "");
  auto status = parse_status_body(200, utf16, token);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().body_snippet, "");
  EXPECT_EQ(parse_error_response(500, utf16, std::nullopt, token, "x").body_snippet, "");
}

TEST(Snippet, CountsUtf16Units) {
  std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600, two UTF-16 units
  std::string body;
  for (int i = 0; i < 150; ++i) body += emoji;
  EXPECT_EQ(body_snippet(body, ""), std::string(body, 0, 100 * emoji.size()));
}

TEST(Snippet, NeverLeavesPartOfTheTokenAtTheCut) {
  std::string token = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string body = std::string(190, 'x') + token;
  std::string snippet = body_snippet(body, token);
  EXPECT_EQ(snippet.find("abcdefghij"), std::string::npos);
}

TEST(Redact, ReplacesRawAndJsonEscapedToken) {
  EXPECT_EQ(redact("a tok b tok", "tok"), "a [REDACTED] b [REDACTED]");
  EXPECT_EQ(redact(R"({"detail":"ab\/cd"})", "ab/cd", TokenSpelling::json_source), R"({"detail":"[REDACTED]"})");
  EXPECT_EQ(redact("nothing", ""), "nothing");
}

TEST(ErrorBody, ReadsProlificShape) {
  auto error = parse_error_response(
      404, R"({"error":{"status":404,"error_code":140400,"title":"Not found","detail":"Dataset not found.","additional_information":"See docs.","traceback":"Traceback: secret stack","interactive":false}})",
      std::nullopt, "", "dataset \"ds1\"");
  EXPECT_EQ(error.kind, ErrorKind::api);
  EXPECT_EQ(error.http_status, 404);
  EXPECT_EQ(error.error_code, 140400);
  EXPECT_EQ(error.title, "Not found");
  EXPECT_EQ(error.detail, "Dataset not found.");
  EXPECT_EQ(error.additional_information, "See docs.");
  EXPECT_NE(error.message.find("404"), std::string::npos);
  EXPECT_NE(error.message.find("Dataset not found."), std::string::npos);
  EXPECT_NE(error.message.find("\"ds1\""), std::string::npos);
  EXPECT_EQ(error.message.find("Traceback"), std::string::npos);
}

TEST(ErrorBody, FlattensArrayAndObjectDetails) {
  auto array = parse_error_response(400, R"({"error":{"title":"Bad","detail":["One.","Two."]}})", std::nullopt, "", "x");
  EXPECT_EQ(array.detail, "One.; Two.");
  auto object = parse_error_response(
      422, R"({"error":{"title":"Invalid","detail":{"name":["Required."],"workspace_id":["Bad id.","Required."]}}})",
      std::nullopt, "", "x");
  EXPECT_EQ(object.detail, "name: Required.; workspace_id: Bad id., Required.");
  auto odd = parse_error_response(400, R"({"error":{"detail":[1,true,null,{"a":"b"}]}})", std::nullopt, "", "x");
  EXPECT_EQ(odd.detail, "1; true; a: b");
  EXPECT_EQ(odd.title, "Bad Request");
}

TEST(ErrorBody, ReadsMessageShapeAndBareDetail) {
  auto message = parse_error_response(400, R"({"message":"Bad request","detail":"The message shape."})", std::nullopt,
                                      "", "x");
  EXPECT_EQ(message.title, "Bad request");
  EXPECT_EQ(message.detail, "The message shape.");
  EXPECT_FALSE(message.error_code.has_value());
  auto bare = parse_error_response(403, R"({"detail":"Forbidden thing."})", std::nullopt, "", "x");
  EXPECT_EQ(bare.title, "Forbidden");
  EXPECT_EQ(bare.detail, "Forbidden thing.");
}

TEST(ErrorBody, OtherBodiesGetTheReasonPhrase) {
  for (const std::string& body : {std::string("<html><body>502 Bad Gateway</body></html>"), std::string(""),
                                  std::string("{\"error\":"), std::string("[1,2]"), std::string("\xff"),
                                  std::string(100000, '[')}) {
    auto error = parse_error_response(502, body, 3000.0, "", "x");
    EXPECT_EQ(error.kind, ErrorKind::api);
    EXPECT_EQ(error.title, "Bad Gateway");
    EXPECT_EQ(error.detail, "");
    EXPECT_EQ(error.retry_after_ms, 3000.0);
  }
  EXPECT_EQ(parse_error_response(599, "", std::nullopt, "", "x").title, "HTTP 599");
}

TEST(ErrorBody, WrongTypesAreIgnoredNotTrusted) {
  auto error = parse_error_response(
      400, R"({"error":{"error_code":"140400","title":["x"],"detail":{"a":{"b":["c"]}},"additional_information":5}})",
      std::nullopt, "", "x");
  EXPECT_FALSE(error.error_code.has_value());
  EXPECT_EQ(error.title, "Bad Request");
  EXPECT_EQ(error.detail, "a: b: c");
  EXPECT_EQ(error.additional_information, "");
}

TEST(ErrorBody, RedactsAnEchoedToken) {
  auto error = parse_error_response(
      401, R"({"error":{"title":"Bad token secret-1","detail":["Token secret-1 is invalid"],"additional_information":"secret-1"}})",
      std::nullopt, "secret-1", "x");
  for (const std::string& text : {error.title, error.detail, error.additional_information, error.message}) {
    EXPECT_EQ(text.find("secret-1"), std::string::npos) << text;
  }
  EXPECT_EQ(error.detail, "Token [REDACTED] is invalid");
}

TEST(ErrorBody, CutsVeryLongTexts) {
  std::string body = R"({"error":{"title":")" + std::string(5000, 't') + R"(","detail":")" + std::string(50000, 'd') +
                     R"("}})";
  auto error = parse_error_response(400, body, std::nullopt, "", "x");
  EXPECT_LE(error.title.size(), 503u);
  EXPECT_LE(error.detail.size(), 2003u);
}

TEST(Terminal, ReadyAndErrorOnly) {
  EXPECT_TRUE(is_terminal_status("READY"));
  EXPECT_TRUE(is_terminal_status("ERROR"));
  EXPECT_FALSE(is_terminal_status("PROCESSING"));
  EXPECT_FALSE(is_terminal_status("ready"));
}

// ---- Regressions found by the fuzzers (tests/fuzz) ----

#include <chrono>

TEST(Snippet, RedactsABodyOfRepeatedLongTokens) {
  // fuzz_status_body: the body was redacted in a fixed window before being cut, so a body of
  // repeated long tokens (each only 10 units once redacted) reached past the window, and the
  // token cut by the window stayed in clear in the snippet.
  const std::string token = "tok_9/Zz-LongSecret0123456789abcdefghijklmnopqrstuvwxyz/0123456789-ABCDEFGHIJ";
  std::string escaped = token;
  for (std::size_t pos = 0; (pos = escaped.find('/', pos)) != std::string::npos; pos += 2) escaped.insert(pos, "\\");
  std::string expected;
  for (int i = 0; i < 20; ++i) expected += "[REDACTED]";
  for (const std::string& form : {token, escaped}) {
    std::string body;
    for (int i = 0; i < 25; ++i) body += form;
    EXPECT_EQ(body_snippet(body, token), expected);
    auto result = parse_status_body(200, body, token);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().body_snippet, expected);
  }
  // The marker is cut like any text at the limit, and a cut never leaves part of the token.
  std::string body = std::string(195, 'x') + token + token;
  EXPECT_EQ(body_snippet(body, token), std::string(195, 'x') + "[REDA");
}

TEST(Redact, OnePassHoweverManyOccurrences) {
  // Replacing in place moved the rest of the text once per occurrence: quadratic, seconds of work
  // for a 1 MiB error detail or status made of the token. One pass builds the result directly.
  const std::string token = "ab/cd";
  std::string text;
  while (text.size() < max_body_bytes) text += "ab/cd,ab\\/cd,";  // 150,000 occurrences
  auto start = std::chrono::steady_clock::now();
  std::string out = redact(text, token, TokenSpelling::json_source);
  auto elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(elapsed_ms, 1000);  // one pass: milliseconds; replacing in place: seconds
  EXPECT_EQ(out.find("ab/cd"), std::string::npos);
  EXPECT_EQ(out.find("ab\\/cd"), std::string::npos);
  EXPECT_EQ(out.substr(0, 24), "[REDACTED],[REDACTED],[R");
  // Leftmost first; raw and escaped forms mixed; nothing else touched.
  EXPECT_EQ(redact("xab\\/cdab/cdy ab/c", token, TokenSpelling::json_source), "x[REDACTED][REDACTED]y ab/c");
}

TEST(ErrorBody, ErrorCodeIsKeptOnlyAsASafeInteger) {
  // fuzz_error_body: nlohmann/json stores non-negative integers as unsigned and
  // is_number_integer() is true for them too, so 18446744073709551615 came back as -1.
  // error_code reaches JavaScript as a number: only safe integers (|n| <= 2^53 - 1) are kept.
  auto code = [](const std::string& number) {
    return parse_error_response(400, R"({"error":{"error_code":)" + number + "}}", std::nullopt, "", "dataset \"x\"")
        .error_code;
  };
  EXPECT_EQ(code("140400"), 140400);
  EXPECT_EQ(code("-5"), -5);
  EXPECT_EQ(code("9007199254740991"), 9007199254740991LL);
  EXPECT_EQ(code("-9007199254740991"), -9007199254740991LL);
  for (const char* unsafe : {"9007199254740992", "9223372036854775807", "9223372036854775808",
                             "18446744073709551615", "-9007199254740992", "-9223372036854775808", "1.5"}) {
    EXPECT_FALSE(code(unsafe).has_value()) << unsafe;
  }
}

// ---- Every spelling of the token is redacted (JSON escapes, letter case) ----

TEST(Redact, JsonEscapesAndLetterCase) {
  const std::string token = "Tok/9x";
  EXPECT_EQ(redact("a Tok/9x b", token), "a [REDACTED] b");
  EXPECT_EQ(redact("a Tok\\/9x b", token, TokenSpelling::json_source), "a [REDACTED] b");
  EXPECT_EQ(redact("a \\u0054\\u006f\\u006B\\/9x b", token, TokenSpelling::json_source), "a [REDACTED] b");
  EXPECT_EQ(redact("host tok/9x.invalid", token), "host [REDACTED].invalid");
  EXPECT_EQ(redact("Tok/9", token), "Tok/9");
  EXPECT_EQ(redact("\\u0054ok/9", token, TokenSpelling::json_source), "\\u0054ok/9");
  EXPECT_TRUE(contains_token("x\\u0074OK\\/9X", token, TokenSpelling::json_source));
  EXPECT_FALSE(contains_token("x\\u0074OK\\/9X", token));  // decoded text: escapes are not escapes
  EXPECT_FALSE(contains_token("Tok 9x", token));
}

TEST(Snippet, RedactsAUnicodeEscapedToken) {
  // A 2xx body that is not a status, echoing the token as \uXXXX escapes: JSON.parse of the
  // snippet gave the token back.
  const std::string token = "tok-123";
  std::string escaped;
  for (char c : token) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
    escaped += buffer;
  }
  auto result = parse_status_body(200, "{\"status\":5,\"echo\":\"" + escaped + "\"}", token);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().body_snippet, "{\"status\":5,\"echo\":\"[REDACTED]\"}");
}

TEST(StatusBody, NulBytesAndASecondByteOrderMarkAreInvalid) {
  EXPECT_FALSE(parse_status_body(200, std::string("{\"status\":\"READY\"}\0garbage", 26), "").ok());
  EXPECT_FALSE(parse_status_body(200, "\xEF\xBB\xBF\xEF\xBB\xBF{\"status\":\"READY\"}", "").ok());
  EXPECT_TRUE(parse_status_body(200, "\xEF\xBB\xBF{\"status\":\"READY\"}", "").ok());
}
