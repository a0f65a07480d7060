/* The site's full-text search: the command line's BM25F ranking, on an index cut in parts (the words of a query come
   from static/analyse.js, the analyzer's rules). The page embeds what ranks and filters every sheet (#index-fiches);
   the words and postings of the terms starting with two letters XX come from recherche/mots-XX.js, a card's text
   from recherche/fiches-N.js: script files, which load from file:// where fetch cannot. Scoring mirrors Whoosh's
   BM25F (B 0.75, K1 1.2, idf log(N/(df+1))+1, field lengths stored on one byte), with the fields' weights of
   search/engine.py. The words typed come first, as in search/query.py: when they alone fill two pages, synonyms
   are not used; otherwise every sheet that holds them comes before every sheet found by a synonym only, each tier
   in BM25 order. */
(function () {
  "use strict";
  var A = window.outillerieAnalyse;  // static/analyse.js: the index the page embeds, the analyzer's rules
  if (!A) { return; }
  var index = A.index, fold = A.fold, words = A.words, intent = A.intent, isAcronym = A.isAcronym;
  var partsFolder = A.source.getAttribute("data-parts") || "recherche/";
  var B = 0.75, K1 = 1.2, ACRONYMS = index.boosts.length - 1;
  var FEW = 3, TYPED_ENOUGH = 2 * 10;  // search/query.py: FEW, EXACT_PAGES × the default --limit of `outillerie search`
  var SYNONYM_FIELDS = [0, 1, 2, 4];  // search/engine.py: a synonym is looked for in the title, summary, tags and body
  var existing = new Set(index.parts);

  /* ---- parts, loaded once each as script files ---- */
  var loaded = Object.create(null), waiting = Object.create(null);
  window.outillerieIndex = function (kind, name, data) {
    var key = name ? kind + "-" + name : kind;
    loaded[key] = data;
    (waiting[key] || []).forEach(function (done) { done(data); });
    delete waiting[key];
  };
  function load(kind, name) {
    var key = name ? kind + "-" + name : kind;
    if (key in loaded) { return Promise.resolve(loaded[key]); }
    if (kind === "mots" && !existing.has(name)) { return Promise.resolve(null); }
    return new Promise(function (resolve) {
      if (waiting[key]) { waiting[key].push(resolve); return; }
      waiting[key] = [resolve];
      var script = document.createElement("script");
      script.src = partsFolder + key + ".js";
      script.onerror = function () { loaded[key] = null; window.outillerieIndex(kind, name, null); };
      document.head.appendChild(script);
    });
  }
  function partName(term) {
    var key = fold(term.replace(/^[@~]+/, "")).slice(0, 2).toLowerCase();
    while (Array.from(key).length < 2) { key += "_"; }
    return Array.from(key).map(function (c) { return /^[a-z0-9_]$/.test(c) ? c : "-" + c.codePointAt(0).toString(16); }).join("");
  }
  function loadAll(kind, names) {
    return Promise.all(Array.from(new Set(names)).map(function (name) { return load(kind, name); }));
  }
  function shard(term) { return loaded["mots-" + partName(term)] || null; }
  function lookup(form) {
    var part = shard(form);
    if (part && Object.prototype.hasOwnProperty.call(part.w, form)) { return part.w[form]; }
    return [form, form.replace(/(es|e|s)$/, "")].filter(function (t) { return t.length > 2 && postings(t); }).slice(0, 1);
  }
  function postings(term) {
    var part = shard(term);
    return part && Object.prototype.hasOwnProperty.call(part.p, term) ? part.p[term] : null;
  }

  /* ---- BM25F, as Whoosh scores ---- */
  var termCache = Object.create(null);
  function termInfo(term) {  // {scores: Map sheet -> summed weighted score, fields: Map sheet -> matched fields, leaves}
    if (termCache[term]) { return termCache[term]; }
    var list = postings(term) || [], df = new Array(index.boosts.length).fill(0), i;
    for (i = 0; i < list.length; i += 2) { df[list[i] & 7] += 1; }
    var scores = new Map(), fields = new Map(), perField = new Map(), n = index.n;
    for (i = 0; i < list.length; i += 2) {
      var sheet = list[i] >> 3, field = list[i] & 7, tf = list[i + 1];
      var idf = Math.log(n / (df[field] + 1)) + 1;
      var fl = index.rows[sheet][5][field], avg = index.avg[field];
      var boost = field === ACRONYMS ? index.acronymBoost : index.boosts[field];
      var score = idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avg)) * boost;
      scores.set(sheet, (scores.get(sheet) || 0) + score);
      perField.set(list[i], score);
      fields.set(sheet, (fields.get(sheet) || 0) + 1);
    }
    var info = { scores: scores, fields: fields, perField: perField, leaves: df.filter(Boolean).length, df: df };
    if (shard(term)) { termCache[term] = info; }  // never keep what a part not loaded yet would have said
    return info;
  }
  function node(scores, leaves, matched) { return { scores: scores, leaves: leaves, matched: matched }; }
  function scaled(a, factor) {
    var scores = new Map();
    a.scores.forEach(function (v, k) { scores.set(k, v * factor); });
    return node(scores, a.leaves, a.matched);
  }
  function either(list) {  // Or: the sum of the parts that match
    var scores = new Map(), matched = new Map(), leaves = 0;
    list.forEach(function (part) {
      leaves += part.leaves;
      part.scores.forEach(function (v, k) {
        scores.set(k, (scores.get(k) || 0) + v);
        matched.set(k, (matched.get(k) || 0) + (part.matched.get(k) || 0));
      });
    });
    return node(scores, leaves, matched);
  }
  function all(list) {  // And: every part matches, scores summed
    if (!list.length) { return node(new Map(), 0, new Map()); }
    var result = either(list);
    result.scores.forEach(function (v, k) {
      if (!list.every(function (part) { return part.scores.has(k); })) { result.scores.delete(k); }
    });
    return result;
  }
  function best(list) {  // DisjunctionMax: the best part counts
    var scores = new Map(), matched = new Map(), leaves = 0;
    list.forEach(function (part) {
      leaves += part.leaves;
      part.scores.forEach(function (v, k) {
        if (!scores.has(k) || v > scores.get(k)) { scores.set(k, v); }
        matched.set(k, (matched.get(k) || 0) + (part.matched.get(k) || 0));
      });
    });
    return node(scores, leaves, matched);
  }
  function termsNode(terms, boost) {  // any of the terms in any field
    return either(terms.map(function (term) {
      var info = termInfo(term);
      var scores = info.scores;
      if (term.charAt(0) === "@") {  // acronyms: their own field only
        scores = new Map(); info.scores.forEach(function (v, k) { scores.set(k, v); });
      }
      return scaled(node(scores, info.leaves, info.fields), boost);
    }));
  }
  function phraseNode(terms) {  // a synonym of several words: in a field where they follow each other (the export
    var list = postings("~" + terms.join(" ")) || [], scores = new Map(), fields = new Map();  // lists those fields
    var infos = terms.map(termInfo);  // under "~term term"), scored as Whoosh's Phrase: the sum of its terms' scores
    if (terms.length === 1) {  // in that field; a synonym of one word: its term's fields
      list = [];
      infos[0].perField.forEach(function (score, key) { list.push(key, 1); });
    }
    for (var i = 0; i < list.length; i += 2) {
      if (SYNONYM_FIELDS.indexOf(list[i] & 7) < 0) { continue; }
      var sheet = list[i] >> 3, score = 0;
      infos.forEach(function (info) { score += info.perField.get(list[i]) || 0; });
      scores.set(sheet, (scores.get(sheet) || 0) + score);
      fields.set(sheet, (fields.get(sheet) || 0) + 1);
    }
    return node(scores, terms.length > 1 ? 1 : infos[0].df.filter(function (df, field) {
      return df && SYNONYM_FIELDS.indexOf(field) >= 0;
    }).length, fields);
  }
  /* ---- the query: words (with the thesaurus), OU, SAUF and -, prefixes* ---- */
  var thesaurusFirst = new Map();
  index.thesaurus.forEach(function (group, number) {
    group.forEach(function (entry) {
      var list = thesaurusFirst.get(entry[1][0]) || [];
      list.push([number, entry]);
      thesaurusFirst.set(entry[1][0], list);
    });
  });
  thesaurusFirst.forEach(function (list) { list.sort(function (a, b) { return b[1][1].length - a[1][1].length; }); });

  function parse(text) {
    var items = [], run = [], pendingOr = false, plain = true;
    function push(item) {
      if (pendingOr && items.length) { items[items.length - 1] = { kind: "or", parts: [items[items.length - 1], item] }; }
      else { items.push(item); }
      pendingOr = false;
    }
    function flush() { if (run.length) { push({ kind: "words", words: run }); run = []; } }
    var tokens = text.match(/"[^"]*"?|\S+/g) || [], exclude = false;
    tokens.forEach(function (raw) {
      var token = raw.replace(/^[(]+|[)]+$/g, "");
      if (token === "OU" || token === "OR") { flush(); pendingOr = true; plain = false; return; }
      if (token === "ET" || token === "AND") { flush(); plain = false; return; }
      if (token === "SAUF" || token === "NOT" || token === "ANDNOT") { flush(); exclude = true; plain = false; return; }
      if (token !== raw || /^["+]/.test(token)) { plain = false; }
      if (token.charAt(0) === "-" && token.length > 1) { exclude = true; token = token.slice(1); plain = false; }
      token = token.replace(/^\+/, "");
      if (exclude) { flush(); items.push({ kind: "not", words: [token.replace(/"/g, "")] }); exclude = false; return; }
      if (/\*/.test(token)) { flush(); push({ kind: "prefix", text: token.split("*")[0] }); plain = false; return; }
      if (token.charAt(0) === "\"") { flush(); push({ kind: "words", words: [token.replace(/"/g, "")], phrase: true }); return; }
      if (token) { run.push(token); }
    });
    flush();
    return { items: items, plain: plain && tokens.length > 1 };
  }

  function typedWords(list) {  // [{typed, forms}] for the words of the tokens
    var found = [];
    list.forEach(function (typed) {
      words(typed).forEach(function (forms) { found.push({ typed: typed, forms: forms }); });
    });
    return found;
  }
  function neededForms(items) {
    var forms = [];
    items.forEach(function (item) {
      if (item.parts) { forms = forms.concat(neededForms(item.parts)); return; }
      if (item.words) { typedWords(item.words).forEach(function (w) { forms = forms.concat(w.forms); }); }
      if (item.kind === "prefix") { forms.push(fold(item.text)); }
    });
    return forms;
  }

  function expansions(list) {  // consecutive typed words, grouped by the thesaurus (the longest entry first)
    var kept = typedWords(list).map(function (w) {
      var alternatives = [];
      w.forms.forEach(function (form) { lookup(form).forEach(function (t) { if (alternatives.indexOf(t) < 0) { alternatives.push(t); } }); });
      var own = (index.thesaurusWords[w.forms[0]] || alternatives)[0];
      return { typed: w.typed, alternatives: alternatives, primary: own };
    });
    var found = [], start = 0;
    while (start < kept.length) {
      var match = null;
      (thesaurusFirst.get(kept[start].primary) || []).some(function (pair) {
        var terms = pair[1][1];
        var ok = terms.every(function (term, i) { return kept[start + i] && kept[start + i].primary === term; });
        if (ok) { match = pair; }
        return ok;
      });
      var size = match ? match[1][1].length : 1;
      var span = kept.slice(start, start + size);
      var synonyms = match ? index.thesaurus[match[0]].filter(function (entry) {
        return entry[1].join(" ") !== match[1][1].join(" ");
      }) : [];
      found.push({ words: span, synonyms: synonyms });
      start += size;
    }
    return found;
  }
  function synonymTerms(items) {
    var terms = [];
    items.forEach(function (item) {
      if (item.parts) { terms = terms.concat(synonymTerms(item.parts)); return; }
      if (item.words && !item.phrase && item.kind !== "not") {
        expansions(item.words).forEach(function (e) {
          e.words.forEach(function (w) {
            terms = terms.concat(w.alternatives);
            if (isAcronym(w.typed)) { terms.push("@" + w.typed); }
          });
          e.synonyms.forEach(function (entry) {
            terms = terms.concat(entry[1]);
            if (entry[1].length > 1) { terms.push("~" + entry[1].join(" ")); }
            if (isAcronym(entry[0])) { terms.push("@" + entry[0]); } });
        });
      }
    });
    return terms;
  }

  function expansionNode(e, synonymsToo) {  // the words typed (kept on `e`: the typed query and the expanded one share it)
    e.asTyped = e.asTyped || typedNode(e);
    if (!synonymsToo || !e.synonyms.length) { return e.asTyped; }
    var synonyms = best(e.synonyms.map(function (entry) {
      var parts = [phraseNode(entry[1])];
      if (isAcronym(entry[0])) { parts.push(termsNode(["@" + entry[0]], 1)); }
      return either(parts);
    }));
    return either([e.asTyped, scaled(synonyms, index.synonymWeight)]);
  }
  function typedNode(e) {
    var each = e.words.map(function (w) {
      var plainWord = termsNode(w.alternatives, 1);
      if (isAcronym(w.typed) && postings("@" + w.typed)) {
        return either([termsNode(["@" + w.typed], 1), scaled(plainWord, 0.1)]);
      }
      return plainWord;
    });
    return each.length === 1 ? each[0] : all(each);
  }
  function itemNode(item, synonymsToo) {  // a phrase in quotes is taken as typed (never its synonyms)
    if (item.kind === "or") { return either(item.parts.map(function (part) { return itemNode(part, synonymsToo); })); }
    if (item.kind === "prefix") { return prefixNode(fold(item.text)); }
    item.expanded = item.expanded || expansions(item.words);
    return all(item.expanded.map(function (e) { return expansionNode(e, synonymsToo && !item.phrase); }));
  }
  function synonymous(items) {  // does the query look for any synonym?
    return items.some(function (item) {
      return item.parts ? synonymous(item.parts) : item.expanded && !item.phrase &&
        item.expanded.some(function (e) { return e.synonyms.length > 0; });
    });
  }
  function prefixNode(text) {  // Whoosh scores a prefix constantly: each field it is found in counts its weight
    var part = shard(text), scores = new Map(), matched = new Map();
    if (!part) { return node(scores, 0, matched); }
    Object.keys(part.p).forEach(function (term) {
      if (term.indexOf(text) !== 0) { return; }
      var list = part.p[term];
      for (var i = 0; i < list.length; i += 2) {
        var sheet = list[i] >> 3, field = list[i] & 7;
        if (field === ACRONYMS) { continue; }
        scores.set(sheet, Math.max(scores.get(sheet) || 0, 0));
        matched.set(sheet, (matched.get(sheet) || 0) | (1 << field));
      }
    });
    matched.forEach(function (fields, sheet) {
      var total = 0;
      index.boosts.forEach(function (boost, field) { if (fields & (1 << field)) { total += boost; } });
      scores.set(sheet, total);
    });
    return node(scores, 1, matched);
  }
  function coord(n, scale) {  // Whoosh's « more words, higher » Or (CoordMatcher, scale 0.9)
    var scores = new Map(), t = n.leaves;
    n.scores.forEach(function (score, sheet) {
      var m = n.matched.get(sheet) || 0;
      scores.set(sheet, t === 0 || t === scale ? 0 : (score + (m - 1) / Math.pow(t - scale, 2)) * ((t - 1) / t));
    });
    return node(scores, n.leaves, n.matched);
  }

  /* ---- a query that finds nothing: its unknown words corrected, as search/suggest.py does ---- */
  var OPERATORS = new Set(["ET", "OU", "SAUF", "AND", "OR", "NOT", "ANDNOT"]);
  function distance(a, b, most) {  // Levenshtein, or most + 1 when further (Whoosh's automaton: no transposition)
    if (Math.abs(a.length - b.length) > most) { return most + 1; }
    var previous = [], i, j;
    for (j = 0; j <= b.length; j++) { previous.push(j); }
    for (i = 1; i <= a.length; i++) {
      var current = [i], low = i;
      for (j = 1; j <= b.length; j++) {
        current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
        low = Math.min(low, current[j]);
      }
      if (low > most) { return most + 1; }
      previous = current;
    }
    return previous[b.length];
  }
  function matching(a, b) {  // the matched characters of Python's difflib.SequenceMatcher(None, a, b)
    var where = new Map();
    Array.from(b).forEach(function (c, j) { var list = where.get(c) || []; list.push(j); where.set(c, list); });
    function longest(alo, ahi, blo, bhi) {
      var besti = alo, bestj = blo, bestsize = 0, lengths = new Map();
      for (var i = alo; i < ahi; i++) {
        var next = new Map();
        (where.get(a[i]) || []).forEach(function (j) {
          if (j < blo || j >= bhi) { return; }
          var k = (lengths.get(j - 1) || 0) + 1;
          next.set(j, k);
          if (k > bestsize) { besti = i - k + 1; bestj = j - k + 1; bestsize = k; }
        });
        lengths = next;
      }
      while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) { besti--; bestj--; bestsize++; }
      while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) { bestsize++; }
      return [besti, bestj, bestsize];
    }
    var total = 0, queue = [[0, a.length, 0, b.length]];
    while (queue.length) {
      var q = queue.pop(), m = longest(q[0], q[1], q[2], q[3]);
      if (!m[2]) { continue; }
      total += m[2];
      if (q[0] < m[0] && q[2] < m[1]) { queue.push([q[0], m[0], q[2], m[1]]); }
      if (m[0] + m[2] < q[1] && m[1] + m[2] < q[3]) { queue.push([m[0] + m[2], q[1], m[1] + m[2], q[3]]); }
    }
    return total;
  }
  function ratio(a, b) { return a.length + b.length ? 2 * matching(a, b) / (a.length + b.length) : 1; }
  function closeMatches(word, possibilities, n, cutoff) {  // difflib.get_close_matches
    var found = [];
    possibilities.forEach(function (x) {
      var r = ratio(x, word);
      if (r >= cutoff) { found.push([r, x]); }
    });
    found.sort(function (p, q) { return q[0] - p[0] || (q[1] > p[1] ? 1 : q[1] < p[1] ? -1 : 0); });
    return found.slice(0, n).map(function (pair) { return pair[1]; });
  }
  function fieldSuggestions(frequency, word) {  // Whoosh's ReaderCorrector.suggest(word, limit=3, maxdist=2)
    var found = [];
    Object.keys(frequency).forEach(function (candidate) {
      if (distance(word, candidate, 2) <= 2) { found.push([-(2 + 1 / (frequency[candidate] || 1) * 0.5), candidate]); }
    });
    found.sort(function (p, q) { return q[0] - p[0] || (q[1] > p[1] ? 1 : q[1] < p[1] ? -1 : 0); });
    return found.slice(0, 3).map(function (pair) { return pair[1]; });
  }
  function known(word) {  // every term of the word (or of its accented spelling) is in the library
    var groups = words(word);
    return groups.length > 0 && groups.every(function (forms) { return forms.some(function (f) { return lookup(f).length > 0; }); });
  }
  function suggestion(word, spelling, thesaurus) {
    var folded = fold(word), found = new Set();
    spelling.fields.forEach(function (frequency) { fieldSuggestions(frequency, folded).forEach(function (w) { found.add(w); }); });
    closeMatches(folded, spelling.thesaurus, 2, 0.8).forEach(function (w) { found.add(w); });
    found.delete(folded);
    var best = null, score = -1;
    Array.from(found).sort().forEach(function (close) {
      var r = ratio(folded, close);
      if (r > score) { best = close; score = r; }
    });
    return best;
  }
  var TYPED = /(?<![\p{L}\p{N}_-])[\p{L}][\p{L}\p{N}_'\u2019\u00b7.-]*/gu;
  function corrected(text) {  // a promise of the query with its unknown words replaced, or null
    var typed = [], match;
    TYPED.lastIndex = 0;
    while ((match = TYPED.exec(text)) !== null) {
      var w = match[0];
      if (!OPERATORS.has(w) && w.indexOf("*") < 0 && !text.slice(0, match.index).endsWith("-") && words(w).length) {
        typed.push({ text: w, start: match.index, end: match.index + w.length });
      }
    }
    var forms = [];
    typed.forEach(function (w, i) {
      words(w.text).forEach(function (g) { forms = forms.concat(g); });
      if (typed[i + 1]) { forms.push(fold(w.text + typed[i + 1].text)); }
    });
    return Promise.all([load("orthographe", ""), loadAll("mots", forms.map(partName))]).then(function (got) {
      var spelling = got[0], thesaurus = new Set(spelling ? spelling.thesaurus : []), replaced = [], skip = -1;
      if (!spelling) { return null; }
      typed.forEach(function (w, number) {
        if (number <= skip || known(w.text) || thesaurus.has(fold(w.text.toLowerCase())) || isAcronym(w.text)) { return; }
        var pairs = [[number, number + 1], [number - 1, number]];
        for (var i = 0; i < pairs.length; i++) {
          var first = typed[pairs[i][0]], last = typed[pairs[i][1]];
          if (!first || !last || text.slice(first.end, last.start).trim()) { continue; }
          if (known(first.text + last.text)) {
            replaced.push([first.start, last.end, fold(first.text + last.text)]);
            skip = pairs[i][1];
            return;
          }
        }
        var close = suggestion(w.text, spelling, thesaurus);
        if (close) { replaced.push([w.start, w.end, close]); }
      });
      if (!replaced.length) { return null; }
      replaced.sort(function (p, q) { return q[0] - p[0]; }).forEach(function (r) { text = text.slice(0, r[0]) + r[2] + text.slice(r[1]); });
      return text;
    });
  }

  /* The ranked sheet numbers for a query and a filter function (a promise: the parts load first). */
  function search(text, keep, fixing) {
    var query = parse(text || "");
    var forms = neededForms(query.items.concat(query.items.filter(function (i) { return i.kind === "not"; })));
    return loadAll("mots", forms.map(partName)).then(function () {
      var terms = synonymTerms(query.items);
      return loadAll("mots", terms.map(partName));
    }).then(function () {
      var positive = query.items.filter(function (i) { return i.kind !== "not"; });
      var negative = query.items.filter(function (i) { return i.kind === "not"; });
      if (!positive.length) { return null; }
      var parsed = all(positive.map(function (item) { return itemNode(item, true); }));
      var excluded = new Set();  // excluding a word never excludes its synonyms
      negative.forEach(function (item) { itemNode(item, false).scores.forEach(function (v, k) { excluded.add(k); }); });
      var scores = filtered(parsed.scores, keep, excluded), typed = null;
      if (!fixing && synonymous(positive)) {  // the words typed first (a corrected query is ranked as a whole, as
        typed = filtered(all(positive.map(function (item) { return itemNode(item, false); })).scores, keep, excluded);
        if (typed.size >= Math.max(TYPED_ENOUGH, FEW)) { return ranking(typed); }  // in search/query.py): two pages
      }  // of them and the synonyms are not used; fewer, and they all come before the sheets of a synonym only
      if (scores.size === 0 && !fixing) {  // nothing: the query with its unknown words corrected, when that finds
        return corrected(text).then(function (fixed) {
          return fixed === null ? relaxed(query, parsed, scores, keep, excluded) : search(fixed, keep, true).then(function (found) {
            return found && found.length ? found : relaxed(query, parsed, scores, keep, excluded);
          });
        });
      }
      return relaxed(query, parsed, scores, keep, excluded, fixing, typed);
    });
  }
  function relaxed(query, parsed, scores, keep, excluded, fixing, typed) {  // a corrected query is never relaxed
      var positive = query.items.filter(function (i) { return i.kind !== "not"; });
      if (scores.size < FEW && query.plain && !fixing) {  // few sheets hold every word: then those holding the most
        var loose = coord(either(positive.map(function (item) {  // of them (ranked as a whole, like the terminal)
          return either((item.expanded || expansions(item.words || [])).map(function (e) { return expansionNode(e, true); }));
        })), 0.9);
        var both = filtered(either([parsed, loose]).scores, keep, excluded);
        if (both.size >= scores.size + 1) { return ranking(both); }
      }
      return ranking(scores, typed && typed.size ? typed : null);
  }
  function ranking(scores, first) {  // best first; with `first` (the scores of the words typed) its sheets before all
    function order(by) { return function (a, b) { return by.get(b) - by.get(a) || a - b; }; }  // the others
    if (!first) { return Array.from(scores.keys()).sort(order(scores)); }
    var rest = Array.from(scores.keys()).filter(function (sheet) { return !first.has(sheet); });
    return Array.from(first.keys()).sort(order(first)).concat(rest.sort(order(scores)));
  }
  function filtered(scores, keep, excluded) {
    var result = new Map();
    scores.forEach(function (v, k) { if (!excluded.has(k) && (!keep || keep(k))) { result.set(k, v); } });
    return result;
  }

  /* The index terms of a text, as `outillerie search` computes them (null for a word the library does not hold). */
  function terms(text) {
    var groups = words(text);
    return loadAll("mots", [].concat.apply([], groups).map(partName)).then(function () {
      var found = [];
      groups.forEach(function (forms) {
        var seen = new Set();
        forms.forEach(function (form) {
          var list = lookup(form), term = list.length ? list[0] : null;
          if (!seen.has(term)) { seen.add(term); found.push(term); }
        });
      });
      return found;
    });
  }
  function cards(numbers) {  // the card data of sheets, by number (their parts loaded first)
    var per = index.perPart;
    return loadAll("fiches", numbers.map(function (n) { return String(Math.floor(n / per)); })).then(function () {
      return numbers.map(function (n) { return (loaded["fiches-" + Math.floor(n / per)] || [])[n % per]; });
    });
  }

  window.outillerieSearch = { fold: fold, words: words, intent: intent, terms: terms, search: search, cards: cards, index: index, synonymFields: SYNONYM_FIELDS,
                              loaded: function () { return Object.keys(loaded).length; } };
}());
