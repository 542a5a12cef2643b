// The workplace picker: a <select multiple data-picker> becomes a text box that filters the options as you
// type, with the chosen ones shown as removable chips. Keyboard: type (or Down for the whole list), Up/Down
// to move, Enter to choose, Escape to close, Backspace in an empty box removes the last chip; each chip's
// × button removes it.
// The select stays in the form (hidden) and holds the choice, so the form posts exactly as without JS.
(function () {
  "use strict";

  var LIMIT = 100;
  var count = 0;

  function el(tag, className) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    return node;
  }

  function enhance(select) {
    count += 1;
    var id = select.id || "picker-" + count;
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    var name = label ? label.textContent.replace(/\(required\)/, "").trim() : "Options";

    var wrap = el("div", "picker");
    var chips = el("ul", "picker-chips");
    chips.setAttribute("aria-label", name + ": chosen");
    var input = el("input", "picker-input");
    input.type = "text";
    input.id = id + "_search";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "_listbox");
    var described = select.getAttribute("aria-describedby");
    var hint = el("span", "visually-hidden");
    hint.id = id + "_pickerhint";
    hint.textContent = "Type to filter, then use the up and down arrows and Enter to choose.";
    input.setAttribute("aria-describedby", (described ? described + " " : "") + hint.id);
    var list = el("ul", "picker-list");
    list.id = id + "_listbox";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", name);
    list.hidden = true;
    var status = el("p", "visually-hidden");
    status.setAttribute("aria-live", "polite");

    if (label) { label.htmlFor = input.id; }
    select.hidden = true;
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    wrap.appendChild(chips);
    wrap.appendChild(input);
    wrap.appendChild(hint);
    wrap.appendChild(list);
    wrap.appendChild(status);
    select.parentNode.insertBefore(wrap, select.nextSibling);

    var shown = [];
    var active = -1;

    function announce(text) { status.textContent = text; }

    function renderChips() {
      chips.textContent = "";
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.selected) { return; }
        var chip = el("li", "picker-chip");
        var text = el("span");
        text.textContent = option.text;
        var remove = el("button", "picker-remove");
        remove.type = "button";
        remove.setAttribute("aria-label", "Remove " + option.text);
        remove.textContent = "×";
        remove.addEventListener("click", function () {
          option.selected = false;
          renderChips();
          if (!list.hidden) { filter(); }
          announce(option.text + " removed.");
          input.focus();
        });
        chip.appendChild(text);
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (item, i) {
        if (item.getAttribute("role") === "option") { item.setAttribute("aria-selected", i === active ? "true" : "false"); }
      });
      if (active >= 0 && list.children[active]) {
        input.setAttribute("aria-activedescendant", list.children[active].id);
        list.children[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function filter() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      shown = Array.prototype.filter.call(select.options, function (option) {
        var text = option.text.toLowerCase();
        return !option.selected && option.value !== "" && words.every(function (w) { return text.indexOf(w) !== -1; });
      }).slice(0, LIMIT);
      list.textContent = "";
      shown.forEach(function (option, i) {
        var item = el("li", "picker-option");
        item.id = id + "_option_" + i;
        item.setAttribute("role", "option");
        item.textContent = option.text;
        item.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep focus in the box
        item.addEventListener("click", function () { choose(option); });
        list.appendChild(item);
      });
      if (!shown.length) {
        var empty = el("li", "picker-empty");
        empty.textContent = words.length ? "Nothing matches \u201c" + input.value.trim() + "\u201d." : "Nothing left to choose.";
        list.appendChild(empty);
      }
      open();
      highlight(shown.length && words.length ? 0 : -1);
      announce(shown.length + (shown.length === 1 ? " match." : " matches."));
    }

    function choose(option) {
      option.selected = true;
      input.value = "";
      renderChips();
      filter();
      announce(option.text + " added.");
      input.focus();
    }

    input.addEventListener("input", filter);
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { filter(); }
        if (!shown.length) { return; }
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight(active < 0 ? (step > 0 ? 0 : shown.length - 1) : (active + step + shown.length) % shown.length);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && shown[active]) {
          event.preventDefault(); // choosing, not submitting the form
          choose(shown[active]);
        } else if (!list.hidden && input.value.trim()) {
          event.preventDefault();
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
      } else if (event.key === "Backspace" && input.value === "") {
        var chosen = Array.prototype.filter.call(select.options, function (o) { return o.selected; });
        var last = chosen[chosen.length - 1];
        if (last) {
          last.selected = false;
          renderChips();
          filter();
          announce(last.text + " removed.");
        }
      }
    });

    renderChips();
  }

  function start() {
    document.querySelectorAll("select[multiple][data-picker]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
