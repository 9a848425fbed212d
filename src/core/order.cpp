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
  std::sort(first, last, Less{less, context});
}

}  // namespace prolific
