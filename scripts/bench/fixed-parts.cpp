// The fixed parts alone, for `npm run bench` (target prolific_bench_fixed_parts, CMakeLists.txt):
// emscripten/fetch.h, embind and nlohmann/json's SAX parser, with the package's compile and link
// settings and none of its code. readStatus(url, callback) sends one GET with the Fetch API,
// reads the body's top-level "status" string through sax_parse and calls callback(status), or
// callback(null) for a non-200 answer, a network error or a body without a string status.
// No options, retries, timeouts, redaction, error shapes or checks of any kind: it shows what
// the parts the package must keep cost in bytes and in CPU per read, as a floor for both.
#include <emscripten/bind.h>
#include <emscripten/fetch.h>
#include <emscripten/val.h>

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace {

using emscripten::val;

// Keeps the top-level "status" string; every other value is only walked over.
struct StatusReader {
  std::string status;
  bool has_status = false;
  int depth = 0;
  bool next_is_status = false;

  bool null() { return value(); }
  bool boolean(bool) { return value(); }
  bool number_integer(std::int64_t) { return value(); }
  bool number_unsigned(std::uint64_t) { return value(); }
  bool number_float(double, const std::string&) { return value(); }
  bool string(std::string& text) {
    if (next_is_status) {
      status = std::move(text);
      has_status = true;
    }
    return value();
  }
  bool binary(std::vector<std::uint8_t>&) { return value(); }
  bool start_object(std::size_t) { return open(); }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(); }
  bool end_array() { return close(); }
  bool key(std::string& name) {
    next_is_status = depth == 1 && name == "status";
    return true;
  }
  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception&) {
    return false;
  }

 private:
  bool value() {
    next_is_status = false;
    return true;
  }
  bool open() {
    next_is_status = false;
    ++depth;
    return true;
  }
  bool close() {
    --depth;
    return true;
  }
};

// The callbacks of the reads in flight, by slot (the fetch's userData).
std::vector<val> callbacks;
std::vector<std::size_t> free_slots;

void on_done(emscripten_fetch_t* fetch) {
  const auto slot = reinterpret_cast<std::uintptr_t>(fetch->userData);
  StatusReader reader;
  const bool ok = fetch->status == 200 &&
                  nlohmann::json::sax_parse(fetch->data, fetch->data + fetch->numBytes, &reader) &&
                  reader.has_status;
  emscripten_fetch_close(fetch);
  val callback = std::move(callbacks[slot]);
  callbacks[slot] = val::undefined();
  free_slots.push_back(slot);
  callback(ok ? val(reader.status) : val::null());
}

void read_status(const std::string& url, val callback) {
  std::size_t slot = callbacks.size();
  if (free_slots.empty()) {
    callbacks.push_back(std::move(callback));
  } else {
    slot = free_slots.back();
    free_slots.pop_back();
    callbacks[slot] = std::move(callback);
  }
  static const char* const headers[] = {"Accept", "application/json", nullptr};
  emscripten_fetch_attr_t attributes;
  emscripten_fetch_attr_init(&attributes);
  std::strcpy(attributes.requestMethod, "GET");
  attributes.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY;
  attributes.requestHeaders = headers;
  attributes.userData = reinterpret_cast<void*>(static_cast<std::uintptr_t>(slot));
  attributes.onsuccess = on_done;
  attributes.onerror = on_done;
  emscripten_fetch(&attributes, url.c_str());
}

}  // namespace

EMSCRIPTEN_BINDINGS(fixed_parts) { emscripten::function("readStatus", &read_status); }
