// The kinds of operation startOperation can run, shared by the embind files: src/wasm/bindings.cpp
// holds the reads every module has (dataset status, dataset); the lifecycle calls
// (src/wasm/lifecycle_bindings.cpp, linked into the full module only) add theirs at start-up.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <optional>
#include <string>

#include "operation.hpp"

namespace prolific::wasm {

/// What start() hands each kind: the JS request object and what is common to every kind.
struct OperationInput {
  const emscripten::val& request;
  const ClientOptions& options;
  const std::optional<WaitOptions>& wait;
  std::uint64_t seed;
  std::string dataset_id() const;
};

// One entry per kind of operation the package can start: its name in JS (`request.kind`), what
// it needs from the request, and how src/core builds and checks it. Adding a kind is one entry.
struct OperationKind {
  const char* name;
  bool needs_dataset_id;  ///< `datasetId` must be a string
  bool needs_base_url;    ///< `baseUrl` must be a string (uploads go to a presigned URL instead)
  Result<StatusOperation> (*create)(const OperationInput& input);
};

/// Adds `count` kinds to those startOperation knows (called from an EMSCRIPTEN_BINDINGS block;
/// `kinds` must live as long as the module).
void add_operation_kinds(const OperationKind* kinds, std::size_t count);

/// `object[name]` when it is a string.
std::optional<std::string> optional_string(const emscripten::val& object, const char* name);
/// `object[name]` when it is a string, else "".
std::string required_string(const emscripten::val& object, const char* name);
/// "dataset \"<id>\"", for messages.
std::string dataset_subject(const std::string& dataset_id);

/// Wraps a request built by src/core into its operation, with the checks of
/// StatusOperation::create: the request's own first, then the wait options.
Result<StatusOperation> wrap(const OperationRules& rules, Result<HttpRequest> built, std::string dataset_id, std::string subject,
                             const ClientOptions& options, const std::optional<WaitOptions>& wait, std::uint64_t seed,
                             std::string filename = "");

}  // namespace prolific::wasm
