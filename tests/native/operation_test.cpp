#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lifecycle.hpp"
#include "operation.hpp"
#include "retry.hpp"

using namespace prolific;

namespace {

ClientOptions proxy_options(int max_retries = 2) {
  ClientOptions options;
  options.base_url = "http://127.0.0.1:9999";
  options.token = "tok";
  options.max_retries = max_retries;
  return options;
}

TransportResult response(int status, std::string body, std::string headers = "") {
  TransportResult result;
  result.kind = TransportResult::Kind::response;
  result.http_status = status;
  result.body = std::move(body);
  result.headers = std::move(headers);
  return result;
}

TransportResult failure(TransportResult::Kind kind) {
  TransportResult result;
  result.kind = kind;
  result.cause = "ECONNREFUSED tok";
  return result;
}

StatusOperation make(std::optional<WaitOptions> wait = std::nullopt, int max_retries = 2) {
  auto operation = StatusOperation::create("ds-1", proxy_options(max_retries), wait, 42);
  EXPECT_TRUE(operation.ok());
  return operation.value();
}

}  // namespace

TEST(Operation, ReadsOnce) {
  StatusOperation operation = make();
  Action first = operation.start(0);
  ASSERT_EQ(first.type, Action::Type::send);
  EXPECT_EQ(first.request.url, "http://127.0.0.1:9999/api/v1/data-collection/datasets/ds-1/status");
  EXPECT_EQ(first.request.timeout_ms, 30000);
  Action done = operation.on_transport_result(response(200, R"({"status":"PROCESSING"})"), 10);
  ASSERT_EQ(done.type, Action::Type::finish);
  EXPECT_EQ(done.status, "PROCESSING");
  EXPECT_FALSE(done.report.has_value());
}

TEST(Operation, InvalidArgumentsNeverSend) {
  ClientOptions options = proxy_options();
  options.token = "bad\ntoken";
  auto operation = StatusOperation::create("ds", options, std::nullopt, 1);
  ASSERT_FALSE(operation.ok());
  EXPECT_EQ(operation.error().kind, ErrorKind::invalid_argument);
  WaitOptions wait;
  wait.interval_ms = 0;
  EXPECT_FALSE(StatusOperation::create("ds", proxy_options(), wait, 1).ok());
  wait.interval_ms = -5;
  EXPECT_FALSE(StatusOperation::create("ds", proxy_options(), wait, 1).ok());
}

TEST(Operation, RetriesTransientFailuresUpToMaxRetries) {
  StatusOperation operation = make(std::nullopt, 2);
  operation.start(0);
  Action first = operation.on_transport_result(response(503, ""), 1);
  ASSERT_EQ(first.type, Action::Type::sleep);
  EXPECT_GE(first.delay_ms, 375);
  EXPECT_LE(first.delay_ms, 500);
  EXPECT_EQ(operation.on_timer(600).type, Action::Type::send);
  Action second = operation.on_transport_result(failure(TransportResult::Kind::network_error), 601);
  ASSERT_EQ(second.type, Action::Type::sleep);
  EXPECT_GE(second.delay_ms, 750);
  EXPECT_LE(second.delay_ms, 1000);
  EXPECT_EQ(operation.on_timer(1700).type, Action::Type::send);
  Action last = operation.on_transport_result(failure(TransportResult::Kind::timeout), 31700);
  ASSERT_EQ(last.type, Action::Type::finish);
  ASSERT_TRUE(last.error.has_value());
  EXPECT_EQ(last.error->kind, ErrorKind::timeout);
  EXPECT_EQ(last.error->timeout_ms, 30000);
}

TEST(Operation, RetryAfterSetsTheDelayAndIsReported) {
  StatusOperation operation = make(std::nullopt, 1);
  operation.start(0);
  Action sleep = operation.on_transport_result(response(429, "", "retry-after: 3\r\n"), 1);
  ASSERT_EQ(sleep.type, Action::Type::sleep);
  EXPECT_EQ(sleep.delay_ms, 3000);
  operation.on_timer(3001);
  Action done = operation.on_transport_result(response(429, "", "Retry-After: 7200\r\n"), 3002);
  ASSERT_TRUE(done.error.has_value());
  EXPECT_EQ(done.error->kind, ErrorKind::api);
  EXPECT_EQ(done.error->http_status, 429);
  EXPECT_EQ(done.error->retry_after_ms, 7200000.0);
}

TEST(Operation, FinalErrorsAreNotRetried) {
  for (int status : {400, 401, 404, 422}) {
    StatusOperation operation = make();
    operation.start(0);
    Action done = operation.on_transport_result(response(status, R"({"error":{"title":"t","detail":"d"}})"), 1);
    ASSERT_EQ(done.type, Action::Type::finish) << status;
    EXPECT_EQ(done.error->http_status, status);
  }
  StatusOperation operation = make();
  operation.start(0);
  Action invalid = operation.on_transport_result(response(200, R"({"status":7})"), 1);
  ASSERT_EQ(invalid.type, Action::Type::finish);
  EXPECT_EQ(invalid.error->kind, ErrorKind::invalid_response) << invalid.error->message;
}

TEST(Operation, NetworkErrorCauseIsRedacted) {
  StatusOperation operation = make(std::nullopt, 0);
  operation.start(0);
  Action done = operation.on_transport_result(failure(TransportResult::Kind::network_error), 1);
  ASSERT_TRUE(done.error.has_value());
  EXPECT_EQ(done.error->kind, ErrorKind::network);
  EXPECT_EQ(done.error->cause, "ECONNREFUSED [REDACTED]");
  EXPECT_EQ(done.error->message.find("tok "), std::string::npos);
}

TEST(Operation, TooLargeIsAnInvalidResponse) {
  StatusOperation operation = make();
  operation.start(0);
  TransportResult result = failure(TransportResult::Kind::body_too_large);
  result.http_status = 200;
  Action done = operation.on_transport_result(result, 1);
  ASSERT_TRUE(done.error.has_value());
  EXPECT_EQ(done.error->kind, ErrorKind::invalid_response);
  EXPECT_EQ(done.error->http_status, 200);
}

TEST(Wait, PollsUntilReadyReportingEveryRead) {
  WaitOptions wait;
  wait.interval_ms = 100;
  wait.max_interval_ms = 1000;
  StatusOperation operation = make(wait);
  operation.start(0);
  Action a = operation.on_transport_result(response(200, R"({"status":"UNINITIALISED"})"), 5);
  ASSERT_EQ(a.type, Action::Type::sleep);
  EXPECT_EQ(a.delay_ms, 100);
  EXPECT_EQ(a.report->status, "UNINITIALISED");
  EXPECT_EQ(a.report->attempt, 1);
  EXPECT_EQ(a.report->elapsed_ms, 5);
  operation.on_timer(105);
  Action b = operation.on_transport_result(response(200, R"({"status":"PROCESSING"})"), 110);
  ASSERT_EQ(b.type, Action::Type::sleep);
  EXPECT_GE(b.delay_ms, 120);
  EXPECT_LE(b.delay_ms, 150);
  EXPECT_EQ(b.report->attempt, 2);
  operation.on_timer(300);
  Action c = operation.on_transport_result(response(200, R"({"status":"READY"})"), 310);
  ASSERT_EQ(c.type, Action::Type::finish);
  EXPECT_EQ(c.status, "READY");
  EXPECT_EQ(c.report->attempt, 3);
}

TEST(Wait, ErrorStatusEndsWithDatasetProcessingError) {
  StatusOperation operation = make(WaitOptions{});
  operation.start(0);
  Action done = operation.on_transport_result(response(200, R"({"status":"ERROR"})"), 1);
  ASSERT_EQ(done.type, Action::Type::finish);
  ASSERT_TRUE(done.error.has_value());
  EXPECT_EQ(done.error->kind, ErrorKind::dataset_processing);
  EXPECT_EQ(done.error->dataset_id, "ds-1");
  EXPECT_EQ(done.error->status, "ERROR");
  EXPECT_EQ(done.report->status, "ERROR");
}

TEST(Operation, NullOrAbsentStatusIsAReadOfNoStatus) {
  for (const char* body : {R"({"status":null})", "{}"}) {
    StatusOperation operation = make();
    operation.start(0);
    Action done = operation.on_transport_result(response(200, body), 1);
    ASSERT_EQ(done.type, Action::Type::finish) << body;
    ASSERT_FALSE(done.error.has_value()) << body;
    ASSERT_TRUE(done.status.has_value());
    EXPECT_TRUE(done.status_null);
  }
}

TEST(Wait, NullStatusEndsTheWaitAtOnceSayingWhy) {
  for (const char* body : {R"({"status":null})", "{}"}) {
    StatusOperation operation = make(WaitOptions{});
    operation.start(0);
    Action done = operation.on_transport_result(response(200, body), 1);
    ASSERT_EQ(done.type, Action::Type::finish) << body;
    ASSERT_TRUE(done.error.has_value());
    EXPECT_EQ(done.error->kind, ErrorKind::no_status);
    EXPECT_EQ(done.error->dataset_id, "ds-1");
    EXPECT_NE(done.error->message.find("no status of its own"), std::string::npos) << done.error->message;
    EXPECT_NE(done.error->message.find("V4"), std::string::npos);
    EXPECT_NE(done.error->message.find("import jobs"), std::string::npos);
    ASSERT_TRUE(done.report.has_value());
    EXPECT_TRUE(done.report->status_null);
    EXPECT_EQ(done.report->attempt, 1);
  }
}

TEST(Wait, TransientFailuresAreRetriedPastMaxRetriesUntilTheDeadline) {
  WaitOptions wait;
  wait.deadline_ms = 10000;
  StatusOperation operation = make(wait, 0);
  operation.start(0);
  double now = 0;
  for (int i = 0; i < 5; ++i) {
    Action sleep = operation.on_transport_result(response(503, ""), now + 1);
    ASSERT_EQ(sleep.type, Action::Type::sleep) << i;
    now += 1 + sleep.delay_ms;
    if (now >= 10000) break;
    ASSERT_EQ(operation.on_timer(now).type, Action::Type::send);
  }
  Action late = operation.on_timer(10001);
  ASSERT_EQ(late.type, Action::Type::finish);
  EXPECT_EQ(late.error->kind, ErrorKind::timeout);
  EXPECT_EQ(late.error->timeout_ms, 10000);
}

TEST(Wait, NonTransientFailureEndsTheWaitAtOnce) {
  StatusOperation operation = make(WaitOptions{});
  operation.start(0);
  Action done = operation.on_transport_result(response(404, ""), 1);
  ASSERT_EQ(done.type, Action::Type::finish);
  EXPECT_EQ(done.error->http_status, 404);
}

TEST(Wait, AttemptTimeoutIsCappedByTheDeadline) {
  WaitOptions wait;
  wait.deadline_ms = 1000;
  StatusOperation operation = make(wait);
  Action first = operation.start(0);
  EXPECT_EQ(first.request.timeout_ms, 1000);
  Action done = operation.on_transport_result(failure(TransportResult::Kind::timeout), 1000);
  ASSERT_EQ(done.type, Action::Type::finish);
  EXPECT_EQ(done.error->kind, ErrorKind::timeout);
  EXPECT_EQ(done.error->timeout_ms, 1000);
}

TEST(Wait, SleepNeverPassesTheDeadline) {
  WaitOptions wait;
  wait.interval_ms = 5000;
  wait.deadline_ms = 1200;
  StatusOperation operation = make(wait);
  operation.start(0);
  Action sleep = operation.on_transport_result(response(200, R"({"status":"PROCESSING"})"), 200);
  ASSERT_EQ(sleep.type, Action::Type::sleep);
  EXPECT_EQ(sleep.delay_ms, 1000);
  Action done = operation.on_timer(1200);
  EXPECT_EQ(done.error->kind, ErrorKind::timeout);
  EXPECT_NE(done.error->message.find("PROCESSING"), std::string::npos);
}

TEST(Operation, AStatusOutsideHttpIsANetworkError) {
  for (int status : {0, 99, 600, 999}) {
    StatusOperation operation = make(std::nullopt, 0);
    operation.start(0);
    Action done = operation.on_transport_result(response(status, R"({"status":"READY"})"), 1);
    ASSERT_EQ(done.type, Action::Type::finish) << status;
    ASSERT_TRUE(done.error.has_value()) << status;
    EXPECT_EQ(done.error->kind, ErrorKind::network) << status;
  }
}

// ---- The retry floor: a server asking for less than the backoff gets the backoff ----

namespace {

// Drives `operation` against a server that always answers 429 with `retry_after` for `span_ms`
// of made-up time; returns the sleeps asked for between sends.
std::vector<double> always_throttled(StatusOperation& operation, const std::string& retry_after, double span_ms) {
  std::vector<double> delays;
  double now = 0;
  Action action = operation.start(now);
  // Bounded: without a floor, a zero delay would never move the clock on.
  while (action.type == Action::Type::send && now <= span_ms && delays.size() < 1000) {
    TransportResult answer = response(429, R"({"detail":"Request was throttled."})", retry_after);
    answer.wall_clock_ms = 1.7e12 + now;
    action = operation.on_transport_result(answer, now);
    if (action.type != Action::Type::sleep) break;
    delays.push_back(action.delay_ms);
    now += action.delay_ms;
    action = operation.on_timer(now);
  }
  return delays;
}

}  // namespace

TEST(RetryFloor, SingleReadsTakeTheBackoffDelaysWhenTheServerAsksForNone) {
  for (const std::string header : {"Retry-After: 0\r\n", "Retry-After: Thu, 01 Jan 1970 00:00:00 GMT\r\n"}) {
    StatusOperation operation = make(std::nullopt, 2);
    std::vector<double> delays = always_throttled(operation, header, 1e9);
    ASSERT_EQ(delays.size(), 2u) << header;
    EXPECT_GE(delays[0], 375.0) << header;   // 500 ms × (1 − 0.25 jitter) at least
    EXPECT_GE(delays[1], 750.0) << header;   // 1000 ms × (1 − 0.25 jitter) at least
  }
}

TEST(RetryFloor, WaitsSendNoMoreThanTheBackoffScheduleAllows) {
  WaitOptions wait;
  wait.deadline_ms = 5000;
  StatusOperation operation = make(wait, 2);
  std::vector<double> delays = always_throttled(operation, "Retry-After: 0\r\n", 1e9);
  // Backoff from 500 ms ×2 with at most 25 % jitter off: sends at 0, ≥375, ≥1125, ≥2625 ms, then
  // the deadline at 5000 ms is passed before a fifth: at most 4 sleeps (the last cut short).
  EXPECT_LE(delays.size(), 4u);
  for (std::size_t i = 0; i + 1 < delays.size(); ++i) EXPECT_GE(delays[i], backoff_delay_ms(static_cast<int>(i), 1.0));
}

TEST(RetryFloor, LifecycleCallsGetItToo) {
  ClientOptions options = proxy_options(3);
  auto request = build_status_request("ds-1", options);
  ASSERT_TRUE(request.ok());
  for (const OperationRules* rules : {&create_dataset_rules, &upload_url_rules, &dataset_rules}) {
    StatusOperation operation =
        StatusOperation::for_request(*rules, request.value(), "ds-1", "dataset \"ds-1\"", "tok", 3, std::nullopt, 7);
    std::vector<double> delays = always_throttled(operation, "Retry-After: 0\r\n", 1e9);
    ASSERT_EQ(delays.size(), 3u);
    for (std::size_t i = 0; i < delays.size(); ++i) {
      EXPECT_GE(delays[i], backoff_delay_ms(static_cast<int>(i), 1.0));
    }
  }
}

TEST(RetryFloor, TheReportedRetryAfterIsWhatTheServerAskedFor) {
  StatusOperation operation = make(std::nullopt, 1);
  operation.start(0);
  Action sleep = operation.on_transport_result(response(429, "", "Retry-After: 0\r\n"), 1);
  ASSERT_EQ(sleep.type, Action::Type::sleep);
  EXPECT_GE(sleep.delay_ms, 375.0);
  operation.on_timer(1 + sleep.delay_ms);
  Action done = operation.on_transport_result(response(429, "", "Retry-After: 0\r\n"), 2 + sleep.delay_ms);
  ASSERT_TRUE(done.error.has_value());
  EXPECT_EQ(done.error->retry_after_ms, 0.0);
}

TEST(RetryFloor, ARetryThatTheBackoffPutsPastTheDeadlineIsNotSent) {
  // The sleep is cut to the deadline; a timer that fires a little early must not lead to one more
  // request with almost no time left.
  WaitOptions wait;
  wait.deadline_ms = 1000;
  StatusOperation operation = make(wait, 2);
  operation.start(0);
  Action first = operation.on_transport_result(response(429, "", "Retry-After: 0\r\n"), 900);
  ASSERT_EQ(first.type, Action::Type::sleep);
  EXPECT_EQ(first.delay_ms, 100);  // the backoff (≥375 ms) cut to what is left
  Action next = operation.on_timer(999);
  ASSERT_EQ(next.type, Action::Type::finish);
  ASSERT_TRUE(next.error.has_value());
  EXPECT_EQ(next.error->kind, ErrorKind::timeout);
}
