// JavaScript helpers linked into the module (--js-library). They only move values between the
// C++ transport (src/wasm/transport.cpp) and the XMLHttpRequest objects the package files per
// request in src/wasm/pre.js (prolificRequests). No helper reads Emscripten's Fetch state.
// Property names that C++ (embind) or the package's XMLHttpRequest stand-ins share with this file
// are quoted, so that Closure Compiler (--closure 1) keeps them.
// The string helpers are runtime functions in Emscripten 3.1.6 and library functions (named as
// dependencies) in later releases: only those the library holds are named.
function prolificStringDeps(names) {
  return names.filter(function(name) { return name in LibraryManager.library; });
}

mergeInto(LibraryManager.library, {
  // A pending JS Promise, as an embind handle; the handle of its resolve function is written to
  // `resolveOut` (an EM_VAL*): two values from one call, with no object property read back.
  prolific_create_deferred__deps: ['$Emval'],
  prolific_create_deferred: function(resolveOut) {
    var resolve;
    var promise = new Promise(function(r) { resolve = r; });
    HEAPU32[resolveOut >> 2] = Emval.toHandle(resolve);
    return Emval.toHandle(promise);
  },

  // Resolves an operation's promise with a success, { ok: true, status, json? }, in one call:
  // `status` a NUL-terminated UTF-8 string or 0 for null, `json` one or 0 when there is none.
  prolific_resolve_ok__deps: ['$Emval'].concat(prolificStringDeps(['$UTF8ToString'])),
  prolific_resolve_ok: function(resolve, status, json) {
    var result = { 'ok': true, 'status': status ? UTF8ToString(status) : null };
    if (json) result['json'] = UTF8ToString(json);
    Emval.toValue(resolve)(result);
  },

  // The XMLHttpRequest made by the next emscripten_fetch() is filed under `key` (a positive
  // number the transport never reuses while the request is kept); `bodyLimit` is the body size in
  // bytes past which the transport stops reading (src/core max_body_bytes; see prolificSend).
  prolific_request_claim: function(key, bodyLimit) {
    prolificClaimedKey = key;
    if (key) prolificBodyLimit = bodyLimit;
  },

  // Forgets request `key`. With `abort`, stops it for good first (prolificStop, src/wasm/pre.js):
  // emscripten_fetch_close() in Emscripten 3.1.6 frees the fetch but leaves the request running,
  // whose later callbacks would write into freed memory.
  prolific_request_release: function(key, abort) {
    prolificClaimedKey = 0;
    var request = prolificRequests.get(key);
    prolificRequests.delete(key);
    if (!request || !abort) return;
    prolificStop(request);
  },

  // One text of request `key` as a NUL-terminated UTF-8 string the caller frees, or 0 when it is
  // empty or unknown: what 0 = its final URL (responseURL), 1 = the stand-in's error cause
  // ("code: message"), 2 = the raw response headers (getAllResponseHeaders(), read once). Read
  // from the package's own record of the request, never from Emscripten's Fetch state.
  prolific_request_text__deps: ['malloc'].concat(prolificStringDeps(['$lengthBytesUTF8', '$stringToUTF8'])),
  prolific_request_text: function(key, what) {
    var request = prolificRequests.get(key);
    if (!request) return 0;
    var text = '';
    if (what === 0) {
      text = String(request['responseURL'] || '');
    } else if (what === 1) {
      var cause = request['errorCause'];
      if (cause) text = String(cause['code'] || '') + (cause['message'] ? ': ' + String(cause['message']) : '');
    } else {
      text = String(request['getAllResponseHeaders']() || '');
    }
    if (!text) return 0;
    var size = lengthBytesUTF8(text) + 1;
    var out = _malloc(size);
    stringToUTF8(text, out, size);
    return out;
  },
});
