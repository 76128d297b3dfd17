"""Reflections, progress and teaching packs (docs/web.md) through the real web app and Rasa: reflections (owner-only writing, limits, CSRF,
assessors' answers, surviving a restart of the web app), the student's progress, and the
anonymised teaching pack exported from the assessor's list."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import uuid

import pytest

from bot.accounts.reflections import MAX_ANSWER, MAX_FIELD
from bot.teaching_pack import PACK_HTML, PACK_JSON
from tests.e2e.support import ASSESSOR, EDUCATOR, SCRIPT, WebClient, ensure_staff, rasa_say

GOOD = {"went_well": "I asked about home <b>gently</b>.",
        "listen_more": "When she said work was awful, I moved on.",
        "differently": "Summarise before the plan."}


@pytest.fixture(scope="module")
def web(web_stack):
    ensure_staff(web_stack)
    return web_stack


@pytest.fixture(scope="module")
def tag():
    return uuid.uuid4().hex[:6]


def assessor(web) -> WebClient:
    return WebClient(web).staff(*ASSESSOR)


def ended_interview(client: WebClient, persona: str, lines) -> str:
    cid = client.interview(persona, lines)
    assert client.post(f"/api/conversations/{cid}/end").status_code == 200
    return cid


def refl(cid: str) -> str:
    return f"/api/conversations/{cid}/reflection"


def test_only_the_owner_writes_a_reflection_after_the_interview_and_every_post_needs_csrf(web, tag):
    owner = WebClient(web).student(f"reflective-{tag}")
    cid = owner.interview("priya-shah", SCRIPT[:3])
    first = owner.get(refl(cid)).json()
    assert first["reflection"] is None and first["state"] == "none" and not first["can_write"]
    assert owner.post(refl(cid), GOOD).status_code == 409, "not before the interview has ended"
    owner.post(f"/api/conversations/{cid}/end")
    assert owner.get(refl(cid)).json()["can_write"]
    good_token = owner.csrf
    owner.csrf = "x" * 43
    assert owner.post(refl(cid), GOOD).status_code == 403
    assert owner.post(refl(cid), GOOD, csrf=False).status_code == 403
    owner.csrf = good_token
    cross = owner.post(refl(cid), GOOD, headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403

    saved = owner.post(refl(cid), GOOD)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    r = body["reflection"]
    assert {k: r[k] for k in GOOD} == GOOD, "stored and returned as the exact text (markup stays text)"
    assert r["by"] == f"reflective-{tag}" and r["created_at"].endswith("Z") and r["versions"] == 1
    assert body["state"] == "awaiting" and body["answers"] == [] and body["mine"]

    other = WebClient(web).student(f"nosy-{tag}")
    assert other.get(refl(cid)).status_code == 403
    assert other.post(refl(cid), {"went_well": "mine now"}).status_code == 403
    staff = assessor(web)
    assert staff.get(refl(cid)).status_code == 200, "assessors read it"
    assert staff.post(refl(cid), {"went_well": "assessor edit"}).status_code == 403, "but never write it"
    ed = WebClient(web).staff(*EDUCATOR)
    assert ed.get(refl(cid)).status_code == 403
    assert ed.post(f"/api/assessor/conversations/{cid}/reflection/answers", {"text": "hi"}).status_code == 403
    assert owner.post(f"/api/assessor/conversations/{cid}/reflection/answers", {"text": "self-praise"}).status_code == 403
    anon = WebClient(web)
    assert anon.get(refl(cid)).status_code == 401
    assert anon.post(refl(cid), GOOD).status_code == 401
    assert owner.get(refl(cid)).json()["reflection"]["went_well"] == GOOD["went_well"]


def test_reflection_and_answer_limits_give_clear_errors(web, tag):
    owner = WebClient(web).student(f"limits-{tag}")
    cid = ended_interview(owner, "priya-shah", SCRIPT[:2])
    too_long = owner.post(refl(cid), {"went_well": "x" * (MAX_FIELD + 1)})
    assert too_long.status_code == 400
    err = too_long.json()
    assert err["field"] == "went_well" and str(MAX_FIELD) in err["error"] and "What went well" in err["error"]
    assert owner.post(refl(cid), {"went_well": "x" * MAX_FIELD}).status_code == 200, "the limit itself is fine"
    for bad, field in (({"went_well": " ", "listen_more": "", "differently": "\n"}, "went_well"),
                       ({"went_well": 42}, "went_well"),
                       ({"listen_more": "bell\x07"}, "listen_more")):
        r = owner.post(refl(cid), bad)
        assert r.status_code == 400 and r.json()["field"] == field, (bad, r.text)
    assert "unknown" in owner.post(refl(cid), {"went_well": "ok", "score": 5}).json()["error"]
    assert owner.post(refl(cid), ["not", "an", "object"]).status_code == 400

    staff = assessor(web)
    answers = f"/api/assessor/conversations/{cid}/reflection/answers"
    assert staff.post(answers, {"text": "   "}).status_code == 400
    long_answer = staff.post(answers, {"text": "y" * (MAX_ANSWER + 1)})
    assert long_answer.status_code == 400 and str(MAX_ANSWER) in long_answer.json()["error"]
    unreflected = ended_interview(owner, "priya-shah", SCRIPT[:1])
    none_yet = staff.post(f"/api/assessor/conversations/{unreflected}/reflection/answers", {"text": "Nice work"})
    assert none_yet.status_code == 409 and "no reflection" in none_yet.json()["error"]
    assert staff.post("/api/assessor/conversations/c-nope/reflection/answers", {"text": "x"}).status_code == 404


def test_assessor_answers_the_student_sees_who_and_when_and_an_edit_reopens_it(web, tag):
    owner = WebClient(web).student(f"answered-{tag}")
    cid = ended_interview(owner, "priya-shah", SCRIPT[:4])
    assert owner.post(refl(cid), GOOD).status_code == 200
    staff = assessor(web)
    listed = staff.get(f"/api/assessor/conversations?student=answered-{tag}&reflection=awaiting").json()
    assert [r["id"] for r in listed["items"]] == [cid]
    assert staff.get("/api/assessor/conversations?reflection=maybe").status_code == 400

    text = "Good catch on the home question.\nNext time <i>pause</i> after a cue."
    sent = staff.post(f"/api/assessor/conversations/{cid}/reflection/answers", {"text": text})
    assert sent.status_code == 201, sent.text
    assert sent.json()["state"] == "answered"
    seen = owner.get(refl(cid)).json()
    assert seen["state"] == "answered"
    [answer] = seen["answers"]
    assert answer["text"] == text and answer["by"] == ASSESSOR[0] and not answer["outdated"]
    assert answer["created_at"].endswith("Z")
    mine = {c["id"]: c for c in owner.get("/api/my/conversations").json()["conversations"]}
    assert mine[cid]["reflection"] == "answered"
    assert [r["id"] for r in staff.get(f"/api/assessor/conversations?student=answered-{tag}&reflection=answered")
            .json()["items"]] == [cid]
    rows = list(csv.DictReader(io.StringIO(
        staff.get(f"/api/assessor/conversations/export?format=csv&student=answered-{tag}").text)))
    assert [r["reflection"] for r in rows] == ["answered"]

    same = owner.post(refl(cid), GOOD).json()
    assert same["reflection"]["versions"] == 1 and same["state"] == "answered", "an unchanged save changes nothing"
    edited = owner.post(refl(cid), dict(GOOD, differently="Ask about expectations.")).json()
    assert edited["reflection"]["versions"] == 2 and edited["reflection"]["differently"] == "Ask about expectations."
    assert edited["state"] == "awaiting" and edited["answers"][0]["outdated"], "the answer was about the old text"
    with sqlite3.connect(web.extra_env["SPTRAINER_APP_DB"]) as conn:
        versions = conn.execute("SELECT differently, user_id, created_at FROM reflections WHERE conversation_id = ? "
                                "ORDER BY id", (cid,)).fetchall()
    assert [v[0] for v in versions] == [GOOD["differently"], "Ask about expectations."], "every version is kept"
    assert versions[0][2] <= versions[1][2]


def test_a_reflection_survives_a_restart_of_the_web_app(web, tag):
    owner = WebClient(web).student(f"durable-{tag}")
    cid = ended_interview(owner, "priya-shah", SCRIPT[:2])
    assert owner.post(refl(cid), GOOD).status_code == 200
    assert assessor(web).post(f"/api/assessor/conversations/{cid}/reflection/answers",
                              {"text": "Kept after a restart?"}).status_code == 201
    old_pid = web.procs["web"].pid
    web.restart_web()
    assert web.procs["web"].pid != old_pid, "a new web app process"
    after = owner.get(refl(cid))  # the same session cookie still works: sessions live in the app database
    assert after.status_code == 200, after.text
    body = after.json()
    assert {k: body["reflection"][k] for k in GOOD} == GOOD
    assert [a["text"] for a in body["answers"]] == ["Kept after a restart?"]
    fresh = assessor(web).get(refl(cid)).json()
    assert fresh["reflection"]["by"] == f"durable-{tag}" and fresh["state"] == "answered"
    with sqlite3.connect(web.extra_env["SPTRAINER_APP_DB"]) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] >= 2


def test_progress_is_the_students_own_finished_interviews_in_time_order(web, tag):
    me = WebClient(web).student(f"curve-{tag}")
    first = ended_interview(me, "priya-shah", ["When did this first start?", "It's probably all in your head."])
    second = ended_interview(me, "daniel-osei", SCRIPT)
    me.interview("priya-shah", ["What brings you in today?"])  # not ended: not on the curve
    someone_else = WebClient(web).student(f"other-curve-{tag}")
    ended_interview(someone_else, "priya-shah", SCRIPT[:2])

    data = me.get("/api/my/progress").json()
    assert [p["id"] for p in data["interviews"]] == [first, second]
    assert [p["number"] for p in data["interviews"]] == [1, 2]
    assert data["in_progress"] == 1 and data["unscored"] == 0
    ids = [d["id"] for d in data["domains"]]
    assert len(ids) == 10 and "psychosocial_context" in ids
    report = me.get(f"/api/conversations/{second}/report").json()["report"]
    point = data["interviews"][1]
    assert point["overall"] == report["overall"]
    assert point["domains"] == {d["id"]: d["score"] for d in report["domains"]}
    assert point["patient_view"] == report["patient_experience"]["total"]
    assert point["persona"]["id"] == "daniel-osei" and point["feedback_url"] == f"/feedback/{second}"

    staff = assessor(web)
    assert staff.post(f"/api/assessor/conversations/{first}/overrides",
                      {"domain_id": "emotional_cues", "score": 4, "comment": "curve check"}).status_code == 201
    adjusted = me.get("/api/my/progress").json()["interviews"][0]
    assert adjusted["domains"]["emotional_cues"] == 4 and adjusted["adjusted"] == ["emotional_cues"]
    theirs = someone_else.get("/api/my/progress").json()["interviews"]
    assert len(theirs) == 1 and not {first, second} & {p["id"] for p in theirs}, "only their own interviews"

    assert me.get("/progress").status_code == 200
    assert staff.get("/progress").status_code == 403 and staff.get("/api/my/progress").status_code == 403
    assert WebClient(web).get("/api/my/progress").status_code == 401
    assert WebClient(web).get("/progress").headers["Location"] == "/?next=/progress"


NAME_WORDS = ("Jordan", "Okafor")


def test_teaching_pack_from_the_list_is_anonymised_and_checked(web, tag):
    student_id = f"s{int(tag, 16) % 10_000_000:07d}"
    name = f"Jordan Okafor {student_id}"
    jordan = WebClient(web).student(name)
    lines = [f"Hi, I'm Jordan Okafor, a medical student ({student_id}).", *SCRIPT[1:6],
             "Jordan here again: how are things at home?"]
    a = ended_interview(jordan, "priya-shah", lines)
    b = ended_interview(WebClient(web).student(f"Okafor-twin {tag}"), "daniel-osei", SCRIPT[:4])
    staff = assessor(web)
    r = staff.post("/api/assessor/teaching-pack", {"ids": [a, b]})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["count"] == 2 and set(data["files"]) == {PACK_HTML, PACK_JSON}
    html, text = data["files"][PACK_HTML], data["files"][PACK_JSON]
    pack = json.loads(text)
    assert [t["label"] for t in pack["transcripts"]] == ["Transcript A", "Transcript B"]
    assert pack["anonymised"] is True and html.startswith("<!doctype html>")
    assert "[name]" in json.dumps(pack), "the self-introduction was masked"
    for secret in (*NAME_WORDS, student_id, name, a, b, tag, f"Okafor-twin {tag}"):
        assert secret.lower() not in html.lower(), secret
        assert secret.lower() not in text.lower(), secret
    assert "<script" not in html.lower() and "http://" not in html and "https://" not in html

    no_learner = jordan.new_conversation("priya-shah")
    rasa_say(web, no_learner, '/start_interview{"persona_id": "priya-shah"}')
    for body, status in (({"ids": []}, 400), ({"ids": "c-x"}, 400), ({"ids": [a] * 2 + ["bad id!"]}, 400),
                         ({"ids": [f"c-{i}" for i in range(51)]}, 400), ({"ids": ["c-never-was"]}, 404),
                         ({"ids": [a, no_learner]}, 409)):
        got = staff.post("/api/assessor/teaching-pack", body)
        assert got.status_code == status, (body, got.text)
        assert got.json()["error"]
    assert staff.post("/api/assessor/teaching-pack", {"ids": [a]}, csrf=False).status_code == 403
    assert jordan.post("/api/assessor/teaching-pack", {"ids": [a]}).status_code == 403
    assert WebClient(web).post("/api/assessor/teaching-pack", {"ids": [a]}).status_code == 401
