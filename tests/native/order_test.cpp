// The shared sort (src/core/order.hpp): the orders its callers rely on.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "order.hpp"

using namespace prolific;

namespace {

std::vector<std::size_t> positions(std::size_t count) {
  std::vector<std::size_t> out(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = i;
  return out;
}

}  // namespace

TEST(Order, SortPositionsOrdersByTheCallersComparison) {
  std::vector<std::string> words = {"pear", "apple", "fig", "banana", "cherry"};
  std::vector<std::size_t> order = positions(words.size());
  sort_positions(order, [&words](std::size_t a, std::size_t b) { return words[a] < words[b]; });
  EXPECT_EQ(order, (std::vector<std::size_t>{1, 3, 4, 2, 0}));
}

TEST(Order, SortPositionsOnARangeWithAPlainFunction) {
  std::size_t values[] = {9, 3, 7, 3, 0, 12, 1};
  sort_positions(std::begin(values), std::end(values),
                 [](const void*, std::size_t a, std::size_t b) { return a < b; }, nullptr);
  EXPECT_EQ(std::vector<std::size_t>(std::begin(values), std::end(values)),
            (std::vector<std::size_t>{0, 1, 3, 3, 7, 9, 12}));
}

TEST(Order, SortPositionsHandsTheContextToTheComparison) {
  std::vector<int> weights = {5, -2, 8, 0};
  std::size_t order[] = {0, 1, 2, 3};
  sort_positions(
      std::begin(order), std::end(order),
      [](const void* context, std::size_t a, std::size_t b) {
        const auto& w = *static_cast<const std::vector<int>*>(context);
        return w[a] > w[b];
      },
      &weights);
  EXPECT_EQ(std::vector<std::size_t>(std::begin(order), std::end(order)), (std::vector<std::size_t>{2, 0, 3, 1}));
}

TEST(Order, SortByKeyIsEarliestFirstThenByPosition) {
  // Timers due together: earliest due time first; equal due times in operation order, whatever
  // order they were collected in.
  std::vector<double> due = {30, 10, 20, 10, 30, 10};
  std::vector<std::size_t> order = {5, 4, 3, 2, 1, 0};
  sort_by_key(order, [&due](std::size_t i) { return due[i]; });
  EXPECT_EQ(order, (std::vector<std::size_t>{1, 3, 5, 2, 0, 4}));
}

TEST(Order, SortByKeyOnManyEqualAndReversedKeys) {
  // Past the insertion-sort size, with long runs of equal keys: still (key, position) order.
  const std::size_t count = 5000;
  std::vector<double> keys(count);
  for (std::size_t i = 0; i < count; ++i) keys[i] = static_cast<double>((count - i) % 7);
  std::vector<std::size_t> order = positions(count);
  sort_by_key(order, [&keys](std::size_t i) { return keys[i]; });
  ASSERT_EQ(order.size(), count);
  for (std::size_t i = 1; i < count; ++i) {
    std::size_t a = order[i - 1];
    std::size_t b = order[i];
    ASSERT_TRUE(keys[a] < keys[b] || (keys[a] == keys[b] && a < b)) << "at " << i;
  }
}
