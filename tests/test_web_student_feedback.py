"""What the web app gives the student's pages, on the real stack (Rasa and the web app, see
tests/conftest.py): the report in plain words beside the scorer's, the printable HTML report
(owner and assessors only), each turn's time and message id, the 404 page for unknown
addresses; and in-process, the assessor list putting unscored conversations last."""
from __future__ import annotations

import json
import uuid

import pytest
import requests

from bot.tokens import issue_socket_token
from bot.transcripts import transcript_from_events
from bot.web import listing
from bot.web.turn_times import turn_times
from tests.e2e.support import ASSESSOR, SCRIPT, WebClient, ensure_staff


@pytest.fixture(scope="module")
def web(web_stack):
    ensure_staff(web_stack)
    return web_stack


@pytest.fixture(scope="module")
def ended(web):
    client = WebClient(web).student(f"Report Student {uuid.uuid4().hex[:6]}")
    cid = client.interview("priya-shah", SCRIPT)
    assert client.post(f"/api/conversations/{cid}/end").status_code == 200
    return client, cid


def test_the_report_comes_with_plain_feedback_and_as_printable_html(web, ended):
    client, cid = ended
    data = client.get(f"/api/conversations/{cid}/report").json()
    plain = data["feedback"]["domains"]
    assert [d["id"] for d in plain] == [d["id"] for d in data["report"]["domains"]]
    assert all(d["summary"] and "ask_" not in d["summary"] for d in plain)

    r = client.get(f"/api/conversations/{cid}/report.html")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert r.headers["Content-Disposition"].startswith('attachment; filename="report-priya-shah-')
    assert r.headers["Content-Disposition"].endswith('.html"')
    html = r.text
    assert html.startswith("<!doctype html>") and "<script" not in html
    for d in plain:
        assert d["label"].replace("'", "&#x27;") in html
    for line in SCRIPT:
        assert line.replace("'", "&#x27;") in html, "the transcript is in it"

    other = WebClient(web).student(f"Nosy Student {uuid.uuid4().hex[:6]}")
    assert other.get(f"/api/conversations/{cid}/report.html").status_code == 403
    assert WebClient(web).get(f"/api/conversations/{cid}/report.html").status_code == 401
    staff = WebClient(web).staff(*ASSESSOR)
    assert staff.get(f"/api/conversations/{cid}/report.html").status_code == 200


def test_turns_carry_their_time_and_the_pages_message_id(web):
    client = WebClient(web).student(f"Stamp Student {uuid.uuid4().hex[:6]}")
    cid = client.new_conversation("priya-shah")
    headers = {"Authorization": f"Bearer {issue_socket_token(cid, web.socket_key)}"}
    for text, mid in (("/start_interview" + json.dumps({"persona_id": "priya-shah"}), "m-start"),
                      ("What brings you in today?", "m-first"), ("When did it start?", None)):
        body = {"sender": cid, "message": text, "metadata": {"message_id": mid} if mid else {}}
        requests.post(f"{web.rasa_url}/webhooks/rest/webhook", json=body, headers=headers, timeout=30).raise_for_status()
    turns = client.get(f"/api/conversations/{cid}").json()["turns"]
    assert [t["speaker"] for t in turns] == ["patient", "learner", "patient", "learner", "patient"]
    assert all(t["at"] and t["at"].endswith("Z") for t in turns)
    assert turns[1]["message_id"] == "m-first" and "message_id" not in turns[3]
    assert [t["at"] for t in turns] == sorted(t["at"] for t in turns)


def test_turn_times_line_up_with_the_transcripts_turns():
    events = [{"event": "user", "text": "/start_interview", "timestamp": 1.0,
               "parse_data": {"intent": {"name": "start_interview"}}},
              {"event": "bot", "text": "Hello doctor.", "timestamp": 2.0},
              {"event": "action", "name": "action_listen", "timestamp": 2.5},
              {"event": "user", "text": "Hi", "timestamp": 3.0, "metadata": {"message_id": "a"}},
              {"event": "bot", "text": "Hi.", "timestamp": 4.0},
              {"event": "bot", "text": "Sorry, go on.", "timestamp": 4.5},
              {"event": "user", "text": "Hi", "timestamp": 5.0, "metadata": {"message_id": "b"}},
              {"event": "bot", "text": "Hi.", "timestamp": 6.0}]
    transcript = transcript_from_events(events, "test")
    times = turn_times(events, transcript.turns)
    assert len(times) == len(transcript.turns) == 6
    assert times == [(2.0, None), (3.0, "a"), (4.0, None), (4.5, None), (5.0, "b"), (6.0, None)]
    partial = turn_times(events[:2], transcript.turns)
    assert partial == [(2.0, None)] + [(None, None)] * 5, "a turn it cannot place has no time"


def test_an_unknown_address_gets_the_404_page_and_the_api_keeps_json(web):
    r = requests.get(f"{web.web_url}/no/such/page", timeout=30)
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/html")
    assert "<h1>Not found</h1>" in r.text and '<html lang="en">' in r.text
    api = requests.get(f"{web.web_url}/api/no-such-call", timeout=30)
    assert api.status_code == 404 and api.json()["error"]
    assert requests.get(f"{web.web_url}/api/login", timeout=30).status_code == 405, "a known route keeps its 405"


def test_sorting_by_score_puts_unscored_conversations_last_both_ways():
    rows = [{"id": str(i), "overall": score, "started_ts": i} for i, score in enumerate([40, None, 80, None, 10])]
    for order, expected in (("asc", [10, 40, 80, None, None]), ("desc", [80, 40, 10, None, None])):
        f = listing.Filters.parse({"sort": "overall", "order": order})
        assert [r["overall"] for r in f.apply(rows)] == expected, order
