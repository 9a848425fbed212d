// The embind face of the dataset lifecycle calls (read an import job, create a dataset, ask for an
// upload URL, upload a file): their kinds of startOperation; and the redact export for servers.
// Linked into the full module only; the status-only module (reads, waits, watches) leaves them,
// and their parsers, out.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <optional>
#include <string>
#include <utility>

#include "lifecycle.hpp"
#include "operation_kinds.hpp"
#include "response.hpp"

namespace prolific::wasm {
namespace {

using emscripten::val;

// Copies a Uint8Array into a string of bytes with one TypedArray.set into the heap.
std::optional<std::string> read_bytes(const val& value) {
  if (!value.instanceof(val::global("Uint8Array"))) return std::nullopt;
  auto length = value["length"].as<std::size_t>();
  if (length > max_upload_bytes) return std::nullopt;
  std::string bytes(length, '\0');
  if (length > 0) {
    val(emscripten::typed_memory_view(length, reinterpret_cast<unsigned char*>(bytes.data()))).call<void>("set", value);
  }
  return bytes;
}

const OperationKind lifecycle_kinds[] = {
    {"importStatus", true, true,
     [](const OperationInput& in) {
       std::string dataset_id = in.dataset_id();
       std::string import_id = required_string(in.request, "importId");
       std::string subject = "import " + quote_dataset_id(import_id) + " of " + dataset_subject(dataset_id);
       return wrap(import_status_rules, build_import_status_request(dataset_id, import_id, in.options), dataset_id,
                   std::move(subject), in.options, in.wait, in.seed);
     }},
    {"createDataset", false, true,
     [](const OperationInput& in) {
       CreateDatasetInput input{required_string(in.request, "name"), required_string(in.request, "workspaceId"),
                                optional_string(in.request, "schemaJson")};
       std::string subject = "new dataset " + quote_dataset_id(input.name);
       return wrap(create_dataset_rules, build_create_dataset_request(input, in.options), "",
                   std::move(subject), in.options, in.wait, in.seed);
     }},
    {"uploadUrl", true, true,
     [](const OperationInput& in) {
       std::string dataset_id = in.dataset_id();
       std::string filename = required_string(in.request, "filename");
       std::string subject = "upload URL of " + quote_dataset_id(filename) + " for " + dataset_subject(dataset_id);
       return wrap(upload_url_rules, build_upload_url_request(dataset_id, filename, in.options), dataset_id,
                   std::move(subject), in.options, in.wait, in.seed, filename);
     }},
    {"upload", false, false,
     [](const OperationInput& in) -> Result<StatusOperation> {
       std::optional<std::string> body = read_bytes(in.request["body"]);
       if (!body) {
         return make_error(ErrorKind::invalid_argument, "the file must be bytes (Uint8Array) of at most " +
                                                            std::to_string(max_upload_bytes) + " bytes");
       }
       Result<HttpRequest> built = build_upload_request(required_string(in.request, "uploadUrl"),
                                                        required_string(in.request, "contentType"), in.options.timeout_ms);
       if (built.ok()) built.value().body = std::move(*body);
       std::string dataset_id = in.dataset_id();
       std::string subject = dataset_id.empty() ? std::string("upload") : "upload for " + dataset_subject(dataset_id);
       return wrap(upload_rules, std::move(built), dataset_id, std::move(subject), in.options, in.wait, in.seed);
     }},
};

/// Replaces `token` by "[REDACTED]" in `text`, which may be JSON source or plain text: raw in any
/// letter case, and with any of its characters as a JSON escape (see prolific::redact,
/// TokenSpelling::json_source). For servers that forward API answers, such as the dashboard
/// server (src/server/proxy.js, over the full module), so they redact exactly as the library does.
std::string redact_text(std::string text, std::string token) {
  return redact(std::move(text), token, TokenSpelling::json_source);
}

}  // namespace

EMSCRIPTEN_BINDINGS(prolific_lifecycle) {
  add_operation_kinds(lifecycle_kinds, sizeof lifecycle_kinds / sizeof lifecycle_kinds[0]);
  emscripten::function("redact", &redact_text);
}

}  // namespace prolific::wasm
