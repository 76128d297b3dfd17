"""The reflections store (bot/accounts/reflections.py) and its migration step, in-process."""
from __future__ import annotations

import sqlite3

import pytest

from bot.accounts import AppDB, Records, Users, migrate
from bot.accounts.db import MIGRATIONS
from bot.accounts.reflections import MAX_REVISIONS, ReflectionError, Reflections


def test_a_version_1_database_upgrades_to_reflections_and_keeps_its_rows(tmp_path):
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    assert migrate(conn, MIGRATIONS[:1]) == 1
    conn.execute("INSERT INTO users (id, name, name_key, role, created_at) VALUES (1, 'Old Student', 'old student', "
                 "'student', 0)")
    conn.execute("INSERT INTO conversations (id, user_id, persona_id, created_at) VALUES ('c-old', 1, 'priya-shah', 0)")
    conn.close()
    db = AppDB(path)
    assert db.ensure_schema() == MIGRATIONS[-1][0] >= 2
    with db.connect() as c:
        assert c.execute("SELECT persona_id FROM conversations WHERE id = 'c-old'").fetchone()[0] == "priya-shah"
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"reflections", "reflection_answers"} <= tables


def test_versions_answers_states_and_the_save_cap(tmp_path):
    db = AppDB(tmp_path / "app.db")
    db.ensure_schema()
    users = Users(db)
    student = users.student("Rae")
    staff = users.add_staff("Dr Ada", "assessor", "a-long-password")
    cid = Records(db).create_conversation(student, "priya-shah")["id"]
    other = Records(db).create_conversation(student, "priya-shah")["id"]
    store = Reflections(db)
    assert store.thread(cid) == {"reflection": None, "answers": [], "state": "none"}
    with pytest.raises(ReflectionError):
        store.answer(cid, staff, "nothing to answer")
    first = store.save(cid, student, {"went_well": "  Asked about home.\r\n", "listen_more": None})
    assert first["went_well"] == "Asked about home." and first["listen_more"] == "" and first["by"] == "Rae"
    assert store.states() == {cid: "awaiting"}
    store.answer(cid, staff, "Good.")
    assert store.states([cid, other]) == {cid: "answered"} and store.states([]) == {}
    store.save(cid, student, {"went_well": "Asked about home and work."})
    thread = store.thread(cid)
    assert thread["state"] == "awaiting" and thread["answers"][0]["outdated"] and thread["reflection"]["versions"] == 2
    for i in range(MAX_REVISIONS - 2):
        store.save(cid, student, {"went_well": f"version {i}"})
    with pytest.raises(ReflectionError) as too_many:
        store.save(cid, student, {"went_well": "one more"})
    assert too_many.value.status == 409
    assert store.save(cid, student, {"went_well": f"version {MAX_REVISIONS - 3}"})["versions"] == MAX_REVISIONS, \
        "saving the same text again is not a new version"
