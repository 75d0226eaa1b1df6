// Applies the reader's saved theme and palette before the first paint, so the page never flashes
// the wrong colours.
// The toggle itself is wired by the page's WebAssembly module.
(function () {
  try {
    var saved = window.localStorage.getItem("spiega-theme");
    if (saved === "light" || saved === "dark") {
      document.documentElement.setAttribute("data-theme", saved);
    }
    if (window.localStorage.getItem("spiega-palette") === "cvd") {
      document.documentElement.setAttribute("data-palette", "cvd");
    }
  } catch (e) {
    // Storage can be disabled; the system setting then decides.
  }
})();
