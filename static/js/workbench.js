// Toasts for Django messages and for htmx failures: an error is shown, never swallowed.
(function () {
  function toast(text, kind) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const el = document.createElement("div");
    el.className = "toast toast-" + (kind || "info");
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    el.textContent = text;
    box.appendChild(el);
    setTimeout(() => el.remove(), kind === "error" ? 10000 : 5000);
  }
  window.workbenchToast = toast;

  function fadeExisting() {
    document.querySelectorAll("#toasts .toast").forEach((el) => setTimeout(() => el.remove(), 6000));
  }
  document.addEventListener("DOMContentLoaded", fadeExisting);

  // The server's own words when it sent some: a short text body, or an element marked data-error-message
  // in an error page. Parsed, never inserted: htmx does not swap 4xx/5xx answers, so the page stays put.
  function serverMessage(xhr) {
    const body = (xhr.responseText || "").trim();
    if (!body || body.length > 200000) return "";
    const doc = new DOMParser().parseFromString(body, "text/html");
    const marked = doc.querySelector("[data-error-message]");
    if (marked) return marked.textContent.trim();
    const text = (doc.body ? doc.body.textContent : body).trim().replace(/\s+/g, " ");
    return text.length <= 300 ? text : "";
  }

  document.addEventListener("htmx:responseError", function (evt) {
    const xhr = evt.detail.xhr;
    let text = "The server refused that (" + xhr.status + ").";
    if (xhr.status === 403) text = "You do not have permission to do that.";
    if (xhr.status === 404) text = "Not found: it may have been deleted.";
    if (xhr.status >= 500) text = "Something went wrong on the server (" + xhr.status + "). Your change was not saved.";
    else text = serverMessage(xhr) || text;
    toast(text, "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast("Could not reach the server. Check your connection; the change was not saved.", "error");
  });
  // The team switcher posts to the chosen team's switch URL (the option's value).
  document.addEventListener("change", function (evt) {
    if (evt.target.id !== "team-select") return;
    evt.target.form.action = evt.target.value;
    evt.target.form.submit();
  });
  // A region that refreshes itself must not drop a keyboard user's focus to the top of the page: when a
  // swap replaces the focused element, focus its counterpart in the new content (htmx keeps only ids).
  function focusKey(el) {
    if (el.matches("td.cell")) return `td.cell[data-e="${el.dataset.e}"][data-h="${el.dataset.h}"]`;
    if (el.id) return "#" + CSS.escape(el.id);
    for (const attr of ["name", "aria-label", "href"]) {
      const value = el.getAttribute(attr);
      if (value) return `${el.tagName.toLowerCase()}[${attr}="${CSS.escape(value)}"]`;
    }
    return null;
  }
  let lostFocus = null;
  document.addEventListener("htmx:beforeSwap", function (evt) {
    const focused = document.activeElement;
    const target = evt.detail.target;
    if (focused && focused !== document.body && target && target.contains(focused)) lostFocus = focusKey(focused);
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!lostFocus) return;
    const key = lostFocus;
    lostFocus = null;
    const focused = document.activeElement;
    if (focused && focused !== document.body && focused.isConnected) return;
    const again = document.querySelector(key);
    if (again) again.focus({ preventScroll: true });
  });
  // Server-sent toasts: HX-Trigger: {"toast": {"text": "...", "kind": "success"}}
  document.body.addEventListener("toast", (evt) => toast(evt.detail.text, evt.detail.kind));
})();
