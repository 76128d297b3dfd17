"""Fuzzing the parsers that read untrusted files: they either accept the input or refuse
it with their own error type; nothing else may escape."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.personas import PersonaFileError, parse_persona_text
from bot.settings import REPO_ROOT as ROOT
from bot.transcripts import TranscriptError, load_transcript_file, parse_transcript

BUNDLED_TEXT = sorted((ROOT / "personas").glob("*.yml"))[0].read_text()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20)


def mutate(text: str, data: st.DataObject) -> str:
    """Cut, duplicate or corrupt a slice of a valid persona file."""
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, min(len(text), i + 200)))
    op = data.draw(st.sampled_from(["delete", "duplicate", "insert", "replace"]))
    junk = data.draw(st.text(max_size=20))
    if op == "delete":
        return text[:i] + text[j:]
    if op == "duplicate":
        return text[:j] + text[i:j] + text[j:]
    if op == "insert":
        return text[:i] + junk + text[i:]
    return text[:i] + junk + text[j:]


@FUZZ
@given(data=st.data())
def test_persona_loader_accepts_or_refuses_mutated_files(data):
    text = mutate(BUNDLED_TEXT, data)
    name = Path(sorted((ROOT / "personas").glob("*.yml"))[0].name)
    try:
        persona = parse_persona_text(text, name)
    except PersonaFileError as exc:
        assert exc.problems and all(p.line >= 1 and p.col >= 1 and p.message for p in exc.problems)
    else:
        assert persona.id == name.stem


@FUZZ
@given(text=st.text(max_size=300))
def test_persona_loader_survives_arbitrary_text(text):
    try:
        parse_persona_text(text, Path("fuzz.yml"))
    except PersonaFileError as exc:
        assert str(exc).startswith("fuzz.yml:")


@FUZZ
@given(value=json_values)
def test_transcript_parser_accepts_or_refuses_any_json(value):
    try:
        transcript = parse_transcript(value, "fuzz.json")
    except TranscriptError as exc:
        assert str(exc).startswith("fuzz.json")
    else:
        assert transcript.turns


@FUZZ
@given(turns=st.lists(st.dictionaries(st.sampled_from(["speaker", "text", "extra"]),
                                      st.one_of(st.sampled_from(["learner", "patient"]), json_values),
                                      max_size=3), max_size=6))
def test_transcript_parser_on_near_valid_turn_lists(turns):
    try:
        transcript = parse_transcript({"persona_id": "x", "turns": turns}, "near.json")
    except TranscriptError as exc:
        assert "near.json" in str(exc)
    else:
        assert [t.number for t in transcript.turns] == list(range(1, len(turns) + 1))


@FUZZ
@given(raw=st.binary(max_size=400))
def test_transcript_file_reader_on_arbitrary_bytes(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("fuzz") / "t.json"
    path.write_bytes(raw)
    try:
        load_transcript_file(path)
    except TranscriptError as exc:
        assert str(path) in str(exc)
