// Polls an export's status (?format=json) until the file is ready or has failed, then shows
// the download link or the failure. Loaded with defer by reports/exports/status.html.
(function () {
  "use strict";

  var box = document.querySelector("[data-export-status]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-poll-url");
  var delay = 2000;

  function show(selector, visible) {
    var element = box.querySelector(selector);
    if (element) {
      element.hidden = !visible;
    }
  }

  function render(data) {
    box.setAttribute("data-state", data.state);
    var label = box.querySelector("[data-export-state-label]");
    if (label) {
      label.textContent = data.state_label;
    }
    var finished = data.state === "done" || data.state === "failed";
    show("[data-export-waiting]", !finished);
    show("[data-export-failed]", data.state === "failed");
    if (data.state === "done" && data.download_url) {
      var link = box.querySelector("[data-export-download]");
      if (link) {
        link.setAttribute("href", data.download_url);
      }
      show("[data-export-ready]", true);
    }
    return finished;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (!render(data)) {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // A network hiccup: try again, more slowly.
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(poll, delay);
      });
  }

  var state = box.getAttribute("data-state");
  if (state !== "done" && state !== "failed") {
    window.setTimeout(poll, delay);
  }
})();
