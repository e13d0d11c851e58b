// Note forms keep what is typed as a draft in the browser's localStorage, so that the text
// survives a closed tab, a crash or an expired session. The draft comes back when the form
// is shown again, and goes once the server says the note is saved (the page then carries
// data-forget-drafts). Deleting a note asks first. Without JavaScript the forms work the
// same, without drafts.
(() => {
  const PREFIX = "tracker:note-draft:";
  const FIELDS = ["body", "rating", "tags"];

  let storage = null;
  try { storage = window.localStorage; } catch { /* storage disabled: no drafts */ }

  const load = (key) => {
    try { return JSON.parse(storage.getItem(PREFIX + key)); } catch { return null; }
  };
  const save = (key, draft) => {
    try { storage.setItem(PREFIX + key, JSON.stringify(draft)); } catch { /* full: the form still works */ }
  };
  const forget = (key) => storage.removeItem(PREFIX + key);
  const valuesOf = (form) => Object.fromEntries(FIELDS.map((name) => [name, form.elements[name].value]));
  const differs = (draft, values) => FIELDS.some((name) => (draft[name] ?? "") !== values[name]);

  function restore(form, key, draft) {
    for (const name of FIELDS) form.elements[name].value = draft[name] ?? "";
    const notice = document.createElement("p");
    notice.className = "draft-notice";
    notice.setAttribute("role", "status");
    const when = draft.savedAt ? ` of ${new Date(draft.savedAt).toLocaleString()}` : "";
    notice.textContent = `Your unsaved draft${when} is back. `;
    const discard = document.createElement("button");
    discard.type = "button";
    discard.textContent = "Discard the draft";
    discard.addEventListener("click", () => {
      form.reset();
      forget(key);
      notice.remove();
      form.elements.body.focus();
    });
    notice.append(discard);
    form.prepend(notice);
  }

  function keepDrafts(form) {
    const key = form.dataset.noteDraft;
    const draft = load(key);
    // a form just sent back by the server holds that text, newer than any draft
    if (draft && !("submitted" in form.dataset) && differs(draft, valuesOf(form))) restore(form, key, draft);
    form.addEventListener("input", () => save(key, {...valuesOf(form), savedAt: new Date().toISOString()}));
  }

  if (storage) {
    for (const marker of document.querySelectorAll("[data-forget-drafts]")) {
      for (const key of marker.dataset.forgetDrafts.split(" ")) forget(key);
    }
    for (const form of document.querySelectorAll("form[data-note-draft]")) keepDrafts(form);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
