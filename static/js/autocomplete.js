// Search-as-you-type for the body, unit and page pickers (units/pickers.py).
//
// The server renders a plain search field (<name>_q) and a hidden input (<name>) for the id:
// that works without JavaScript (the server resolves the text on submit). This script turns
// the field into an ARIA 1.2 combobox: it asks the picker's autocomplete endpoint for the
// first matches as the person types, lists them in a listbox, and keeps the chosen id in the
// hidden input. Keys: Down/Up move, Enter picks, Escape closes (a second Escape clears),
// Tab leaves. No inline script or style: it runs under the strict Content-Security-Policy.
//
// A multi-value picker (data-multiple: the recipients of a letter) keeps its choices as
// ticked checkboxes named after the field ("chips"); picking a suggestion adds one and
// empties the field for the next name, unticking one removes it.
(function () {
  "use strict";

  var MIN_LENGTH = 2;
  var DELAY = 200;
  var counter = 0;

  function setUp(box) {
    var input = box.querySelector("[data-picker-input]");
    var hidden = box.querySelector("[data-picker-value]");
    var list = box.querySelector("[data-picker-list]");
    var status = box.querySelector("[data-picker-status]");
    var multiple = box.hasAttribute("data-multiple");
    var chips = box.querySelector("[data-picker-chosen]");
    if (!input || !list || !box.getAttribute("data-source")) {
      return;
    }
    if (multiple ? !chips : !hidden) {
      return;
    }
    counter += 1;
    var prefix = (input.id || "picker-" + counter) + "-option-";
    var timer = null;
    var controller = null;
    var options = [];
    var active = -1;
    var chosenLabel = input.value;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      if (!options.length) {
        return;
      }
      active = (index + options.length) % options.length;
      options.forEach(function (option, position) {
        option.element.setAttribute("aria-selected", position === active ? "true" : "false");
      });
      var element = options[active].element;
      input.setAttribute("aria-activedescendant", element.id);
      element.scrollIntoView({ block: "nearest" });
    }

    function message(name, label) {
      return (box.getAttribute(name) || "").replace("{label}", label);
    }

    function addChip(option) {
      var value = String(option.id);
      var boxes = chips.querySelectorAll("input[type=checkbox]");
      for (var n = 0; n < boxes.length; n += 1) {
        if (boxes[n].value === value) {
          boxes[n].checked = true;
          return false;
        }
      }
      var item = document.createElement("li");
      item.className = "picker__chip";
      var check = document.createElement("input");
      check.type = "checkbox";
      check.name = box.getAttribute("data-name");
      check.value = value;
      check.checked = true;
      check.id = (input.id || "picker-" + counter) + "_" + value;
      var label = document.createElement("label");
      label.htmlFor = check.id;
      label.textContent = option.label;
      item.appendChild(check);
      item.appendChild(label);
      chips.appendChild(item);
      return true;
    }

    function pick(index) {
      var option = options[index];
      if (!option) {
        return;
      }
      if (multiple) {
        var added = addChip(option);
        input.value = "";
        chosenLabel = "";
        options = [];
        list.textContent = "";
        close();
        say(message(added ? "data-msg-added" : "data-msg-already", option.label));
        return;
      }
      hidden.value = String(option.id);
      input.value = option.label;
      chosenLabel = option.label;
      close();
      say(option.label);
    }

    function show(results) {
      list.textContent = "";
      options = results.map(function (result, position) {
        var element = document.createElement("li");
        element.id = prefix + position;
        element.setAttribute("role", "option");
        element.setAttribute("aria-selected", "false");
        element.className = "picker__option";
        element.textContent = result.label;
        element.addEventListener("mousedown", function (event) {
          // Keep the focus in the field; the click picks.
          event.preventDefault();
        });
        element.addEventListener("click", function () {
          pick(position);
        });
        list.appendChild(element);
        return { id: result.id, label: result.label, element: element };
      });
      active = -1;
      if (options.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        say(box.getAttribute("data-msg-count").replace("{count}", String(options.length)));
      } else {
        close();
        say(box.getAttribute("data-msg-none"));
      }
    }

    function ask(text) {
      if (controller) {
        controller.abort();
      }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var query = box.getAttribute("data-source-query");
      var url =
        box.getAttribute("data-source") +
        "?q=" +
        encodeURIComponent(text) +
        (query ? "&" + query : "");
      fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          if (response.status === 429) {
            say(box.getAttribute("data-msg-busy"));
            return null;
          }
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data && input.value.trim() === text) {
            show(data.results || []);
          }
        })
        .catch(function () {
          // Aborted by a newer search, or offline: the server resolves the text on submit.
        });
    }

    input.addEventListener("input", function () {
      if (!multiple && input.value !== chosenLabel) {
        // Typing again un-chooses: the server resolves what is typed.
        hidden.value = "";
        chosenLabel = null;
      }
      window.clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < MIN_LENGTH) {
        close();
        return;
      }
      timer = window.setTimeout(function () {
        ask(text);
      }, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) {
          highlight(active + 1);
        } else if (options.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
          highlight(0);
        }
      } else if (event.key === "ArrowUp") {
        if (open) {
          event.preventDefault();
          highlight(active - 1);
        }
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          // Pick, not submit: the form is submitted with a second Enter.
          event.preventDefault();
          pick(active);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          if (!multiple) {
            hidden.value = "";
          }
          chosenLabel = null;
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () {
      close();
    });

    if (multiple) {
      // Unticking a chip removes it (without JavaScript it is simply not sent).
      chips.addEventListener("change", function (event) {
        var check = event.target;
        if (check.type !== "checkbox" || check.checked) {
          return;
        }
        var item = check.closest("li");
        var label = item ? item.textContent.trim() : "";
        if (item) {
          item.parentNode.removeChild(item);
        }
        say(message("data-msg-removed", label));
        input.focus();
      });
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-picker]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
