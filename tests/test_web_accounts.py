"""The web app's accounts package: migrations, password hashing, sessions, records, the
`sptrainer user` command and the session key file. No servers needed."""
from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time

import pytest

from bot.accounts import AccountError, AppDB, Records, Sessions, Users, migrate, schema_version
from bot.accounts.db import MIGRATIONS
from bot.settings import REPO_ROOT as ROOT
from bot.settings import reload_settings
from bot.web.security import secret_key


@pytest.fixture
def db(tmp_path):
    d = AppDB(tmp_path / "app.db")
    d.ensure_schema()
    return d


def test_fresh_database_reaches_the_latest_schema_and_migrating_again_is_a_no_op(tmp_path):
    d = AppDB(tmp_path / "app.db")
    assert d.ensure_schema() == MIGRATIONS[-1][0]
    assert d.ensure_schema() == MIGRATIONS[-1][0]
    conn = sqlite3.connect(tmp_path / "app.db")
    assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "sessions", "conversations", "reports", "overrides", "schema_version"} <= tables
    assert stat.S_IMODE(os.stat(tmp_path / "app.db").st_mode) == 0o600


def test_migrations_apply_in_order_once_and_a_failed_step_rolls_back(tmp_path):
    conn = sqlite3.connect(tmp_path / "m.db")
    calls = []
    steps = [(1, "a", "CREATE TABLE a (x INTEGER);"),
             (2, "b", lambda c: calls.append(2) or c.execute("CREATE TABLE b (y INTEGER)"))]
    assert migrate(conn, steps) == 2
    assert migrate(conn, steps) == 2 and calls == [2]
    broken = steps + [(3, "c", "CREATE TABLE c (z INTEGER); CREATE TABLE a (x INTEGER);")]
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, broken)
    assert schema_version(conn) == 2
    assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'c'").fetchone(), "step 3 half-applied"
    with pytest.raises(ValueError):
        migrate(conn, [(2, "x", ""), (1, "y", "")])
    with pytest.raises(RuntimeError, match="newer than this code"):
        migrate(conn, steps[:1])


def test_staff_passwords_are_argon2id_hashes_and_verify(db):
    users = Users(db)
    user = users.add_staff("Dr Ada", "assessor", "a-long-password")
    with db.connect() as conn:
        stored = conn.execute("SELECT password_hash FROM users WHERE id = ?", (user.id,)).fetchone()[0]
    assert stored.startswith("$argon2id$") and "a-long-password" not in stored
    assert users.authenticate("dr ada", "a-long-password") == user
    assert users.authenticate("Dr Ada", "wrong-password!") is None
    assert users.authenticate("nobody", "a-long-password") is None
    with pytest.raises(AccountError, match="at least"):
        users.add_staff("Bob", "educator", "short")
    with pytest.raises(AccountError, match="already exists"):
        users.add_staff("DR ADA", "educator", "another-password")
    with pytest.raises(AccountError):
        users.add_staff("Eve", "student", "a-long-password")


def test_students_are_found_by_name_case_and_space_insensitively_and_never_authenticate(db):
    users = Users(db)
    a = users.student("  Jo   Bloggs ")
    assert a.name == "Jo Bloggs" and a.role == "student"
    assert users.student("jo bloggs").id == a.id
    assert users.authenticate("Jo Bloggs", "") is None
    with pytest.raises(AccountError):
        users.student("   ")
    with pytest.raises(AccountError):
        users.student("x" * 81)
    with pytest.raises(AccountError):
        users.student("tab\there\x00")


def test_sessions_are_server_side_and_end_on_sign_out_expiry_and_removal(db):
    users, sessions = Users(db), Sessions(db)
    staff = users.add_staff("Ed", "educator", "educator-password")
    token = sessions.create(staff)
    assert sessions.user(token) == staff
    sessions.end(token)
    assert sessions.user(token) is None
    short = Sessions(db, lifetime=0.01)
    t2 = short.create(staff)
    time.sleep(0.05)
    assert short.user(t2) is None
    t3 = sessions.create(staff)
    assert users.remove_staff("ed")
    assert sessions.user(t3) is None
    assert users.authenticate("Ed", "educator-password") is None


def test_records_keep_owner_and_every_override(db):
    users, records = Users(db), Records(db)
    student = users.student("s1")
    assessor = users.add_staff("A", "assessor", "assessor-password")
    conv = records.create_conversation(student, "priya-shah")
    other = records.create_conversation(student, "priya-shah")
    assert conv["id"] != other["id"] and len(conv["id"]) >= 32
    assert records.conversation(conv["id"])["student"] == "s1"
    records.add_override(conv["id"], "psychosocial_context", 1, 3, "asked about home", assessor)
    records.add_override(conv["id"], "psychosocial_context", 1, 4, "and about work", assessor)
    history = records.overrides([conv["id"]])[conv["id"]]
    assert [(h["original_score"], h["new_score"], h["by"]) for h in history] == [(1, 3, "A"), (1, 4, "A")]
    with pytest.raises(sqlite3.IntegrityError):
        records.add_override(conv["id"], "psychosocial_context", 1, 6, "out of range", assessor)


def _cli(tmp_path, *args, env=None, stdin=None):
    e = dict(os.environ, SPTRAINER_APP_DB=str(tmp_path / "cli.db"))
    e.pop("SPTRAINER_PASSWORD", None)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot.cli", "user", *args], cwd=ROOT, env=e, input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_cli_user_add_reads_the_password_from_env_or_stdin_never_argv(tmp_path):
    done = _cli(tmp_path, "add", "Dr Ada", "--role", "assessor", env={"SPTRAINER_PASSWORD": "first-password"})
    assert done.returncode == 0, done.stderr
    done = _cli(tmp_path, "add", "Ed", "--role", "educator", "--password-stdin", stdin="second-password\n")
    assert done.returncode == 0, done.stderr
    refused = _cli(tmp_path, "add", "Mallory", "--role", "assessor", "--password", "on-the-command-line")
    assert refused.returncode == 2 and "never taken on the command line" in refused.stderr
    none = _cli(tmp_path, "add", "Nobody", "--role", "assessor", stdin="")
    assert none.returncode == 2 and "no password" in none.stderr
    dup = _cli(tmp_path, "add", "dr ada", "--role", "assessor", env={"SPTRAINER_PASSWORD": "third-password"})
    assert dup.returncode == 1 and "already exists" in dup.stderr
    bad_role = _cli(tmp_path, "add", "X", "--role", "student", env={"SPTRAINER_PASSWORD": "fourth-password"})
    assert bad_role.returncode == 2
    listing = _cli(tmp_path, "list")
    assert listing.stdout.splitlines() == ["Dr Ada\tassessor", "Ed\teducator"]
    users = Users(AppDB(tmp_path / "cli.db"))
    assert users.authenticate("Dr Ada", "first-password") and users.authenticate("Ed", "second-password")
    assert users.authenticate("Mallory", "on-the-command-line") is None


def test_session_key_is_generated_once_with_0600_and_env_overrides(tmp_path, monkeypatch):
    monkeypatch.delenv("SPTRAINER_SECRET_KEY", raising=False)
    reload_settings()
    k1 = secret_key(tmp_path)
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(k1) == 32
    assert secret_key(tmp_path) == k1
    os.chmod(path, 0o644)
    assert secret_key(tmp_path) == k1 and stat.S_IMODE(path.stat().st_mode) == 0o600
    monkeypatch.setenv("SPTRAINER_SECRET_KEY", "x" * 40)
    reload_settings()
    assert secret_key(tmp_path) != k1
    monkeypatch.setenv("SPTRAINER_SECRET_KEY", "short")
    reload_settings()
    with pytest.raises(RuntimeError):
        secret_key(tmp_path)
