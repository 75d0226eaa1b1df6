// Applies the reader's saved theme before the first paint, so the page never flashes the wrong one.
// The toggle itself is wired by the page's WebAssembly module.
(function () {
  try {
    var saved = window.localStorage.getItem("spiega-theme");
    if (saved === "light" || saved === "dark") {
      document.documentElement.setAttribute("data-theme", saved);
    }
  } catch (e) {
    // Storage can be disabled; the system setting then decides.
  }
})();
