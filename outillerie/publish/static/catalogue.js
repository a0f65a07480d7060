/* Catalogue filters, run in the browser on the index embedded in the page (no request, works from file://).
   A typed word is folded, stripped of its elision and expanded (inclusive writing) exactly as
   outillerie/french/analysis.py does, with the word lists that it hands over in the index; it is then
   looked up in a table of the command line's own terms. A word the table does not know matches terms by prefix. */
(function () {
  "use strict";
  var source = document.getElementById("index-fiches");
  if (!source) { return; }
  var index = JSON.parse(source.textContent);
  var rules = index.rules;
  var STOP = new Set(rules.stop);
  var ELISIONS = new Set(rules.elisions);
  var LEXICALISED = new Set(rules.lexicalised);
  var KNOWN = new Set(rules.known);
  var APOSTROPHES = /['\u2019\u02bc]/;
  var FIELDS = ["objective", "public", "duration", "level", "theme", "q", "kind"];
  var PAGE = 50;  // cards shown at once: laying out 1,000 cards takes a phone far longer than 100 ms

  function fold(text) {
    text = text.toLowerCase();
    if (/^[\x00-\x7f]*$/.test(text)) { return text; }
    return text.replace(/\u0153/g, "oe").replace(/\u00e6/g, "ae").normalize("NFD").replace(/\p{Mn}/gu, "").normalize("NFC");
  }

  var endings = Array.from(new Set(rules.endings.concat(rules.endings.map(fold))))
    .sort(function (a, b) { return b.length - a.length; });
  var RUN = "[\\p{L}\\p{N}]+";
  var DOT = "(?<=\\p{L})\\.(?:" + endings.join("|") + ")(?![\\p{L}\\p{N}])";
  var PIECE = RUN + "(?:[\u00b7\u2022\u2027\u22c5]" + RUN + "|" + DOT + ")*";
  var WORD = new RegExp(PIECE + "(?:['\u2019\u02bc]" + PIECE + ")*", "gu");

  function toMiddleDot(word) { return word.replace(/[.\u2022\u2027\u22c5]/g, "\u00b7"); }

  function plural(word) {
    if (/[sxz]$/.test(word)) { return word; }
    if (/(au|eu)$/.test(word)) { return word + "x"; }
    return word + "s";
  }

  function feminine(base, ending) {
    var options = rules.feminine[ending] || [];
    for (var i = 0; i < options.length; i++) {
      var suffix = options[i][0];
      if (base.endsWith(suffix) && base.length > suffix.length) {
        return base.slice(0, -suffix.length) + options[i][1];
      }
    }
    if (KNOWN.has(ending) || ending.length < 4) { return base + ending; }
    return null;
  }

  function expandInclusive(word) {
    var segments = word.split("\u00b7");
    var base = segments.shift();
    var isPlural = false, female = null, others = [];
    segments.forEach(function (segment) {
      if (segment === "s") { isPlural = true; return; }
      if (segment.endsWith("s") && KNOWN.has(segment.slice(0, -1))) { isPlural = true; segment = segment.slice(0, -1); }
      var form = feminine(base, segment);
      if (form === null) { others.push(segment); } else { female = form; }
    });
    var forms = [base].concat(female ? [female] : [], others);
    if (isPlural) { forms = forms.map(plural); }
    return Array.from(new Set(forms));
  }

  /* The words of a text, each as the list of folded full forms it stands for (élu·e·s -> elus, elues). */
  function words(text) {
    var groups = [];
    var folded = fold(text);
    var match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(folded)) !== null) {
      var word = match[0];
      var pieces = [word];
      if (APOSTROPHES.test(word)) {
        pieces = word.split(/['\u2019\u02bc]+/).filter(Boolean);
        while (pieces.length > 1 && ELISIONS.has(pieces[0])) { pieces.shift(); }
        var joined = pieces.join("'");
        if (pieces.length > 1 && LEXICALISED.has(joined)) { groups.push([joined]); continue; }
      }
      pieces.forEach(function (piece) {
        var whole = toMiddleDot(piece);
        groups.push(whole.indexOf("\u00b7") < 0 ? [whole] : expandInclusive(whole));
      });
    }
    return groups.map(function (forms) {
      return forms.filter(function (form) { return !STOP.has(form) && (form.length >= 2 || /^\d+$/.test(form)); });
    }).filter(function (forms) { return forms.length > 0; });
  }

  function known(form) { return Object.prototype.hasOwnProperty.call(index.words, form); }

  /* The index terms of a text, as `outillerie search` computes them (null for a word the table does not hold). */
  function terms(text) {
    var found = [];
    words(text).forEach(function (forms) {
      var seen = new Set();
      forms.forEach(function (form) {
        var term = known(form) ? index.terms[index.words[form]] : null;
        if (!seen.has(term)) { seen.add(term); found.push(term); }
      });
    });
    return found;
  }

  function candidates(forms) {
    var found = new Set();
    forms.forEach(function (form) {
      if (known(form)) { found.add(index.words[form]); return; }
      index.terms.forEach(function (term, number) {
        if (term.startsWith(form) || (term.length >= 4 && form.startsWith(term) && form.length - term.length <= 3)) {
          found.add(number);
        }
      });
    });
    return found;
  }

  var sheetTerms = index.sheets.map(function (row) { return new Set(row[5]); });

  /* The numbers of the sheets matching criteria {objective, public, duration, level, theme, q}. */
  function filter(criteria) {
    var facets = index.facets;
    var objective = criteria.objective ? facets.objective.indexOf(criteria.objective) : -2;
    var audience = criteria.public ? facets.public.indexOf(criteria.public) : -2;
    var level = criteria.level ? facets.level.indexOf(criteria.level) : -2;
    var theme = criteria.theme ? facets.theme.indexOf(criteria.theme) : -2;
    var longest = criteria.duration ? parseInt(criteria.duration, 10) : 0;
    var wanted = words(criteria.q || "").map(candidates);
    var shown = [];
    index.sheets.forEach(function (row, number) {
      if (objective !== -2 && row[0] !== objective) { return; }
      if (audience !== -2 && row[1].indexOf(audience) < 0) { return; }
      if (longest && row[2] > longest) { return; }
      if (level !== -2 && row[3] !== level) { return; }
      if (theme !== -2 && row[4].indexOf(theme) < 0) { return; }
      var terms = sheetTerms[number];
      for (var i = 0; i < wanted.length; i++) {
        var any = false;
        wanted[i].forEach(function (term) { if (terms.has(term)) { any = true; } });
        if (!any) { return; }
      }
      shown.push(number);
    });
    return shown;
  }

  window.outillerie = { fold: fold, words: words, terms: terms, filter: filter };

  var form = document.getElementById("filtres");
  var cards = Array.prototype.slice.call(document.querySelectorAll("#fiches > li"));
  var status = document.getElementById("resultats");
  var none = document.getElementById("aucune");
  var more = document.getElementById("plus");
  if (!form || !more || cards.length !== index.sheets.length) { return; }
  form.hidden = false;
  FIELDS = FIELDS.filter(function (name) { return form.elements[name]; });  // "kind" only when there are programmes
  var lastHash = null;
  var limit = PAGE;

  function criteria() {
    var values = {};
    FIELDS.forEach(function (name) { values[name] = form.elements[name].value.trim(); });
    return values;
  }

  function writeHash(values) {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) { if (values[name]) { params.set(name, values[name]); } });
    var hash = params.toString();
    if (hash === location.hash.slice(1)) { return; }
    lastHash = hash;
    try {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    } catch (error) {
      location.replace("#" + hash);
    }
  }

  /* Show the first `limit` matching cards; the others wait behind the "more" button. */
  function apply() {
    var values = criteria();
    var found = filter(values);
    var visible = new Set(found.slice(0, limit));
    cards.forEach(function (card, number) {
      var hide = !visible.has(number);
      if (card.hidden !== hide) { card.hidden = hide; }
    });
    var total = cards.length, count = found.length;
    var active = FIELDS.some(function (name) { return values[name]; });
    var text = count + " fiche" + (count > 1 ? "s" : "");
    if (active) { text += " sur " + total; }
    if (count > visible.size) { text += " (" + visible.size + " affichées)"; }
    status.textContent = count === 0 ? "Aucune fiche sur " + total : text;
    none.hidden = count !== 0;
    var rest = count - visible.size;
    more.hidden = rest <= 0;
    more.textContent = "Afficher " + Math.min(rest, PAGE) + " fiche" + (Math.min(rest, PAGE) > 1 ? "s" : "") +
      " de plus (" + rest + " restante" + (rest > 1 ? "s" : "") + ")";
    showKinds(values);
    writeHash(values);
    return found;
  }

  /* Programmes beside the sheets (the « Afficher » filter): the same objective, public and words, on their cards. */
  function showKinds(values) {
    var section = document.getElementById("les-programmes");
    var kind = values.kind || "";
    document.getElementById("fiches").hidden = kind === "programmes";
    status.hidden = kind === "programmes";
    if (kind === "programmes") { none.hidden = true; more.hidden = true; }
    if (!section) { return; }
    section.hidden = kind === "fiches";
    var wanted = words(values.q || "").map(function (forms) { return forms; });
    var shown = 0;
    Array.prototype.forEach.call(section.querySelectorAll("#programmes > li"), function (card) {
      var text = fold(card.textContent);
      var hide = (values.objective && card.getAttribute("data-objectives").split(" ").indexOf(values.objective) < 0) ||
        (values.public && card.getAttribute("data-public").split(" ").indexOf(values.public) < 0) ||
        !wanted.every(function (forms) { return forms.some(function (form) { return text.indexOf(form) >= 0; }); });
      card.hidden = Boolean(hide);
      shown += hide ? 0 : 1;
    });
    document.getElementById("resultats-programmes").textContent = shown + " programme" + (shown > 1 ? "s" : "");
  }

  function applyFromStart() {
    limit = PAGE;
    apply();
  }

  function restore() {
    var hash = location.hash.slice(1);
    if (hash === lastHash) { return; }
    var params = new URLSearchParams(hash);
    FIELDS.forEach(function (name) {
      var control = form.elements[name];
      var value = params.get(name) || "";
      if (control.tagName === "SELECT" && !Array.prototype.some.call(control.options, function (o) { return o.value === value; })) {
        value = "";
      }
      control.value = value;
    });
    lastHash = hash;
    applyFromStart();
  }

  form.addEventListener("input", applyFromStart);
  form.addEventListener("change", applyFromStart);
  form.addEventListener("submit", function (event) { event.preventDefault(); applyFromStart(); });
  form.addEventListener("reset", function () { window.setTimeout(applyFromStart, 0); });
  more.addEventListener("click", function () {
    var first = limit;
    limit += PAGE;
    var found = apply();
    var next = cards[found[first]];
    if (next) { next.querySelector("a").focus(); }  // keyboard users go on from the first new card
  });
  window.addEventListener("hashchange", restore);
  if (location.hash.length > 1) { restore(); } else { applyFromStart(); }
}());
