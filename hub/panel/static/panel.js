/* Operator panel: keyboard review, synced scrolling of two letters, the resolution date shown
   only for a resolved status. Plain script, no library (the hub may be offline). */
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  var review = document.querySelector("[data-review]");
  if (review) {
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) { return; }
      var k = e.key;
      if (k === "j" && review.dataset.next) { location.href = review.dataset.next; }
      else if (k === "k" && review.dataset.prev) { location.href = review.dataset.prev; }
      else if (k >= "1" && k <= "9") {
        var radio = review.querySelector('[data-member="' + k + '"] input[type=radio]');
        if (radio) { radio.checked = true; radio.focus(); }
      } else {
        var field = review.querySelector('[data-focus-key="' + k + '"]');
        if (field) { e.preventDefault(); field.focus(); return; }
        var button = review.querySelector('button[data-key="' + k + '"]');
        if (button) { e.preventDefault(); button.click(); }
      }
    });
  }
  /* Synced scrolling: the other letter follows at the same fraction of its length. */
  var panes = Array.prototype.slice.call(document.querySelectorAll(".compare-text.sync"));
  var sync = document.getElementById("sync-scroll");
  var busy = false;
  panes.forEach(function (pane) {
    pane.addEventListener("scroll", function () {
      if (busy || (sync && !sync.checked)) { return; }
      busy = true;
      var f = pane.scrollTop / Math.max(1, pane.scrollHeight - pane.clientHeight);
      panes.forEach(function (other) {
        if (other !== pane) { other.scrollTop = f * (other.scrollHeight - other.clientHeight); }
      });
      window.requestAnimationFrame(function () { busy = false; });
    });
  });
  /* The resolution date belongs to a resolved status only. */
  Array.prototype.forEach.call(document.querySelectorAll("form.status-form"), function (form) {
    var select = form.querySelector("[data-resolved-toggle]");
    var box = form.querySelector("[data-resolved-only]");
    if (!select || !box) { return; }
    function update() {
      var on = select.value === "resolved";
      box.hidden = !on;
      box.querySelector("input").disabled = !on;
    }
    select.addEventListener("change", update);
    update();
  });
})();
