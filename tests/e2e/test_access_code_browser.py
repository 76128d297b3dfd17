"""A student signs in with a name and the class's access code in Chromium, against a web app
with access codes on (the default; docs/security.md, "Student access")."""
from __future__ import annotations

from typing import List

import pytest

from tests.test_security_redteam import LoneWeb


@pytest.fixture()
def school(tmp_path):
    server = LoneWeb(tmp_path, SPTRAINER_STUDENT_ACCESS="code")
    done = server.cli("cohort", "add", "Browser class")
    assert done.returncode == 0, done.stderr
    code = done.stdout.rsplit("access code ", 1)[1].strip()
    server.start()
    yield server, code
    server.stop()


def test_a_student_signs_in_with_the_class_code_and_lands_where_they_were_going(browser, school):
    server, code = school
    ctx = browser.new_context(base_url=server.url)
    ctx.set_default_timeout(20_000)
    errors: List[str] = []
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text
            else None)
    try:
        page.goto("/progress")  # signed out: sent to the code form, with the page to return to
        page.wait_for_url("**/login?as=student&next=/progress")
        page.get_by_role("heading", name="Student sign-in").wait_for()
        page.get_by_label("Your name or student ID").fill("Grace Hopper")
        page.get_by_label("Access code").fill("WRONG-CODE9")
        page.get_by_label("Access code").press("Enter")
        notice = page.locator("#notice")
        notice.wait_for()
        assert "not valid" in notice.inner_text()
        page.get_by_label("Access code").fill(code.lower())
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: url == f"{server.url}/progress")
        session = page.evaluate("fetch('/api/session').then(r => r.json())")
        assert session["user"]["name"] == "Grace Hopper" and session["student_access"] == "code"
    finally:
        ctx.close()
    assert not errors, errors


def test_the_start_page_asks_for_the_code_and_signs_the_student_in_with_it(browser, school):
    server, code = school
    ctx = browser.new_context(base_url=server.url)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    try:
        page.goto("/")
        page.get_by_label("Your name or student ID").fill("Ada Lovelace")
        page.get_by_role("button", name="Continue").click()
        notice = page.locator("#notice")
        notice.wait_for()
        assert "access code" in notice.inner_text()  # no code: said so, nothing sent
        page.locator("#access-code").fill(code)
        page.get_by_role("button", name="Continue").click()
        page.locator("#signin").wait_for(state="hidden")
        session = page.evaluate("fetch('/api/session').then(r => r.json())")
        assert session["user"]["name"] == "Ada Lovelace"
    finally:
        ctx.close()
