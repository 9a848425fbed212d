// JavaScript helpers linked into the module (--js-library). They only move values between the
// C++ transport (src/wasm/transport.cpp) and the XMLHttpRequest objects the package files per
// request in src/wasm/pre.js (prolificRequests). No helper reads Emscripten's Fetch state.
// Property names that C++ (embind) or the package's XMLHttpRequest stand-ins share with this file
// are quoted, so that Closure Compiler (--closure 1) keeps them.
mergeInto(LibraryManager.library, {
  // A pending JS Promise and its resolve function, as one embind handle: { promise, resolve }.
  prolific_create_deferred__deps: ['$Emval'],
  prolific_create_deferred: function() {
    var deferred = {};
    deferred['promise'] = new Promise(function(resolve) { deferred['resolve'] = resolve; });
    return Emval.toHandle(deferred);
  },

  // The XMLHttpRequest made by the next emscripten_fetch() is filed under `key` (a positive
  // number the transport never reuses while the request is kept).
  prolific_request_claim: function(key) {
    prolificClaimedKey = key;
  },

  // Forgets request `key`. With `abort`, stops it for good first: emscripten_fetch_close() in
  // Emscripten 3.1.6 frees the fetch but leaves the request running, whose later callbacks would
  // write into freed memory, so every handler is detached and then the request is aborted.
  prolific_request_release: function(key, abort) {
    prolificClaimedKey = 0;
    var request = prolificRequests.get(key);
    prolificRequests.delete(key);
    if (!request || !abort) return;
    request.onload = request.onerror = request.ontimeout = request.onprogress = request.onreadystatechange = null;
    try { request.abort(); } catch (e) { /* already finished */ }
  },

  // What the runtime knows about request `key` beyond emscripten_fetch_t, as an embind handle:
  // { responseUrl: string, cause: string } (cause: the stand-in's error code and message).
  prolific_request_details__deps: ['$Emval'],
  prolific_request_details: function(key) {
    var request = prolificRequests.get(key);
    var details = { 'responseUrl': '', 'cause': '' };
    if (request) {
      details['responseUrl'] = String(request['responseURL'] || '');
      var cause = request['errorCause'];
      if (cause) details['cause'] = String(cause['code'] || '') + (cause['message'] ? ': ' + String(cause['message']) : '');
    }
    return Emval.toHandle(details);
  },
});
