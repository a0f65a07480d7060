/* A sheet or support page: the print button, clock times from a chosen start (« 9 h 00 », whatever the
   browser's language: the start is a list of times, not an <input type="time">), copying the citation, and the
   download count (asked only when the page is served over http(s); hidden from file:// or when the request fails). */
(function () {
  "use strict";

  function clock(minutes) {
    minutes = ((minutes % 1440) + 1440) % 1440;
    var rest = minutes % 60;
    return Math.floor(minutes / 60) + "\u00a0h\u00a0" + (rest < 10 ? "0" : "") + rest;
  }

  Array.prototype.forEach.call(document.querySelectorAll(".imprimer"), function (item) {
    item.hidden = false;
    item.querySelector("button").addEventListener("click", function () { window.print(); });
  });

  var start = document.getElementById("debut");
  if (start) {
    var rows = document.querySelectorAll(".minutage tr[data-offset]");
    var shown = document.querySelector(".debut-affiche");
    var update = function () {
      var begin = parseInt(start.value, 10);
      if (isNaN(begin)) { return; }
      Array.prototype.forEach.call(rows, function (row) {
        row.querySelector(".heure").textContent = clock(begin + parseInt(row.getAttribute("data-offset"), 10));
      });
      if (shown) { shown.textContent = clock(begin); }
    };
    start.closest(".horaire").hidden = false;
    start.addEventListener("input", update);
    start.addEventListener("change", update);
  }

  var button = document.getElementById("copier");
  var citation = document.getElementById("citation");
  var state = document.getElementById("copie-etat");
  if (button && citation) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { state.textContent = "Texte copié."; };
      var fallback = function () {
        citation.focus();
        citation.select();
        try { document.execCommand("copy"); done(); } catch (error) { state.textContent = "Sélectionnez le texte puis copiez-le (Ctrl+C)."; }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(citation.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  }

  var count = document.querySelector(".download-count");
  var url = document.body.getAttribute("data-stats-url");
  if (count && url && /^https?:$/.test(location.protocol) && window.fetch) {
    fetch(url, { credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        var entry = data && data.resources && data.resources[count.getAttribute("data-slug")];
        if (entry && typeof entry.downloads === "number") {
          count.textContent = "Téléchargée " + entry.downloads.toLocaleString("fr-FR") + " fois";
          count.hidden = false;
        }
      })
      .catch(function () { return null; });
  }
}());
