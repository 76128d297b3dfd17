"""The chat, honest about its state and usable without a mouse or a screen, in headless
Chromium against the real stack (docs/web.md: "The chat and the conversation id",
"Message delivery", "Accessibility"):

- axe-core (vendored) finds no serious or critical violation on any page, including the
  chat after 15 turns, after a reconnection and with the end dialog open;
- a reconnection announces nothing already on screen (the live region gets only new
  replies, and the log keeps its elements);
- a message sent while Rasa cannot be reached says "Not sent", survives a reload with the
  draft, and is delivered (once) when the connection comes back; one in flight when Rasa is
  SIGKILLed is answered once after the restart;
- the log scrolls by keyboard; at 390 px no table or chart label is cut, the header is one
  line, and with an on-screen keyboard's height the latest reply is in view; at 1280x900 the
  message box stays in view however long the log.
"""
from __future__ import annotations

import json
import re
import signal
import uuid

from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.support import ASSESSOR, EDUCATOR, SCRIPT, WebClient, screenshots_dir
from tests.e2e.test_browser import patient_messages, say, sign_in_student, wait_for_feedback

SHOTS = screenshots_dir()
PHONE_390 = {"width": 390, "height": 844}
PERSONA = "priya-shah"
#: Fourteen quick lines (played over REST); the fifteenth is typed in the browser.
LINES = SCRIPT + ["Where exactly do you feel it?", "Does anything make it better?", "How are you sleeping?",
                  "Who do you live with?", "What were you hoping we could do today?",
                  "Is there anything else you wanted to talk about?"]

LIVE_WATCH_JS = """() => {
  window.__said = [];
  const watch = (el) => new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) window.__said.push((el.id || el.tagName) + ': ' + (n.textContent || ''));
  }).observe(el, { childList: true, subtree: true, characterData: true });
  document.querySelectorAll('[aria-live], [role=log], [role=status], [role=alert]').forEach(watch);
  window.__nodes = [...document.querySelectorAll('#log > li')];
}"""


def student_with_turns(web, name: str, lines) -> WebClient:
    client = WebClient(web).student(name)
    client.cid = client.interview(PERSONA, lines)  # type: ignore[attr-defined]
    return client


def open_chat(page, cid: str) -> None:
    page.goto(f"/chat/{cid}")
    page.get_by_text("Connected to Priya Shah.").wait_for()


def record_of(web, page, cid: str):
    server = WebClient(web)
    server.http.cookies.update({c["name"]: c["value"] for c in page.context.cookies()})
    return server.get(f"/api/conversations/{cid}").json()["turns"]


def go_offline_and_back(page) -> None:
    page.context.set_offline(True)
    page.get_by_text("Connection lost").wait_for()
    page.context.set_offline(False)
    page.get_by_text("Connected to Priya Shah.").wait_for()


def test_axe_finds_nothing_serious_on_any_page(new_page, web):
    name = f"Axe Student {uuid.uuid4().hex[:6]}"
    client = student_with_turns(web, name, LINES[:14])
    page = new_page()
    sign_in_student(page, name)
    assert_no_axe_violations(page, "landing, signed in")
    open_chat(page, client.cid)
    say(page, LINES[14])
    assert page.locator("#log .msg.learner").count() == 15
    assert_no_axe_violations(page, "chat after 15 turns")
    go_offline_and_back(page)
    assert_no_axe_violations(page, "chat after a reconnection")
    page.locator("#end").click()
    page.locator("#end-dialog[open]").wait_for()
    assert_no_axe_violations(page, "chat with the end dialog open")
    page.locator("#end-confirm").click()
    page.wait_for_url(f"**/feedback/{client.cid}")
    wait_for_feedback(page)
    assert_no_axe_violations(page, "feedback")
    page.set_viewport_size(PHONE_390)
    assert_no_axe_violations(page, "feedback at 390 px")
    page.goto("/progress")
    page.locator("#progress-rows tr").first.wait_for()
    assert_no_axe_violations(page, "progress")
    for path, status in (("/no/such/page", 404), ("/assessor/", 403)):
        assert page.goto(path).status == status
        assert_no_axe_violations(page, f"{status} page")

    anonymous = new_page()
    for path in ("/", "/login", "/login?as=student"):
        anonymous.goto(path)
        anonymous.wait_for_load_state("networkidle")
        assert_no_axe_violations(anonymous, f"{path} signed out")

    staff = new_page()
    staff.goto("/login")
    staff.get_by_label("Name").fill(ASSESSOR[0])
    staff.get_by_label("Password").fill(ASSESSOR[1])
    staff.get_by_label("Password").press("Enter")
    staff.wait_for_url("**/assessor/")
    staff.locator("#rows tr").first.wait_for()
    assert_no_axe_violations(staff, "assessor list")
    staff.goto(f"/assessor/conversations/{client.cid}")
    staff.locator(".domain").first.wait_for(timeout=30_000)
    assert_no_axe_violations(staff, "assessor conversation")
    staff.goto("/assessor/cohort")
    staff.locator("#dom-rows tr").first.wait_for()
    assert_no_axe_violations(staff, "cohort")

    educator = new_page()
    educator.goto("/login?next=/educator/")
    educator.get_by_label("Name").fill(EDUCATOR[0])
    educator.get_by_label("Password").fill(EDUCATOR[1])
    educator.get_by_label("Password").press("Enter")
    educator.wait_for_url("**/educator/")
    preview = educator.locator("#preview-priya-shah")
    preview.locator("summary").click()
    preview.locator("tbody tr").first.wait_for()
    assert "null" not in preview.inner_text(), "no literal null after a level tag"
    assert_no_axe_violations(educator, "educator with a preview open")


def test_a_reconnection_announces_only_new_messages(new_page, web):
    name = f"Announce Student {uuid.uuid4().hex[:6]}"
    client = student_with_turns(web, name, LINES[:6])
    page = new_page()
    sign_in_student(page, name)
    open_chat(page, client.cid)
    assert page.evaluate("document.getElementById('log').tagName") == "OL"
    assert page.evaluate("document.getElementById('log').getAttribute('role')") is None, "the list keeps its semantics"
    shown = page.locator("#log .msg").count()
    assert shown == 13
    page.evaluate(LIVE_WATCH_JS)
    go_offline_and_back(page)
    page.wait_for_timeout(1500)  # the record is re-read after the reconnection
    said = page.evaluate("window.__said")
    old_texts = [t for t in page.locator("#log .msg .text").all_inner_texts()]
    assert not [s for s in said if any(t[:40] in s for t in old_texts)], f"re-announced: {said}"
    assert not [s for s in said if s.startswith("announcer")], said
    assert page.evaluate("window.__nodes.every((n, i) => n === document.querySelectorAll('#log > li')[i])"), \
        "the turns on screen keep their elements"
    assert page.locator("#log .msg").count() == shown

    reply = say(page, "How are things at work?")
    page.wait_for_timeout(500)
    announced = [s for s in page.evaluate("window.__said") if s.startswith("announcer")]
    assert announced == [f"announcer: Priya Shah: {reply}"], announced


def test_a_message_sent_while_the_patient_is_unreachable_is_kept_then_delivered_once(new_page, web):
    name = f"Offline Student {uuid.uuid4().hex[:6]}"
    client = student_with_turns(web, name, LINES[:2])
    page = new_page()
    sign_in_student(page, name)
    rasa = re.compile(rf"^https?://[^/]+:{web.rasa_port}/socket\.io/.*")
    page.route(rasa, lambda route: route.abort())  # Rasa is unreachable; the web app is not
    page.goto(f"/chat/{client.cid}")
    page.get_by_text("Cannot reach the patient right now").wait_for()
    box = page.locator("#message")
    box.fill("When did this first start?")
    box.press("Enter")
    bubble = page.locator("#log .msg.learner").last
    assert bubble.locator(".text").inner_text() == "When did this first start?"
    bubble.get_by_text("Not sent").wait_for()
    assert page.locator("#typing-text").is_hidden(), "nobody is typing while the patient cannot be reached"
    box.fill("And where do you")  # half-typed

    page.reload()  # both survive a reload
    page.get_by_text("Cannot reach the patient right now").wait_for()
    assert page.locator("#message").input_value() == "And where do you"
    bubble = page.locator("#log .msg.learner").last
    assert bubble.locator(".text").inner_text() == "When did this first start?"
    assert "Not sent" in bubble.locator(".state").inner_text()
    stored = json.loads(page.evaluate(f"sessionStorage.getItem('sptrainer.chat.{client.cid}')"))
    [item] = stored["items"]
    assert re.fullmatch(r"[0-9a-f-]{36}", item["id"]) and item["text"] == "When did this first start?"

    page.unroute(rasa)  # the connection comes back: the message goes, with its id, and is answered
    bubble.locator(".state", has_text="Delivered").wait_for(timeout=30_000)
    patient_messages(page).nth(3).wait_for()  # the opening, two replies over REST, then this one
    page.wait_for_timeout(1500)
    turns = record_of(web, page, client.cid)
    assert [t["text"] for t in turns if t["speaker"] == "learner"] == [*LINES[:2], "When did this first start?"]
    assert [t["speaker"] for t in turns] == ["patient", "learner", "patient", "learner", "patient", "learner", "patient"]
    assert page.locator("#log .msg .text").all_inner_texts() == [t["text"] for t in turns], "shown once each"
    assert json.loads(page.evaluate(f"sessionStorage.getItem('sptrainer.chat.{client.cid}')"))["items"] == []
    assert page.locator("#message").input_value() == "And where do you", "the draft is still there"
    page.screenshot(path=str(SHOTS / "chat-delivered-after-outage.png"))


def test_a_message_in_flight_when_rasa_is_killed_is_answered_once_after_the_restart(new_page, web):
    name = f"Killed Rasa Student {uuid.uuid4().hex[:6]}"
    client = student_with_turns(web, name, LINES[:1])
    page = new_page()
    sign_in_student(page, name)
    open_chat(page, client.cid)
    box = page.locator("#message")
    box.fill("What worries you most about it?")
    box.press("Enter")
    web.kill("rasa", signal.SIGKILL)  # the message is in flight, or just taken, or just answered
    try:
        page.locator("#conn.bad").wait_for()
        assert page.locator("#typing-text").is_hidden()
    finally:
        web.start_rasa(web.model)
    bubble = page.locator("#log .msg.learner").last
    bubble.locator(".state", has_text="Delivered").wait_for(timeout=60_000)
    patient_messages(page).nth(2).wait_for(timeout=60_000)
    page.wait_for_timeout(2000)  # a doubled reply would arrive by now
    turns = record_of(web, page, client.cid)
    assert [t["text"] for t in turns if t["speaker"] == "learner"] == [LINES[0], "What worries you most about it?"]
    assert [t["speaker"] for t in turns] == ["patient", "learner", "patient", "learner", "patient"], "answered once"
    assert page.locator("#log .msg .text").all_inner_texts() == [t["text"] for t in turns], "shown once each"


def test_long_messages_are_counted_not_cut(new_page, web):
    name = f"Paste Student {uuid.uuid4().hex[:6]}"
    client = student_with_turns(web, name, LINES[:1])
    page = new_page()
    sign_in_student(page, name)
    open_chat(page, client.cid)
    long_text = ("Could you tell me more about how the pain has been affecting your work and home life? " * 30)[:2100]
    box = page.locator("#message")
    box.fill(long_text)
    assert box.input_value() == long_text, "nothing is cut on paste"
    assert "2,100 of 2,000 characters" in page.locator("#message-count").inner_text()
    box.press("Enter")
    page.get_by_text("the limit is 2,000").wait_for()
    assert box.input_value() == long_text and page.locator("#log .msg.learner").count() == 1
    fits = long_text[:1200].strip()
    box.fill(fits)
    assert "1,200 of 2,000" in page.locator("#message-count").inner_text()
    box.press("Enter")
    page.locator("#log .msg.learner .state", has_text="Delivered").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    turns = record_of(web, page, client.cid)
    assert [t["text"] for t in turns if t["speaker"] == "learner"][-1] == fits
    stamp = page.locator("#log .msg.learner").last.locator("time")
    assert re.fullmatch(r"\d{1,2}:\d{2}( [AP]M)?", stamp.inner_text()) and stamp.get_attribute("datetime")


def test_the_log_scrolls_by_keyboard(new_page, web):
    name = f"Keyboard Scroll Student {uuid.uuid4().hex[:6]}"
    client = student_with_turns(web, name, LINES[:10])
    page = new_page(viewport={"width": 1000, "height": 700})
    sign_in_student(page, name)
    open_chat(page, client.cid)
    log_box = page.locator("#log-box")
    assert page.evaluate("(() => { const b = document.getElementById('log-box'); return b.scrollHeight > b.clientHeight; })()")
    page.locator("#message").focus()
    page.keyboard.press("Shift+Tab")
    for _ in range(6):
        if page.evaluate("document.activeElement.id") == "log-box":
            break
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "log-box", "the log is a tab stop"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    bottom = log_box.evaluate("b => b.scrollTop")
    assert bottom > 0, "the log opens at the latest message"
    page.keyboard.press("PageUp")
    page.wait_for_timeout(300)
    assert log_box.evaluate("b => b.scrollTop") < bottom
    page.keyboard.press("Home")
    page.wait_for_timeout(300)
    assert log_box.evaluate("b => b.scrollTop") == 0
    page.keyboard.press("End")
    page.wait_for_timeout(300)
    assert log_box.evaluate("b => b.scrollTop + b.clientHeight >= b.scrollHeight - 2")
    page.keyboard.press("ArrowUp")
    page.wait_for_timeout(300)
    assert log_box.evaluate("b => b.scrollTop + b.clientHeight < b.scrollHeight - 2"), "arrow keys scroll it"


CLIPPED_JS = """(selector) => {
  const out = [];
  const width = document.documentElement.clientWidth;
  for (const table of document.querySelectorAll(selector)) {
    const box = table.closest('.table-scroll') || table.parentElement;
    if (box.scrollWidth > box.clientWidth + 1) out.push(`${table.className}: scrolls ${box.scrollWidth} > ${box.clientWidth}`);
    for (const cell of table.querySelectorAll('th, td')) {
      const r = cell.getBoundingClientRect();
      if (r.width > 0 && (r.left < -1 || r.right > width + 1)) out.push(`${cell.textContent.slice(0, 30)}: ${r.left}-${r.right}`);
    }
  }
  return out;
}"""

LABELS_FIT_JS = """(id) => {
  const chart = window.Chart.getChart(document.getElementById(id));
  const scale = chart.scales.y;
  const ctx = chart.ctx;
  ctx.save();
  ctx.font = `13px ${window.Chart.defaults.font.family}`;
  const lines = scale.ticks.flatMap((t) => Array.isArray(t.label) ? t.label : [t.label]);
  const widest = Math.max(...lines.map((l) => ctx.measureText(l).width));
  ctx.restore();
  return { widest, room: scale.width, left: scale.left };
}"""


def test_390_px_layout_cuts_no_table_or_label_and_keeps_the_latest_reply_in_view(new_page, web):
    name = f"Narrow Student {uuid.uuid4().hex[:6]}"
    client = student_with_turns(web, name, LINES[:9])
    page = new_page(viewport=PHONE_390)
    sign_in_student(page, name)
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 64, f"the header is one line at 390 px ({header['height']} px)"
    open_chat(page, client.cid)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    assert_no_axe_violations(page, "chat at 390 px")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="My progress").wait_for()
    assert_no_axe_violations(page, "chat at 390 px with the menu open")
    page.get_by_role("button", name="Menu").click()

    # With an on-screen keyboard open the window is about 420 px high: the latest reply shows.
    page.set_viewport_size({"width": 390, "height": 420})
    page.locator("#message").focus()
    page.wait_for_timeout(600)
    log_box = page.locator("#log-box").bounding_box()
    last = patient_messages(page).last.bounding_box()
    assert log_box["height"] >= 150, log_box
    assert last["y"] < log_box["y"] + log_box["height"] and last["y"] + last["height"] > log_box["y"], \
        "the latest reply is in view"
    composer = page.locator("#send").bounding_box()
    assert composer["y"] + composer["height"] <= 420, "Send is in view"
    page.screenshot(path=str(SHOTS / "chat-390-keyboard.png"))

    page.set_viewport_size(PHONE_390)
    assert client.post(f"/api/conversations/{client.cid}/end").status_code == 200
    page.goto(f"/feedback/{client.cid}")
    wait_for_feedback(page)
    assert page.evaluate(CLIPPED_JS, "#domains-card table, #pv-card table") == []
    fit = page.evaluate(LABELS_FIT_JS, "domain-chart")
    assert fit["left"] >= 0 and fit["widest"] <= fit["room"], f"chart labels are cut: {fit}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    page.screenshot(path=str(SHOTS / "feedback-390.png"), full_page=True)


def test_at_1280x900_the_message_box_stays_in_view(new_page, web):
    name = f"Long Log Student {uuid.uuid4().hex[:6]}"
    client = student_with_turns(web, name, LINES[:14])
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in_student(page, name)
    open_chat(page, client.cid)
    for selector in ("#message", "#send"):
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= 900, f"{selector} below the fold"
    assert page.evaluate("document.documentElement.scrollHeight") <= 900 + 1
    page.screenshot(path=str(SHOTS / "chat-long-log.png"))
