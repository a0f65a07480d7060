/* The command line's analyzer rules in the browser (french/analysis.py, french/thesaurus.py, search/intent.py): the
   words of a text, folded and with inclusive writing spread (élu·e·s -> elus, elues), acronyms, and durations typed
   as words. Reads the index the catalogue embeds (#index-fiches) once, for recherche.js and catalogue.js. */
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
      if (base.endsWith(suffix) && base.length > suffix.length) { return base.slice(0, -suffix.length) + options[i][1]; }
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
      var pieces = [match[0]];
      if (APOSTROPHES.test(match[0])) {
        pieces = match[0].split(/['\u2019\u02bc]+/).filter(Boolean);
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

  /* ---- a duration typed in words becomes the duration filter, as search/intent.py reads it (the page gets
     its pattern and numbers from sheets/durations.py) ---- */
  var DURATION = new RegExp(index.durations.pattern, "g");
  function number(text) { return /^\d+$/.test(text) ? parseInt(text, 10) : index.durations.numbers[text]; }
  function minutes(g) {  // [min, max] a duration phrase means: an amount alone is an upper bound, « plus de » a lower one
    var before = (g.before || "").trim(), after = (g.after || "").trim(), amount;
    if (g.halfday) {
      var band = index.durations.halfDay;
      return !g.before ? band : g.before.indexOf("moins") >= 0 ? [null, band[1]] : [band[0], null];
    }
    if (g.day) { return [index.durations.day, null]; }
    if (g.halfhour) { amount = 30; }
    else if (g.minutes) { amount = number(g.minutes); }
    else { amount = number(g.hours) * 60 + (g.mins ? parseInt(g.mins, 10) : g.half ? 30 : 0); }
    if (/^plus/.test(before) || before === "au moins" || before === "au minimum" || /^min/.test(before) ||
        /^(min|au moins|ou plus)/.test(after)) {
      return [/^plus/.test(before) ? amount + 1 : amount, null];
    }
    return [null, /^moins/.test(before) ? amount - 1 : amount];
  }
  function intent(text) {  // {text: the words left to search, min, max}
    text = text || "";
    var folded = fold(text), low = null, high = null, kept = [], cursor = 0, match;
    if (folded.length !== text.length) { folded = text.toLowerCase(); }
    DURATION.lastIndex = 0;
    while ((match = DURATION.exec(folded)) !== null) {
      if (match[0] === "") { DURATION.lastIndex += 1; continue; }
      var bounds = minutes(match.groups);
      if (bounds[1] !== null && bounds[1] < 1) { continue; }
      if (bounds[0] !== null && (low === null || bounds[0] > low)) { low = bounds[0]; }
      if (bounds[1] !== null && (high === null || bounds[1] < high)) { high = bounds[1]; }
      kept.push(text.slice(cursor, match.index));
      cursor = match.index + match[0].length;
    }
    kept.push(text.slice(cursor));
    return { text: kept.join(" ").split(/\s+/).filter(Boolean).join(" "), min: low, max: high };
  }
  function isAcronym(word) {
    var letters = Array.from(word).filter(function (c) { return /[\p{L}\p{N}]/u.test(c); });
    if (letters.length < 2 || letters.length > 10 || letters.length !== word.replace(/[-.]/g, "").length) { return false; }
    var capitals = letters.filter(function (c) { return c !== c.toLowerCase(); }).length;
    return capitals >= 2 && !/\p{Ll}{3}/u.test(word);
  }

  window.outillerieAnalyse = { index: index, source: source, fold: fold, words: words, intent: intent, isAcronym: isAcronym };
}());
