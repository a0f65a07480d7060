/* The catalogue: filters and the full-text search (static/recherche.js) on the index the page embeds, the cards
   rendered from the data a page at a time (without JavaScript the page lists every sheet as a light list). */
(function () {
  "use strict";
  var S = window.outillerieSearch;
  if (!S) { return; }
  var index = S.index;
  var FIELDS = ["objective", "public", "duration", "level", "theme", "q", "kind"];
  var PAGE = 50;  // cards shown at once: laying out 1,000 cards takes a phone far longer than 100 ms
  var words = S.words, fold = S.fold;

  function keeper(criteria) {
    var facets = index.facets;
    var objective = criteria.objective ? facets.objective.indexOf(criteria.objective) : -2;
    var audience = criteria.public ? facets.public.indexOf(criteria.public) : -2;
    var level = criteria.level ? facets.level.indexOf(criteria.level) : -2;
    var theme = criteria.theme ? facets.theme.indexOf(criteria.theme) : -2;
    var longest = criteria.duration ? parseInt(criteria.duration, 10) : 0;
    var shortest = criteria.min ? parseInt(criteria.min, 10) : 0;  // not in the form: « at least », from scripts
    return function (number) {
      var row = index.rows[number];
      return !((shortest && row[2] < shortest) || (objective !== -2 && row[0] !== objective) || (audience !== -2 && row[1].indexOf(audience) < 0) ||
        (longest && row[2] > longest) || (level !== -2 && row[3] !== level) || (theme !== -2 && row[4].indexOf(theme) < 0));
    };
  }

  /* The numbers of the sheets matching criteria {objective, public, duration, level, theme, q}, best first. */
  function filter(criteria) {
    var read = S.intent(criteria.q), chosen = keeper(criteria);  // « 1h30 », « une demi-journée »: a duration filter
    var keep = function (number) {
      var minutes = index.rows[number][2];
      return chosen(number) && !(read.min !== null && minutes < read.min) && !(read.max !== null && minutes > read.max);
    };
    return S.search(read.text, keep).then(function (ranked) {
      if (ranked !== null) { return ranked; }
      var shown = [];
      for (var number = 0; number < index.n; number++) { if (keep(number)) { shown.push(number); } }
      return shown;
    });
  }

  window.outillerie = { fold: fold, words: words, terms: S.terms, filter: filter,
    slugs: function (criteria) {
      return filter(criteria).then(function (found) {
        return S.cards(found).then(function (data) { return data.map(function (card) { return card[0]; }); });
      });
    } };

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function card(data) {  // [slug, title, summary, objective, publics, minutes, level, duration]
    var item = element("li"), article = element("article", { "class": "carte" });
    var title = element("h2"), link = element("a", { href: "fiches/" + data[0] + "/index.html" }, data[1]);
    title.appendChild(link);
    article.appendChild(title);
    article.appendChild(element("p", { "class": "resume" }, data[2]));
    var badges = element("ul", { "class": "badges", "aria-label": "En bref" });
    badges.appendChild(element("li", { "class": "badge objectif objectif-" + data[3] }, index.labels[data[3]] || data[3]));
    badges.appendChild(element("li", { "class": "badge public" }, data[4].join(", ")));
    badges.appendChild(element("li", { "class": "badge duree" }, data[7]));
    if (data[6]) { badges.appendChild(element("li", { "class": "badge niveau" }, data[6])); }
    article.appendChild(badges);
    item.appendChild(article);
    return item;
  }

  var form = document.getElementById("filtres");
  var status = document.getElementById("resultats");
  var none = document.getElementById("aucune");
  var more = document.getElementById("plus");
  if (!form || !more) { return; }
  form.hidden = false;
  FIELDS = FIELDS.filter(function (name) { return form.elements[name]; });  // "kind" only when there are programmes
  /* The filters fold away on a phone so that its first screen shows results; open on wide screens or when a link
     sets one (#public=habitants). */
  var folder = document.getElementById("filtres-replier");
  if (folder && window.matchMedia && window.matchMedia("(max-width: 47.99rem)").matches) {
    var linked = new URLSearchParams(location.hash.slice(1));
    folder.open = FIELDS.some(function (name) { return name !== "q" && linked.get(name); });
  }
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

  var asked = 0;
  /* Show the first `limit` matching cards, rendered from the data; the others wait behind the "more" button. */
  function apply(focusFrom) {
    var values = criteria();
    var ticket = ++asked;
    document.documentElement.setAttribute("data-recherche", "en-cours");  // tests and scripts wait for « pret »
    writeHash(values);
    showKinds(values);
    return filter(values).then(function (found) {
      return S.cards(found.slice(0, limit)).then(function (data) {
        if (ticket !== asked) { return found; }  // a newer query was typed meanwhile
        var list = document.getElementById("fiches");
        var items = data.map(card);
        list.replaceChildren.apply(list, items);
        var total = index.n, count = found.length, shown = items.length;
        var active = FIELDS.some(function (name) { return values[name]; });
        var text = count + " fiche" + (count > 1 ? "s" : "");
        if (active) { text += " sur " + total; }
        if (count > shown) { text += " (" + shown + " affichées)"; }
        status.textContent = count === 0 ? "Aucune fiche sur " + total : text;
        none.hidden = count !== 0 || values.kind === "programmes";
        var rest = count - shown;
        more.hidden = rest <= 0 || values.kind === "programmes";
        more.textContent = "Afficher " + Math.min(rest, PAGE) + " fiche" + (Math.min(rest, PAGE) > 1 ? "s" : "") +
          " de plus (" + rest + " restante" + (rest > 1 ? "s" : "") + ")";
        if (focusFrom !== undefined && items[focusFrom]) { items[focusFrom].querySelector("a").focus(); }
        document.documentElement.setAttribute("data-recherche", "pret");
        return found;
      });
    });
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
    apply(first);  // keyboard users go on from the first new card
  });
  window.addEventListener("hashchange", restore);
  if (location.hash.length > 1) { restore(); } else { applyFromStart(); }
}());
