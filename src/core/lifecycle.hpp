// The rest of the dataset lifecycle around /status (Prolific API reference, AI Task Builder):
// creating a dataset, asking for a presigned upload URL, uploading to it, and reading V4 import
// jobs. Requests are built and answers read here; StatusOperation drives them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

/// Reads the 201 answer of dataset creation into JSON text
/// `{"id", "name", "workspaceId"?, "status"?, "schemaVersion"?, "createdAt"?}`.
/// Errors (invalid_response): not JSON, not an object, no non-empty string `id`.
Result<std::string> parse_created_dataset(int http_status, std::string_view body, std::string_view token);

/// Reads a dataset into JSON text: the fields of parse_created_dataset plus
/// "totalDatapointCount"? and, for V4, "imports": [import job as parse_import_status, plus "id" and
/// "filename" when given] (at most 1000).
/// Errors (invalid_response): as parse_created_dataset.
Result<std::string> parse_dataset(int http_status, std::string_view body, std::string_view token);

/// Reads the answer of the upload-URL request into JSON text `{"uploadUrl", "httpMethod",
/// "expiresAt"?, "contentType"?, "fileKey"?, "importId"?}`.
/// Errors (invalid_response): no `upload_url` string that parse_presigned_url accepts, or an
/// `http_method` other than "PUT".
Result<std::string> parse_upload_url(int http_status, std::string_view body, std::string_view token);

/// Reads an import job into its status and JSON text `{"status", "acceptedCount"?,
/// "rejectedCount"?, "errors"?: [string], "reason"?}`; each error entry is flattened to readable
/// text (row or line first when the API gives one).
/// Errors (invalid_response): no non-empty string `status`.
struct ImportStatus {
  std::string status;
  std::string json;
};
Result<ImportStatus> parse_import_status(int http_status, std::string_view body, std::string_view token);

}  // namespace prolific
