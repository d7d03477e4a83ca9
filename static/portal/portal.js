// Progressive enhancement only: the portal works without this file.
// Shows a preview of a picked photo and warns at once about a file that is too large.
(function () {
  "use strict";
  function messageFor(input) {
    var id = input.id + "-size";
    var node = document.getElementById(id);
    if (!node) {
      node = document.createElement("p");
      node.id = id;
      node.className = "error";
      node.setAttribute("role", "alert");
      input.parentNode.insertBefore(node, input);
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.push(id);
      input.setAttribute("aria-describedby", described.join(" "));
    }
    return node;
  }
  function onChange(event) {
    var input = event.target;
    var file = input.files && input.files[0];
    var preview = document.querySelector('img[data-preview-for="' + input.id + '"]');
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var warning = document.getElementById(input.id + "-size");
    if (warning) { warning.textContent = ""; }
    // A new choice replaces what was said about the last one: one message per control, never two.
    var earlier = document.getElementById(input.id + "-error");
    if (earlier) { earlier.hidden = true; }
    if (preview) { preview.hidden = true; preview.removeAttribute("src"); }
    if (!file) { return; }
    if (limit && file.size > limit) {
      messageFor(input).textContent = document.documentElement.getAttribute("data-too-large") || "File too large";
      input.value = "";
      return;
    }
    if (preview && /^image\/(jpeg|png)$/.test(file.type)) {
      preview.src = URL.createObjectURL(file);
      preview.hidden = false;
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    // After a refused post, screen readers and keyboards start at the list of what to fix.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    var inputs = document.querySelectorAll('input[type="file"]');
    for (var i = 0; i < inputs.length; i++) { inputs[i].addEventListener("change", onChange); }
  });
})();
