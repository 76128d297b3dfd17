"""Security (docs/security.md) in a real browser: the ``?next=`` page after signing in never leads off
the site (an open redirect would let a phishing link pass through the real sign-in page)."""
from __future__ import annotations

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.support import EDUCATOR

#: The first two pass a "starts with one slash, not two" check, but a browser reads them as
#: "//evil.example" (URLs lose tabs and newlines); the third is off-site outright.
OFF_SITE = ["/%09/evil.example/", "/%0A/evil.example/", "//evil.example/"]


def _trap(page) -> None:
    """Any visit to evil.example is answered locally, so an escape shows in page.url."""
    page.route(re.compile(r"^https?://evil\.example/.*"),
               lambda route: route.fulfill(status=200, content_type="text/html", body="<h1>evil</h1>"))


def _signed_in(page) -> None:
    """Waits for the sign-in page to be left; if it is not, the failure shows what the page said
    (a slow hash on a loaded machine and a refused sign-in look the same from the URL alone)."""
    try:
        page.wait_for_url(lambda url: "/login" not in url, timeout=60_000)
    except PlaywrightTimeout:
        raise AssertionError(f"still on {page.url}; notice: {page.locator('#notice').inner_text()!r}") from None


def test_sign_in_never_redirects_off_site(new_page, web):
    for next_ in OFF_SITE:
        page = new_page()
        _trap(page)
        page.goto(f"/login?next={next_}")
        page.get_by_label("Name").fill(EDUCATOR[0])
        page.get_by_label("Password").fill(EDUCATOR[1])
        page.get_by_label("Password").press("Enter")
        _signed_in(page)
        assert page.url == f"{web.web_url}/educator/", (next_, page.url)
        if next_.startswith("//"):
            continue
        student = new_page()
        _trap(student)
        student.goto(f"/?next={next_}")
        student.get_by_label("Your name or student ID").fill("Redirect Tester")
        student.get_by_role("button", name="Continue").click()
        student.get_by_role("heading", name="Your interviews").wait_for()
        assert student.url.startswith(web.web_url + "/"), (next_, student.url)
    # A page of the site is still honoured.
    page = new_page()
    page.goto("/login?next=/%3Fwelcome%3D1")
    page.get_by_label("Name").fill(EDUCATOR[0])
    page.get_by_label("Password").fill(EDUCATOR[1])
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"{web.web_url}/?welcome=1")
