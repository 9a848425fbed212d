#include <gtest/gtest.h>

#include "request.hpp"

using namespace prolific;

namespace {

ClientOptions options_with(std::string base_url, std::optional<std::string> token) {
  ClientOptions options;
  options.base_url = std::move(base_url);
  options.token = std::move(token);
  return options;
}

std::string header(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "";
}

}  // namespace

TEST(BaseUrl, ParsesOriginAndPrefix) {
  auto url = parse_base_url("HTTPS://API.Example.com:8443/proxy/v2/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url.value().scheme, "https");
  EXPECT_EQ(url.value().host, "api.example.com");
  EXPECT_EQ(url.value().port, "8443");
  EXPECT_EQ(url.value().path_prefix, "/proxy/v2");
  EXPECT_EQ(url.value().origin(), "https://api.example.com:8443");
  EXPECT_FALSE(url.value().loopback);
}

TEST(BaseUrl, DropsDefaultPorts) {
  EXPECT_EQ(parse_base_url("https://api.prolific.com:443").value().origin(), "https://api.prolific.com");
  EXPECT_EQ(parse_base_url("http://localhost:80").value().origin(), "http://localhost");
}

TEST(BaseUrl, RefusesWhatIsNotAPlainHttpBaseUrl) {
  for (const char* text : {"ftp://example.com", "example.com", "https://", "https://user:pw@example.com",
                           "https://example.com?x=1", "https://example.com#top", "https://exa mple.com",
                           "https://example.com\\@evil.com", "https://example.com:0", "https://example.com:65536",
                           "https://example.com:", "https://example.com/a/../b", "https://example.com/%2e%2e/x",
                           "https://example.com/%zz", "https://127.1", "https://0x7f.0.0.1", "https://2130706433",
                           "https://a..b", "https://example.com/\xc3\xa9", "javascript://x", "https://[::1%25eth0]",
                           "https://ex_ample.com", " https://example.com"}) {
    EXPECT_FALSE(parse_base_url(text).ok()) << text;
    if (!parse_base_url(text).ok()) EXPECT_EQ(parse_base_url(text).error().kind, ErrorKind::invalid_argument);
  }
}

TEST(BaseUrl, Loopback) {
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.255.3.4"));
  EXPECT_TRUE(is_loopback_host("[::1]"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1.example.com"));
  EXPECT_FALSE(is_loopback_host("localhost.example.com"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_FALSE(is_loopback_host("127.000.0.1"));
}

TEST(Token, RefusesCharactersThatCannotGoInAHeader) {
  EXPECT_FALSE(validate_token("abc123-_.XYZ").has_value());
  EXPECT_FALSE(validate_token("abc def").has_value());
  for (const char* token : {"", "abc\r\nX-Evil: 1", "abc\n", "a\tb", "\x7f", "caf\xc3\xa9", " abc", "abc "}) {
    auto error = validate_token(token);
    ASSERT_TRUE(error.has_value()) << token;
    EXPECT_EQ(error->kind, ErrorKind::invalid_argument);
  }
  auto error = validate_token("secret-token\n");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message.find("secret-token"), std::string::npos);
}

TEST(DatasetId, PercentEncodesOneSegment) {
  EXPECT_EQ(percent_encode_path_segment("65f0a1b2c3"), "65f0a1b2c3");
  EXPECT_EQ(percent_encode_path_segment("../../admin?x=1#y"), "..%2F..%2Fadmin%3Fx%3D1%23y");
  EXPECT_EQ(percent_encode_path_segment("a b%"), "a%20b%25");
  EXPECT_EQ(percent_encode_path_segment("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(percent_encode_path_segment(std::string("a\0b", 3)), "a%00b");
}

TEST(DatasetId, RefusesEmptyDotSegmentsAndHugeIds) {
  EXPECT_TRUE(validate_dataset_id(""));
  EXPECT_TRUE(validate_dataset_id("."));
  EXPECT_TRUE(validate_dataset_id(".."));
  EXPECT_TRUE(validate_dataset_id(std::string(max_dataset_id_bytes + 1, 'a')));
  EXPECT_FALSE(validate_dataset_id("..."));
  EXPECT_FALSE(validate_dataset_id(std::string(max_dataset_id_bytes, 'a')));
}

TEST(StatusRequest, BuildsUrlAndHeaders) {
  auto request = build_status_request("ds/1", options_with("https://api.prolific.com", "tok"));
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request.value().method, "GET");
  EXPECT_EQ(request.value().url, "https://api.prolific.com/api/v1/data-collection/datasets/ds%2F1/status");
  EXPECT_EQ(header(request.value(), "Authorization"), "Token tok");
  EXPECT_EQ(header(request.value(), "Accept"), "application/json");
  EXPECT_EQ(request.value().timeout_ms, 30000);
}

TEST(StatusRequest, KeepsThePathPrefixOfAProxy) {
  auto request = build_status_request("x", options_with("http://127.0.0.1:8080/prolific/", std::nullopt));
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request.value().url, "http://127.0.0.1:8080/prolific/api/v1/data-collection/datasets/x/status");
  EXPECT_EQ(header(request.value(), "Authorization"), "");
}

TEST(StatusRequest, TokenRules) {
  // A token is needed only by Prolific's own API.
  auto missing = build_status_request("x", options_with("https://api.prolific.com", std::nullopt));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::invalid_argument);
  EXPECT_TRUE(build_status_request("x", options_with("https://proxy.example.com", std::nullopt)).ok());
  // Plain http carries a token only to loopback hosts.
  EXPECT_TRUE(build_status_request("x", options_with("http://localhost:1234", "tok")).ok());
  EXPECT_TRUE(build_status_request("x", options_with("http://127.0.0.9:1234", "tok")).ok());
  EXPECT_TRUE(build_status_request("x", options_with("http://[::1]:1234", "tok")).ok());
  for (const char* url : {"http://example.com", "http://0.0.0.0:8080", "http://10.0.0.1", "http://localhost.evil.com"}) {
    auto refused = build_status_request("x", options_with(url, "secret"));
    ASSERT_FALSE(refused.ok()) << url;
    EXPECT_EQ(refused.error().message.find("secret"), std::string::npos);
  }
  EXPECT_TRUE(build_status_request("x", options_with("http://example.com", std::nullopt)).ok());
}

TEST(StatusRequest, RefusesBadNumbers) {
  ClientOptions options = options_with("https://proxy.example.com", std::nullopt);
  options.timeout_ms = -1;
  EXPECT_FALSE(build_status_request("x", options).ok());
  options.timeout_ms = 0;
  EXPECT_TRUE(build_status_request("x", options).ok());
  options.max_retries = -1;
  EXPECT_FALSE(build_status_request("x", options).ok());
}

TEST(Redirect, HttpsDowngradeIsDetected) {
  EXPECT_TRUE(is_https_downgrade("https://a.example/x", "http://a.example/x"));
  EXPECT_TRUE(is_https_downgrade("HTTPS://a.example/x", "HTTP://b.example/x"));
  EXPECT_FALSE(is_https_downgrade("https://a.example/x", "https://b.example/x"));
  EXPECT_FALSE(is_https_downgrade("http://a.example/x", "http://b.example/x"));
  EXPECT_FALSE(is_https_downgrade("https://a.example/x", ""));
}
