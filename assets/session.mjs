// The idle sign-out (SECURITY S3), and keeping what a person typed when it comes (issue 15).
//
// The server ends a session after a set time without a request (30 minutes, 15 for administrators)
// and 10 hours after signing in. This tab counts down from the time the page says is left and warns
// two minutes before the end. It first asks the server how long is really left, since another tab may
// have kept the session alive; asking does not itself keep the session alive. Only what the person
// does (pressing "Stay signed in", saving, opening a page) resets the server's clock.
//
// Text that cannot be saved because the session has ended is kept in sessionStorage: this tab only,
// gone when the tab closes, cleared on signing out (S7), and removed once put back or discarded. This
// is the one exception to "no case data in browser storage" (D3); without it a timeout loses minutes.

const KEPT_PREFIX = "marac-kept:";
const NOT_TYPED = new Set(["password", "hidden", "file", "submit", "button", "reset", "image"]);
const SIGNED_OUT = "signed-out";
const UNREACHABLE = "unreachable";
const RETRY_MS = 30_000;
const LATE_MS = 1_000;
const EARLY_MS = 5_000;

let dialog = null;
let deadline = 0;
let idleMs = 0;
let warnMs = 0;
let timer = null;
let ended = false;
let focusBefore = null;
let reopening = false;

export function startSessionTimeout(element) {
  dialog = element;
  idleMs = seconds(dialog.dataset.idleSeconds);
  warnMs = seconds(dialog.dataset.warnSeconds);
  deadline = Date.now() + seconds(dialog.dataset.secondsLeft);
  dialog.querySelector("[data-stay-signed-in]").addEventListener("submit", staySignedIn);
  dialog.querySelector("[data-close-dialog]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (!reopening) focusBefore?.focus();
    reopening = false;
  });
  document.addEventListener("submit", holdFormWhenSignedOut);
  document.addEventListener("input", () => { if (ended) keepTypedText(); });
  document.addEventListener("visibilitychange", () => {
    // Timers in a hidden tab can run late: catch up as soon as the tab is looked at again.
    if (!document.hidden && !ended && Date.now() >= deadline - warnMs) checkTimeLeft();
  });
  document.querySelector("[data-sign-out]")?.addEventListener("submit", forgetAllKeptText);
  offerKeptText(dialog.dataset.user);
  schedule();
}

// A save from this page reached the server, which reset its idle clock.
export function sessionRefreshed() {
  if (!dialog || ended) return;
  deadline = Date.now() + idleMs;
  if (dialog.open) dialog.close();
  schedule();
}

export function sessionEnded() {
  if (!dialog) return;
  clearTimeout(timer);
  ended = true;
  keepTypedText();
  show("ended");
}

export function isSessionEnded() {
  return ended;
}

export function showKeptTextNotice(notice) {
  if (notice && keptKeys().length) notice.hidden = false;
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(checkTimeLeft, Math.max(0, deadline - warnMs - Date.now()));
}

async function checkTimeLeft() {
  clearTimeout(timer);
  const left = await askServer(dialog.dataset.timeLeftUrl);
  if (left === SIGNED_OUT || (left === UNREACHABLE && Date.now() > deadline)) return sessionEnded();
  if (left === UNREACHABLE) {
    timer = setTimeout(checkTimeLeft, RETRY_MS);
    return;
  }
  deadline = Date.now() + left;
  if (left > warnMs + EARLY_MS) {
    if (dialog.open) dialog.close();
    schedule();
    return;
  }
  dialog.querySelector("[data-timeout-at]").textContent = clockTime(deadline);
  show("warning");
  timer = setTimeout(checkTimeLeft, left + LATE_MS);
}

async function staySignedIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const left = await askServer(form.action, { method: "POST", body: new FormData(form) });
  dialog.querySelector("[data-timeout-problem]").hidden = left !== UNREACHABLE;
  if (left === SIGNED_OUT) return sessionEnded();
  if (left === UNREACHABLE) return;
  deadline = Date.now() + left;
  dialog.close();
  schedule();
}

// Milliseconds left, or SIGNED_OUT, or UNREACHABLE.
async function askServer(url, options = {}) {
  try {
    const response = await fetch(url, { ...options, headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.status === 401) return SIGNED_OUT;
    if (!response.ok) return UNREACHABLE;
    return seconds((await response.json()).seconds_left);
  } catch {
    return UNREACHABLE;
  }
}

function show(which) {
  if (dialog.open && dialog.dataset.showing === which) return;
  if (dialog.open) {
    // Closed and opened again, so that a screen reader announces the new message.
    reopening = true;
    dialog.close();
  } else {
    focusBefore = document.activeElement;
  }
  const ending = which === "ended";
  dialog.querySelector("[data-timeout-warning]").hidden = ending;
  dialog.querySelector("[data-timeout-ended]").hidden = !ending;
  dialog.setAttribute("aria-labelledby", ending ? "timeout-ended-title" : "timeout-warning-title");
  dialog.setAttribute("aria-describedby", ending ? "timeout-ended-text" : "timeout-warning-text");
  dialog.dataset.showing = which;
  dialog.showModal();
}

// A form sent after the session ended would be answered with the sign-in page and its text dropped.
// So past the deadline, ask first; if the session has ended, keep the text and say so instead.
async function holdFormWhenSignedOut(event) {
  const form = event.target;
  if (!keepableForms().includes(form) || (!ended && Date.now() < deadline)) return;
  event.preventDefault();
  if (!ended) {
    const left = await askServer(dialog.dataset.timeLeftUrl);
    if (typeof left === "number" && left > 0) {
      deadline = Date.now() + left;
      schedule();
      form.requestSubmit(event.submitter);
      return;
    }
  }
  sessionEnded();
}

// Kept text: one record per page, holding what was typed into each of its forms.

// A form marked data-never-kept (the safe-contact details) is never copied into browser storage:
// those details are restricted (SECURITY Z3), so a timeout there loses the typing rather than keep it.
function keepableForms() {
  return [...document.querySelectorAll("main form")].filter((form) => form.method === "post" && !("neverKept" in form.dataset));
}

function formId(form, forms) {
  const path = new URL(form.action).pathname;
  return `${path}#${forms.filter((other) => new URL(other.action).pathname === path).indexOf(form)}`;
}

function isTyped(control) {
  return control.matches("input, textarea, select") && control.name && !control.disabled
    && control.name !== "csrf_token" && !NOT_TYPED.has(control.type);
}

function isCheckable(control) {
  return control.type === "checkbox" || control.type === "radio";
}

function hasChanged(control) {
  if (isCheckable(control)) return control.checked !== control.defaultChecked;
  if (control.tagName === "SELECT") return [...control.options].some((option) => option.selected !== option.defaultSelected);
  return control.value !== control.defaultValue;
}

function fieldOf(control) {
  return isCheckable(control)
    ? { name: control.name, value: control.value, checked: control.checked }
    : { name: control.name, value: control.value };
}

function sameField(one, other) {
  return one.name === other.name && (one.checked === undefined || one.value === other.value);
}

function findControl(form, field) {
  return [...form.elements].find((control) => isTyped(control) && control.name === field.name
    && (field.checked === undefined ? !isCheckable(control) : isCheckable(control) && control.value === field.value));
}

function hiddenValues(form) {
  return [...form.elements]
    .filter((control) => control.type === "hidden" && control.name && control.name !== "csrf_token")
    .map((control) => [control.name, control.value]);
}

function keepTypedText() {
  const key = KEPT_PREFIX + location.pathname;
  const kept = read(key) ?? { user: dialog.dataset.user, forms: {} };
  const forms = keepableForms();
  let typedAny = false;
  for (const form of forms) {
    const typed = [...form.elements].filter((control) => isTyped(control) && hasChanged(control)).map(fieldOf);
    if (!typed.length) continue;
    const id = formId(form, forms);
    const earlier = kept.forms[id];
    kept.forms[id] = {
      // Text kept earlier and not yet put back keeps its older hidden values (the minutes' version), so
      // putting it back is refused as a conflict, never saved over text someone saved since.
      hidden: earlier?.hidden ?? hiddenValues(form),
      fields: [...(earlier?.fields ?? []).filter((old) => !typed.some((field) => sameField(old, field))), ...typed],
    };
    typedAny = true;
  }
  if (typedAny) write(key, kept);
}

function offerKeptText(user) {
  const key = KEPT_PREFIX + location.pathname;
  const kept = read(key);
  if (!kept) return;
  if (kept.user !== user) {
    sessionStorage.removeItem(key);
    return;
  }
  const forms = keepableForms();
  const offers = [];
  for (const [id, record] of Object.entries(kept.forms)) {
    const form = forms.find((candidate) => formId(candidate, forms) === id);
    const fields = record.fields.filter((field) => differsFromPage(form, field));
    if (fields.length) offers.push({ form, hidden: record.hidden, fields });
  }
  if (!offers.length) {
    // Everything kept is already saved: nothing to offer.
    sessionStorage.removeItem(key);
    return;
  }
  showOffer(key, offers);
}

function differsFromPage(form, field) {
  const control = form && findControl(form, field);
  if (!control) return field.checked === undefined ? field.value !== "" : field.checked;
  return field.checked === undefined ? control.value !== field.value : control.checked !== field.checked;
}

function showOffer(key, offers) {
  const banner = document.getElementById("kept-text-offer").content.firstElementChild.cloneNode(true);
  const list = banner.querySelector("[data-kept-fields]");
  for (const { form, fields } of offers) {
    for (const field of fields) {
      if (field.checked === false) continue; // the choice made instead is shown
      const control = form && findControl(form, field);
      list.append(row(labelOf(control, field), field.checked ? choiceOf(control, field) : field.value));
    }
  }
  const canPutBack = offers.some((offer) => offer.form);
  banner.querySelector("[data-put-back]").hidden = !canPutBack;
  banner.querySelector("[data-when-form]").hidden = !canPutBack;
  banner.querySelector("[data-when-no-form]").hidden = canPutBack;
  banner.querySelector("[data-put-back]").addEventListener("click", () => {
    const first = putBack(offers);
    sessionStorage.removeItem(key);
    banner.replaceWith(document.getElementById("kept-text-restored").content.firstElementChild.cloneNode(true));
    first?.focus();
  });
  banner.querySelector("[data-discard]").addEventListener("click", () => {
    sessionStorage.removeItem(key);
    banner.remove();
    const main = document.querySelector("main");
    main.setAttribute("tabindex", "-1");
    main.focus();
  });
  document.querySelector("main").prepend(banner);
  banner.focus();
}

function putBack(offers) {
  let first = null;
  for (const { form, hidden, fields } of offers) {
    if (!form) continue;
    for (const [name, value] of hidden) {
      const control = [...form.elements].find((candidate) => candidate.type === "hidden" && candidate.name === name);
      if (control) control.value = value;
    }
    for (const field of fields) {
      const control = findControl(form, field);
      if (!control) continue;
      if (field.checked === undefined) control.value = field.value;
      else control.checked = field.checked;
      // As if typed: an autosaving form saves it.
      control.dispatchEvent(new Event("input", { bubbles: true }));
      first ??= control;
    }
  }
  return first;
}

function row(label, value) {
  const item = document.createElement("div");
  item.className = "govuk-summary-list__row";
  const term = document.createElement("dt");
  term.className = "govuk-summary-list__key";
  term.textContent = label;
  const text = document.createElement("dd");
  text.className = "govuk-summary-list__value app-preserve-lines";
  text.textContent = value;
  item.append(term, text);
  return item;
}

function labelOf(control, field) {
  const legend = plain(control?.closest("fieldset")?.querySelector("legend")?.textContent);
  if (control && isCheckable(control)) return legend || field.name;
  const label = plain(control?.labels?.[0]?.textContent) || field.name;
  return legend ? `${legend}: ${label}` : label;
}

function choiceOf(control, field) {
  return plain(control?.labels?.[0]?.textContent) || field.value;
}

function plain(text) {
  return (text ?? "").replace(/\s+/g, " ").trim();
}

function keptKeys() {
  try {
    return Object.keys(sessionStorage).filter((key) => key.startsWith(KEPT_PREFIX));
  } catch {
    return [];
  }
}

function forgetAllKeptText() {
  for (const key of keptKeys()) sessionStorage.removeItem(key);
}

function read(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key));
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage is full or switched off: the text is still on the page.
  }
}

function seconds(value) {
  return Number(value) * 1000;
}

function clockTime(moment) {
  return new Date(moment).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
