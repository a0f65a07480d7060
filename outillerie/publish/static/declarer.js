/* « J'ai animé cet atelier »: the form is sent without leaving the page; without JavaScript it is a plain
   POST answered by a page. The answer (thanks, or what to correct) is read out in the status line. */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-declaration]");
  Array.prototype.forEach.call(forms, function (form) {
    var state = form.querySelector(".declaration-etat");
    if (!window.fetch || !window.URLSearchParams || !window.FormData || !state) { return; }
    form.addEventListener("submit", function (event) {
      if (!form.querySelector("input[name=public]:checked")) {
        event.preventDefault();
        state.textContent = "Cochez au moins un public touché.";
        return;
      }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      state.textContent = "Envoi…";
      fetch(form.action, {
        method: "POST",
        credentials: "omit",
        headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)).toString()
      }).then(function (response) {
        return response.json().catch(function () { return { ok: false, message: "Le serveur n'a pas pu répondre : réessayez plus tard." }; });
      }).then(function (answer) {
        state.textContent = answer.message;
        state.className = "declaration-etat " + (answer.ok ? "message-ok" : "message-erreur");
        if (answer.ok) { form.reset(); }
        button.disabled = false;
      }).catch(function () {
        state.textContent = "Le serveur ne répond pas : réessayez plus tard.";
        button.disabled = false;
      });
    });
  });
}());
