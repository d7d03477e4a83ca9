// Progressive enhancements only: every page works without this file.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.copy[data-copy]");
  if (!button) return;
  var input = document.getElementById(button.dataset.copy);
  if (!input) return;
  input.select();
  var done = function () { button.textContent = button.dataset.copied || "Copied"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});

// Workflow builder: show the settings of the step type just chosen.
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.matches(".step-form select[name$='-type']")) return;
  var step = select.closest(".step-form");
  step.querySelectorAll("[data-config-for]").forEach(function (group) {
    group.hidden = group.dataset.configFor !== select.value;
  });
});

// Inbox: refresh the tabs' counts every 30 seconds while the page is visible.
(function () {
  var tabs = document.querySelector("[data-counts-url]");
  if (!tabs || !window.fetch) return;
  setInterval(function () {
    if (document.hidden) return;
    fetch(tabs.dataset.countsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (counts) {
        if (!counts) return;
        tabs.querySelectorAll("[data-count]").forEach(function (count) {
          if (count.dataset.count in counts) count.textContent = counts[count.dataset.count];
        });
      })
      .catch(function () {});
  }, 30000);
})();
