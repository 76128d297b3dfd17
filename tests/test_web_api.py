"""The web app's JSON API against a real Rasa server and a real web app process:
access control, CSRF, cookies, conversation records and transcripts, the assessor's list
(filters, sort, pages, export, cohort), overrides, and the educator's persona checks."""
from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date, timedelta

import pytest

from tests.e2e.support import ASSESSOR, EDUCATOR, SCRIPT, WebClient, ensure_staff, rasa_say


@pytest.fixture(scope="module")
def web(web_stack):
    ensure_staff(web_stack)
    return web_stack


@pytest.fixture(scope="module")
def cohort(web):
    """Three scored interviews by two students (names unique to this run) and one REST-only one."""
    tag = uuid.uuid4().hex[:6]
    alice, bob = WebClient(web).student(f"alice-{tag}"), WebClient(web).student(f"bob-{tag}")
    ids = {
        "alice_full": alice.interview("priya-shah", SCRIPT),
        "alice_short": alice.interview("priya-shah", ["When did this first start?", "Where exactly do you feel it?"]),
        "bob": bob.interview("daniel-osei", ["It's probably all in your head.", "Do you smoke?"]),
    }
    outsider = f"rest-only-{tag}"
    rasa_say(web, outsider, '/start_interview{"persona_id": "priya-shah"}')
    rasa_say(web, outsider, "How are you sleeping?")
    ids["outsider"] = outsider
    return {"tag": tag, "alice": alice, "bob": bob, "ids": ids}


def assessor(web) -> WebClient:
    return WebClient(web).staff(*ASSESSOR)


PROTECTED_GETS = ["/api/my/conversations", "/api/conversations/c-x", "/api/conversations/c-x/report",
                  "/api/conversations/c-x/transcript.json", "/api/assessor/conversations",
                  "/api/assessor/conversations/export?format=csv", "/api/assessor/cohort",
                  "/api/assessor/conversations/c-x", "/api/educator/personas",
                  "/api/educator/personas/priya-shah/preview"]


def test_unauthenticated_api_calls_get_401_and_pages_redirect_to_sign_in(web):
    anon = WebClient(web)
    for path in PROTECTED_GETS:
        assert anon.get(path).status_code == 401, path
    for path in ["/api/conversations", "/api/conversations/c-x/end", "/api/assessor/conversations/c-x/overrides"]:
        assert anon.post(path, {}).status_code == 401, path
    r = anon.get("/assessor/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/assessor/")
    assert anon.get("/educator/").headers["Location"].startswith("/login")
    assert anon.get("/chat/c-x").headers["Location"].startswith("/?next=")
    for public in ["/api/health", "/api/config", "/api/session", "/api/personas", "/", "/login"]:
        assert anon.get(public).status_code == 200, public


def test_students_get_403_on_other_conversations_and_on_staff_pages_and_apis(web, cohort):
    mallory = WebClient(web).student(f"mallory-{cohort['tag']}")
    theirs = cohort["ids"]["alice_full"]
    for path in [f"/api/conversations/{theirs}", f"/api/conversations/{theirs}/report",
                 f"/api/conversations/{theirs}/transcript.json", f"/api/conversations/{theirs}/report.json",
                 f"/chat/{theirs}", f"/feedback/{theirs}", "/api/conversations/c-does-not-exist",
                 "/assessor/", "/assessor/cohort", f"/assessor/conversations/{theirs}", "/assessor/anything",
                 "/educator/", "/api/assessor/conversations", "/api/assessor/cohort",
                 f"/api/assessor/conversations/{theirs}", "/api/assessor/conversations/export?format=json",
                 "/api/educator/personas", "/api/educator/personas/priya-shah/preview", "/api/assessor/nothing"]:
        assert mallory.get(path).status_code == 403, path
    assert mallory.post(f"/api/conversations/{theirs}/end").status_code == 403
    assert mallory.post(f"/api/assessor/conversations/{theirs}/overrides",
                        {"domain_id": "psychosocial_context", "score": 5, "comment": "x"}).status_code == 403
    mine = mallory.get("/api/my/conversations").json()["conversations"]
    assert mine == []
    alice_sees = {c["id"] for c in cohort["alice"].get("/api/my/conversations").json()["conversations"]}
    assert alice_sees == {cohort["ids"]["alice_full"], cohort["ids"]["alice_short"]}
    # Educators and assessors are kept to their own areas too.
    ed = WebClient(web).staff(*EDUCATOR)
    assert ed.get("/api/assessor/conversations").status_code == 403
    assert ed.get("/assessor/").status_code == 403
    assert assessor(web).get("/api/educator/personas").status_code == 403


def test_state_changing_calls_need_the_csrf_token_and_same_origin(web):
    c = WebClient(web)
    c.refresh()
    assert c.post("/api/student/login", {"name": "x"}, csrf=False).status_code == 403
    assert c.post("/api/student/login", {"name": "x"}, headers={"X-CSRF-Token": "wrong" * 10}).status_code == 403
    cross = c.post("/api/student/login", {"name": "x"}, headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403
    c.student("csrf-student")
    old = c.csrf
    c.csrf = "not-the-token-" * 4
    assert c.post("/api/conversations", {"persona_id": "priya-shah"}).status_code == 403
    c.csrf = old
    assert c.post("/api/conversations", {"persona_id": "priya-shah"}).status_code == 201
    form = c.http.post(c.url("/api/logout"), data={"csrf_token": "bad"}, timeout=30)
    assert form.status_code == 403


def test_session_cookie_is_encrypted_httponly_samesite_lax_and_sign_out_ends_it(web):
    c = WebClient(web)
    r = c.post("/api/login", {"name": ASSESSOR[0], "password": ASSESSOR[1]})
    assert r.status_code == 200
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert ASSESSOR[0] not in cookie and "assessor" not in cookie.split(";")[0]
    c.csrf = r.json()["csrf"]
    saved = dict(c.http.cookies)
    assert c.get("/api/assessor/conversations").status_code == 200
    assert c.post("/api/logout").status_code == 200
    replay = WebClient(web)
    replay.http.cookies.update(saved)
    assert replay.get("/api/assessor/conversations").status_code == 401, "the old cookie must be dead"
    wrong = WebClient(web).post("/api/login", {"name": ASSESSOR[0], "password": "wrong-password"})
    assert wrong.status_code == 401


def test_security_headers_on_pages_and_api(web):
    r = WebClient(web).get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert f":{web.rasa_port}" in csp, "the chat must be allowed to reach Rasa's Socket.IO port"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    api = WebClient(web).get("/api/personas")
    assert api.headers["Cache-Control"] == "no-store"
    assert "Access-Control-Allow-Origin" not in api.headers
    config = WebClient(web).get("/api/config").json()
    assert config["rasa_port"] == web.rasa_port


def test_conversation_ids_are_random_and_the_transcript_comes_from_the_tracker(web, cohort):
    alice = cohort["alice"]
    cid = cohort["ids"]["alice_full"]
    assert re.fullmatch(r"c-[A-Za-z0-9_-]{32}", cid)
    detail = alice.get(f"/api/conversations/{cid}").json()
    assert detail["started"] and detail["persona"]["id"] == "priya-shah" and detail["status"] == "in progress"
    learner = [t["text"] for t in detail["turns"] if t["speaker"] == "learner"]
    assert learner == SCRIPT
    assert detail["turns"][0]["speaker"] == "patient", "the patient speaks first"
    dl = alice.get(f"/api/conversations/{cid}/transcript.json")
    assert "attachment" in dl.headers["Content-Disposition"]
    body = dl.json()
    assert body["persona_id"] == "priya-shah"
    assert [set(t) for t in body["turns"]] == [{"speaker", "text"}] * len(body["turns"])
    assert [t["text"] for t in body["turns"] if t["speaker"] == "learner"] == SCRIPT
    fresh = alice.new_conversation("priya-shah")
    empty = alice.get(f"/api/conversations/{fresh}").json()
    assert empty["started"] is False and empty["turns"] == []
    assert alice.post("/api/conversations", {"persona_id": "no-such-persona"}).status_code == 400


def test_report_is_the_scorers_and_the_student_can_end_and_download_it(web, cohort):
    alice = cohort["alice"]
    cid = cohort["ids"]["alice_full"]
    r = alice.get(f"/api/conversations/{cid}/report")
    assert r.status_code == 200, r.text
    report = r.json()["report"]
    for key in ("overall", "verdict", "topics_covered", "dismissals", "empathy", "missed_cues", "turns", "domains",
                "advice"):
        assert key in report, key
    assert 0 <= report["overall"] <= 100 and 2 <= len(report["advice"]) <= 3
    assert any(d["quote"] == "It's probably all in your head." for d in report["dismissals"])
    ended = alice.post(f"/api/conversations/{cid}/end")
    assert ended.status_code == 200 and ended.json()["feedback_url"] == f"/feedback/{cid}"
    assert alice.get(f"/api/conversations/{cid}").json()["status"] == "ended"
    dl = alice.get(f"/api/conversations/{cid}/report.json")
    assert "attachment" in dl.headers["Content-Disposition"]
    assert dl.json()["report"]["overall"] == report["overall"]


def _list(client, **params):
    q = "&".join(f"{k}={v}" for k, v in params.items())
    r = client.get(f"/api/assessor/conversations?{q}")
    assert r.status_code == 200, r.text
    return r.json()


def test_assessor_list_filters_sorts_and_pages(web, cohort):
    a = assessor(web)
    tag = cohort["tag"]
    ids = cohort["ids"]
    mine = _list(a, student=tag, per_page=100)
    assert {r["id"] for r in mine["items"]} == {ids["alice_full"], ids["alice_short"], ids["bob"]}
    everything = _list(a, per_page=100)
    outsider = next(r for r in everything["items"] if r["id"] == ids["outsider"])
    assert outsider["student"] is None and outsider["source"] == "other channel"
    assert outsider["persona_id"] == "priya-shah", "read from the tracker's events"
    assert {r["id"] for r in _list(a, student=tag, persona="daniel-osei")["items"]} == {ids["bob"]}
    today = date.today().isoformat()
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert _list(a, student=tag, **{"from": today, "to": today})["total"] == 3
    assert _list(a, student=tag, to=yesterday)["total"] == 0
    by_score = _list(a, student=tag, sort="overall", order="desc")["items"]
    scores = [r["overall"] for r in by_score]
    assert scores == sorted(scores, reverse=True) and None not in scores
    top = scores[0]
    assert {r["id"] for r in _list(a, student=tag, min_score=top)["items"]} == {by_score[0]["id"]}
    assert _list(a, student=tag, max_score=top - 0.001)["total"] == 2
    dismissed = _list(a, student=tag, verdict="dismissed_physical")["items"]
    assert {r["id"] for r in dismissed} == {ids["alice_full"], ids["bob"]}
    assert {r["id"] for r in _list(a, student=tag, verdict="!dismissed_physical")["items"]} == {ids["alice_short"]}
    names = [r["student"] for r in _list(a, student=tag, sort="student", order="asc")["items"]]
    assert names == sorted(names, key=str.casefold)
    page1, page2 = _list(a, student=tag, per_page=2, page=1), _list(a, student=tag, per_page=2, page=2)
    assert page1["pages"] == 2 and len(page1["items"]) == 2 and len(page2["items"]) == 1
    assert not {r["id"] for r in page1["items"]} & {r["id"] for r in page2["items"]}
    for bad in ("sort=nope", "verdict=great", "from=yesterday", "per_page=1000", "min_score=abc"):
        assert a.get(f"/api/assessor/conversations?{bad}").status_code == 400, bad


def test_export_csv_and_json_follow_the_filters_and_defuse_formulas(web, cohort):
    evil = WebClient(web).student(f"=HYPERLINK(\"x\") {cohort['tag']}")
    evil.interview("priya-shah", ["How are you sleeping?"])
    a = assessor(web)
    r = a.get(f"/api/assessor/conversations/export?format=csv&student={cohort['tag']}&sort=student&order=asc")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 4
    assert rows[0]["student"].startswith("'="), "a leading = must not become a formula"
    assert {"overall", "balanced", "domain:psychosocial_context"} <= set(rows[0])
    j = a.get(f"/api/assessor/conversations/export?format=json&student={cohort['tag']}&persona=daniel-osei")
    data = j.json()
    assert [d["id"] for d in data] == [cohort["ids"]["bob"]]
    assert a.get("/api/assessor/conversations/export?format=xml").status_code == 400


def test_override_keeps_the_original_and_who_changed_what_and_when(web, cohort):
    a = assessor(web)
    cid = cohort["ids"]["alice_short"]
    before = a.get(f"/api/assessor/conversations/{cid}").json()
    domain = next(d for d in before["report"]["domains"] if d["id"] == "psychosocial_context")
    original = domain["score"]
    for bad in ({"domain_id": "psychosocial_context", "score": 7, "comment": "too high"},
                {"domain_id": "psychosocial_context", "score": 3, "comment": "   "},
                {"domain_id": "nope", "score": 3, "comment": "unknown"}):
        assert a.post(f"/api/assessor/conversations/{cid}/overrides", bad).status_code == 400, bad
    r1 = a.post(f"/api/assessor/conversations/{cid}/overrides",
                {"domain_id": "psychosocial_context", "score": 4, "comment": "asked sensitively"})
    assert r1.status_code == 201, r1.text
    r2 = a.post(f"/api/assessor/conversations/{cid}/overrides",
                {"domain_id": "psychosocial_context", "score": 3.5, "comment": "on reflection"})
    assert r2.status_code == 201
    after = a.get(f"/api/assessor/conversations/{cid}").json()
    d = next(x for x in after["report"]["domains"] if x["id"] == "psychosocial_context")
    assert d["score"] == 3.5 and d["original_score"] == original
    assert d["overridden"]["by"] == ASSESSOR[0] and d["overridden"]["comment"] == "on reflection"
    assert [(h["original_score"], h["new_score"], h["by"], h["comment"]) for h in d["history"]] == [
        (original, 4, ASSESSOR[0], "asked sensitively"), (original, 3.5, ASSESSOR[0], "on reflection")]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", h["created_at"]) for h in d["history"])
    # The overall follows the corrected domain; the scorer's overall is kept beside it.
    assert after["report"]["original_overall"] == before["report"]["overall"]
    assert original < 3.5, "alice's short interview barely touched her life"
    assert after["report"]["overall"] > before["report"]["overall"]
    row = next(r for r in _list(a, student=cohort["tag"], per_page=100)["items"] if r["id"] == cid)
    assert row["overridden"] and row["domains"]["psychosocial_context"] == 3.5
    assert row["overall"] == after["report"]["overall"], "the list, its CSV and the cohort use the corrected overall"
    student_view = cohort["alice"].get(f"/api/conversations/{cid}/report").json()["report"]
    assert next(x for x in student_view["domains"] if x["id"] == "psychosocial_context")["score"] == 3.5


def test_cohort_counts_missed_domains_and_unasked_psychosocial_topics(web, cohort):
    data = assessor(web).get(f"/api/assessor/cohort?student={cohort['tag']}").json()
    listed = assessor(web).get(f"/api/assessor/conversations?student={cohort['tag']}&per_page=100").json()
    assert data["scored"] == data["interviews"] == listed["total"] >= 3
    topics = {t["id"]: t for t in data["topics"]}
    assert "ask_stress" in topics and "ask_onset" not in topics
    assert topics["ask_relationships"]["missed"] == data["scored"] - 1, "only the full interview asked about home"
    pcts = [t["missed_pct"] for t in data["topics"]]
    assert pcts == sorted(pcts, reverse=True)
    assert data["domains"] and all(0 <= d["missed_pct"] <= 100 for d in data["domains"])


def test_educator_sees_file_line_errors_and_a_preview_at_low_and_high_rapport(web, web_personas_dir):
    (web_personas_dir / "broken-one.yml").write_text(
        "id: broken-one\nname: Broken\nage: many\nsex: female\noccupation: x\ncomplaint: gut\n"
        "chief_complaint: x\nopening: hi\nanswers:\n  ask_onset: yesterday\n", encoding="utf-8")
    try:
        ed = WebClient(web).staff(*EDUCATOR)
        data = ed.get("/api/educator/personas").json()
        files = {f["file"]: f for f in data["files"]}
        assert files["priya-shah.yml"]["status"] == "valid"
        broken = files["broken-one.yml"]
        assert broken["status"] == "error"
        assert any(re.match(r"broken-one\.yml:3:\d+: ", p["text"]) for p in broken["problems"]), broken
        preview = ed.get("/api/educator/personas/priya-shah/preview").json()
        rows = {t["topic"]: t for t in preview["topics"]}
        assert len(rows) == 46
        stress = rows["ask_stress"]
        assert stress["low"]["level"] == "guarded" and stress["high"]["level"] == "open"
        assert stress["low"]["text"].startswith("I mean, I'm a trainee accountant")
        assert stress["high"]["text"].startswith("Honestly, loads.")
        assert ed.get("/api/educator/personas/broken-one/preview").status_code == 404
    finally:
        (web_personas_dir / "broken-one.yml").unlink()


def test_the_chat_page_gets_the_rasa_url_for_the_host_it_was_loaded_from(web):
    c = WebClient(web)
    cfg = c.get("/api/config", headers={"Host": f"localhost:{web.web_port}"}).json()
    assert cfg["rasa_url"] == f"http://localhost:{web.rasa_port}"
    odd = c.get("/api/config", headers={"Host": "evil.example'; script-src *"}).json()
    assert odd["rasa_url"] == f"http://127.0.0.1:{web.rasa_port}"


def test_repeated_wrong_passwords_are_throttled(web):
    c = WebClient(web)
    name = f"nobody-{uuid.uuid4().hex[:8]}"
    codes = [c.post("/api/login", {"name": name, "password": f"guess-number-{i}"}).status_code for i in range(9)]
    assert codes[:8] == [401] * 8 and codes[8] == 429
