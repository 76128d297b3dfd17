"""End to end in headless Chromium: a student interviews a bundled persona by keyboard and
gets feedback; the chat survives reloads and dropped connections; an assessor reviews and
overrides a score; students are kept out of what is not theirs; user text stays text.

Screenshots of every page go to artifacts/screenshots/ (see README.md, "Web app").
"""
from __future__ import annotations

import json
import re

from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import PHONE
from tests.e2e.support import ASSESSOR, EDUCATOR, SCRIPT, WebClient, screenshots_dir
from tests.test_rest_interview import BUNDLED

PERSONA = "priya-shah"
STUDENT = "Sam Student 0042"
STATE: dict = {}
SHOTS = screenshots_dir()

CONTRAST_JS = """(selectors) => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(parseFloat); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = ({r, g, b}) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const bg = (el) => { while (el) { const c = parse(getComputedStyle(el).backgroundColor);
    if (c && c.a > 0.99) return c; el = el.parentElement; } return {r: 255, g: 255, b: 255, a: 1}; };
  const out = [];
  for (const sel of selectors) for (const el of document.querySelectorAll(sel)) {
    if (el.offsetParent === null || el.disabled || !el.textContent.trim()) continue;
    const a = lum(parse(getComputedStyle(el).color)), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) out.push(`${sel} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return out;
}"""
TEXT_SELECTORS = ["p", "li", "td", "th", "label", "h1", "h2", "h3", ".hint", ".muted", ".speaker", "button", "a",
                  ".tag", ".badge", "summary", "code"]

UNLABELLED_JS = """() => [...document.querySelectorAll('input, select, textarea, button, a[href]')]
  .filter((el) => el.offsetParent !== null && el.type !== 'hidden')
  .filter((el) => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
    if (['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) return !(el.labels && [...el.labels].some((l) => l.textContent.trim()));
    return !el.textContent.trim();
  }).map((el) => el.outerHTML.slice(0, 80))"""


def check_page_accessibility(page, name: str) -> None:
    assert page.evaluate(UNLABELLED_JS) == [], f"{name}: controls without a label"
    assert page.evaluate(CONTRAST_JS, TEXT_SELECTORS) == [], f"{name}: text below 4.5:1 contrast"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert_no_axe_violations(page, name)


def tab_to(page, predicate_js: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches; proves keyboard reachability and order."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean({predicate_js}); }})()"):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", "keyboard focus must be visible"
            return
    raise AssertionError(f"never reached {predicate_js} with Tab")


def patient_messages(page):
    return page.locator("#log .msg.patient")


def say(page, text: str) -> str:
    """Type a line in the chat, press Enter, see the typing indicator, return the reply."""
    before = patient_messages(page).count()
    box = page.locator("#message")
    box.focus()
    box.fill(text)
    box.press("Enter")
    typing = page.locator("#typing-text")
    typing.wait_for(state="visible")
    assert "is typing" in typing.inner_text()
    patient_messages(page).nth(before).wait_for()
    page.locator("#typing-text").wait_for(state="hidden")
    return patient_messages(page).nth(before).locator(".text").inner_text()


def wait_for_feedback(page, timeout: float = 60_000) -> None:
    """The feedback page has its report (scoring may take a while on a cold stack), or what the page said."""
    try:
        page.get_by_text("Your feedback is ready.").wait_for(timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - report what the page said instead
        raise AssertionError(f"no feedback: status {page.locator('#status').inner_text()!r}, "
                             f"notice {page.locator('#notice').inner_text()!r}") from exc


def sign_in_student(page, name: str) -> None:
    page.goto("/")
    page.get_by_label("Your name or student ID").fill(name)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Your interviews").wait_for()


def start_chat(page, persona_name: str = "Priya Shah") -> str:
    page.get_by_role("button", name=f"Interview {persona_name}").click()
    page.wait_for_url(re.compile(r".*/chat/c-[A-Za-z0-9_-]+$"))
    first = persona_name.split()[0]
    page.get_by_role("button", name=f"Invite {first} in").click()
    patient_messages(page).first.wait_for()
    return page.url.rsplit("/", 1)[-1]


def test_student_completes_an_interview_by_keyboard_and_sees_feedback(new_page, web):
    persona = BUNDLED.get(PERSONA)
    page = new_page()
    page.goto("/")
    page.locator("#patients li").first.wait_for()
    cards = page.locator("#patients li")
    assert cards.count() == len(BUNDLED.ids())
    priya = page.locator("article", has=page.get_by_role("heading", name="Priya Shah"))
    assert f"Age {persona.age}" in priya.inner_text() and persona.one_line in priya.inner_text()
    check_page_accessibility(page, "landing")
    page.screenshot(path=str(SHOTS / "landing.png"), full_page=True)

    # Keyboard only: sign in, pick the patient, invite them in, talk, end.
    tab_to(page, "el.id === 'student-name'")
    page.keyboard.type(STUDENT)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your interviews").wait_for()
    page.wait_for_load_state("networkidle")  # the list of interviews renders after its fetch
    tab_to(page, "el.textContent === 'Interview Priya Shah'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/chat/c-[A-Za-z0-9_-]+$"))
    cid = page.url.rsplit("/", 1)[-1]
    page.locator("#invite-button:not([disabled])").wait_for()
    assert page.evaluate("document.activeElement.id") == "invite-button"
    assert patient_messages(page).count() == 0, "the patient speaks only when invited"
    page.keyboard.press("Enter")
    patient_messages(page).first.wait_for()
    opening = patient_messages(page).first
    assert opening.locator(".speaker").inner_text() == "Priya Shah"
    assert any(opening.locator(".text").inner_text().startswith(o) for o in persona.opening)
    assert page.evaluate("document.activeElement.id") == "message"
    check_page_accessibility(page, "chat")

    replies = [say(page, line) for line in SCRIPT[:4]]
    assert all(replies)
    learner = page.locator("#log .msg.learner")
    assert [learner.nth(i).locator(".speaker").inner_text() for i in range(learner.count())] == ["You"] * 4

    page.reload()  # nothing is lost: the transcript comes back from the tracker store
    patient_messages(page).nth(4).wait_for()
    assert page.locator("#log .msg").count() == 9
    assert page.locator("#log .msg.learner .text").all_inner_texts() == SCRIPT[:4]
    page.get_by_text("Connected to Priya Shah.").wait_for()
    replies += [say(page, line) for line in SCRIPT[4:]]
    page.screenshot(path=str(SHOTS / "chat.png"), full_page=True)

    page.locator("#end").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "end-confirm"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/feedback/{cid}")
    wait_for_feedback(page)

    overall = page.locator("#overall").inner_text()
    assert re.fullmatch(r"\d{1,3}", overall) and 0 <= int(overall) <= 100
    domains = page.locator("#domains tr")
    assert domains.count() >= 5
    bars = page.evaluate("window.Chart.getChart(document.getElementById('domain-chart')).data.datasets[0].data.length")
    assert bars == domains.count(), "the chart shows every domain"
    assert 2 <= page.locator("#advice li").count() <= 3
    cue = page.locator("#cues li").first
    assert "You could have said:" in cue.inner_text()
    assert "all in your head" in page.locator("#dismissals").inner_text()

    link = page.locator("#domains a[href^='#turn-']").first
    target = link.get_attribute("href")[1:]
    link.click()
    assert page.evaluate("document.activeElement.id") == target
    assert page.evaluate("location.hash") == f"#{target}"
    quote = link.locator("xpath=preceding-sibling::q[1]").inner_text()
    assert quote in page.locator(f"#{target} .text").inner_text()

    with page.expect_download() as dl:
        page.get_by_role("link", name="Download transcript (JSON)").click()
    transcript = json.loads(open(dl.value.path(), encoding="utf-8").read())
    assert transcript["persona_id"] == PERSONA
    assert [t["text"] for t in transcript["turns"] if t["speaker"] == "learner"] == SCRIPT
    assert [t["text"] for t in transcript["turns"] if t["speaker"] == "patient"][1:] == replies
    with page.expect_download() as dl:
        page.get_by_role("link", name="Download report (JSON)").click()
    report = json.loads(open(dl.value.path(), encoding="utf-8").read())
    assert str(round(report["report"]["overall"])) == overall or f"{report['report']['overall']:.0f}" == overall
    check_page_accessibility(page, "feedback")
    page.screenshot(path=str(SHOTS / "feedback.png"), full_page=True)
    STATE["cid"] = cid


def test_chat_survives_a_dropped_connection_without_losing_or_repeating_turns(new_page, web):
    page = new_page()
    sign_in_student(page, "Dropped Connection Student")
    cid = start_chat(page)
    page.context.set_offline(True)
    page.get_by_text("Connection lost").wait_for()
    page.locator("#message").fill("When did this first start?")
    page.locator("#message").press("Enter")  # typed while offline: kept and sent on reconnect
    page.context.set_offline(False)
    patient_messages(page).nth(1).wait_for()
    page.get_by_text("Connected to Priya Shah.").wait_for()
    # A reply that arrives while the connection is down is recovered from the tracker.
    page.locator("#message").fill("Where exactly do you feel it?")
    page.locator("#message").press("Enter")
    page.context.set_offline(True)
    page.get_by_text("Connection lost").wait_for()
    page.context.set_offline(False)
    patient_messages(page).nth(2).wait_for()
    page.wait_for_timeout(1500)
    shown = [m.inner_text() for m in page.locator("#log .msg .text").all()]
    server = WebClient(web)
    server.http.cookies.update({c["name"]: c["value"] for c in page.context.cookies()})
    turns = server.get(f"/api/conversations/{cid}").json()["turns"]
    assert shown == [t["text"] for t in turns], "the page shows exactly the tracker's turns, once each"
    assert [t["speaker"] for t in turns] == ["patient", "learner", "patient", "learner", "patient"]


def test_chat_works_at_phone_width(new_page, web):
    page = new_page(viewport=PHONE)
    sign_in_student(page, "Phone Student")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    start_chat(page)
    say(page, "What brings you in today? " + "Please tell me everything in detail. " * 6)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    box = page.locator("#message").bounding_box()
    send = page.locator("#send").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert send["x"] + send["width"] <= PHONE["width"] and send["height"] >= 40, "tap target"
    check_page_accessibility(page, "chat at 360 px")
    page.screenshot(path=str(SHOTS / "chat-phone.png"), full_page=True)


def test_assessor_signs_in_opens_the_conversation_and_overrides_a_score(new_page, web):
    cid = STATE.get("cid")
    assert cid, "needs test_student_completes_an_interview_by_keyboard_and_sees_feedback to have passed"
    page = new_page()
    page.goto("/assessor/")
    page.wait_for_url("**/login?next=/assessor/")
    page.get_by_label("Name").fill(ASSESSOR[0])
    page.get_by_label("Password").fill(ASSESSOR[1])
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/assessor/")
    page.get_by_label("Student").fill(STUDENT)
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_text("1 conversation found.").wait_for()
    assert "student=Sam+Student+0042" in page.locator("#export-csv").get_attribute("href")
    check_page_accessibility(page, "assessor list")
    page.screenshot(path=str(SHOTS / "assessor-list.png"), full_page=True)
    page.get_by_role("link", name=f"Review {STUDENT} with Priya Shah").click()
    page.wait_for_url(f"**/assessor/conversations/{cid}")
    page.locator(".domain").first.wait_for()

    learner_turns = page.locator("#transcript .turn.learner")
    assert learner_turns.count() == len(SCRIPT)
    for i in range(learner_turns.count()):
        assert re.search(r"Topic: [a-z_]+", learner_turns.nth(i).locator(".turn-head").inner_text()), i
    dismissal = page.locator("#transcript .turn.hl-dismissal")
    assert dismissal.count() >= 1 and "It's probably all in your head." in dismissal.first.locator("mark").inner_text()
    assert page.locator("#transcript .turn.hl-empathy mark").count() >= 1
    assert page.locator("#transcript .turn.hl-missed").count() >= 1
    assert "Missed cue" in page.locator("#transcript .turn.hl-missed").first.inner_text()

    block = page.locator("#domain-psychosocial_context")
    before = block.locator(".score").inner_text()
    block.locator("summary").click()
    page.get_by_label("New score for Psychosocial context (0 to 5)").fill("4.5")
    page.locator("#ov-psychosocial_context-comment").fill("Explored home life with real warmth.")
    block.get_by_role("button", name="Save override").click()
    page.get_by_text("Override saved for Psychosocial context.").wait_for()
    block = page.locator("#domain-psychosocial_context")
    assert block.locator(".score").inner_text() == "4.5 / 5"
    assert f"Overridden by {ASSESSOR[0]}" in block.inner_text()
    page.get_by_text(re.compile(r"after overrides; the scorer gave \d+")).wait_for()
    block.locator("summary", has_text="Change history").click()
    history = block.locator(".history li").first.inner_text()
    assert f"{ASSESSOR[0]} changed {before.split(' / ')[0]} to 4.5" in history
    assert "Explored home life with real warmth." in history
    check_page_accessibility(page, "assessor conversation")
    page.screenshot(path=str(SHOTS / "assessor-conversation.png"), full_page=True)

    page.goto("/assessor/cohort")
    page.locator("#dom-rows tr").first.wait_for()
    assert page.evaluate("Boolean(window.Chart.getChart(document.getElementById('top-chart')))")
    check_page_accessibility(page, "cohort")
    page.screenshot(path=str(SHOTS / "assessor-cohort.png"), full_page=True)


def test_student_gets_403_on_another_students_conversation_and_every_staff_page(new_page, web):
    cid = STATE.get("cid")
    assert cid, "needs the student interview test to have passed"
    page = new_page()
    sign_in_student(page, "Mallory Nosy")
    for path in [f"/chat/{cid}", f"/feedback/{cid}", "/assessor/", "/assessor/cohort",
                 f"/assessor/conversations/{cid}", "/educator/"]:
        response = page.goto(path)
        assert response.status == 403, path
        assert page.get_by_role("heading", name="Not allowed").is_visible()
    for path in [f"/api/conversations/{cid}", f"/api/conversations/{cid}/transcript.json",
                 "/api/assessor/conversations", f"/api/assessor/conversations/{cid}", "/api/educator/personas"]:
        assert page.request.get(path).status == 403, path
    page.screenshot(path=str(SHOTS / "forbidden.png"), full_page=True)


def test_html_and_script_in_messages_and_names_are_shown_as_plain_text(new_page, web):
    nasty_name = "<b>Eve</b> & <i>co</i>"
    nasty = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold?</b> tell me more'
    page = new_page()
    sign_in_student(page, nasty_name)
    assert f"Signed in as {nasty_name} (student)" in page.locator("#site-nav").inner_text()
    cid = start_chat(page)
    say(page, nasty)
    bubble = page.locator("#log .msg.learner .text").last
    assert bubble.inner_text() == nasty
    assert bubble.evaluate("el => el.children.length") == 0, "no elements were created from the text"
    assert page.evaluate("typeof window.__xss") == "undefined"
    page.reload()
    page.locator("#log .msg.learner").first.wait_for()
    assert page.locator("#log .msg.learner .text").last.inner_text() == nasty
    assert page.evaluate("document.querySelectorAll('#log img, #log script, #log b').length") == 0
    page.goto(f"/feedback/{cid}")
    wait_for_feedback(page)
    assert nasty in page.locator("#transcript").inner_text()
    assert page.evaluate("document.querySelectorAll('#transcript img, #transcript script, #transcript b').length") == 0
    assert page.evaluate("typeof window.__xss") == "undefined"

    staff = new_page()
    staff.goto("/login")
    staff.get_by_label("Name").fill(ASSESSOR[0])
    staff.get_by_label("Password").fill(ASSESSOR[1])
    staff.get_by_role("button", name="Sign in").click()
    staff.wait_for_url("**/assessor/")
    staff.goto(f"/assessor/conversations/{cid}")
    staff.locator("#transcript .turn.learner").first.wait_for()
    assert staff.locator("#title").inner_text().startswith(nasty_name)
    assert nasty in staff.locator("#transcript").inner_text()
    assert staff.evaluate("document.querySelectorAll('main img, main script, main b, main i').length") == 0
    assert staff.evaluate("typeof window.__xss") == "undefined"


def test_educator_sees_each_persona_and_its_answers_by_rapport(new_page, web):
    page = new_page()
    page.goto("/login?next=/educator/")
    page.get_by_label("Name").fill(EDUCATOR[0])
    page.get_by_label("Password").fill(EDUCATOR[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/educator/")
    page.locator("#files tr").first.wait_for()
    assert page.locator("#files tr").count() == len(BUNDLED.ids())
    assert page.locator("#files .badge.yes").count() == len(BUNDLED.ids())
    preview = page.locator("#preview-priya-shah")
    preview.locator("summary").click()
    row = preview.locator("tr", has=page.locator("code", has_text="ask_stress"))
    row.wait_for()
    cells = row.locator("td")
    assert cells.nth(0).inner_text().startswith("I mean, I'm a trainee accountant")
    assert cells.nth(1).inner_text().startswith("Honestly, loads.")
    check_page_accessibility(page, "educator")
    page.screenshot(path=str(SHOTS / "educator.png"), full_page=False)
