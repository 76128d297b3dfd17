// A table too wide for the screen scrolls sideways in its .table-scroll box; keyboard users
// need to reach that box to scroll it (WCAG 2.1.1). While a box overflows it is a focusable,
// named region; when it fits again it is not a tab stop. Boxes added later are watched too.

function label(box) {
  const caption = box.querySelector("caption");
  return (caption && caption.textContent.trim()) || "Table";
}

function update(box) {
  const overflows = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
  if (overflows) {
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", `${label(box)} (scrolls sideways)`);
  } else if (box.dataset.scrollWatched) {
    box.removeAttribute("tabindex");
    box.removeAttribute("role");
    box.removeAttribute("aria-label");
  }
}

const resized = typeof ResizeObserver === "function"
  ? new ResizeObserver((entries) => entries.forEach((e) => update(e.target.closest(".table-scroll") || e.target)))
  : null;

function watch(box) {
  if (box.dataset.scrollWatched) return;
  box.dataset.scrollWatched = "1";
  if (resized) {
    resized.observe(box);
    const table = box.querySelector("table");
    if (table) resized.observe(table);
  }
  update(box);
}

export function watchScrollers(root = document) {
  root.querySelectorAll(".table-scroll").forEach(watch);
  if (root !== document || document.documentElement.dataset.scrollersWatched) return;
  document.documentElement.dataset.scrollersWatched = "1";
  new MutationObserver(() => document.querySelectorAll(".table-scroll").forEach((box) => {
    watch(box);
    update(box);
  })).observe(document.body, { childList: true, subtree: true });
}
