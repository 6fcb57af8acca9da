/* svcdesk field app: forms that survive a bad connection, and the signature pad.
   A form marked data-resend is sent with fetch; if the phone is offline or the request
   fails, what was typed stays in the form (and in localStorage, so a reload keeps it)
   and a Resend button sends it again with the same idempotency key: the server applies
   a key once, so a resend after a lost answer never doubles the change. */
(function () {
  "use strict";
  var KEEP = ["csrf", "idem", "version", "image"];

  function draftKey(form) { return "svcdesk-draft:" + location.pathname + ":" + form.id; }

  function saveDraft(form) {
    if (!form.id || !window.localStorage) return;
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "hidden" && KEEP.indexOf(el.name) < 0) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      data[el.name] = el.value;
    });
    try { localStorage.setItem(draftKey(form), JSON.stringify(data)); } catch (e) { /* full */ }
  }

  function clearDraft(form) { try { localStorage.removeItem(draftKey(form)); } catch (e) {} }

  function restoreDraft(form) {
    var raw = null;
    try { raw = localStorage.getItem(draftKey(form)); } catch (e) {}
    if (!raw) return;
    var data = JSON.parse(raw);
    Object.keys(data).forEach(function (name) {
      var els = form.querySelectorAll("[name='" + name + "']");
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "radio" || el.type === "checkbox") el.checked = el.value === data[name];
        else if (el.type !== "file") el.value = data[name];
      });
    });
    notSent(form, "Not sent yet: your entry was kept.");
  }

  function notSent(form, text) {
    var box = form.querySelector(".sent-state");
    if (!box) return;
    box.hidden = false;
    box.textContent = text + " ";
    var again = document.createElement("button");
    again.type = "button";
    again.className = "btn primary";
    again.textContent = "Resend";
    again.addEventListener("click", function () { send(form, form._lastSubmitter); });
    box.appendChild(again);
  }

  function send(form, submitter) {
    if (form._sending) return;
    form._sending = true;
    form._lastSubmitter = submitter;
    prepareSignature(form);
    var body = submitter ? new FormData(form, submitter) : new FormData(form);
    var box = form.querySelector(".sent-state");
    if (box) { box.hidden = false; box.textContent = "Sending…"; }
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (resp) {
        return resp.text().then(function (html) {
          form._sending = false;
          if (resp.status >= 500) { notSent(form, "Not sent (server error " + resp.status + ")."); return; }
          clearDraft(form);
          if (resp.redirected && resp.ok) { location.replace(resp.url); return; }
          document.open(); document.write(html); document.close();
        });
      })
      .catch(function () {
        form._sending = false;
        saveDraft(form);
        notSent(form, "Not sent: no connection. Your entry is kept.");
      });
  }

  function prepareSignature(form) {
    var canvas = form.querySelector("canvas.sign");
    if (canvas && canvas._drawn) form.elements.image.value = canvas.toDataURL("image/png");
  }

  function signaturePad(canvas) {
    var ctx = canvas.getContext("2d");
    var ratio = window.devicePixelRatio || 1;
    var rect = canvas.getBoundingClientRect();
    canvas.width = Math.round(rect.width * ratio);
    canvas.height = Math.round(rect.height * ratio);
    ctx.scale(ratio, ratio);
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.strokeStyle = "#000";
    var down = false;
    function at(ev) { var r = canvas.getBoundingClientRect(); return [ev.clientX - r.left, ev.clientY - r.top]; }
    canvas.addEventListener("pointerdown", function (ev) {
      down = true; canvas.setPointerCapture(ev.pointerId);
      var p = at(ev); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (ev) {
      if (!down) return; var p = at(ev); ctx.lineTo(p[0], p[1]); ctx.stroke(); canvas._drawn = true;
    });
    ["pointerup", "pointercancel"].forEach(function (n) { canvas.addEventListener(n, function () { down = false; }); });
    var clear = canvas.form ? null : canvas.closest("form").querySelector("[data-clear]");
    if (clear) clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); canvas._drawn = false;
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas.sign"), signaturePad);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-resend]"), function (form) {
      restoreDraft(form);
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        send(form, ev.submitter);
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
