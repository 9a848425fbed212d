#include <gtest/gtest.h>

#include "watch.hpp"

using namespace prolific;

namespace {

WatchOptions options(int concurrency = 6, double deadline_ms = 60000) {
  WatchOptions watch;
  watch.interval_ms = 1000;
  watch.max_interval_ms = 4000;
  watch.deadline_ms = deadline_ms;
  watch.concurrency = concurrency;
  return watch;
}

Error api_error(int http_status, std::optional<double> retry_after_ms = std::nullopt) {
  Error error = make_error(ErrorKind::api, "HTTP " + std::to_string(http_status));
  error.http_status = http_status;
  error.retry_after_ms = retry_after_ms;
  return error;
}

std::vector<WatchRead> take_all(WatchSchedule& schedule, double now_ms) {
  std::vector<WatchRead> reads;
  while (auto read = schedule.take_due(now_ms)) reads.push_back(*read);
  return reads;
}

}  // namespace

TEST(WatchOptions, Validation) {
  EXPECT_FALSE(validate_watch_options(options()).has_value());
  EXPECT_TRUE(validate_watch_options(options(0)).has_value());
  WatchOptions bad = options();
  bad.interval_ms = 0;
  EXPECT_TRUE(validate_watch_options(bad).has_value());
  bad = options();
  bad.deadline_ms = -1;
  EXPECT_TRUE(validate_watch_options(bad).has_value());
}

TEST(WatchOptions, ClientOptionsAreCheckedWithoutAnId) {
  ClientOptions good;
  good.base_url = "http://127.0.0.1:8080";
  good.token = "tok";
  EXPECT_FALSE(validate_client_options(good).has_value());
  ClientOptions bad_token = good;
  bad_token.token = "a\nb";
  ASSERT_TRUE(validate_client_options(bad_token).has_value());
  EXPECT_EQ(validate_client_options(bad_token)->kind, ErrorKind::invalid_argument);
  ClientOptions no_token;  // Prolific's own API needs one
  no_token.token.reset();
  EXPECT_TRUE(validate_client_options(no_token).has_value());
  ClientOptions plain_http = good;
  plain_http.base_url = "http://example.com";
  EXPECT_TRUE(validate_client_options(plain_http).has_value());
}

TEST(Watch, OneBudgetForTheWholeCall) {
  WatchSchedule schedule(60, options(4), 1);
  schedule.start(0);
  std::vector<WatchRead> first = take_all(schedule, 0);
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(schedule.in_flight(), 4);
  EXPECT_FALSE(schedule.next_wake_ms(0).has_value() && *schedule.next_wake_ms(0) < 60000);
  // One read ends: exactly one more may start.
  schedule.on_status(first[0].index, std::string("PROCESSING"), 10);
  std::vector<WatchRead> next = take_all(schedule, 10);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(schedule.in_flight(), 4);
  EXPECT_NE(next[0].index, first[0].index);
}

TEST(Watch, EveryDatasetFinishesAndTheCallIsDone) {
  WatchSchedule schedule(10, options(3), 7);
  schedule.start(0);
  double now = 0;
  int reads = 0;
  while (!schedule.done() && reads < 1000) {
    for (const WatchRead& read : take_all(schedule, now)) {
      ++reads;
      EXPECT_EQ(read.kind, WatchRead::Kind::status);
      WatchUpdate update = schedule.on_status(read.index, std::string(reads > 20 ? "READY" : "PROCESSING"), now);
      EXPECT_GE(update.attempt, 1);
    }
    auto wake = schedule.next_wake_ms(now);
    if (!wake) break;
    now += *wake;
  }
  EXPECT_TRUE(schedule.done());
  EXPECT_LT(now, 60000);
}

TEST(Watch, EachDatasetHasItsOwnGrowingSchedule) {
  WatchSchedule schedule(2, options(6), 3);
  schedule.start(0);
  take_all(schedule, 0);
  schedule.on_status(0, std::string("PROCESSING"), 0);
  schedule.on_status(1, std::string("READY"), 0);
  EXPECT_TRUE(take_all(schedule, 0).empty());
  double first = *schedule.next_wake_ms(0);
  EXPECT_GE(first, 800);   // interval 1000 with jitter × 0.8…1.0
  EXPECT_LE(first, 1000);
  ASSERT_EQ(take_all(schedule, first).size(), 1u);
  schedule.on_status(0, std::string("PROCESSING"), first);
  double second = *schedule.next_wake_ms(first);
  EXPECT_GT(second, first * 1.1);  // grows ×1.5 (jittered)
  EXPECT_LE(second, 4000);
}

TEST(Watch, UpdatesSayWhatChanged) {
  WatchSchedule schedule(1, options(), 3);
  schedule.start(0);
  take_all(schedule, 0);
  WatchUpdate first = schedule.on_status(0, std::string("PROCESSING"), 5);
  EXPECT_TRUE(first.changed);
  EXPECT_FALSE(first.terminal);
  EXPECT_EQ(first.attempt, 1);
  EXPECT_EQ(first.elapsed_ms, 5);
  double wake = *schedule.next_wake_ms(5);
  take_all(schedule, 5 + wake);
  WatchUpdate same = schedule.on_status(0, std::string("PROCESSING"), 5 + wake);
  EXPECT_FALSE(same.changed);
  EXPECT_EQ(same.attempt, 2);
  wake += *schedule.next_wake_ms(5 + wake);
  take_all(schedule, 5 + wake);
  WatchUpdate error = schedule.on_status(0, std::string("ERROR"), 5 + wake);
  EXPECT_TRUE(error.changed);
  EXPECT_TRUE(error.terminal);
  EXPECT_TRUE(schedule.done());
}

TEST(Watch, Http401EndsTheWholeCall) {
  WatchSchedule schedule(5, options(2), 3);
  schedule.start(0);
  std::vector<WatchRead> reads = take_all(schedule, 0);
  WatchUpdate update = schedule.on_failure(reads[0].index, api_error(401), 1);
  EXPECT_TRUE(update.fails_call);
  EXPECT_TRUE(take_all(schedule, 1).empty());
  EXPECT_FALSE(schedule.next_wake_ms(1).has_value());
}

TEST(Watch, PermanentErrorsFinishOneDataset) {
  for (ErrorKind kind : {ErrorKind::invalid_argument, ErrorKind::invalid_response}) {
    WatchSchedule schedule(2, options(), 3);
    schedule.start(0);
    take_all(schedule, 0);
    WatchUpdate update = schedule.on_failure(0, make_error(kind, "bad"), 1);
    EXPECT_TRUE(update.terminal);
    EXPECT_FALSE(update.fails_call);
    EXPECT_FALSE(schedule.done());
  }
  for (int status : {400, 403, 404, 422}) {
    WatchSchedule schedule(2, options(), 3);
    schedule.start(0);
    take_all(schedule, 0);
    WatchUpdate update = schedule.on_failure(0, api_error(status), 1);
    EXPECT_TRUE(update.terminal) << status;
    EXPECT_FALSE(update.fails_call) << status;
    schedule.on_status(1, std::string("READY"), 1);
    EXPECT_TRUE(schedule.done()) << status;
  }
}

TEST(Watch, TransientErrorsAreRetriedWithRetryAfterAndBackoff) {
  WatchSchedule schedule(1, options(), 3);
  schedule.start(0);
  take_all(schedule, 0);
  WatchUpdate update = schedule.on_failure(0, api_error(429, 5000), 0);
  EXPECT_FALSE(update.terminal);
  EXPECT_DOUBLE_EQ(*schedule.next_wake_ms(0), 5000);
  take_all(schedule, 5000);
  schedule.on_failure(0, make_error(ErrorKind::network, "reset"), 5000);
  double backoff = *schedule.next_wake_ms(5000);
  EXPECT_GT(backoff, 0);     // never at full speed
  EXPECT_LE(backoff, 8000);
}

TEST(Watch, DeadlineExpiresWhatIsUnfinished) {
  WatchSchedule schedule(3, options(6, 1000), 3);
  schedule.start(0);
  take_all(schedule, 0);
  schedule.on_status(0, std::string("READY"), 10);
  schedule.on_status(1, std::string("PROCESSING"), 10);
  // Dataset 2 is still in flight.
  EXPECT_TRUE(schedule.expire(999).empty());
  EXPECT_LE(*schedule.next_wake_ms(10), 990);
  std::vector<std::size_t> expired = schedule.expire(1000);
  EXPECT_EQ(expired, (std::vector<std::size_t>{1, 2}));
  EXPECT_TRUE(schedule.done());
  EXPECT_TRUE(take_all(schedule, 1000).empty());
}

std::vector<WatchedImport> jobs(std::size_t count, const std::string& status, const std::string& prefix = "job-") {
  std::vector<WatchedImport> list;
  for (std::size_t i = 0; i < count; ++i) list.push_back({prefix + std::to_string(i), status});
  return list;
}

TEST(Watch, V4DatasetIsWatchedThroughItsDatasetRead) {
  WatchSchedule schedule(1, options(), 3);
  schedule.start(0);
  ASSERT_EQ(take_all(schedule, 0).front().kind, WatchRead::Kind::status);
  WatchUpdate none = schedule.on_status(0, std::nullopt, 1);
  EXPECT_FALSE(none.terminal);
  std::vector<WatchRead> reads = take_all(schedule, 1);  // the dataset read, at once
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].kind, WatchRead::Kind::dataset);
  WatchUpdate first = schedule.on_dataset(0, {{"a", "complete"}, {"b", "processing"}, {"c", "queued"}}, 0, 2);
  EXPECT_TRUE(first.changed);
  EXPECT_FALSE(first.terminal);
  EXPECT_TRUE(take_all(schedule, 2).empty());  // nothing more this round
  double wake = *schedule.next_wake_ms(2);
  EXPECT_GE(wake, 800);
  EXPECT_LE(wake, 1000);
  reads = take_all(schedule, 2 + wake);
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].kind, WatchRead::Kind::dataset);
  WatchUpdate second = schedule.on_dataset(0, {{"a", "complete"}, {"b", "partial"}, {"c", "processing"}}, 0, 3 + wake);
  EXPECT_TRUE(second.changed);
  EXPECT_FALSE(second.terminal);
  double later = 3 + wake + *schedule.next_wake_ms(3 + wake);
  reads = take_all(schedule, later);
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].kind, WatchRead::Kind::dataset);
  WatchUpdate done = schedule.on_dataset(0, {{"a", "complete"}, {"b", "partial"}, {"c", "failed"}}, 0, later);
  EXPECT_TRUE(done.terminal);
  EXPECT_TRUE(done.changed);
  EXPECT_EQ(done.attempt, 4);
  EXPECT_TRUE(schedule.done());
  ASSERT_EQ(schedule.imports(0).size(), 3u);
  EXPECT_EQ(schedule.imports(0)[2].status, "failed");
}

TEST(Watch, V4DatasetCostsOneReadPerRoundHoweverManyJobs) {
  // 300 unfinished import jobs: one dataset read per round, on the growing schedule (not one read
  // per job, back to back).
  WatchSchedule schedule(1, options(), 3);
  schedule.start(0);
  take_all(schedule, 0);
  schedule.on_status(0, std::nullopt, 0);
  double now = 0;
  int reads = 0;
  std::vector<double> read_at;
  while (!schedule.done() && reads < 100) {
    std::vector<WatchRead> due = take_all(schedule, now);
    ASSERT_LE(due.size(), 1u);
    if (due.empty()) {
      auto wake = schedule.next_wake_ms(now);
      ASSERT_TRUE(wake.has_value());
      now += *wake;
      continue;
    }
    EXPECT_EQ(due[0].kind, WatchRead::Kind::dataset);
    ++reads;
    read_at.push_back(now);
    now += 20;
    schedule.on_dataset(0, jobs(300, reads >= 5 ? "complete" : "processing"), 0, now);
  }
  EXPECT_TRUE(schedule.done());
  EXPECT_EQ(reads, 5);
  for (std::size_t i = 1; i < read_at.size(); ++i) EXPECT_GE(read_at[i] - read_at[i - 1], 800) << i;
}

TEST(Watch, V4DatasetWithOmittedJobsIsReadAgainWhileOneMayBeUnfinished) {
  WatchSchedule schedule(1, options(), 3);
  schedule.start(0);
  take_all(schedule, 0);
  schedule.on_status(0, std::nullopt, 0);
  take_all(schedule, 0);
  // 1,200 unfinished jobs: the read kept 1,000 and left 200 out.
  WatchUpdate cut = schedule.on_dataset(0, jobs(1000, "processing"), 200, 1);
  EXPECT_FALSE(cut.terminal);
  EXPECT_EQ(schedule.omitted_imports(0), 200u);
  double now = 1 + *schedule.next_wake_ms(1);
  ASSERT_EQ(take_all(schedule, now).front().kind, WatchRead::Kind::dataset);
  // The first 1,000 are done; the 200 left out before now lead the list (unfinished first).
  std::vector<WatchedImport> next = jobs(200, "processing", "late-");
  for (const WatchedImport& job : jobs(800, "complete")) next.push_back(job);
  WatchUpdate still = schedule.on_dataset(0, next, 200, now);
  EXPECT_FALSE(still.terminal);
  EXPECT_TRUE(still.changed);
  now += *schedule.next_wake_ms(now);
  ASSERT_EQ(take_all(schedule, now).size(), 1u);
  // A cut list with nothing readable in it is not an end either.
  WatchUpdate empty = schedule.on_dataset(0, {}, 1200, now);
  EXPECT_FALSE(empty.terminal);
  now += *schedule.next_wake_ms(now);
  ASSERT_EQ(take_all(schedule, now).size(), 1u);
  // Every listed job terminal: a cut list holds unfinished jobs first, so none is left.
  std::vector<WatchedImport> last = jobs(200, "failed", "late-");
  for (const WatchedImport& job : jobs(800, "complete")) last.push_back(job);
  WatchUpdate done = schedule.on_dataset(0, last, 200, now);
  EXPECT_TRUE(done.terminal);
  EXPECT_TRUE(schedule.done());
}

TEST(Watch, V4ImportJobReadTerminalStaysTerminal) {
  WatchSchedule schedule(1, options(), 3);
  schedule.start(0);
  take_all(schedule, 0);
  schedule.on_status(0, std::nullopt, 0);
  take_all(schedule, 0);
  schedule.on_dataset(0, {{"a", "failed"}, {"b", "processing"}}, 0, 1);
  double now = 1 + *schedule.next_wake_ms(1);
  take_all(schedule, now);
  WatchUpdate same = schedule.on_dataset(0, {{"a", "processing"}, {"b", "processing"}}, 0, now);
  EXPECT_FALSE(same.changed);
  EXPECT_EQ(schedule.imports(0)[0].status, "failed");
  now += *schedule.next_wake_ms(now);
  take_all(schedule, now);
  WatchUpdate done = schedule.on_dataset(0, {{"a", "processing"}, {"b", "complete"}}, 0, now);
  EXPECT_TRUE(done.terminal);
}

TEST(Watch, V4ImportJobsAreMatchedByIdWhateverTheirOrder) {
  // 1,000 jobs listed again in reverse order: matched by id, so nothing changed; then one job's
  // status moves, and a job read terminal keeps its status in a later listing in any position.
  WatchSchedule schedule(1, options(), 3);
  schedule.start(0);
  take_all(schedule, 0);
  schedule.on_status(0, std::nullopt, 0);
  take_all(schedule, 0);
  std::vector<WatchedImport> listed = jobs(1000, "processing");
  listed[10].status = "failed";
  schedule.on_dataset(0, listed, 0, 1);
  double now = 1 + *schedule.next_wake_ms(1);
  take_all(schedule, now);
  std::vector<WatchedImport> reversed(listed.rbegin(), listed.rend());
  WatchUpdate same = schedule.on_dataset(0, reversed, 0, now);
  EXPECT_FALSE(same.changed);
  now += *schedule.next_wake_ms(now);
  take_all(schedule, now);
  reversed[0].status = "complete";           // job 999 moves on
  reversed[1000 - 1 - 10].status = "queued";  // job 10 was read failed: stays failed
  WatchUpdate moved = schedule.on_dataset(0, reversed, 0, now);
  EXPECT_TRUE(moved.changed);
  EXPECT_EQ(schedule.imports(0)[0].status, "complete");
  EXPECT_EQ(schedule.imports(0)[1000 - 1 - 10].import_id, listed[10].import_id);
  EXPECT_EQ(schedule.imports(0)[1000 - 1 - 10].status, "failed");
}

TEST(Watch, V4ImportJobListedTwiceCountsAsFirstListed) {
  // A listing that holds one import id twice: the next read is compared with the first of them.
  auto status_after = [](std::vector<WatchedImport> first_read) {
    WatchSchedule schedule(1, options(), 3);
    schedule.start(0);
    take_all(schedule, 0);
    schedule.on_status(0, std::nullopt, 0);
    take_all(schedule, 0);
    schedule.on_dataset(0, std::move(first_read), 0, 1);
    double now = 1 + *schedule.next_wake_ms(1);
    take_all(schedule, now);
    WatchUpdate next = schedule.on_dataset(0, {{"a", "processing"}}, 0, now);
    EXPECT_TRUE(next.changed);  // one job fewer
    return schedule.imports(0)[0].status;
  };
  EXPECT_EQ(status_after({{"b", "queued"}, {"a", "failed"}, {"a", "processing"}}), "failed");
  EXPECT_EQ(status_after({{"b", "queued"}, {"a", "processing"}, {"a", "failed"}}), "processing");
}

TEST(Watch, V4DatasetWithoutImportsIsReadAgainLater) {
  WatchSchedule schedule(1, options(), 3);
  schedule.start(0);
  take_all(schedule, 0);
  schedule.on_status(0, std::nullopt, 0);
  take_all(schedule, 0);
  WatchUpdate empty = schedule.on_dataset(0, {}, 0, 0);
  EXPECT_FALSE(empty.terminal);
  double wake = *schedule.next_wake_ms(0);
  EXPECT_GE(wake, 800);
  std::vector<WatchRead> reads = take_all(schedule, wake);
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].kind, WatchRead::Kind::dataset);
  WatchUpdate finished = schedule.on_dataset(0, {{"a", "complete"}}, 0, wake);
  EXPECT_TRUE(finished.terminal);
}

TEST(Watch, NoDatasetsIsDoneAtOnce) {
  WatchSchedule schedule(0, options(), 3);
  schedule.start(0);
  EXPECT_TRUE(schedule.done());
  EXPECT_FALSE(schedule.take_due(0).has_value());
}

TEST(Watch, DueDatasetsGoInInputOrderThenByDueTime) {
  WatchSchedule schedule(5, options(1), 3);
  schedule.start(0);
  std::vector<std::size_t> order;
  for (int i = 0; i < 5; ++i) {
    auto read = schedule.take_due(0);
    ASSERT_TRUE(read.has_value());
    order.push_back(read->index);
    schedule.on_status(read->index, std::string(read->index == 2 ? "READY" : "PROCESSING"), i);
  }
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  // Next round: the one read first is due first; the finished one never comes back.
  double now = 10000;
  order.clear();
  while (auto read = schedule.take_due(now)) {
    order.push_back(read->index);
    schedule.on_status(read->index, std::string("READY"), now);
  }
  EXPECT_EQ(order.front(), 0u);
  EXPECT_EQ(order.size(), 4u);
  EXPECT_TRUE(schedule.done());
}

TEST(Watch, FiftyThousandDatasetsAllFinish) {
  const std::size_t count = 50000;
  WatchSchedule schedule(count, options(6, 1e9), 5);
  schedule.start(0);
  std::vector<int> reads(count, 0);
  double now = 0;
  std::size_t total = 0;
  while (!schedule.done() && total < 4 * count) {
    std::vector<WatchRead> batch = take_all(schedule, now);
    EXPECT_LE(batch.size(), 6u);
    for (const WatchRead& read : batch) {
      ++total;
      ++reads[read.index];
      schedule.on_status(read.index, std::string(reads[read.index] >= 2 ? "READY" : "PROCESSING"), now + 1);
    }
    now += 1;
    if (batch.empty()) {
      auto wake = schedule.next_wake_ms(now);
      ASSERT_TRUE(wake.has_value());
      now += *wake;
    }
  }
  EXPECT_TRUE(schedule.done());
  EXPECT_EQ(total, 2 * count);
}
