// The rest of the dataset lifecycle around /status (Prolific API reference, AI Task Builder):
// creating a dataset, asking for a presigned upload URL, uploading to it, and reading V4 import
// jobs. Requests are built and answers read here; StatusOperation drives them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "operation.hpp"
#include "request.hpp"
#include "result.hpp"

namespace prolific {

/// Largest file uploadDatasetFile sends, in bytes (256 MiB): the bytes pass through the
/// WebAssembly heap, whose size is bounded.
inline constexpr std::size_t max_upload_bytes = 256u * 1024u * 1024u;

/// Longest upload file name accepted, in bytes.
inline constexpr std::size_t max_filename_bytes = 255;

/// Body of `POST /api/v1/data-collection/datasets`.
struct CreateDatasetInput {
  std::string name;                        ///< non-empty
  std::string workspace_id;                ///< non-empty
  std::optional<std::string> schema_json;  ///< a JSON object as text; present makes a V4 dataset
};

/// `POST {baseUrl}/api/v1/data-collection/datasets` with `{name, workspace_id, schema?}`.
/// Errors (invalid_argument): an empty name or workspace id, a schema that is not a JSON object,
/// and every base URL and token rule of build_status_request.
Result<HttpRequest> build_create_dataset_request(const CreateDatasetInput& input, const ClientOptions& options);

/// `GET {baseUrl}/api/v1/data-collection/datasets/{dataset_id}` (the dataset, with its import jobs
/// when it is V4). Errors (invalid_argument): a bad dataset id, and the URL and token rules.
Result<HttpRequest> build_dataset_request(std::string_view dataset_id, const ClientOptions& options);

/// `GET {baseUrl}/api/v1/data-collection/datasets/{dataset_id}/upload-url/{filename}`.
/// Errors (invalid_argument): a bad dataset id, a file name that is empty, ".", "..", longer than
/// max_filename_bytes or holds a "/" or "\\", and the base URL and token rules.
Result<HttpRequest> build_upload_url_request(std::string_view dataset_id, std::string_view filename,
                                             const ClientOptions& options);

/// `GET {baseUrl}/api/v1/data-collection/datasets/{dataset_id}/imports/{import_id}`.
/// Errors (invalid_argument): a bad dataset id or import id (same rules), and the URL and token rules.
Result<HttpRequest> build_import_status_request(std::string_view dataset_id, std::string_view import_id,
                                                const ClientOptions& options);

/// `PUT {upload_url}` of a file to a presigned URL, with `Content-Type: content_type` when one is
/// given and never an Authorization header (the URL carries its own signature). The body is added
/// by the transport. Errors (invalid_argument): see parse_presigned_url; a content type with
/// characters that cannot go in a header; a negative timeout.
Result<HttpRequest> build_upload_request(std::string_view upload_url, std::string_view content_type,
                                         double timeout_ms);

/// The import job statuses after which a V4 import never changes: complete, partial, failed,
/// pending_schema (Prolific API reference, "Get Dataset Import Status").
bool is_terminal_import_status(std::string_view status);

/// Reads the 201 answer of dataset creation (docs/openapi `Dataset`) into JSON text
/// `{"id", "name", "workspaceId"?, "status"?, "schemaVersion"?, "createdAt"?, "createdBy"?}`;
/// `status` is left out when the API sends null or none (a V4 dataset). Unknown fields are ignored.
/// Errors (invalid_response): not JSON, not an object, no non-empty string `id`.
Result<std::string> parse_created_dataset(int http_status, std::string_view body, std::string_view token);

/// Import jobs a dataset read keeps, at most (parse_dataset).
constexpr std::size_t max_listed_imports = 1000;

/// Reads a dataset (docs/openapi `Dataset`) into JSON text: the fields of parse_created_dataset
/// plus "totalDatapointCount"? and, when the API lists them (V4), "imports": [import job as
/// parse_import_status, each with its "importId"] (entries that are not import jobs are skipped).
/// At most max_listed_imports jobs are kept; past that the unfinished ones are kept first, then
/// failed or pending_schema, then partial, then complete (so a cut list never ends a wait early
/// or hides a failure), in the API's order, and "omittedImportCount" says how many were left out.
/// Errors (invalid_response): as parse_created_dataset.
Result<std::string> parse_dataset(int http_status, std::string_view body, std::string_view token);

/// Reads the answer of the upload-URL request (docs/openapi `UploadUrl`) for a file named
/// `filename` into JSON text `{"uploadUrl", "httpMethod", "expiresAt"?, "contentType",
/// "contentTypeSource", "fileKey"?, "importId"?}`. `contentType` is the API's `content_type`
/// ("contentTypeSource": "api"); an answer without one gets the type Prolific gives that file
/// name's extension: .csv text/csv, .jsonl application/x-ndjson, .zip application/zip
/// ("contentTypeSource": "filename"). The upload must carry it: presigned URLs may sign it.
/// Errors (invalid_response): no `upload_url` string that parse_presigned_url accepts, an
/// `http_method` other than "PUT", or no `content_type` with a file name of another extension.
Result<std::string> parse_upload_url(int http_status, std::string_view body, std::string_view token,
                                     std::string_view filename);

/// Reads an import job (docs/openapi `ImportJob`, Prolific API reference "Get Dataset Import
/// Status") into its status and JSON text `{"importId"?, "type"?, "filename"?, "status",
/// "acceptedCount"?, "rejectedCount"?, "duplicateCount"?, "errors"?: [string],
/// "recordErrors"?: [{"recordIndex"?, "field"?, "reason"}], "reason"?, "createdAt"?, "updatedAt"?}`.
/// Each entry of the API's `errors` (`{record_index (0-based), field?, reason}`) gives one
/// structured entry and one readable line, `record 3, field "text": reason` (records counted
/// from 1: record_index + 1); at most 1000, each text cut to 1000 bytes. Unknown fields are ignored.
/// Errors (invalid_response): no non-empty string `status`.
struct ImportStatus {
  std::string status;
  std::string json;
};
Result<ImportStatus> parse_import_status(int http_status, std::string_view body, std::string_view token);

/// The lifecycle kinds of request as StatusOperation runs them (OperationRules), each read by its
/// parser above.
extern const OperationRules dataset_rules;         ///< GET a dataset: parse_dataset
extern const OperationRules import_status_rules;   ///< GET an import job: parse_import_status
extern const OperationRules create_dataset_rules;  ///< POST a dataset: parse_created_dataset
extern const OperationRules upload_url_rules;      ///< GET an upload URL: parse_upload_url
extern const OperationRules upload_rules;          ///< PUT a file: `{"httpStatus": n}`, any body

}  // namespace prolific
