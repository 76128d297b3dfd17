// The error pages (403, 404): the header, and on the 403 page a reason that fits who is
// signed in (a signed-in assessor is not told to get a staff account).
import { renderNav } from "./nav.js";
import { h, clear, $ } from "./dom.js";

const HOME = { assessor: ["/assessor/", "your conversation list"], educator: ["/educator/", "your persona pages"],
               student: ["/", "the start page"] };
const WHY = {
  student: "This page is not for students, or it belongs to another student: students see only their own interviews.",
  assessor: "Your assessor account does not open this page: assessors review conversations; persona pages are for educators.",
  educator: "Your educator account does not open this page: educators work on personas; conversations are for assessors.",
};

async function main() {
  const session = await renderNav();
  const user = session && session.user;
  const why = $("#why");
  const next = $("#next-steps");
  if (!user) return;
  if (why) why.textContent = WHY[user.role] || why.textContent;
  const [href, label] = HOME[user.role] || HOME.student;
  if (next) clear(next).append("Go to ", h("a", { href }, label), ".");
}
main();
