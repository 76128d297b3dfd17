"""A real headless browser (Debian's chromium, driven by Playwright) against the real stack.

Nothing is downloaded at run time: Playwright is pointed at /usr/bin/chromium (`make test`
installs Debian's package when it is missing). Every page must run without a JavaScript
error or a Content-Security-Policy violation; each test's pages are checked for that.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, List

import pytest

from tests.e2e.support import chromium_path, ensure_staff

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser() -> Iterator["object"]:
    exe = chromium_path()
    if not Path(exe).exists():
        pytest.fail(f"{exe} is missing: `make test` installs Debian's chromium (apt-get install -y chromium); "
                    "set SPTRAINER_CHROMIUM to use another Chromium binary")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", "0")  # never look for (or fetch) bundled browsers
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def web(web_stack):
    ensure_staff(web_stack)
    return web_stack


class PageProblems:
    """JavaScript errors and CSP violations seen by any page of a context."""

    def __init__(self) -> None:
        self.items: List[str] = []

    def watch(self, page) -> None:
        page.on("pageerror", lambda e: self.items.append(f"{page.url}: {e}"))
        page.on("console", lambda m: self.items.append(f"{page.url}: {m.text}")
                if m.type == "error" and ("Content Security Policy" in m.text or "Uncaught" in m.text) else None)


@pytest.fixture
def problems() -> Iterator[PageProblems]:
    p = PageProblems()
    yield p
    assert not p.items, "errors in the pages:\n" + "\n".join(p.items)


@pytest.fixture
def new_page(browser, problems, web):
    """new_page(viewport=DESKTOP) -> a page in a fresh context (its own cookies)."""
    contexts = []

    def make(viewport=DESKTOP, **kw):
        ctx = browser.new_context(viewport=viewport, base_url=web.web_url, accept_downloads=True, **kw)
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        page = ctx.new_page()
        problems.watch(page)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
