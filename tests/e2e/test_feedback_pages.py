"""The student's feedback in plain words with a printable HTML report beside the JSON, the
assessor's view with topic ids, and the smaller page fixes (docs/web.md, "Feedback for the
student"), in headless Chromium against the real stack."""
from __future__ import annotations

import re
import uuid

from tests.e2e.support import ASSESSOR, SCRIPT, WebClient, screenshots_dir
from tests.e2e.test_browser import sign_in_student, wait_for_feedback

SHOTS = screenshots_dir()
#: Words of the scorer and the classifier a student should not meet on their page.
INTERNAL = re.compile(r"\bask_[a-z_]+|Topic:|\bLearner\b|symptom features|\d+/\d+ \(|\(\d{1,3}%\)")


def sign_in_assessor(page) -> None:
    page.goto("/login?next=/assessor/")
    page.get_by_label("Name").fill(ASSESSOR[0])
    page.get_by_label("Password").fill(ASSESSOR[1])
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(lambda url: "/login" not in url and url.endswith("/assessor/"))


def test_feedback_is_plain_for_the_student_with_a_printable_report_and_detailed_for_the_assessor(new_page, web,
                                                                                                tmp_path):
    name = f"Plain Student {uuid.uuid4().hex[:6]}"
    client = WebClient(web).student(name)
    cid = client.interview("priya-shah", SCRIPT)
    assert client.post(f"/api/conversations/{cid}/end").status_code == 200
    page = new_page()
    sign_in_student(page, name)
    page.goto(f"/feedback/{cid}")
    wait_for_feedback(page)
    main = page.locator("main").inner_text()
    assert not INTERNAL.search(main), INTERNAL.search(main)
    assert "You asked about" in page.locator("#domains").inner_text()
    speakers = set(page.locator("#transcript .turn.learner .turn-head strong").all_inner_texts())
    assert speakers == {"You"}
    labels = page.evaluate("""() => { const c = window.Chart.getChart(document.getElementById('domain-chart'));
      return c.data.datasets[0].data; }""")
    assert 0 in labels, "this interview has domains at 0"
    assert page.evaluate("window.Chart.getChart(document.getElementById('domain-chart')).config.plugins"
                         ".some((p) => p.id === 'barValues')"), "every bar, 0 too, is labelled with its value"

    with page.expect_download() as dl:
        page.get_by_role("link", name="Download report (printable HTML)").click()
    assert dl.value.suggested_filename.endswith(".html")
    report_path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(report_path)
    html = report_path.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<script" not in html
    viewer = new_page()
    viewer.goto(report_path.as_uri())
    assert viewer.get_by_role("heading", name="Feedback: your interview with Priya Shah").is_visible()
    assert not INTERNAL.search(viewer.locator("main").inner_text())
    pdf = viewer.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000, "it prints to PDF"
    page.screenshot(path=str(SHOTS / "feedback-plain.png"), full_page=True)

    staff = new_page()
    sign_in_assessor(staff)
    staff.goto(f"/assessor/conversations/{cid}")
    staff.locator("#transcript .turn.learner").first.wait_for()
    head = staff.locator("#transcript .turn.learner .turn-head").first.inner_text()
    assert re.search(r"Topic: [a-z_]+ \(\d+%\)", head) and "Student" in head


def test_a_patient_picked_before_signing_in_is_started_after_it(new_page, web):
    page = new_page()
    page.goto("/")
    page.get_by_role("button", name="Interview Daniel Osei").click()
    page.get_by_text("your interview with Daniel Osei starts as soon as you continue").wait_for()
    assert page.evaluate("document.activeElement.id") == "student-name"
    page.keyboard.type(f"Early Picker {uuid.uuid4().hex[:6]}")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/chat/c-[A-Za-z0-9_-]+$"))
    page.get_by_role("heading", name="Interview with Daniel Osei").wait_for()


def test_the_403_page_speaks_to_an_assessor_and_an_unknown_address_gets_the_404_page(new_page, web):
    page = new_page()
    sign_in_assessor(page)
    assert page.goto("/educator/").status == 403
    page.locator("#next-steps a[href='/assessor/']").wait_for()
    text = page.locator("main").inner_text()
    assert "staff account" not in text and "assessor account" in text
    r = page.goto("/no/such/page")
    assert r.status == 404 and page.get_by_role("heading", name="Not found").is_visible()


def test_ascending_score_sort_puts_unscored_last_and_override_saved_is_said_where_focus_goes(new_page, web):
    tag = uuid.uuid4().hex[:6]
    scored = WebClient(web).student(f"Sorted {tag} A")
    cid = scored.interview("priya-shah", SCRIPT)
    scored.post(f"/api/conversations/{cid}/end")
    WebClient(web).student(f"Sorted {tag} B").interview("priya-shah", [])  # the opening only: not scored
    page = new_page()
    sign_in_assessor(page)
    page.goto(f"/assessor/?student={tag}&sort=overall&order=asc")
    page.get_by_text("2 conversations found.").wait_for(timeout=60_000)
    scores = page.locator("#rows tr td:nth-of-type(7)").all_inner_texts()
    assert re.fullmatch(r"\d+.*", scores[0]) and scores[1].startswith("not scored"), scores

    page.goto(f"/assessor/conversations/{cid}")
    block = page.locator("#domain-coping_support")
    block.wait_for(timeout=60_000)
    panel = page.locator(".score-card")
    assert panel.evaluate("el => getComputedStyle(el).position") == "sticky"
    assert panel.bounding_box()["height"] <= page.viewport_size["height"], "a panel taller than the window cannot stick"
    page.evaluate("window.scrollTo(0, 400)")
    page.wait_for_timeout(300)
    assert page.evaluate("window.scrollY") >= 300
    assert 0 <= panel.bounding_box()["y"] <= 20, "the score panel stays in view while the transcript scrolls"
    page.evaluate("window.scrollTo(0, 0)")
    block.locator("summary", has_text="Override").click()
    block.get_by_label("New score for Coping and support (0 to 5)").fill("2")
    block.get_by_label("Why (required)").fill("Asked who helps at home.")
    block.get_by_role("button", name="Save override").click()
    saved = page.locator("#domain-coping_support [role=status]", has_text="Override saved for Coping and support.")
    saved.wait_for()
    assert page.evaluate("document.activeElement.closest('.domain').id") == "domain-coping_support"
    box, view = saved.bounding_box(), page.viewport_size
    assert 0 <= box["y"] <= view["height"], "the confirmation is on screen, beside the focus"
