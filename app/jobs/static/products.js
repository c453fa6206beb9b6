/* "Generate PDF": request the product (POST with the session and its CSRF token), poll the job,
   show its progress, then offer the download. Loaded as a file: the pages carry no inline scripts. */
(function () {
  "use strict";

  var POLL_MS = 1000;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function show(box, job) {
    var progress = box.querySelector(".js-progress");
    var bar = progress.querySelector(".progress-bar");
    var status = box.querySelector(".js-status");
    var download = box.querySelector(".js-download");
    var percent = Math.round((job.progress || 0) * 100);
    progress.classList.remove("d-none");
    progress.setAttribute("aria-valuenow", String(percent));
    bar.style.width = percent + "%";
    bar.textContent = percent + " %";
    if (job.status === "done") {
      status.textContent = "Ready.";
      download.href = job.file;
      download.classList.remove("d-none");
      box.querySelector(".js-generate").disabled = false;
    } else if (job.status === "failed") {
      bar.classList.add("bg-danger");
      status.textContent = "The PDF could not be made: " + (job.message || "unknown error");
      box.querySelector(".js-generate").disabled = false;
    } else {
      status.textContent = job.status === "queued" ? "Waiting for a worker…" : "Generating…";
    }
  }

  function fail(box, message) {
    box.querySelector(".js-status").textContent = message;
    box.querySelector(".js-generate").disabled = false;
  }

  function poll(box, job) {
    show(box, job);
    if (job.status !== "queued" && job.status !== "running") {
      return;
    }
    window.setTimeout(function () {
      fetch(box.dataset.jobsUrl + "/" + encodeURIComponent(job.id), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("the job could not be read (" + response.status + ")"); }
        return response.json();
      }).then(function (body) { poll(box, body.job); })
        .catch(function (error) { fail(box, String(error.message || error)); });
    }, POLL_MS);
  }

  function generate(box) {
    var button = box.querySelector(".js-generate");
    button.disabled = true;
    box.querySelector(".js-download").classList.add("d-none");
    box.querySelector(".progress-bar").classList.remove("bg-danger");
    fetch(box.dataset.productRequest, {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (response.status !== 202) { throw new Error("the request was refused (" + response.status + ")"); }
      return response.json();
    }).then(function (body) { poll(box, body.job); })
      .catch(function (error) { fail(box, String(error.message || error)); });
  }

  document.querySelectorAll("[data-product-request]").forEach(function (box) {
    box.querySelector(".js-generate").addEventListener("click", function () { generate(box); });
  });
}());
