// The idle sign-out, seen from the page: work typed into a form keeps the session alive (a request at
// most once a minute restarts the server's idle clock), and a notice two minutes before the end offers
// to stay signed in. The tabs of one browser share one session, so they share the time of its last
// request (localStorage holds only that time). Past the end, the page says the session has ended and
// sends nothing (an unattended page never keeps a session); typing there asks the server again. What
// was typed stays on the page, and signing in again in another tab keeps this page's form valid (its
// CSRF token stays).
(function () {
  "use strict";

  var body = document.body;
  var idle = parseInt(body.getAttribute("data-session-idle-seconds"), 10) * 1000;
  var url = body.getAttribute("data-session-alive-url");
  var token = document.querySelector('meta[name="csrf-token"]');
  if (!idle || !url || !token) {
    return;
  }
  var WARN = 2 * 60 * 1000;
  var RESOLUTION = 60 * 1000; // a page view restarts the server's clock at most once a minute
  var KEY = "elix.session.lastContact";
  var ended = false;
  var sending = false;
  var notice = null;

  function lastContact() {
    var shared = 0;
    try {
      shared = parseInt(window.localStorage.getItem(KEY), 10) || 0;
    } catch (e) { /* storage off: this tab's own time */ }
    return Math.max(shared, ownContact);
  }

  function contacted(at) {
    ownContact = Math.max(ownContact, at);
    try {
      if (at > (parseInt(window.localStorage.getItem(KEY), 10) || 0)) {
        window.localStorage.setItem(KEY, String(at));
      }
    } catch (e) { /* storage off */ }
  }

  var ownContact = 0;
  contacted(Date.now() - RESOLUTION); // this page's own request may have left the clock up to a minute behind

  function showNotice(text, offerToStay) {
    if (!notice) {
      notice = document.createElement("div");
      notice.className = "alert alert-warning shadow session-notice";
      notice.setAttribute("role", "alert");
      notice.id = "session-notice";
      body.appendChild(notice);
    }
    notice.textContent = text + " ";
    if (offerToStay) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-primary ms-2";
      button.textContent = "Stay signed in";
      button.addEventListener("click", keepAlive);
      notice.appendChild(button);
    }
  }

  function hideNotice() {
    if (notice) {
      notice.remove();
      notice = null;
    }
  }

  function keepAlive() {
    if (sending) {
      return;
    }
    sending = true;
    var sent = Date.now();
    fetch(url, {method: "POST", credentials: "same-origin", redirect: "manual",
                headers: {"X-CSRFToken": token.content}})
      .then(function (response) {
        if (response.status === 204) {
          ended = false;
          contacted(sent);
          hideNotice();
        } else if (response.type === "opaqueredirect" || response.status === 401) {
          sessionEnded(); // sent to sign in: the session is over
        } // anything else (a server briefly away): the next keystroke or tick tries again
      })
      .catch(function () { /* offline for a moment: likewise */ })
      .then(function () { sending = false; });
  }

  function sessionEnded() {
    ended = true;
    showNotice("Your session has ended. What you typed is still on this page: sign in again in another tab, " +
               "then come back here and save.", false);
  }

  var lastTry = 0;
  document.addEventListener("input", function () {
    // Typing after the notice said "ended" asks again (this browser's clock may run a little ahead of
    // the server's), at most every few seconds.
    var due = ended ? Date.now() - lastTry >= 5000 : Date.now() - lastContact() >= RESOLUTION;
    if (due) {
      lastTry = Date.now();
      keepAlive();
    }
  });

  setInterval(function () {
    var left = idle - (Date.now() - lastContact());
    if (ended) {
      if (left > 0) { // another tab signed in again or kept the session: this page can save
        ended = false;
        hideNotice();
      }
      return;
    }
    if (left <= 0) {
      sessionEnded(); // by the shared clock, which never runs behind the server's: nothing is sent
    } else if (left <= WARN) {
      var minutes = Math.max(1, Math.round(left / 60000));
      showNotice("Without activity your session ends in about " + minutes + " minute" + (minutes > 1 ? "s" : "") + ".",
                 true);
    } else {
      hideNotice();
    }
  }, 15 * 1000);
})();
