"""The student's feedback in plain words (bot/web/plain_feedback.py) and the self-contained
HTML report (bot/web/student_report.py), on reports the real scorer makes from hand-written
transcripts (tests/data/scoring)."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Dict, List

import pytest

from bot import topics
from bot.scoring import score_transcript
from bot.scoring.rubric import BACKGROUND, CHARACTERISATION, DOMAINS, ICE, PSYCHOSOCIAL_CONTEXT
from bot.transcripts import load_transcript_file
from bot.web.plain_feedback import PLAN_STEPS, TOPIC_WORDS, listing, plain_feedback, topic_words
from bot.web.student_report import render_student_report

DATA = Path(__file__).parent / "data" / "scoring"
#: What a student must not be shown: the scorer's internal words (docs/web.md).
INTERNAL = re.compile(r"\bask_[a-z_]+|\bconfidence\b|\d+/\d+|\bLearner\b|symptom features|\b\d{1,3}%")


class Page(HTMLParser):
    """Every tag with its attributes, every id, and the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: List[tuple] = []
        self.ids: set = set()
        self.text: List[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "style":
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "style":
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


@pytest.fixture(scope="module")
def reports() -> Dict[str, tuple]:
    out = {}
    for name in ("biomedical-01.json", "dismissive-01.json"):
        transcript = load_transcript_file(DATA / name)
        out[name] = (transcript, score_transcript(transcript))
    return out


def payload_of(report, student="Sam <b>Student</b>"):
    return {"conversation_id": "c-test", "student": student,
            "persona": {"id": "priya-shah", "name": "Priya Shah"}, "report": report, "overrides": []}


def turns_of(transcript):
    return [{"turn": t.number, "speaker": t.speaker, "text": t.text} for t in transcript.turns]


def test_every_topic_the_feedback_names_has_everyday_words():
    known = set(topics.topic_ids())
    assert set(TOPIC_WORDS) <= known, sorted(set(TOPIC_WORDS) - known)
    for topic_id in (*CHARACTERISATION, *BACKGROUND, *PSYCHOSOCIAL_CONTEXT, *ICE, *PLAN_STEPS, "ask_red_flags",
                     "ask_daily_function", "ask_coping", "ask_support"):
        assert topic_id in TOPIC_WORDS, topic_id
        assert not INTERNAL.search(topic_words(topic_id))
    assert topic_words("ask_risk") == topics.load_topics()["ask_risk"].desc, "the topics.yml description is the fallback"


def test_listing_keeps_items_with_commas_apart():
    assert listing(["a", "b", "c"]) == "a, b and c"
    assert listing(["sleep", "work, study or money"]) == "sleep; and work, study or money"


def test_plain_feedback_explains_every_domain_without_internal_terms(reports):
    for name, (_, report) in reports.items():
        plain = plain_feedback(report)["domains"]
        assert [d["id"] for d in plain] == [d[0] for d in DOMAINS], name
        for d in plain:
            assert d["summary"] and not INTERNAL.search(d["summary"]), (name, d["id"], d["summary"])
            assert d["band"]
    _, report = reports["biomedical-01.json"]
    psycho = next(d for d in plain_feedback(report)["domains"] if d["id"] == "psychosocial_context")
    covered = set(report["topics_covered"])
    assert psycho["asked"] == [topic_words(t) for t in PSYCHOSOCIAL_CONTEXT if t in covered]
    assert psycho["not_asked"] == [topic_words(t) for t in PSYCHOSOCIAL_CONTEXT if t not in covered]
    assert psycho["not_asked"], "this transcript leaves most of the patient's life unasked"


def test_the_html_report_is_self_contained_plain_and_linked(reports):
    transcript, report = reports["dismissive-01.json"]
    html = render_student_report(payload_of(report), turns_of(transcript), generated=0)
    page = Page()
    page.feed(html)
    text = " ".join(page.text)
    assert html.startswith("<!doctype html>")
    assert not [t for t, _ in page.tags if t in ("script", "link", "img", "iframe", "object")], "nothing external"
    assert not [a for _, a in page.tags if any(str(v).startswith(("http:", "https:", "//")) for v in a.values() if v)]
    assert not INTERNAL.search(text), INTERNAL.search(text)
    assert "Sam <b>Student</b>" in text and "<b>Student</b>" not in html, "names are escaped"
    for d in report["domains"]:
        assert d["label"] in text
    bars = [a for t, a in page.tags if t == "div" and a.get("class") == "bar"]
    assert len(bars) == len(report["domains"]), "every domain has a bar, also at 0"
    assert any(d["score"] == 0 for d in report["domains"]) and "0.0 of 5" in text
    links = [a["href"][1:] for t, a in page.tags if t == "a" and a.get("href", "").startswith("#turn-")]
    assert links and set(links) <= page.ids, "every evidence link has its turn"
    assert len([i for i in page.ids if i.startswith("turn-")]) == len(transcript.turns)
    assert "You could have said:" in text or "No missed cues" in text
    assert report["dismissals"] and "Dismissals" in text
    assert "@media print" in html and "break-inside: avoid" in html


def test_an_override_and_a_missing_patient_view_are_shown_honestly(reports):
    transcript, report = reports["biomedical-01.json"]
    changed = dict(report, original_overall=report["overall"], overall=55, patient_experience=None)
    changed["domains"] = [dict(d, overridden={"comment": "Asked about home <i>kindly</i>", "by": "Dr Ada"},
                               original_score=d["score"], score=4) if d["id"] == "psychosocial_context" else d
                          for d in report["domains"]]
    html = render_student_report(payload_of(changed, student=None), turns_of(transcript), generated=0)
    assert "Adjusted by an assessor from" in html and "&lt;i&gt;kindly&lt;/i&gt;" in html
    assert f"the automatic score was {report['overall']:.0f}" in html
    assert "patient-view" not in html
