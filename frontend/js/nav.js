// The site header's navigation, by role.
import { getSession, signOut } from "./api.js";
import { h, clear } from "./dom.js";

const LINKS = {
  student: [["/", "Patients and my interviews"], ["/progress", "My progress"]],
  assessor: [["/assessor/", "Conversations"], ["/assessor/cohort", "Cohort"]],
  educator: [["/educator/", "Personas"], ["/", "Try a patient"]],
};

export async function renderNav() {
  const nav = document.getElementById("site-nav");
  const s = await getSession();
  if (!nav) return s;
  clear(nav);
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
