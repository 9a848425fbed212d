// Objects owned under a positive id (the running operations, the watch schedules), kept in one
// vector sorted by id instead of a std::map: the module then carries no red-black tree code
// (docs/PERFORMANCE.md, "Containers and sorts"). Ids are handed out in increasing order (by the
// package, or by watch_bindings.cpp), so a new entry is appended; a lookup is a binary search
// (O(log n)); removing one moves the entries after it (8 bytes each), cheap for the thousands of
// operations a page may run at once.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace prolific::wasm {

template <class T>
class IdTable {
 public:
  /// The object filed under `id`, or null.
  T* find(int id) const {
    std::size_t at = position(id);
    return at < entries_.size() && entries_[at].first == id ? entries_[at].second.get() : nullptr;
  }

  /// Files `object` under `id`, replacing (and freeing) what was filed under it.
  void put(int id, std::unique_ptr<T> object) {
    std::size_t at = position(id);
    if (at < entries_.size() && entries_[at].first == id) {
      entries_[at].second = std::move(object);
    } else {
      entries_.insert(entries_.begin() + static_cast<std::ptrdiff_t>(at), {id, std::move(object)});
    }
  }

  /// Removes the object filed under `id` and hands it over (null when there is none).
  std::unique_ptr<T> take(int id) {
    std::size_t at = position(id);
    if (at >= entries_.size() || entries_[at].first != id) return nullptr;
    std::unique_ptr<T> object = std::move(entries_[at].second);
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(at));
    return object;
  }

  /// How many objects are filed.
  std::size_t size() const { return entries_.size(); }
  /// The `index`-th object in increasing id order (index < size()).
  T& at(std::size_t index) const { return *entries_[index].second; }
  /// The id of the `index`-th object.
  int id_at(std::size_t index) const { return entries_[index].first; }

 private:
  // The first position whose id is not below `id`.
  std::size_t position(int id) const {
    std::size_t low = 0;
    std::size_t high = entries_.size();
    while (low < high) {
      std::size_t middle = low + (high - low) / 2;
      if (entries_[middle].first < id) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  std::vector<std::pair<int, std::unique_ptr<T>>> entries_;
};

}  // namespace prolific::wasm
