/* Grid line editor for document lines (stock documents; later sales outbounds).
 *
 * Enhances <textarea data-line-editor="LOOKUP_URL" data-labels="{...}"> (app.admin_fields.LineEditorWidget):
 * the textarea stays the submitted value ("CODE QTY" per line), the grid writes it.
 * Keys: Enter in the code cell looks the SKU up (code or barcode) and moves to the quantity;
 * Enter in the quantity moves to the next line (a new one at the end); Up/Down move between
 * lines; Ctrl+Backspace clears the current line (F1.9).
 */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function init(textarea) {
    var lookupUrl = textarea.getAttribute("data-line-editor");
    var labels = JSON.parse(textarea.getAttribute("data-labels") || "{}");
    var form = textarea.form;
    var table = el("table", { "class": "table table-condensed table-bordered line-editor" });
    var head = el("tr");
    ["#", labels.code, labels.name, labels.on_hand, labels.qty, ""].forEach(function (title) {
      head.appendChild(el("th", {}, title || ""));
    });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    var addButton = el("button", { type: "button", "class": "btn btn-default btn-sm line-editor-add" },
                       "+ " + (labels.add || "Add line"));

    function rows() { return Array.prototype.slice.call(body.rows); }
    function cell(row, name) { return row.querySelector("[data-cell=" + name + "]"); }

    function renumber() {
      rows().forEach(function (row, index) { row.cells[0].textContent = String(index + 1); });
    }

    function sync() {
      textarea.value = rows().map(function (row) {
        var code = cell(row, "code").value.trim();
        var qty = cell(row, "qty").value.trim();
        return code || qty ? code + " " + qty : "";
      }).filter(Boolean).join("\n");
    }

    function clearRow(row) {
      cell(row, "code").value = "";
      cell(row, "qty").value = "";
      cell(row, "name").textContent = "";
      cell(row, "on_hand").textContent = "";
      row.classList.remove("danger");
      row.removeAttribute("data-looked-up");
      sync();
      cell(row, "code").focus();
    }

    function storeId() {
      var store = form.querySelector("[name=store]");
      return store && store.value && store.value !== "__None" ? store.value : "";
    }

    function lookup(row, then) {
      var code = cell(row, "code").value.trim();
      if (!code || row.getAttribute("data-looked-up") === code) { if (then) { then(); } return; }
      row.setAttribute("data-looked-up", code);
      var url = lookupUrl + "?code=" + encodeURIComponent(code) + "&store_id=" + encodeURIComponent(storeId());
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (answer) {
          if (cell(row, "code").value.trim() !== code) { return; }  // the line changed meanwhile
          if (answer.ok) {
            row.classList.remove("danger");
            cell(row, "code").value = answer.data.sku_code;
            row.setAttribute("data-looked-up", answer.data.sku_code);
            cell(row, "name").textContent = answer.data.name;
            cell(row, "on_hand").textContent = answer.data.on_hand === null ? "" : String(answer.data.on_hand);
          } else {
            row.classList.add("danger");
            cell(row, "name").textContent = (answer.data && answer.data.error) || labels.unknown || "?";
            cell(row, "on_hand").textContent = "";
          }
          sync();
          if (then) { then(); }
        })
        .catch(function () { if (then) { then(); } });
    }

    function addRow(code, qty) {
      var row = el("tr", { "class": "line-editor-row" });
      row.appendChild(el("td", { "class": "text-muted" }));
      var codeCell = row.appendChild(el("td"));
      codeCell.appendChild(el("input", {
        type: "text", "class": "form-control input-sm", "data-cell": "code", autocomplete: "off",
        "aria-label": labels.code || "SKU", placeholder: labels.code || ""
      })).value = code || "";
      row.appendChild(el("td", { "data-cell": "name" }));
      row.appendChild(el("td", { "data-cell": "on_hand", "class": "text-right" }));
      var qtyCell = row.appendChild(el("td"));
      qtyCell.appendChild(el("input", {
        type: "text", inputmode: "numeric", "class": "form-control input-sm", "data-cell": "qty",
        autocomplete: "off", "aria-label": labels.qty || "Qty"
      })).value = qty || "";
      var clear = row.appendChild(el("td")).appendChild(el("button", {
        type: "button", "class": "btn btn-link btn-xs line-editor-clear", title: labels.clear || ""
      }, "×"));
      clear.addEventListener("click", function () {
        if (rows().length > 1) { body.removeChild(row); renumber(); sync(); } else { clearRow(row); }
      });
      body.appendChild(row);
      renumber();
      if (code) { lookup(row); }
      return row;
    }

    function focusRow(row, name) {
      var input = cell(row, name);
      input.focus();
      input.select();
    }

    body.addEventListener("input", sync);
    body.addEventListener("change", function (event) {
      if (event.target.getAttribute("data-cell") === "code") { lookup(event.target.closest("tr")); }
    });
    body.addEventListener("keydown", function (event) {
      var input = event.target;
      var name = input.getAttribute("data-cell");
      if (!name) { return; }
      var row = input.closest("tr");
      var all = rows();
      var index = all.indexOf(row);
      if (event.key === "Backspace" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        clearRow(row);
      } else if (event.key === "Enter") {
        event.preventDefault();  // never submit the form from the grid
        if (name === "code") {
          lookup(row, function () { focusRow(row, "qty"); });
        } else {
          var next = all[index + 1] || addRow();
          focusRow(next, "code");
        }
      } else if (event.key === "ArrowDown" && all[index + 1]) {
        event.preventDefault();
        focusRow(all[index + 1], name);
      } else if (event.key === "ArrowUp" && index > 0) {
        event.preventDefault();
        focusRow(all[index - 1], name);
      }
    });
    addButton.addEventListener("click", function () { focusRow(addRow(), "code"); });
    form.addEventListener("submit", sync);

    (textarea.value || "").split(/\r?\n/).forEach(function (line) {
      var parts = line.replace(/[,\t]/g, " ").trim().split(/\s+/);
      if (parts[0]) { addRow(parts[0], parts[1] || ""); }
    });
    if (!rows().length) { addRow(); }
    textarea.style.display = "none";
    textarea.removeAttribute("required");  // the server checks the lines; a hidden field cannot be focused
    textarea.parentNode.insertBefore(table, textarea);
    textarea.parentNode.insertBefore(addButton, textarea);
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-line-editor]"), init);
})();
