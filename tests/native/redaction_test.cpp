// Redaction that cannot be spelled around: decoded text is matched raw, JSON source also in its
// escapes, and every error text is redacted once it is fully assembled.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operation.hpp"
#include "response.hpp"

using namespace prolific;

namespace {

constexpr TokenSpelling json_source = TokenSpelling::json_source;

// Header-safe tokens that a reading of "\/", "\\", "\"" or "\uXXXX" as escapes in decoded text
// used to miss: each once inside the token, and one ending in a backslash.
const std::vector<std::string> backslash_tokens = {
    R"(Ab3\/cD9zYx)", R"(Ab3\u0041cD9zYx)", R"(Ab3\\cD9zYx)", R"(Ab3\"cD9zYx)", R"(Ab3cD9zYx\)"};

}  // namespace

TEST(Redact, DecodedTextIsMatchedRawWhateverBackslashesTheTokenHolds) {
  for (const std::string& token : backslash_tokens) {
    for (const std::string& text : {"x " + token + " y", token + "/", token + "\\/" + token, "q" + token}) {
      EXPECT_FALSE(contains_token(redact(text, token), token)) << token << " in " << text;
      EXPECT_FALSE(contains_token(redact(text, token, json_source), token)) << token << " in " << text;
      EXPECT_FALSE(contains_token(body_snippet(text, token), token)) << token << " in " << text;
    }
  }
  EXPECT_EQ(redact(R"(say Ab3\u0041cD9zYx now)", R"(Ab3\u0041cD9zYx)"), "say [REDACTED] now");
  EXPECT_EQ(redact(R"(ab3\U0041CD9ZYX)", R"(Ab3\u0041cD9zYx)"), "[REDACTED]");  // any letter case
}

TEST(Redact, EscapesAreReadOnlyInJsonSource) {
  // Decoded text "a\/b" is not the token "a/b" (a JSON parser already turned escapes into
  // characters); in JSON source it is.
  EXPECT_EQ(redact(R"(a\/b)", "a/b"), R"(a\/b)");
  EXPECT_EQ(redact(R"(a\/b)", "a/b", json_source), "[REDACTED]");
  // The token a\b written by a JSON encoder is a\\b: JSON source finds it, as it finds it raw.
  EXPECT_EQ(redact(R"({"d":"a\\b","e":"a\b"})", R"(a\b)", json_source), R"({"d":"[REDACTED]","e":"[REDACTED]"})");
  EXPECT_EQ(redact(R"(\u0061\\\u0062)", R"(a\b)", json_source), "[REDACTED]");
}

TEST(Redact, OverlappingSpellingsBecomeOneMarker) {
  EXPECT_EQ(redact("xababay", "aba"), "x[REDACTED]y");
  EXPECT_EQ(redact("abaaba", "aba"), "[REDACTED][REDACTED]");
}

TEST(Redact, TheMarkerAndItsNeighboursCannotFormTheToken) {
  // "D]Zq" + "Zq": once the first is replaced, "[REDACTED]" + "Zq" ends in the token again.
  const std::string token = "D]Zq";
  for (const std::string& text : {std::string("D]ZqZq"), std::string("xD]ZqZqZqZqZqZq"), std::string("D]D]ZqZq")}) {
    EXPECT_FALSE(contains_token(redact(text, token), token)) << text;
    EXPECT_FALSE(contains_token(redact(text, token, json_source), token, json_source)) << text;
    EXPECT_FALSE(contains_token(body_snippet(text, token), token, json_source)) << text;
  }
  // A chain longer than the rounds allowed leaves nothing of the text.
  std::string chain = "D]";
  for (int i = 0; i < 40; ++i) chain += "Zq";
  EXPECT_EQ(redact(chain, token), "[REDACTED]");
}

TEST(ErrorBody, ATokenSplitAcrossTitleAndDetailIsNotRebuiltInTheMessage) {
  const std::string token = "AbCdEf: GhIjKl1234567890";
  Error error = parse_error_response(400, R"({"error":{"title":"AbCdEf","detail":"GhIjKl1234567890"}})", std::nullopt,
                                     token, "dataset \"x\"");
  EXPECT_FALSE(contains_token(error.message, token)) << error.message;
  // The same through the operation, with a detail array joined with "; " and a field map.
  for (const std::string& body : {R"({"error":{"detail":["AbCdEf: GhIj","Kl1234567890"]}})",
                                  R"({"error":{"detail":{"AbCdEf":["GhIjKl1234567890"]}}})"}) {
    const std::string split = "AbCdEf: GhIj; Kl1234567890";
    ClientOptions options;
    options.base_url = "http://127.0.0.1:9";
    options.token = body.find('[') == std::string::npos ? token : split;
    auto operation = StatusOperation::create("ds", options, std::nullopt, 1);
    ASSERT_TRUE(operation.ok());
    operation.value().start(0);
    TransportResult answer;
    answer.http_status = 422;
    answer.body = body;
    Action done = operation.value().on_transport_result(answer, 1);
    ASSERT_TRUE(done.error.has_value());
    EXPECT_FALSE(contains_token(done.error->message, *options.token)) << done.error->message;
    EXPECT_FALSE(contains_token(done.error->detail, *options.token)) << done.error->detail;
  }
}

TEST(Redact, TheTimeoutMessageCannotRebuildTheTokenFromTheLastStatus) {
  // "(last status " + status + ")": a token that starts with our own words and ends with what the
  // server sent as its status.
  const std::string token = "last status Zq9";
  ClientOptions options;
  options.base_url = "http://127.0.0.1:9";
  options.token = token;
  WaitOptions wait;
  wait.interval_ms = 10;
  wait.deadline_ms = 100;
  auto operation = StatusOperation::create("ds", options, wait, 1);
  ASSERT_TRUE(operation.ok());
  operation.value().start(0);
  TransportResult answer;
  answer.http_status = 200;
  answer.body = R"({"status":"Zq9"})";
  Action next = operation.value().on_transport_result(answer, 1);
  ASSERT_EQ(next.type, Action::Type::sleep);
  Action done = operation.value().on_timer(200);
  ASSERT_TRUE(done.error.has_value());
  EXPECT_EQ(done.error->kind, ErrorKind::timeout);
  EXPECT_FALSE(contains_token(done.error->message, token)) << done.error->message;
}

// ---- Property: random header-safe tokens in random text, in every place server text goes ----

namespace {

// Text biased towards the characters that make spellings tricky.
std::string random_text(std::mt19937_64& random, std::size_t max_length) {
  static const std::string tricky = R"(\\\/"u0041aAbB:;, []{}RED)";
  std::string out;
  std::size_t length = random() % (max_length + 1);
  for (std::size_t i = 0; i < length; ++i) {
    out += random() % 2 ? tricky[random() % tricky.size()] : static_cast<char>(0x20 + random() % 95);
  }
  return out;
}

// A header-safe token (printable ASCII, no white space at either end) of 8 to 40 characters
// that "[REDACTED]" does not itself hold (no marker could hide such a token).
std::string random_token(std::mt19937_64& random) {
  for (;;) {
    std::string token = random_text(random, 40);
    if (token.size() < 8 || token.front() == ' ' || token.back() == ' ') continue;
    if (contains_token("[REDACTED]", token)) continue;
    return token;
  }
}

// Places the token in `text` at a random position, once or twice.
std::string embed(std::mt19937_64& random, std::string text, const std::string& token) {
  int copies = 1 + static_cast<int>(random() % 2);
  for (int i = 0; i < copies; ++i) text.insert(random() % (text.size() + 1), token);
  return text;
}

std::string json_string(const std::string& text) { return nlohmann::json(text).dump(); }

// The token as JSON source a server could write: every character as \uXXXX, or "/" as "\/".
std::string escaped_json_string(std::mt19937_64& random, const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\' || random() % 4 == 0) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04X", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buffer;
    } else if (c == '/' && random() % 2) {
      out += "\\/";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

TEST(RedactionProperty, NoRandomTokenSurvivesAnywhere) {
  std::mt19937_64 random(20261202);
  int survivors = 0;
  for (int round = 0; round < 100000; ++round) {
    const std::string token = random_token(random);
    const std::string text = embed(random, random_text(random, 60), token);
    auto check = [&](const std::string& output, TokenSpelling spelling, const char* where) {
      if (contains_token(output, token, spelling)) {
        if (++survivors <= 5) ADD_FAILURE() << where << ": token " << token << " survives in " << output;
      }
    };
    check(redact(text, token), TokenSpelling::text, "redact");
    check(redact(text, token, json_source), json_source, "redact json_source");
    check(body_snippet(text, token), json_source, "body_snippet");
    if (round % 10 != 0) continue;  // the slower paths on every tenth token
    auto value = [&]() { return random() % 2 ? json_string(text) : escaped_json_string(random, text); };
    const std::string bodies[] = {
        R"({"error":{"title":)" + value() + R"(,"detail":)" + value() + R"(,"additional_information":)" + value() + "}}",
        R"({"error":{"detail":[)" + value() + "," + value() + R"(]}})",
        "{\"error\":{\"detail\":{" + value() + ":[" + value() + "]}}}",
        R"({"message":)" + value() + R"(,"detail":)" + value() + "}",
        text,
    };
    for (const std::string& body : bodies) {
      Error error = parse_error_response(400, body, std::nullopt, token, "dataset \"x\"");
      for (const std::string* field : {&error.message, &error.title, &error.detail, &error.additional_information}) {
        check(*field, TokenSpelling::text, "error field");
      }
      auto status = parse_status_body(200, "{\"status\":" + value() + "}", token);
      if (status.ok() && status.value()) check(*status.value(), TokenSpelling::text, "status");
      auto invalid = parse_status_body(200, body, token);
      if (!invalid.ok()) check(invalid.error().body_snippet, json_source, "body_snippet of a 2xx");
    }
  }
  EXPECT_EQ(survivors, 0);
}
