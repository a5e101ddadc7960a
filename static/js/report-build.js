/*
 * The progress of a period's build: polls the build's status every second while it is
 * queued or running, moves the <progress> bar, and reloads the page once when it is done
 * so that the counts below show the new reports. Without JavaScript the page shows the
 * state it had when it was loaded; reloading it shows the new one.
 */
(function () {
  "use strict";

  const panel = document.querySelector("[data-build-status-url]");
  if (!panel) {
    return;
  }
  const url = panel.dataset.buildStatusUrl;
  const bar = panel.querySelector("progress");
  const text = panel.querySelector("[data-build-text]");
  const label = panel.querySelector("[data-build-label]");
  const button = panel.querySelector("form button[type=submit]");
  const ACTIVE = ["queued", "running"];
  let failures = 0;

  function fill(template, status) {
    return (template || "")
      .replace("{done}", String(status.done))
      .replace("{total}", String(status.total))
      .replace("{percent}", String(status.percent));
  }

  function show(status) {
    if (bar) {
      bar.max = status.total || 1;
      bar.value = status.done;
      bar.textContent = status.percent + "%";
    }
    if (label) {
      label.textContent = status.state_label;
    }
    if (!text) {
      return;
    }
    if (status.state === "queued") {
      text.textContent = panel.dataset.textQueued;
    } else if (status.state === "failed") {
      text.textContent = panel.dataset.textFailed + " " + status.error;
    } else if (status.state === "done") {
      text.textContent = fill(panel.dataset.textDone, status);
    } else {
      text.textContent = fill(panel.dataset.textRunning, status) + " (" + status.percent + "%)";
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (status) {
        failures = 0;
        show(status);
        panel.dataset.buildState = status.state;
        if (ACTIVE.indexOf(status.state) !== -1) {
          window.setTimeout(poll, 1000);
        } else if (status.state === "done") {
          window.setTimeout(function () {
            window.location.reload();
          }, 800);
        } else if (button) {
          button.disabled = false;
          button.removeAttribute("aria-disabled");
        }
      })
      .catch(function () {
        failures += 1;
        if (failures < 5) {
          window.setTimeout(poll, 2000);
        } else if (text) {
          text.textContent = panel.dataset.textOffline;
        }
      });
  }

  if (ACTIVE.indexOf(panel.dataset.buildState) !== -1) {
    poll();
  }
})();
