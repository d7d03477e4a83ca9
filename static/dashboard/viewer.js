// Document viewer: zoom and rotate each previewed document in place. Served locally (no CDN)
// and loaded as a file, since the CSP allows no inline script. Without JavaScript the
// previews stay plain images with a download link.
(function () {
  "use strict";
  var STEP = 0.25, MIN = 0.5, MAX = 4;

  function setup(figure) {
    var images = figure.querySelectorAll("img");
    if (!images.length) return;
    var state = { zoom: 1, turn: 0 };
    var stage = document.createElement("div");
    stage.className = "viewer-stage";
    images.forEach(function (img) { stage.appendChild(img); });
    figure.insertBefore(stage, figure.firstChild);

    function apply() {
      images.forEach(function (img) {
        // Zoom through the width, so the stage's scrollbars reach every part of the page.
        img.style.width = state.zoom === 1 ? "" : (state.zoom * 100) + "%";
        img.style.transform = state.turn ? "rotate(" + state.turn + "deg)" : "";
      });
      figure.dataset.zoom = state.zoom;
      figure.dataset.rotation = state.turn;
      stage.classList.toggle("zoomed", state.zoom !== 1 || state.turn % 180 !== 0);
    }

    function button(label, text, action) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "subtle viewer-button";
      b.setAttribute("aria-label", label);
      b.title = label;
      b.textContent = text;
      b.addEventListener("click", function () { action(); apply(); });
      return b;
    }

    var bar = document.createElement("div");
    bar.className = "viewer-toolbar";
    bar.appendChild(button("Zoom in", "+", function () { state.zoom = Math.min(MAX, state.zoom + STEP); }));
    bar.appendChild(button("Zoom out", "−", function () { state.zoom = Math.max(MIN, state.zoom - STEP); }));
    bar.appendChild(button("Rotate", "⟳", function () { state.turn = (state.turn + 90) % 360; }));
    bar.appendChild(button("Reset", "1:1", function () { state.zoom = 1; state.turn = 0; }));
    figure.insertBefore(bar, stage);
    apply();
  }

  function start() { document.querySelectorAll("figure[data-viewer]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
