// Registers the page's service worker (sw.js), which keeps the page working offline after one
// visit. It waits until the page has started (the WebAssembly module marks the root element
// `data-spiega="ready"`), so the worker's own downloads never compete with the page's. Where
// service workers are unavailable, or registration fails, the page works exactly as without it.
(function () {
  if (!("serviceWorker" in navigator)) {
    return;
  }
  var root = document.documentElement;
  function register() {
    navigator.serviceWorker.register("sw.js").catch(function () {
      // No offline copy; nothing else changes.
    });
  }
  if (root.dataset.spiega === "ready") {
    register();
    return;
  }
  var watch = new MutationObserver(function () {
    if (root.dataset.spiega === "ready") {
      watch.disconnect();
      register();
    }
  });
  watch.observe(root, { attributes: true, attributeFilter: ["data-spiega"] });
})();
