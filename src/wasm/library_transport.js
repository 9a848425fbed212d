// JavaScript helpers linked into the module (--js-library). They only move values between the
// C++ transport and the runtime's XMLHttpRequest objects kept by Emscripten's Fetch library.
mergeInto(LibraryManager.library, {
  // A pending JS Promise and its resolve function, as one embind handle: { promise, resolve }.
  prolific_create_deferred__deps: ['$Emval'],
  prolific_create_deferred: function() {
    var deferred = {};
    deferred.promise = new Promise(function(resolve) { deferred.resolve = resolve; });
    return Emval.toHandle(deferred);
  },

  // Stops the XMLHttpRequest behind emscripten fetch `id` for good. emscripten_fetch_close() in
  // Emscripten 3.1.6 frees the fetch but leaves the request running, whose later callbacks would
  // write into freed memory: every handler is detached first, then the request is aborted.
  prolific_abort_xhr__deps: ['$Fetch'],
  prolific_abort_xhr: function(id) {
    var xhr = Fetch.xhrs[id - 1];
    if (!xhr) return;
    xhr.onload = xhr.onerror = xhr.ontimeout = xhr.onprogress = xhr.onreadystatechange = null;
    try { xhr.abort(); } catch (e) { /* already finished */ }
  },

  // What the runtime knows about fetch `id` beyond emscripten_fetch_t, as an embind handle:
  // { responseUrl: string, cause: string } (cause: the Node stand-in's error code and message).
  prolific_xhr_details__deps: ['$Fetch', '$Emval'],
  prolific_xhr_details: function(id) {
    var xhr = Fetch.xhrs[id - 1];
    var details = { responseUrl: '', cause: '' };
    if (xhr) {
      details.responseUrl = String(xhr.responseURL || '');
      var cause = xhr.errorCause;
      if (cause) details.cause = String(cause.code || '') + (cause.message ? ': ' + String(cause.message) : '');
    }
    return Emval.toHandle(details);
  },
});
