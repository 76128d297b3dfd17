// The site header's navigation, by role.
import { getSession, signOut } from "./api.js";
import { h, clear } from "./dom.js";
import { watchScrollers } from "./scrollers.js";

const LINKS = {
  student: [["/", "Patients and my interviews"], ["/progress", "My progress"]],
  assessor: [["/assessor/", "Conversations"], ["/assessor/cohort", "Cohort"]],
  educator: [["/educator/", "Personas"], ["/", "Try a patient"]],
};

/** On narrow screens the links fold behind a Menu button (CSS shows it below 40rem). */
function menuButton(nav) {
  const header = nav.closest(".site-header");
  if (!header || header.querySelector(".menu-toggle")) return;
  const button = h("button", { type: "button", class: "menu-toggle", "aria-expanded": "false", "aria-controls": nav.id },
    "Menu");
  button.addEventListener("click", () => {
    const open = !header.classList.contains("menu-open");
    header.classList.toggle("menu-open", open);
    button.setAttribute("aria-expanded", String(open));
  });
  nav.before(button);
}

export async function renderNav() {
  const nav = document.getElementById("site-nav");
  const s = await getSession();
  if (!nav) return s;
  clear(nav);
  menuButton(nav);
  watchScrollers();
  const user = s.user;
  if (!user) {
    nav.append(h("a", { href: "/login" }, "Staff sign-in"));
    return s;
  }
  for (const [href, label] of LINKS[user.role] || []) {
    const here = window.location.pathname === href;
    nav.append(h("a", { href, "aria-current": here ? "page" : null }, label));
  }
  nav.append(h("span", { class: "who" }, `Signed in as ${user.name} (${user.role})`));
  nav.append(h("button", { type: "button", class: "linkish", onclick: signOut }, "Sign out"));
  return s;
}
