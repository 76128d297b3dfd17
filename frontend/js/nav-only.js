import { renderNav } from "./nav.js";

renderNav();
