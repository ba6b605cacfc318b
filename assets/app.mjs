import { initAll } from "./govuk-frontend.min.js";
import { isSessionEnded, sessionEnded, sessionRefreshed, showKeptTextNotice, startSessionTimeout } from "./session.mjs";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
  initAll();
}

const timeoutDialog = document.querySelector("[data-session-timeout]");
if (timeoutDialog) startSessionTimeout(timeoutDialog);
showKeptTextNotice(document.querySelector("[data-kept-text-notice]"));

// Case minutes and referral drafts save as they are typed. For minutes the server refuses a save made
// from an older version, so a second editor never overwrites the first: they are told, and the Save
// button shows both texts. A referral draft is one person's own, so it has no version.
// Once the session has ended nothing can be saved: the text is kept in the tab (see session.mjs).
const AUTOSAVE_DELAY_MS = 1500;
const SIGNED_OUT_TEXT = "Not saved: you have been signed out. What you typed is kept in this browser tab. Sign in again to put it back.";

function startAutosave(form) {
  const status = form.querySelector("[data-autosave-status]");
  const version = form.querySelector("input[name=version]");
  let timer = null;
  let saving = false;
  let again = false;
  let stopped = false;

  async function save() {
    if (stopped) return;
    if (saving) { again = true; return; }
    if (isSessionEnded()) {
      status.textContent = SIGNED_OUT_TEXT;
      return;
    }
    saving = true;
    status.textContent = "Saving…";
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST", body: new FormData(form), credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (response.status === 401) {
        status.textContent = SIGNED_OUT_TEXT;
        sessionEnded();
      } else {
        await showSaved(response);
      }
    } catch {
      status.textContent = form.dataset.autosaveRetry || "Not saved: the connection failed. What you typed is still on this page: try again in a moment.";
    }
    saving = false;
    if (again) { again = false; save(); }
  }

  async function showSaved(response) {
    const body = await response.json();
    if (response.ok) {
      if (version) version.value = body.version;
      status.textContent = `Saved at ${new Date(body.saved_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`;
      sessionRefreshed();
    } else {
      status.textContent = body.error;
      stopped = response.status === 409;
    }
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(save, AUTOSAVE_DELAY_MS);
  });
}

document.querySelectorAll("form[data-autosave-url]").forEach(startAutosave);

// Tables wider than a small screen scroll inside their own container, so the page never scrolls sideways
// (at 375 px the referral, attendance, action and agenda tables ran off the page). A container that scrolls
// is a labelled region in the tab order, so keyboard users can scroll it too.
function fitTable(container) {
  if (container.scrollWidth > container.clientWidth) {
    const caption = container.querySelector("caption")?.textContent.trim();
    container.setAttribute("role", "region");
    container.setAttribute("tabindex", "0");
    container.setAttribute("aria-label", `${caption || "Table"} (scroll sideways to see it all)`);
  } else {
    for (const name of ["role", "tabindex", "aria-label"]) container.removeAttribute(name);
  }
}

const tableResized = new ResizeObserver((entries) => entries.forEach((entry) => fitTable(entry.target)));
for (const table of document.querySelectorAll("table.govuk-table")) {
  const container = document.createElement("div");
  container.className = "app-table-container";
  table.before(container);
  container.append(table);
  fitTable(container);
  tableResized.observe(container);
}
