// Progressive enhancements only: every page works without this file.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.copy[data-copy]");
  if (!button) return;
  var input = document.getElementById(button.dataset.copy);
  if (!input) return;
  input.select();
  var done = function () { button.textContent = "Copied"; };
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
