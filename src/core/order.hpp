// The one sort of the library. Every caller sorts positions (indices into its own data) with its
// own comparison through sort_positions, so the WebAssembly module carries one instantiation of
// std::sort instead of one per element type and comparison (docs/PERFORMANCE.md, "Size").
#pragma once

#include <cstddef>
#include <vector>

namespace prolific {

/// A comparison for sort_positions: true when position `a` goes before position `b`. `context` is
/// the pointer the caller handed to sort_positions.
using PositionLess = bool (*)(const void* context, std::size_t a, std::size_t b);

/// Sorts the positions in [first, last) by `less`, which must be a strict weak order, in
/// O(n log n) comparisons (std::make_heap and std::sort_heap). Not stable: callers that need an
/// order among equal elements compare the positions last.
void sort_positions(std::size_t* first, std::size_t* last, PositionLess less, const void* context);

/// sort_positions with any callable `less(std::size_t a, std::size_t b) -> bool`.
template <class Less>
void sort_positions(std::vector<std::size_t>& positions, const Less& less) {
  sort_positions(
      positions.data(), positions.data() + positions.size(),
      [](const void* context, std::size_t a, std::size_t b) { return (*static_cast<const Less*>(context))(a, b); },
      &less);
}

/// Sorts `positions` by key(position) (a double), smallest first; positions with equal keys stay
/// in increasing position order (as std::pair<double, std::size_t> compares). The order the
/// module runs timers that are due together in: earliest due time first, then by operation.
template <class Key>
void sort_by_key(std::vector<std::size_t>& positions, const Key& key) {
  sort_positions(positions, [&key](std::size_t a, std::size_t b) {
    double key_a = key(a);
    double key_b = key(b);
    return key_a < key_b || (!(key_b < key_a) && a < b);
  });
}

}  // namespace prolific
