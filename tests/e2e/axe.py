"""axe-core in the browser tests: every page is checked for serious and critical WCAG
violations with Deque's engine, vendored from npm (tests/e2e/vendor/axe.min.js, version
pinned in frontend/package.json) so nothing is downloaded at run time.

The script is evaluated through the DevTools protocol, not added as a <script> element, so
the pages' Content-Security-Policy stays as strict as in production.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

AXE_FILE = Path(__file__).with_name("vendor") / "axe.min.js"
BLOCKING = ("serious", "critical")

_RUN_JS = """async () => {
  const result = await window.axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ") + ": " + (n.failureSummary || "").split("\\n").slice(1, 2).join(""))
  }));
}"""


def _source() -> str:
    if not AXE_FILE.exists():
        raise AssertionError(f"{AXE_FILE} is missing: it is committed with the tests (see frontend/package.json, "
                             "script vendor:axe, for how it was copied from npm)")
    return AXE_FILE.read_text(encoding="utf-8")


def axe_violations(page, impacts=BLOCKING) -> List[Dict[str, object]]:
    """The page's axe violations of the given impacts, as {id, impact, help, nodes}."""
    if not page.evaluate("() => Boolean(window.axe && window.axe.run)"):
        cdp = page.context.new_cdp_session(page)
        try:
            done = cdp.send("Runtime.evaluate", {"expression": _source(), "returnByValue": True})
        finally:
            cdp.detach()
        if done.get("exceptionDetails"):
            raise AssertionError(f"axe-core did not load: {done['exceptionDetails'].get('text')}")
    return [v for v in page.evaluate(_RUN_JS) if v["impact"] in impacts]


def assert_no_axe_violations(page, where: str) -> None:
    """Fails with every serious or critical violation on the page, named by rule and element."""
    found = axe_violations(page)
    lines = [f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:6]) for v in found]
    assert not found, f"{where}: axe-core found {len(found)} serious/critical violation(s):\n" + "\n".join(lines)
