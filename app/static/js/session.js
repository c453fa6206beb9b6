// The idle sign-out, seen from the page: work typed into a form keeps the session alive (a request at
// most once a minute, which moves the server's idle clock on), and a notice two minutes before the
// end offers to stay signed in. When the session has ended, the notice says so: what was typed stays
// on the page; signing in again in another tab keeps this page's form valid (its CSRF token stays).
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
  var RESOLUTION = 60 * 1000; // the server moves its idle clock at most once a minute
  var lastContact = Date.now() - RESOLUTION; // the page's own request may not have moved the clock (once a minute)
  var ended = false;
  var notice = null;

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
    var sent = Date.now();
    fetch(url, {method: "POST", credentials: "same-origin", redirect: "manual",
                headers: {"X-CSRFToken": token.content}})
      .then(function (response) {
        if (response.status === 204) {
          lastContact = sent;
          hideNotice();
        } else {
          sessionEnded();
        }
      })
      .catch(function () { /* offline for a moment: the next keystroke or tick tries again */ });
  }

  function sessionEnded() {
    ended = true;
    showNotice("Your session has ended. What you typed is still on this page: sign in again in another tab, " +
               "then come back here and save.", false);
  }

  document.addEventListener("input", function () {
    if (!ended && Date.now() - lastContact >= RESOLUTION) {
      keepAlive();
    }
  });

  setInterval(function () {
    if (ended) {
      return;
    }
    var left = idle - (Date.now() - lastContact);
    if (left <= 0) {
      sessionEnded();
    } else if (left <= WARN) {
      var minutes = Math.max(1, Math.round(left / 60000));
      showNotice("Without activity your session ends in about " + minutes + " minute" + (minutes > 1 ? "s" : "") + ".",
                 true);
    }
  }, 15 * 1000);
})();
