/* The programme composer: on a sheet page, « Ajouter au programme »; on composer/index.html, the programme panel.
   Works from file:// and offline: the sheets' data is embedded in the page, the programme lives in localStorage
   only. Clock times follow outillerie/sheets/agenda.py (a shortened sheet keeps its « Pause » steps whole, the
   other steps are scaled in proportion and rounded to 5 minutes); the downloaded index.md passes outillerie check. */
(function () {
  "use strict";
  var KEY = "outillerie-programme";
  var ROUNDING = 5, LONGEST = 90, DAY = 1440;
  var SHARE_ALIKE = ["CC-BY-SA-4.0", "LAL-1.3", "ODbL-1.0"];

  function fresh() { return { title: "", authors: "", participants: "", sessions: [{ date: "", start: "9:00", items: [] }] }; }
  function load() {
    try {
      var state = JSON.parse(window.localStorage.getItem(KEY));
      if (state && Array.isArray(state.sessions) && state.sessions.length) { return state; }
    } catch (error) { /* nothing kept, or not readable: start afresh */ }
    return fresh();
  }
  function save(state) {
    try { window.localStorage.setItem(KEY, JSON.stringify(state)); return true; } catch (error) { return false; }
  }

  /* --- A sheet page: « Ajouter au programme » --- */
  var addButton = document.getElementById("ajouter-programme");
  if (addButton) {
    addButton.closest(".ajout-programme").hidden = false;
    addButton.addEventListener("click", function () {
      var state = load();
      state.sessions[state.sessions.length - 1].items.push({ kind: "sheet", sheet: addButton.getAttribute("data-slug") });
      var count = state.sessions.reduce(function (n, s) { return n + s.items.length; }, 0);
      document.getElementById("ajout-etat").textContent = save(state)
        ? "Fiche ajoutée au programme (" + count + " élément" + (count > 1 ? "s" : "") + ")."
        : "Impossible d'enregistrer dans ce navigateur (stockage local désactivé).";
    });
  }

  var source = document.getElementById("donnees-compositeur");
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  var sheets = {};
  data.sheets.forEach(function (sheet) { sheets[sheet.slug] = sheet; });
  var state = load();
  state.sessions.forEach(function (session) {
    session.items = session.items.filter(function (item) { return item.kind !== "sheet" || sheets[item.sheet]; });
  });

  /* --- Times --- */
  function parseClock(text) {
    var match = /^\s*(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?\s*$/.exec((text || "").replace(/[\u00a0\u202f]/g, " "));
    if (!match || (text.indexOf(":") >= 0 && match[2] === undefined)) { return null; }
    var hours = parseInt(match[1], 10), minutes = parseInt(match[2] || "0", 10);
    return hours > 23 || minutes > 59 ? null : hours * 60 + minutes;
  }
  function clock(minutes) {
    var rest = ((minutes % DAY) + DAY) % DAY;
    return Math.floor(rest / 60) + "\u00a0h\u00a0" + (rest % 60 < 10 ? "0" : "") + (rest % 60);
  }
  function duration(minutes) {
    var hours = Math.floor(minutes / 60), rest = minutes % 60;
    if (!hours) { return rest + "\u00a0min"; }
    return hours + "\u00a0h" + (rest ? "\u00a0" + (rest < 10 ? "0" : "") + rest : "");
  }
  function sum(list) { return list.reduce(function (a, b) { return a + b; }, 0); }

  function scaleSteps(lengths, breaks, target) {
    var kept = 0, others = [];
    lengths.forEach(function (length, i) { if (breaks[i]) { kept += length; } else { others.push(i); } });
    if (kept > target || !others.length) { kept = 0; others = lengths.map(function (_, i) { return i; }); }
    var result = lengths.map(function (length, i) { return others.indexOf(i) >= 0 ? 0 : length; });
    if (!others.length) { return result; }
    var room = target - kept, base = sum(others.map(function (i) { return lengths[i]; }));
    var units = Math.floor(room / ROUNDING), remainder = room - units * ROUNDING;
    var shares = others.map(function (i) { return base ? lengths[i] * units / base : units / others.length; });
    var floor = units >= others.length ? 1 : 0;
    var given = shares.map(function (share) { return Math.max(floor, Math.floor(share)); });
    while (sum(given) > units) {
      var largest = 0;
      for (var n = 1; n < given.length; n++) {
        var a = [given[n] > floor, given[n] - shares[n]], b = [given[largest] > floor, given[largest] - shares[largest]];
        if (a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])) { largest = n; }
      }
      given[largest] -= 1;
    }
    var order = others.map(function (_, n) { return n; }).sort(function (x, y) {
      var fx = shares[x] - Math.floor(shares[x]), fy = shares[y] - Math.floor(shares[y]);
      return fy - fx || x - y;
    });
    order.slice(0, units - sum(given)).forEach(function (position) { given[position] += 1; });
    others.forEach(function (i, position) { result[i] = given[position] * ROUNDING; });
    result[others[others.length - 1]] += remainder;
    return result;
  }

  function itemMinutes(item) {
    if (item.kind === "sheet") { return item.minutes || sheets[item.sheet].duration; }
    return item.minutes || 0;
  }
  function itemTitle(item) {
    if (item.kind === "sheet") { return sheets[item.sheet].title; }
    return item.title || { "break": "Pause", meal: "Repas" }[item.kind] || "Temps libre";
  }
  /* Every session with its items and steps timed: [{start, end, items: [{item, title, start, minutes, steps}]}]. */
  function timed() {
    return state.sessions.map(function (session) {
      var start = parseClock(session.start);
      var clockNow = start === null ? 540 : start;
      var items = session.items.map(function (item) {
        var minutes = itemMinutes(item), steps = [];
        if (item.kind === "sheet") {
          var sheet = sheets[item.sheet];
          var lengths = sheet.steps.map(function (s) { return s[1]; });
          var breaks = sheet.steps.map(function (s) { return s[2]; });
          var fitted = sum(lengths) === minutes ? lengths : scaleSteps(lengths, breaks, minutes);
          var at = clockNow;
          sheet.steps.forEach(function (s, i) { steps.push({ title: s[0], start: at, minutes: fitted[i], original: s[1], isBreak: s[2] }); at += fitted[i]; });
        }
        var entry = { item: item, title: itemTitle(item), start: clockNow, minutes: minutes, steps: steps };
        clockNow += minutes;
        return entry;
      });
      return { session: session, start: start === null ? 540 : start, validStart: start !== null, end: clockNow, items: items };
    });
  }
  function alerts(sessions) {
    var found = [];
    sessions.forEach(function (s, number) {
      if (!s.validStart) { found.push("Séance " + (number + 1) + " : l'heure de début « " + s.session.start + " » n'est pas comprise (écrivez 9 h 30)."); }
      if (s.end > DAY) { found.push("Séance " + (number + 1) + " : elle passe minuit (fin à " + clock(s.end) + " le lendemain)."); }
      var run = 0, warned = false;
      s.items.forEach(function (entry) {
        var pieces = entry.steps.length ? entry.steps.map(function (st) { return [st.minutes, st.isBreak]; })
          : [[entry.minutes, entry.item.kind === "break" || entry.item.kind === "meal"]];
        pieces.forEach(function (piece) {
          if (piece[1] && piece[0]) { run = 0; warned = false; } else if (!piece[1]) {
            run += piece[0];
            if (run > LONGEST && !warned) { warned = true; found.push("Séance " + (number + 1) + " : plus de 90 min d'activité sans pause avant « " + entry.title + " ». Ajoutez une pause."); }
          }
        });
      });
    });
    return found;
  }

  /* --- Rendering --- */
  function escape(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }
  var container = document.getElementById("c-seances");
  var panel = document.getElementById("compositeur");
  var status = document.getElementById("c-etat");
  panel.hidden = false;

  var select = document.getElementById("c-fiche");
  select.innerHTML = data.sheets.map(function (sheet) {
    return '<option value="' + escape(sheet.slug) + '">' + escape(sheet.title) + " (" + escape(duration(sheet.duration)) + ")</option>";
  }).join("");

  function stepsHtml(entry) {
    if (!entry.steps.length) { return ""; }
    return '<ol class="etapes">' + entry.steps.map(function (step) {
      return "<li" + (step.minutes ? "" : ' class="retiree"') + '><span class="heure">' + clock(step.start) + "</span> " + escape(step.title) +
        " (" + (step.minutes ? duration(step.minutes) : "retirée") + ")</li>";
    }).join("") + "</ol>";
  }

  function itemHtml(entry, s, i, count) {
    var item = entry.item, label = escape(entry.title);
    var id = "c-duree-" + s + "-" + i;
    return '<li class="element element-' + item.kind + '" data-session="' + s + '" data-index="' + i + '" tabindex="-1">' +
      '<div class="ligne"><span class="heure" data-time="' + s + "-" + i + '">' + clock(entry.start) + "</span> " +
      '<span class="titre">' + (item.kind === "sheet" ? "Fiche : " : "") + label + "</span></div>" +
      '<div class="outils"><label for="' + id + '">Durée (min)</label> <input type="number" min="1" max="720" step="5" id="' + id +
      '" data-action="duration" value="' + entry.minutes + '">' +
      ' <button type="button" class="secondaire" data-action="up"' + (s === 0 && i === 0 ? " disabled" : "") + ' aria-label="Monter « ' + label + ' »">Monter</button>' +
      ' <button type="button" class="secondaire" data-action="down"' + (s === state.sessions.length - 1 && i === count - 1 ? " disabled" : "") + ' aria-label="Descendre « ' + label + ' »">Descendre</button>' +
      ' <button type="button" class="secondaire" data-action="remove" aria-label="Retirer « ' + label + ' »">Retirer</button></div>' +
      '<div class="etapes-bloc" data-steps="' + s + "-" + i + '">' + stepsHtml(entry) + "</div></li>";
  }

  function render(focus) {
    var sessions = timed();
    container.innerHTML = sessions.map(function (t, s) {
      var session = t.session, n = s + 1;
      return '<section class="seance bloc-compositeur" aria-labelledby="c-seance-' + n + '" data-session="' + s + '">' +
        '<h2 id="c-seance-' + n + '">Séance ' + n + ' <span class="horaire-seance" data-span="' + s + '">' + clock(t.start) + " – " + clock(t.end) + "</span></h2>" +
        '<div class="champs"><div class="champ"><label for="c-date-' + n + '">Date (facultative)</label><input type="date" id="c-date-' + n + '" data-action="date" value="' + escape(session.date || "") + '"></div>' +
        '<div class="champ"><label for="c-debut-' + n + '">Heure de début</label><input type="text" id="c-debut-' + n + '" data-action="start" inputmode="numeric" autocomplete="off" value="' +
        escape((parseClock(session.start) === null ? session.start : clock(parseClock(session.start)))) + '" aria-describedby="c-debut-aide-' + n + '"><p class="aide" id="c-debut-aide-' + n + '">Sur 24 heures, par exemple 9 h 30 ou 14:00.</p></div></div>' +
        (session.items.length ? '<ol class="elements">' + t.items.map(function (entry, i) { return itemHtml(entry, s, i, session.items.length); }).join("") + "</ol>"
          : '<p class="aide">Aucun élément : ajoutez une fiche, une pause ou un temps libre.</p>') +
        '<p class="fin-seance"><span class="heure" data-end="' + s + '">' + clock(t.end) + "</span> Fin de la séance</p>" +
        '<div class="champs ajouts"><button type="button" class="secondaire" data-action="break">Ajouter une pause (10 min)</button>' +
        '<button type="button" class="secondaire" data-action="meal">Ajouter un repas (1 h)</button>' +
        '<div class="champ"><label for="c-libre-' + n + '">Temps libre</label><input type="text" id="c-libre-' + n + '" placeholder="Tour de table" autocomplete="off"></div>' +
        '<button type="button" class="secondaire" data-action="slot">Ajouter ce temps libre (10 min)</button>' +
        (state.sessions.length > 1 ? '<button type="button" class="secondaire" data-action="drop-session">Retirer la séance ' + n + "</button>" : "") + "</div></section>";
    }).join("");
    refresh(sessions);
    if (focus) {
      var target = container.querySelector(focus);
      if (target) { target.focus(); }
    }
  }

  /* Clock times, summary, alerts and printable views, without touching the fields being typed in. */
  function refresh(sessions) {
    sessions = sessions || timed();
    sessions.forEach(function (t, s) {
      var span = container.querySelector('[data-span="' + s + '"]');
      if (span) { span.textContent = clock(t.start) + " – " + clock(t.end); }
      var end = container.querySelector('[data-end="' + s + '"]');
      if (end) { end.textContent = clock(t.end); }
      t.items.forEach(function (entry, i) {
        var time = container.querySelector('[data-time="' + s + "-" + i + '"]');
        if (time) { time.textContent = clock(entry.start); }
        var steps = container.querySelector('[data-steps="' + s + "-" + i + '"]');
        if (steps) { steps.innerHTML = stepsHtml(entry); }
      });
    });
    var total = sum(sessions.map(function (t) { return t.end - t.start; }));
    var activity = sum(sessions.map(function (t) {
      return sum(t.items.map(function (e) {
        if (e.item.kind === "break" || e.item.kind === "meal") { return 0; }
        return e.minutes - sum(e.steps.filter(function (st) { return st.isBreak; }).map(function (st) { return st.minutes; }));
      }));
    }));
    document.getElementById("c-bilan").textContent = "Durée totale : " + duration(total) +
      (sessions.length > 1 ? " en " + sessions.length + " séances" : "") + ", dont " + duration(activity) + " en activité.";
    document.getElementById("c-alertes").innerHTML = alerts(sessions).map(function (a) { return "<li>" + escape(a) + "</li>"; }).join("");
    printable(sessions);
    if (JSON.stringify(state) === JSON.stringify(fresh())) {
      try { window.localStorage.removeItem(KEY); } catch (error) { /* nothing kept anyway */ }
    } else {
      save(state);
    }
  }

  function sessionTitle(t, n) {
    var day = t.session.date ? new Date(t.session.date + "T12:00:00").toLocaleDateString("fr-FR", { weekday: "long", day: "numeric", month: "long", year: "numeric" }) + ", " : "";
    return "Séance " + n + " — " + day + clock(t.start) + " – " + clock(t.end);
  }
  function printable(sessions) {
    var title = escape(state.title || "Programme");
    var agenda = "<h1>" + title + "</h1>", regie = "<h1>Régie : " + title + "</h1>";
    sessions.forEach(function (t, s) {
      agenda += "<h2>" + escape(sessionTitle(t, s + 1)) + '</h2><table class="agenda"><thead><tr><th scope="col">Heure</th><th scope="col">Élément</th><th scope="col">Durée</th></tr></thead><tbody>';
      regie += "<h2>" + escape(sessionTitle(t, s + 1)) + "</h2>";
      t.items.forEach(function (entry) {
        agenda += '<tr><td class="heure">' + clock(entry.start) + "</td><td>" + escape(entry.title) + "</td><td>" + duration(entry.minutes) + "</td></tr>";
        regie += '<div class="bloc"><h3><span class="heure">' + clock(entry.start) + "</span> " + escape(entry.title) + " (" + duration(entry.minutes) + ")</h3>";
        if (entry.item.kind === "sheet") {
          var materials = sheets[entry.item.sheet].materials.map(function (m) { return m[0]; });
          if (materials.length) { regie += "<p><strong>À préparer avant :</strong> " + escape(materials.join(" ; ")) + "</p>"; }
          regie += stepsHtml(entry);
        }
        regie += "</div>";
      });
      agenda += '<tr><td class="heure">' + clock(t.end) + "</td><td>Fin de la séance</td><td></td></tr></tbody></table>";
      regie += '<p><span class="heure">' + clock(t.end) + "</span> Fin de la séance</p>";
    });
    document.getElementById("c-impression-agenda").innerHTML = agenda;
    document.getElementById("c-impression-regie").innerHTML = regie;
  }

  /* --- What the programme uses --- */
  function usedSheets() {
    var seen = {}, list = [];
    state.sessions.forEach(function (session) {
      session.items.forEach(function (item) {
        if (item.kind === "sheet" && !seen[item.sheet]) { seen[item.sheet] = true; list.push(sheets[item.sheet]); }
      });
    });
    return list;
  }
  function range(list) {
    var ranges = list.filter(function (s) { return s.participants; }).map(function (s) { return s.participants; });
    if (!ranges.length) { return null; }
    return [Math.max.apply(null, ranges.map(function (r) { return r[0]; })), Math.min.apply(null, ranges.map(function (r) { return r[1]; }))];
  }
  function participants() {
    var typed = parseInt(state.participants, 10);
    if (typed > 0) { return typed; }
    var span = range(usedSheets());
    return span && span[0] <= span[1] ? span[1] : null;
  }
  function fold(text) {
    return text.toLowerCase().replace(/\u0153/g, "oe").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  }
  function materialsText() {
    var people = participants(), found = {}, order = [];
    usedSheets().forEach(function (sheet) {
      sheet.materials.forEach(function (entry) {
        var key = fold(entry[0]), rule = entry[1];
        var quantity = rule && people ? rule[0] * Math.ceil(people / rule[1]) + rule[2] : null;
        if (!found[key]) { found[key] = { text: entry[0], sheets: [], quantity: null }; order.push(key); }
        if (found[key].sheets.indexOf(sheet.title) < 0) { found[key].sheets.push(sheet.title); }
        if (quantity !== null && (found[key].quantity === null || quantity > found[key].quantity)) { found[key].quantity = quantity; }
      });
    });
    var heading = "Matériel du programme « " + (state.title || "Programme") + " »";
    var lines = [heading, new Array(heading.length + 1).join("="), ""];
    if (people) { lines.push("Quantités calculées pour " + people + " participant·e·s (groupes de 4 sauf mention contraire).", ""); }
    order.forEach(function (key) {
      var m = found[key];
      lines.push("- " + m.text + (m.quantity !== null ? " — quantité : " + m.quantity : "") + " (" + m.sheets.join(", ") + ")");
    });
    return lines.join("\n") + "\n";
  }
  function yamlText(text) { return JSON.stringify(String(text)); }
  function markdown() {
    var list = usedSheets();
    var objectives = [], publics = [];
    list.forEach(function (s) { if (objectives.indexOf(s.objective) < 0) { objectives.push(s.objective); } });
    var shared = list[0].public.filter(function (p) { return list.every(function (s) { return s.public.indexOf(p) >= 0; }); });
    if (shared.length) { publics = shared; } else {
      list.forEach(function (s) { s.public.forEach(function (p) { if (publics.indexOf(p) < 0) { publics.push(p); } }); });
    }
    var licence = (list.filter(function (s) { return SHARE_ALIKE.indexOf(s.license) >= 0; })[0] || { license: "CC-BY-SA-4.0" }).license;
    var authors = (state.authors || "À compléter").split(",").map(function (a) { return a.trim(); }).filter(Boolean);
    var lines = ["---", "title: " + yamlText(state.title.trim() || "Mon programme"),
      "summary: " + yamlText("À compléter : une ou deux phrases qui disent ce que le programme permet et pour qui."),
      "objective: " + (objectives.length === 1 ? objectives[0] : "[" + objectives.join(", ") + "]"),
      "public: [" + publics.join(", ") + "]", "license: " + licence,
      "authors: [" + authors.map(yamlText).join(", ") + "]"];
    var span = range(list);
    if (span && span[0] <= span[1]) { lines.push('participants: "' + span[0] + "-" + span[1] + '"'); }
    lines.push("sessions:");
    state.sessions.forEach(function (session) {
      var start = parseClock(session.start);
      start = start === null ? 540 : start;
      if (session.date) { lines.push("  - date: " + session.date); }
      lines.push((session.date ? "    " : "  - ") + 'start: "' + Math.floor(start / 60) + ":" + ("0" + (start % 60)).slice(-2) + '"');
      lines.push("    items:");
      session.items.forEach(function (item) {
        var text;
        if (item.kind === "sheet") { text = item.minutes && item.minutes !== sheets[item.sheet].duration ? "{sheet: " + item.sheet + ", duration: " + item.minutes + "}" : item.sheet; }
        else if (item.kind === "break" || item.kind === "meal") { text = "{" + item.kind + ": " + item.minutes + (item.title ? ", title: " + yamlText(item.title) : "") + "}"; }
        else { text = "{title: " + yamlText(item.title) + ", duration: " + item.minutes + "}"; }
        lines.push("      - " + text);
      });
    });
    lines.push("---", "", "## Pourquoi cet ordre", "", "À compléter : pourquoi ces fiches, dans cet ordre, et qui anime quoi.", "");
    return lines.join("\n");
  }
  function download(name, text, type) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: type + ";charset=utf-8" }));
    link.download = name;
    document.body.appendChild(link);
    link.click();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  /* --- Actions --- */
  function move(s, i, step) {
    var items = state.sessions[s].items;
    var item = items[i];
    if (i + step >= 0 && i + step < items.length) {
      items.splice(i, 1); items.splice(i + step, 0, item);
      return [s, i + step];
    }
    var other = s + step;
    if (other < 0 || other >= state.sessions.length) { return [s, i]; }
    items.splice(i, 1);
    if (step < 0) { state.sessions[other].items.push(item); return [other, state.sessions[other].items.length - 1]; }
    state.sessions[other].items.unshift(item);
    return [other, 0];
  }
  function say(text) { status.textContent = text; }

  container.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) { return; }
    var section = button.closest("[data-session]");
    var li = button.closest("li[data-index]");
    var s = parseInt((li || section).getAttribute("data-session"), 10), action = button.getAttribute("data-action");
    var session = state.sessions[s];
    if (li) {
      var i = parseInt(li.getAttribute("data-index"), 10), title = itemTitle(session.items[i]);
      if (action === "remove") { session.items.splice(i, 1); render("#c-ajouter-fiche"); say("« " + title + " » retiré."); document.getElementById("c-ajouter-fiche").focus(); return; }
      var at = move(s, i, action === "up" ? -1 : 1);
      render('li[data-session="' + at[0] + '"][data-index="' + at[1] + '"] button[data-action="' + action + '"]');
      var focused = document.activeElement;
      if (!focused || focused.disabled || focused === document.body) {
        var row = container.querySelector('li[data-session="' + at[0] + '"][data-index="' + at[1] + '"]');
        if (row) { row.focus(); }
      }
      say("« " + title + " » déplacé en position " + (at[1] + 1) + " de la séance " + (at[0] + 1) + ".");
      return;
    }
    if (action === "break") { session.items.push({ kind: "break", minutes: 10 }); }
    else if (action === "meal") { session.items.push({ kind: "meal", minutes: 60 }); }
    else if (action === "slot") {
      var field = section.querySelector('input[id^="c-libre-"]');
      session.items.push({ kind: "slot", title: field.value.trim() || "Temps libre", minutes: 10 });
    } else if (action === "drop-session") { state.sessions.splice(s, 1); }
    render("#c-seance-" + Math.min(s + 1, state.sessions.length));
  });

  container.addEventListener("keydown", function (event) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) { return; }
    var li = event.target.closest("li[data-index]");
    if (!li) { return; }
    event.preventDefault();
    var at = move(parseInt(li.getAttribute("data-session"), 10), parseInt(li.getAttribute("data-index"), 10), event.key === "ArrowUp" ? -1 : 1);
    render('li[data-session="' + at[0] + '"][data-index="' + at[1] + '"]');
    say("Élément déplacé en position " + (at[1] + 1) + " de la séance " + (at[0] + 1) + ".");
  });

  container.addEventListener("input", function (event) {
    var input = event.target, action = input.getAttribute("data-action");
    var section = input.closest("section[data-session]");
    if (!section) { return; }
    var session = state.sessions[parseInt(section.getAttribute("data-session"), 10)];
    if (action === "start") { session.start = input.value; }
    else if (action === "date") { session.date = input.value; }
    else if (action === "duration") {
      var li = input.closest("li[data-index]"), minutes = parseInt(input.value, 10);
      if (!(minutes > 0)) { return; }
      session.items[parseInt(li.getAttribute("data-index"), 10)].minutes = minutes;
    } else { return; }
    refresh();
  });

  document.getElementById("c-ajouter-fiche").addEventListener("click", function () {
    var last = state.sessions[state.sessions.length - 1];
    last.items.push({ kind: "sheet", sheet: select.value });
    render();
    say("« " + sheets[select.value].title + " » ajoutée à la séance " + state.sessions.length + ".");
  });
  document.getElementById("c-ajouter-seance").addEventListener("click", function () {
    state.sessions.push({ date: "", start: "9:00", items: [] });
    render("#c-date-" + state.sessions.length);
  });
  [["c-titre", "title"], ["c-auteurs", "authors"], ["c-participants", "participants"]].forEach(function (pair) {
    var field = document.getElementById(pair[0]);
    field.value = state[pair[1]] || "";
    field.addEventListener("input", function () { state[pair[1]] = field.value; refresh(); });
  });
  document.getElementById("c-imprimer-agenda").addEventListener("click", function () {
    document.body.classList.remove("imprimer-regie");
    window.print();
  });
  document.getElementById("c-imprimer-regie").addEventListener("click", function () {
    document.body.classList.add("imprimer-regie");
    window.print();
  });
  document.getElementById("c-materiel").addEventListener("click", function () {
    if (!usedSheets().length) { say("Ajoutez d'abord une fiche."); return; }
    download("materiel.txt", materialsText(), "text/plain");
    say("Liste du matériel téléchargée.");
  });
  document.getElementById("c-telecharger").addEventListener("click", function () {
    if (!usedSheets().length) { say("Ajoutez d'abord une fiche : un programme en contient au moins une."); return; }
    download("index.md", markdown(), "text/markdown");
    say("Programme téléchargé : placez index.md dans programmes/<nom-du-programme>/ puis lancez outillerie check.");
  });
  document.getElementById("c-effacer").addEventListener("click", function () {
    state = fresh();
    try { window.localStorage.removeItem(KEY); } catch (error) { /* nothing kept anyway */ }
    ["c-titre", "c-auteurs", "c-participants"].forEach(function (id) { document.getElementById(id).value = ""; });
    render();
    say("Tout est effacé : ce navigateur ne garde plus rien du programme.");
  });

  window.outillerieProgramme = { scaleSteps: scaleSteps, markdown: markdown, materials: materialsText };
  render();
}());
