#include "order.hpp"

#include <algorithm>

namespace prolific {

namespace {

struct Less {
  PositionLess less;
  const void* context;
  bool operator()(std::size_t a, std::size_t b) const { return less(context, a, b); }
};

}  // namespace

void sort_positions(std::size_t* first, std::size_t* last, PositionLess less, const void* context) {
  // A heap sort: O(n log n) comparisons in every case, in a third of std::sort's code.
  std::make_heap(first, last, Less{less, context});
  std::sort_heap(first, last, Less{less, context});
}

}  // namespace prolific
