// One-click plans without a page reload. Without JavaScript the same forms post and redirect back.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-plan]");
  if (!form) return;
  event.preventDefault();
  const button = event.submitter;
  const body = new FormData(form);
  body.set("status", button.value);
  const response = await fetch(form.action, {method: "POST", body, headers: {"Accept": "application/json"}});
  if (!response.ok) { form.submit(); return; }
  const {status} = await response.json();
  for (const each of form.querySelectorAll("button[data-status]")) {
    const chosen = each.dataset.status === status;
    each.setAttribute("aria-pressed", chosen ? "true" : "false");
    each.value = chosen ? "none" : each.dataset.status;
  }
  form.dispatchEvent(new CustomEvent("plan-changed", {bubbles: true, detail: {status}}));
});
