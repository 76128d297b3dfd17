"""Teaching pack (docs/scoring.md): anonymised, self-contained, with highlights and prompts."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Dict

import pytest

from bot.personas import PersonaRegistry
from bot.scoring import score_many
from bot.settings import REPO_ROOT as ROOT
from bot.teaching_pack import Anonymiser, build_pack
from bot.transcripts import parse_transcript

PERSONA = "priya-shah"
#: Nothing of the student's identity may appear anywhere in the pack.
FORBIDDEN = ("jordan", "okafor", "7654321", "99887766", "example.ac.uk", "07700", "morgan", "900123")


@pytest.fixture(scope="module")
def priya():
    return PersonaRegistry(ROOT / "personas").get(PERSONA)


def _student_transcript(priya) -> Dict:
    """A conversation whose learner text names the student, with identity fields."""
    a = priya.answers
    return {
        "persona_id": PERSONA,
        "student": "Jordan Okafor",
        "student_id": "s7654321",
        "sender": "jordan.okafor@example.ac.uk",
        "conversation_id": "conv-99887766",
        "turns": [
            {"speaker": "learner", "text": "Hi, I'm Jordan Okafor, a medical student. What's been going on?"},
            {"speaker": "patient", "text": a["ask_open"].open[0]},
            {"speaker": "learner", "text": "Any PMH?"},
            {"speaker": "patient", "text": a["ask_medical_history"].open[0]},
            {"speaker": "learner", "text": "Have you had any tests? Jordan here, by the way, in case you forgot."},
            {"speaker": "patient", "text": a["ask_previous_care"].open[0]},
            {"speaker": "learner", "text": "I'm really sorry it left you feeling like that. Your symptoms are real."},
            {"speaker": "patient", "text": priya.reactions["legitimize"][0]},
            {"speaker": "learner", "text": "Bowels ok?"},
            {"speaker": "patient", "text": "Up and down, like I said."},
            {"speaker": "learner", "text": "How are things at home?"},
            {"speaker": "patient", "text": a["ask_relationships"].open[0]},
            {"speaker": "learner", "text": "Honestly, I think it's all in your head."},
            {"speaker": "patient", "text": priya.reactions["dismiss"][0]},
            {"speaker": "learner", "text": "If it gets worse, email jordan.okafor@example.ac.uk or ring 07700 900123. "
                                           "My student number is s7654321. <script>alert(1)</script> Bye, from Jordan!"},
            {"speaker": "patient", "text": "Okay. Thanks."},
        ],
    }


def _named_by_option(priya) -> Dict:
    """A conversation that mentions the student only by a name given with --student-name."""
    a = priya.answers
    return {"persona_id": PERSONA, "user": {"name": "Morgan Lee"}, "turns": [
        {"speaker": "learner", "text": "Hello Priya, Morgan here, one of the students. In your own words, what's been going on?"},
        {"speaker": "patient", "text": a["ask_open"].open[0]},
        {"speaker": "learner", "text": "That sounds really draining. When did it start?"},
        {"speaker": "patient", "text": a["ask_onset"].open[0]},
        {"speaker": "learner", "text": "Has there been much stress in your life lately? Sorry, Morgan is writing as we go."},
        {"speaker": "patient", "text": a["ask_stress"].open[0]},
    ]}


def _assert_anonymous(text: str) -> None:
    lowered = text.lower()
    for word in FORBIDDEN:
        assert word not in lowered, word


@pytest.fixture(scope="module")
def pack(priya):
    transcripts = [parse_transcript(_student_transcript(priya), "jordan-okafor.json"),
                   parse_transcript(_named_by_option(priya), "conversation s7654321")]
    reports = score_many(transcripts)
    page, data = build_pack(list(zip(transcripts, reports)), student_names=["Morgan"])
    return transcripts, reports, page, data


def test_the_pack_contains_no_student_name_or_id(pack):
    transcripts, reports, page, data = pack
    _assert_anonymous(page)
    _assert_anonymous(json.dumps(data, ensure_ascii=False))
    assert [t["label"] for t in data["transcripts"]] == ["Transcript A", "Transcript B"]
    first = data["transcripts"][0]
    assert not {"student", "student_id", "sender", "conversation_id", "source", "user"} & set(first)
    assert first["turns"][0]["text"] == "Hi, I'm [name], a medical student. What's been going on?"
    closing = first["turns"][14]["text"]
    assert "[email]" in closing and "[phone]" in closing and "[id]" in closing and "Bye, from [name]!" in closing
    assert "Morgan" not in data["transcripts"][1]["turns"][0]["text"]


def test_the_patients_words_are_kept(pack, priya):
    transcripts, _, _, data = pack
    for transcript, entry in zip(transcripts, data["transcripts"]):
        for original, turn in zip(transcript.turns, entry["turns"]):
            if original.speaker == "patient":
                assert turn["text"] == original.text
    assert data["transcripts"][0]["persona"]["name"] == priya.name


def test_highlights_and_prompts(pack):
    transcripts, reports, _, data = pack
    first = data["transcripts"][0]
    kinds = {(m["turn"], m["kind"]) for m in first["dismissive_moments"]}
    assert (13, "dismissal") in kinds  # "it's all in your head"
    assert (3, "shorthand") in kinds and (9, "shorthand") in kinds  # "Any PMH?", "Bowels ok?"
    assert first["empathic_moments"] and len(first["empathic_moments"]) <= 3
    assert any(m["turn"] == 7 for m in first["empathic_moments"])
    strengths = [m["strength"] for m in first["empathic_moments"]]
    assert max(strengths) >= 2  # the cue answered with a legitimising continuer ranks high
    for entry in data["transcripts"]:
        assert 3 <= len(entry["prompts"]) <= 5
        texts = {t["turn"]: t["text"] for t in entry["turns"]}
        for m in entry["empathic_moments"] + entry["dismissive_moments"]:
            assert m["quote"] in texts[m["turn"]], m  # verbatim, in the masked transcript
        assert entry["patient_experience"]["total"] == sum(i["score"] for i in entry["patient_experience"]["items"])
    assert any("turn 13" in p or "turn 6" in p for p in first["prompts"])


def test_html_is_self_contained_and_escaped(pack):
    _, _, page, _ = pack
    assert page.startswith("<!doctype html>") and "<style>" in page
    for external in ("http://", "https://", "src=", "<link", "@import", "url("):
        assert external not in page
    assert "<script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("text, masked", [
    ("my name is sam patel and I'm a student", "my name is [name] and I'm a student"),
    ("I am Dr. Lee, the doctor today.", "I am Dr. [name], the doctor today."),
    ("hi im Ruby, med student. whats brought you in?", "hi im [name], med student. whats brought you in?"),
    ("I'm sorry to hear that. I'm just going to ask about your work.", "I'm sorry to hear that. I'm just going to ask about your work."),
    ("It's 7 out of 10 on 4-5 days a week.", "It's 7 out of 10 on 4-5 days a week."),
    ("Call 0161 496 0000 or reference 20231234.", "Call [phone] or reference [id]."),
])
def test_masking_the_learners_words(text, masked):
    anon = Anonymiser()
    anon.learn_introductions(text)
    assert anon.mask_learner(text) == masked


def test_cli_writes_both_files(tmp_path, priya):
    source = tmp_path / "in"
    source.mkdir()
    (source / "jordan-okafor.json").write_text(json.dumps(_student_transcript(priya)))
    (source / "second.json").write_text(json.dumps(_named_by_option(priya)))
    out = tmp_path / "pack"
    result = subprocess.run([sys.executable, "-m", "bot.cli", "export-pack", str(source), "--student-name", "Morgan",
                             "-o", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    page = (out / "pack.html").read_text(encoding="utf-8")
    data = json.loads((out / "pack.json").read_text(encoding="utf-8"))
    _assert_anonymous(page)
    _assert_anonymous(json.dumps(data, ensure_ascii=False))
    assert len(data["transcripts"]) == 2 and data["anonymised"] is True
    assert not re.search(r"jordan|okafor", result.stderr, re.IGNORECASE)  # not even the file name
    missing = subprocess.run([sys.executable, "-m", "bot.cli", "export-pack", "-o", str(out)],
                             capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert missing.returncode == 2 and "give transcript files" in missing.stderr
