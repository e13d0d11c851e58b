// Progressive enhancement for the agenda pages; without JavaScript they work the same,
// the plan buttons posting and coming back to the page.
// On "My agenda", a plan changed without a reload (plan.js) changes the clashes and free
// time too: load the page again to show them. "Now and next" refreshes itself.
document.addEventListener("plan-changed", (event) => {
  if (event.target.closest("[data-agenda]")) location.reload();
});
for (const element of document.querySelectorAll("[data-refresh-seconds]")) {
  setTimeout(() => location.reload(), Number(element.dataset.refreshSeconds) * 1000);
}
