// libFuzzer target: the JSON reading of src/core (JsonValue, built through nlohmann/json's SAX
// parser, and write_json) against nlohmann/json's DOM parse and dump(), on arbitrary bytes.
//
// Input layout (seeds in tests/fuzz/corpus/json_value/):
//   byte 0  bit 0  0: the rest is JSON text; 1: the rest is the bytes of one string value
//   rest    the text, or the string's bytes
//
// Invariants (besides ASan/UBSan/abort-free), from tests/fuzz/json_differential.hpp:
//   * JSON text: both accept or both refuse; when accepted, both hold the same tree (type of each
//     value, signed/unsigned/double numbers bit for bit, strings, keys sorted by byte, the last
//     of repeated keys) and write_json writes what dump(-1, ' ', false, replace) writes;
//   * a string of arbitrary bytes (invalid UTF-8 included) is written as dump() writes it.
// Texts nested deeper than 512 levels are skipped: the core never parses text nested deeper
// than max_json_depth (parse_json checks before parsing), and the recursive comparison would
// only measure the stack.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "json_differential.hpp"

namespace {

int nesting(std::string_view text) {
  int depth = 0, deepest = 0;
  for (char c : text) {
    if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    else if (c == ']' || c == '}') --depth;
  }
  return deepest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] & 1) {
    std::string difference = json_differential::check_string(std::string(rest));
    if (!difference.empty()) std::fprintf(stderr, "%s\n", difference.c_str());
    FUZZ_CHECK(difference.empty());
    return 0;
  }
  if (nesting(rest) > 512) return 0;
  std::string difference = json_differential::check(rest);
  if (!difference.empty()) std::fprintf(stderr, "%s\n", difference.c_str());
  FUZZ_CHECK(difference.empty());
  return 0;
}
