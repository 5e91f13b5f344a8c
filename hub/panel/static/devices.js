// Refreshes the fleet table from /api/devices without reloading the page.
// Cells are filled with textContent only: device ids and errors come from kiosks.
(function () {
  "use strict";
  var script = document.currentScript;
  var api = script.dataset.api;
  var every = parseInt(script.dataset.refresh, 10) || 10000;
  var labels = JSON.parse(script.dataset.labels);

  function cell(tr, text, cls, title) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    if (title) { td.title = title; }
    tr.appendChild(td);
    return td;
  }

  function render(data) {
    var tbody = document.querySelector("#fleet tbody");
    var fresh = document.createElement("tbody");
    data.devices.forEach(function (d) {
      var tr = document.createElement("tr");
      tr.className = "row-" + d.status;
      cell(tr, d.device_id, "mono");
      var st = cell(tr, "");
      var pill = document.createElement("span");
      pill.className = "pill st-" + d.status;
      pill.textContent = d.status_label;
      st.appendChild(pill);
      cell(tr, d.last_seen_human, "", d.last_seen);
      cell(tr, String(d.pages_today), "num");
      cell(tr, String(d.outbox_depth), "num", Math.round(d.outbox_oldest_s) + " s");
      cell(tr, String(d.ocr_backlog), "num");
      cell(tr, d.scanner_label, "nowrap");
      cell(tr, d.last_error_label, "err", d.last_error);
      cell(tr, d.software_label, "nowrap" + (d.outdated ? " outdated" : ""),
           d.software_detail + (d.update_state ? "; " + d.update_state : ""));
      var open = cell(tr, "");
      var link = document.createElement("a");
      link.href = "devices/" + encodeURIComponent(d.device_id);
      link.textContent = script.dataset.open || "›";
      open.appendChild(link);
      fresh.appendChild(tr);
    });
    tbody.replaceWith(fresh);
    var pills = document.querySelectorAll("#fleet-summary .pill");
    ["online", "offline", "lost"].forEach(function (k, i) {
      if (pills[i]) { pills[i].textContent = data.summary[k] + " " + labels[k]; }
    });
    document.getElementById("fleet-updated").textContent = data.updated;
  }

  function tick() {
    fetch(api, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) {
        if (r.status === 401) { window.location.reload(); return null; }
        return r.ok ? r.json() : null;
      })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { /* hub briefly unreachable: keep the last table */ });
  }

  window.setInterval(tick, every);
})();
