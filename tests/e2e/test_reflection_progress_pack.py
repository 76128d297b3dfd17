"""Reflections and the patient's view (docs/web.md) in headless Chromium: the patient's view on the feedback and review pages, the
reflection round trip (the student writes it, an assessor reads and answers it, the student
sees the answer), the teaching pack downloaded from the assessor's list (no student name or
id in it), and the student's progress chart.

Interviews are played through Rasa's REST channel (fast); everything the people do is done
in the browser. Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import json
import re
import uuid

from tests.e2e.conftest import PHONE
from tests.e2e.support import ASSESSOR, SCRIPT, WebClient, screenshots_dir
from tests.e2e.test_browser import check_page_accessibility, sign_in_student, wait_for_feedback

SHOTS = screenshots_dir()
REFLECTION = {
    "What went well": "I asked how things were at home and <b>she</b> opened up.",
    "A moment I could have listened more": "When she said work was awful I went straight to alcohol.",
    "What I would do differently": "Pause after a cue and say what I noticed.",
}
ANSWER = "Well spotted. Next time try: \"That sounds like a lot to carry\" before moving on."


def ended_interview(client: WebClient, persona: str, lines) -> str:
    cid = client.interview(persona, lines)
    assert client.post(f"/api/conversations/{cid}/end").status_code == 200
    return cid


def sign_in_assessor(page) -> None:
    page.goto("/login?next=/assessor/")
    page.get_by_label("Name").fill(ASSESSOR[0])
    page.get_by_label("Password").fill(ASSESSOR[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/assessor/")


def test_reflection_round_trip_patient_view_and_an_anonymous_teaching_pack(new_page, web):
    tag = uuid.uuid4().hex[:6]
    name, other = f"Riley Quinn {tag}", f"Morgan Lee {tag}"
    riley = ended_interview(WebClient(web).student(name), "priya-shah",
                            ["Hi, I'm Riley Quinn, one of the medical students.", *SCRIPT[1:]])
    morgan = ended_interview(WebClient(web).student(other), "daniel-osei",
                             ["Hello, my name is Morgan, a medical student.", *SCRIPT[1:5]])

    # The student: the patient's view, then the reflection.
    student = new_page()
    sign_in_student(student, name)
    student.goto(f"/feedback/{riley}")
    wait_for_feedback(student)
    pv = student.locator("#pv-card")
    assert pv.locator("tbody tr").count() == 10
    assert "not a validated CARE score" in pv.locator(".pv-note").inner_text()
    assert re.search(r"total: \d+ out of 50", pv.locator(".pv-total").inner_text())
    link = pv.locator("a[href^='#turn-']").first
    target = link.get_attribute("href")[1:]
    quote = link.locator("xpath=preceding-sibling::q[1]").inner_text()
    link.click()
    assert student.evaluate("document.activeElement.id") == target
    assert quote.rstrip(".") in student.locator(f"#{target} .text").inner_text()
    pv.screenshot(path=str(SHOTS / "patient-view.png"))

    card = student.locator("#reflection-card")
    for label, text in REFLECTION.items():
        card.get_by_label(label, exact=True).fill(text)
    card.screenshot(path=str(SHOTS / "reflection-form.png"))
    card.get_by_role("button", name="Save reflection").click()
    student.get_by_text("Your reflection is saved.").wait_for()
    shown = card.locator(".reflection-text").all_inner_texts()
    assert shown == list(REFLECTION.values())
    assert card.locator(".reflection b").count() == 0, "markup typed by the student stays text"
    assert "No answer from an assessor yet" in card.inner_text()
    check_page_accessibility(student, "feedback with a reflection")
    card.screenshot(path=str(SHOTS / "reflection.png"))

    # The assessor: select both conversations, export the pack, then answer the reflection.
    staff = new_page()
    sign_in_assessor(staff)
    staff.get_by_label("Student").fill(tag)
    staff.get_by_role("button", name="Apply filters").click()
    staff.get_by_text("2 conversations found.").wait_for()
    assert "awaiting an answer" in staff.locator("#rows tr", has_text=name).inner_text()
    for who in (name, other):
        box = staff.locator("#rows tr", has_text=who).get_by_role("checkbox", name="Add to the teaching pack")
        assert box.get_attribute("aria-describedby"), "the row is its description"
        box.check()
    staff.get_by_text("2 conversations selected for the teaching pack.").wait_for()
    staff.get_by_role("button", name="Export teaching pack").click()
    staff.get_by_text("Teaching pack of 2 interviews ready").wait_for(timeout=30_000)
    files = {}
    for file_name in ("pack.html", "pack.json"):
        with staff.expect_download() as dl:
            staff.get_by_role("link", name=f"Download {file_name}").click()
        assert dl.value.suggested_filename == file_name
        files[file_name] = open(dl.value.path(), encoding="utf-8").read()
    pack = json.loads(files["pack.json"])
    assert [t["label"] for t in pack["transcripts"]] == ["Transcript A", "Transcript B"]
    assert files["pack.html"].startswith("<!doctype html>") and "Transcript B" in files["pack.html"]
    for secret in ("Riley", "Quinn", "Morgan", tag, riley, morgan, name, other):
        for file_name, body in files.items():
            assert secret.lower() not in body.lower(), f"{secret!r} in {file_name}"
    check_page_accessibility(staff, "assessor list with a selection")
    staff.screenshot(path=str(SHOTS / "assessor-teaching-pack.png"), full_page=True)

    staff.get_by_role("link", name=f"Review {name} with Priya Shah").click()
    staff.wait_for_url(f"**/assessor/conversations/{riley}")
    staff.locator("#pv-card tbody tr").nth(9).wait_for(timeout=30_000)
    assert staff.locator("#pv-card tbody tr").count() == 10
    answer_card = staff.locator("#reflection-card")
    answer_card.get_by_text(REFLECTION["What I would do differently"]).wait_for()
    assert "Awaiting an answer" in answer_card.inner_text() and f"Written by {name}" in answer_card.inner_text()
    answer_card.get_by_label("Your answer to the student").fill(ANSWER)
    answer_card.get_by_role("button", name="Send answer").click()
    staff.get_by_text("Your answer is sent.").wait_for()
    assert answer_card.locator(".answer .reflection-text").inner_text() == ANSWER
    assert f"{ASSESSOR[0]} answered on" in answer_card.locator(".answer").inner_text()
    check_page_accessibility(staff, "assessor conversation with a reflection")
    answer_card.screenshot(path=str(SHOTS / "assessor-reflection-answer.png"))

    # The student sees the answer.
    student.reload()
    student.locator("#reflection .answer").wait_for()
    assert student.locator("#reflection .answer .reflection-text").inner_text() == ANSWER
    assert f"{ASSESSOR[0]} answered on" in student.locator("#reflection .answer").inner_text()
    card.screenshot(path=str(SHOTS / "reflection-answered.png"))
    student.goto("/")
    assert "Your reflection has an answer" in student.locator("#mine tr", has_text="Priya Shah").inner_text()


def test_progress_page_charts_the_overall_and_every_domain_in_time_order(new_page, web):
    name = f"Curve Student {uuid.uuid4().hex[:6]}"
    client = WebClient(web).student(name)
    ended_interview(client, "priya-shah", ["Do you smoke?", "It's probably all in your head."])
    ended_interview(client, "daniel-osei", SCRIPT[1:6])
    ended_interview(client, "priya-shah", SCRIPT)
    page = new_page()
    sign_in_student(page, name)
    page.get_by_role("link", name="My progress").click()
    page.wait_for_url("**/progress")
    page.locator("#progress-rows tr").nth(2).wait_for()
    assert page.locator("#progress-rows tr").count() == 3
    assert page.locator("#progress-head th").count() == 12, "interview, overall and ten domains"
    assert "Change, first to latest" in page.locator("#progress-foot").inner_text()
    chart_js = """() => { const c = window.Chart.getChart(document.getElementById('progress-chart'));
      return {type: c.config.type, labels: c.data.labels, max: c.scales.y.max, scales: Object.keys(c.scales),
              sets: c.data.datasets.map((d) => [d.label, d.data.length])}; }"""
    shown = page.evaluate(chart_js)
    assert shown["type"] == "line" and shown["sets"] == [["Overall score (0 to 100)", 3]], "one line, one scale"
    assert sorted(shown["scales"]) == ["x", "y"] and shown["max"] == 100
    assert [label[0] for label in shown["labels"]] == ["1. Priya Shah", "2. Daniel Osei", "3. Priya Shah"], \
        "the x-axis names each interview's patient"
    page.get_by_label("Show on the chart").select_option(label="Psychosocial context (0 to 5)")
    shown = page.evaluate(chart_js)
    assert shown["sets"] == [["Psychosocial context (0 to 5)", 3]] and shown["max"] == 5
    overall = page.locator("#progress-rows tr td:nth-of-type(1)").all_inner_texts()
    api = page.request.get("/api/my/progress").json()
    assert overall == [f"{p['overall']:.0f}" for p in api["interviews"]]
    check_page_accessibility(page, "progress")
    page.screenshot(path=str(SHOTS / "progress.png"), full_page=True)
    page.set_viewport_size(PHONE)  # the chart follows the width (Chart.js resizes on its next frame)
    page.wait_for_function("(w) => document.documentElement.scrollWidth <= w", arg=PHONE["width"], timeout=5_000)
