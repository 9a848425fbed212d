// The HTTP transport: emscripten/fetch.h (XMLHttpRequest underneath). It only moves bytes;
// every decision is taken by prolific::StatusOperation in src/core.
#pragma once

#include <emscripten/fetch.h>

#include "operation.hpp"

namespace prolific::wasm {

/// Receives the end of an attempt: `owner` is the value given to start_fetch, `fetch` the handle
/// it returned (already closed when this runs, so it is only good for comparing), or null when
/// start_fetch returned null.
using FetchListener = void (*)(int owner, const emscripten_fetch_t* fetch, TransportResult result);

/// Sets the one listener that receives every finished attempt.
void set_fetch_listener(FetchListener listener);

/// Starts `request` for `owner`. The listener is called exactly once for it, always after this
/// returns, unless cancel_fetch() is called first. When the runtime fails the request at once,
/// this returns null and the failure reaches the listener from a timer. Bodies above max_body_bytes are not read further and end as
/// body_too_large (2xx) or as a response with an empty body (other statuses).
emscripten_fetch_t* start_fetch(const HttpRequest& request, int owner);

/// Stops `fetch` at once and frees it. Its listener is never called. Safe at any moment between
/// start_fetch and the listener call.
void cancel_fetch(emscripten_fetch_t* fetch);

}  // namespace prolific::wasm
