// One-click plans without a page reload. Without JavaScript the same forms post and redirect back.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-plan]");
  if (!form) return;
  event.preventDefault();
  const button = event.submitter;
  const body = new FormData(form);
  body.set("status", button.value);
  let status;
  try {
    const response = await fetch(form.action, {method: "POST", body, headers: {"Accept": "application/json"}});
    if (!response.ok || !response.headers.get("Content-Type")?.startsWith("application/json")) {
      throw new Error(`plan not saved: ${response.status}`);
    }
    ({status} = await response.json());
  } catch {
    // no answer we understand (an expired form, a lost login, no network): post the form
    // as if there were no script, with the clicked button, so that the server says why
    form.removeAttribute("data-plan");
    form.requestSubmit(button);
    return;
  }
  for (const each of form.querySelectorAll("button[data-status]")) {
    const chosen = each.dataset.status === status;
    each.setAttribute("aria-pressed", chosen ? "true" : "false");
    each.value = chosen ? "none" : each.dataset.status;
  }
  form.dispatchEvent(new CustomEvent("plan-changed", {bubbles: true, detail: {status}}));
});
