"""Student access for a school: cohorts with access codes, against the real web app process
(``python -m bot.web``) and the real ``sptrainer cohort`` command. docs/security.md, "Student
access"."""
from __future__ import annotations

import sqlite3
from typing import List

import pytest

from bot.accounts.cohorts import code_hash
from tests.e2e.support import EDUCATOR
from tests.test_security_redteam import LoneClient, LoneWeb


@pytest.fixture()
def school(tmp_path):
    """A web app with access codes on (the default) and one educator account."""
    servers: List[LoneWeb] = []

    def make(**env: str) -> LoneWeb:
        server = LoneWeb(tmp_path, **dict({"SPTRAINER_STUDENT_ACCESS": "code"}, **env))
        servers.append(server)
        done = server.cli("user", "add", EDUCATOR[0], "--role", "educator", password=EDUCATOR[1])
        assert done.returncode == 0, done.stderr
        return server.start()
    yield make
    for server in servers:
        server.stop()


def sign_in(server: LoneWeb, name: str, code: object = None):
    client = server.client()
    body = {"name": name} if code is None else {"name": name, "code": code}
    r = client.post("/api/student/login", body)
    if r.status_code == 200:
        client.csrf = r.json()["csrf"]  # signing in issues a new CSRF token
    return client, r


def add_cohort(server: LoneWeb, name: str) -> str:
    done = server.cli("cohort", "add", name)
    assert done.returncode == 0, done.stderr
    return done.stdout.rsplit("access code ", 1)[1].strip()


def test_students_sign_in_with_name_and_their_cohorts_code_and_nothing_less(school):
    server = school()
    code = add_cohort(server, "Year 3 group A")
    _, r = sign_in(server, "Ada Lovelace")
    assert r.status_code == 401 and "access code" in r.json()["error"], r.text
    _, r = sign_in(server, "Ada Lovelace", "WRONG-CODE1")
    assert r.status_code == 401 and "not valid" in r.json()["error"], r.text
    # Typed in lower case, with spaces instead of the dash: the same code.
    client, r = sign_in(server, "Ada Lovelace", code.lower().replace("-", " "))
    assert r.status_code == 200, r.text
    assert r.json()["cohort"] == "Year 3 group A"
    assert client.get("/api/my/conversations").status_code == 200
    # Nobody without a code got a student account.
    with sqlite3.connect(server.var / "app.db") as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM users WHERE role = 'student'")]
    assert names == ["Ada Lovelace"]


def test_codes_are_stored_only_as_hashes(school):
    server = school()
    code = add_cohort(server, "Hashed")
    with sqlite3.connect(server.var / "app.db") as conn:
        stored = [row[0] for row in conn.execute("SELECT code_hash FROM cohorts")]
        dump = "\n".join(conn.iterdump())
    assert stored == [code_hash(code)]
    assert code not in dump and code.replace("-", "") not in dump


def test_revoking_a_cohort_ends_its_students_sessions_and_refuses_its_code(school):
    server = school()
    code_a = add_cohort(server, "Group A")
    code_b = add_cohort(server, "Group B")
    ada, r = sign_in(server, "Ada", code_a)
    assert r.status_code == 200
    bob, r = sign_in(server, "Bob", code_b)
    assert r.status_code == 200
    cid = ada.post("/api/conversations", {"persona_id": "priya-shah"}).json()["id"]
    listed = server.cli("cohort", "list")
    assert "Group A\tactive\t1 student(s)" in listed.stdout, listed.stdout
    done = server.cli("cohort", "revoke", "Group A")
    assert done.returncode == 0 and "1 session(s) ended" in done.stdout, done.stdout + done.stderr
    assert ada.get("/api/my/conversations").status_code == 401
    assert ada.get(f"/api/conversations/{cid}").status_code == 401
    assert sign_in(server, "Ada", code_a)[1].status_code == 401
    assert bob.get("/api/my/conversations").status_code == 200, "another cohort is untouched"
    assert "Group A\trevoked" in server.cli("cohort", "list").stdout
    # A new cohort for the same class gets a new code; the student's interviews are still theirs.
    code_new = add_cohort(server, "Group A")
    ada_again, r = sign_in(server, "Ada", code_new)
    assert r.status_code == 200
    assert [c["id"] for c in ada_again.get("/api/my/conversations").json()["conversations"]] == [cid]


def test_educators_manage_cohorts_in_the_api_and_others_may_not(school):
    server = school()
    educator = server.client().staff(*EDUCATOR)
    r = educator.post("/api/educator/cohorts", {"name": "Evening class"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert sign_in(server, "Cy", made["code"])[1].status_code == 200
    listed = educator.get("/api/educator/cohorts").json()["cohorts"]
    assert [(c["name"], c["active"], c["students"]) for c in listed] == [("Evening class", True, 1)]
    assert "code" not in listed[0] and "code_hash" not in listed[0]
    assert educator.post("/api/educator/cohorts", {"name": "evening  CLASS"}).status_code == 400, "one active name"
    student, _ = sign_in(server, "Cy", made["code"])
    assert student.post("/api/educator/cohorts", {"name": "mine"}).status_code == 403
    assert student.get("/api/educator/cohorts").status_code == 403
    r = educator.post(f"/api/educator/cohorts/{made['cohort']['id']}/revoke")
    assert r.status_code == 200 and r.json()["sessions_ended"] == 2 and not r.json()["cohort"]["active"]
    assert student.get("/api/my/conversations").status_code == 401
    assert educator.post("/api/educator/cohorts/424242/revoke").status_code == 404


def test_student_sign_in_with_codes_is_throttled_per_name_and_per_address(school):
    server = school(SPTRAINER_STUDENT_LOGIN_LIMIT="5/8")
    code = add_cohort(server, "Throttled")
    for i in range(5):
        assert sign_in(server, " dr  ADA ", f"GUESS-{i:05d}")[1].status_code == 401
    # The same name however it is spaced or cased is throttled, even with the right code.
    r = sign_in(server, "Dr\u00a0Ada", code)[1]
    assert r.status_code == 429, r.text
    for i in range(3):
        assert sign_in(server, f"name-{i}", f"GUESS-{i:05d}")[1].status_code == 401
    assert sign_in(server, "Someone Else", code)[1].status_code == 429, "the address has used its 8 tries"


def test_open_practice_signs_in_by_name_and_still_checks_a_code_that_is_sent(school):
    server = school(SPTRAINER_STUDENT_ACCESS="open")
    code = add_cohort(server, "Optional")
    client, r = sign_in(server, "Open Student")
    assert r.status_code == 200 and r.json()["cohort"] is None
    assert client.get("/api/session").json()["student_access"] == "open"
    assert sign_in(server, "Open Student", "NOT-A-CODE")[1].status_code == 401
    assert sign_in(server, "Open Student", code)[1].json()["cohort"] == "Optional"


def test_turning_codes_on_ends_sessions_no_code_opened(school):
    server = school(SPTRAINER_STUDENT_ACCESS="open")
    client, r = sign_in(server, "Early Bird")
    assert r.status_code == 200
    server.stop()
    server.env["SPTRAINER_STUDENT_ACCESS"] = "code"
    server.start()
    assert client.get("/api/my/conversations").status_code == 401
    r = client.get("/chat/c-anything", allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?as=student&next=/chat/"), r.headers


def test_a_code_that_is_not_text_or_too_long_is_a_clear_400(school):
    server = school()
    for bad in (12345, ["A"], "X" * 65, "   "):
        r = sign_in(server, "Ada", bad)[1]
        assert r.status_code in (400, 401) and "access code" in r.json()["error"], (bad, r.text)
    assert sign_in(server, "Ada", "X" * 65)[1].status_code == 400


def test_the_login_page_offers_the_access_code_form(school):
    server = school()
    page = LoneClient(server.url).get("/login").text
    assert 'href="/login?as=student"' in page
