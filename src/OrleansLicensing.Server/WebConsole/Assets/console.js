// The console works without this script; it adds copy buttons and focuses the first error.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const text = source.value ?? source.textContent;
  try {
    await navigator.clipboard.writeText(text.trim());
    button.textContent = "Copied";
  } catch {
    if (source.select) source.select();
    button.textContent = "Press Ctrl+C";
  }
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
});
document.addEventListener("DOMContentLoaded", () => {
  const alert = document.querySelector(".failure[role=alert]");
  if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); }
});
// A selector marked data-submit-on-change (the app of Licenses and Logs) shows its choice at once.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-submit-on-change]");
  if (select && select.form) select.form.requestSubmit();
});
