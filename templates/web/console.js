// renkei console: the only script. Ctrl+Enter runs the SQL; while a query runs, its 取消
// button stops it on the server and the elapsed seconds are shown.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-running]");
  if (!form) return;
  const cancel = document.getElementById("cancel");
  const elapsed = document.getElementById("elapsed");
  const area = form.querySelector("textarea");
  if (area) {
    area.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
  }
  form.addEventListener("submit", (e) => {
    if (e.submitter && e.submitter.formAction && !e.submitter.formAction.endsWith(form.getAttribute("action"))) return;
    if (cancel) cancel.hidden = false;
    const started = Date.now();
    if (elapsed) {
      setInterval(() => {
        elapsed.textContent = "実行中… " + Math.floor((Date.now() - started) / 1000) + " 秒";
      }, 500);
    }
  });
  if (cancel) {
    cancel.addEventListener("click", async () => {
      const r = await fetch("/sql/cancel", { method: "POST", credentials: "same-origin" });
      if (elapsed) elapsed.textContent = await r.text();
    });
  }
});
