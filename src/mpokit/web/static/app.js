// mpokit web: small helpers, no build step, no dependencies.
"use strict";
(function () {
  // CSRF token for fetch() writes made with the sign-in cookie.
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  window.mpokit = window.mpokit || {};
  window.mpokit.csrf = csrf;

  // Poll a job: elements with data-job="ID" show progress, then follow data-next (or reload).
  function pollJob(el) {
    var id = el.getAttribute("data-job");
    var bar = el.querySelector("progress");
    var msg = el.querySelector("[data-job-message]");
    function tick() {
      fetch("/api/v1/jobs/" + encodeURIComponent(id), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          if (bar) { bar.value = job.progress || 0; }
          if (msg) { msg.textContent = job.message || job.state; }
          if (job.state === "done") {
            window.location.assign(el.getAttribute("data-next") || window.location.href);
          } else if (job.state === "failed") {
            el.setAttribute("data-state", "failed");
            if (msg) { msg.textContent = "failed: " + ((job.error && job.error.detail) || ""); }
          } else if (job.state) {
            setTimeout(tick, 700);
          }
        })
        .catch(function () { setTimeout(tick, 2000); });
    }
    tick();
  }

  // Filter table rows: an <input data-filter="TABLE_ID"> matches row text; <select
  // data-filter="TABLE_ID" data-column="N"> matches one column exactly.
  function filterTable(tableId) {
    var table = document.getElementById(tableId);
    if (!table) { return; }
    var controls = document.querySelectorAll('[data-filter="' + tableId + '"]');
    var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i], keep = true;
      for (var j = 0; j < controls.length; j++) {
        var c = controls[j], v = (c.value || "").trim().toLowerCase();
        if (!v) { continue; }
        var col = c.getAttribute("data-column");
        if (col !== null) {
          var cell = row.cells[parseInt(col, 10)];
          keep = keep && cell && cell.textContent.trim().toLowerCase() === v;
        } else {
          keep = keep && row.textContent.toLowerCase().indexOf(v) >= 0;
        }
      }
      row.hidden = !keep;
      if (keep) { shown++; }
    }
    var count = document.querySelector('[data-count="' + tableId + '"]');
    if (count) { count.textContent = String(shown); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job]").forEach(pollJob);
    document.querySelectorAll("[data-filter]").forEach(function (c) {
      var id = c.getAttribute("data-filter");
      c.addEventListener("input", function () { filterTable(id); });
      c.addEventListener("change", function () { filterTable(id); });
    });
  });
})();
