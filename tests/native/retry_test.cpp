#include <gtest/gtest.h>

#include "retry.hpp"

#include <limits>

using namespace prolific;

namespace {
// 2015-10-21T07:28:00Z
constexpr double kNow = 1445412480000.0;
}  // namespace

TEST(RetryAfter, DelaySeconds) {
  EXPECT_EQ(parse_retry_after("120", kNow), 120000.0);
  EXPECT_EQ(parse_retry_after(" 0 ", kNow), 0.0);
  EXPECT_EQ(parse_retry_after("99999999999999999999999", kNow), 1e12);
}

TEST(RetryAfter, HttpDateInAllThreeFormats) {
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT", kNow), 5000.0);
  EXPECT_EQ(parse_retry_after("Wednesday, 21-Oct-15 07:28:07 GMT", kNow), 7000.0);
  EXPECT_EQ(parse_retry_after("Wed Oct 21 07:28:09 2015", kNow), 9000.0);
  EXPECT_EQ(parse_retry_after("Wed Oct  1 07:28:09 2015", kNow), 0.0);  // in the past
}

TEST(RetryAfter, GarbageIsIgnored) {
  for (const char* value : {"", "soon", "-5", "1.5", "5s", "Wed, 32 Oct 2015 07:28:05 GMT", "Wed, 21 Oct 2015 25:28:05 GMT",
                            "Wed, 21 Foo 2015 07:28:05 GMT", "Wed, 21 Oct 2015 07:28:05 UTC", "0x10",
                            "Thu, 29 Feb 2015 00:00:00 GMT"}) {
    EXPECT_FALSE(parse_retry_after(value, kNow).has_value()) << value;
  }
}

TEST(HttpDate, LeapDay) {
  EXPECT_TRUE(parse_http_date("Mon, 29 Feb 2016 00:00:00 GMT").has_value());
  EXPECT_EQ(*parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0.0);
}

TEST(Headers, FindIsCaseInsensitive) {
  std::string headers = "content-type: application/json\r\nRetry-After:  7 \r\nx-a: b\r\n";
  EXPECT_EQ(find_header(headers, "retry-after"), "7");
  EXPECT_EQ(find_header(headers, "Content-Type"), "application/json");
  EXPECT_FALSE(find_header(headers, "missing").has_value());
  EXPECT_FALSE(find_header("", "retry-after").has_value());
}

TEST(Retryable, StatusesAndKinds) {
  for (int status : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(is_retryable_http_status(status)) << status;
  for (int status : {400, 401, 403, 404, 405, 422, 501, 505}) EXPECT_FALSE(is_retryable_http_status(status)) << status;
  Error error;
  error.kind = ErrorKind::network;
  EXPECT_TRUE(is_retryable(error));
  error.kind = ErrorKind::timeout;
  EXPECT_TRUE(is_retryable(error));
  error.kind = ErrorKind::invalid_response;
  EXPECT_FALSE(is_retryable(error));
  error.kind = ErrorKind::api;
  error.http_status = 503;
  EXPECT_TRUE(is_retryable(error));
  error.http_status = 404;
  EXPECT_FALSE(is_retryable(error));
}

TEST(Backoff, DoublesWithJitterAndCaps) {
  EXPECT_EQ(backoff_delay_ms(0, 0.0), 500.0);
  EXPECT_EQ(backoff_delay_ms(1, 0.0), 1000.0);
  EXPECT_EQ(backoff_delay_ms(3, 0.0), 4000.0);
  EXPECT_EQ(backoff_delay_ms(4, 0.0), 8000.0);
  EXPECT_EQ(backoff_delay_ms(100, 0.0), 8000.0);
  EXPECT_DOUBLE_EQ(backoff_delay_ms(0, 0.999999), 500.0 * (1 - 0.25 * 0.999999));
}

TEST(Backoff, RetryAfterAboveTheBackoffWinsAndIsClamped) {
  EXPECT_EQ(retry_delay_ms(1500.0, 0, 0.5), 1500.0);
  EXPECT_EQ(retry_delay_ms(3600000.0, 0, 0.5), 60000.0);
  EXPECT_EQ(retry_delay_ms(3600000.0, 30, 0.0), 60000.0);
  EXPECT_EQ(retry_delay_ms(std::nullopt, 0, 0.0), 500.0);
  EXPECT_EQ(retry_delay_ms(std::numeric_limits<double>::quiet_NaN(), 1, 0.0), 1000.0);
}

TEST(Backoff, IsTheFloorWhateverTheServerAsksFor) {
  // Retry-After: 0 or a date in the past (parse_retry_after gives 0) must not make the client
  // poll a server that answers 429/503 at full speed: the backoff's own delay is the floor.
  for (int retry = 0; retry < 12; ++retry) {
    for (double random01 : {0.0, 0.5, 0.999}) {
      const double backoff = backoff_delay_ms(retry, random01);
      EXPECT_EQ(retry_delay_ms(0.0, retry, random01), backoff) << retry;
      EXPECT_EQ(retry_delay_ms(-5.0, retry, random01), backoff) << retry;
      EXPECT_EQ(retry_delay_ms(backoff / 2, retry, random01), backoff) << retry;
      EXPECT_GE(retry_delay_ms(1.0, retry, random01), 375.0) << retry;
    }
  }
  EXPECT_EQ(retry_delay_ms(1500.0, 3, 0.5), 3500.0);  // 4000 × (1 − 0.125) is more than asked
}

TEST(PollDelay, GrowsByHalfNeverAboveTheMaximum) {
  EXPECT_EQ(poll_delay_ms(0, 2000, 30000, 0.7), 2000.0);
  EXPECT_DOUBLE_EQ(poll_delay_ms(1, 2000, 30000, 1.0), 3000.0);
  EXPECT_DOUBLE_EQ(poll_delay_ms(1, 2000, 30000, 0.0), 2400.0);
  EXPECT_DOUBLE_EQ(poll_delay_ms(2, 2000, 30000, 1.0), 4500.0);
  for (int i = 0; i < 100; ++i) EXPECT_LE(poll_delay_ms(i, 2000, 30000, 0.99), 30000.0);
  EXPECT_EQ(poll_delay_ms(0, 5000, 1000, 0.5), 1000.0);
}

// ---- Regressions found by the fuzzers (tests/fuzz) ----

#include <limits>

TEST(RetryAfter, DatesNeedAFiniteClock) {
  // fuzz_retry_after: an RFC 850 date with a NaN, infinite or huge now_ms converted an
  // out-of-range double to int (undefined behaviour; a trap in WebAssembly). A date cannot be
  // turned into a delay without a real clock, so it counts as unusable; delay-seconds still work.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double now : {nan, inf, -inf}) {
    EXPECT_FALSE(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now).has_value());
    EXPECT_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now).has_value());
    EXPECT_FALSE(parse_retry_after("Sun Nov  6 08:49:37 1994", now).has_value());
    EXPECT_EQ(parse_retry_after("120", now), 120000.0);
  }
  // Absurd but finite clocks: the two-digit year is read within years 0..9999, never overflowing.
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", 1e300), 0.0);
  auto early = parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", -1e300);
  ASSERT_TRUE(early.has_value());
  EXPECT_GT(*early, 0.0);
}
