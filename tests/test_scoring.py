"""The scorer: contract format, honest evidence, dismissal detection, bad input."""
from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot import topics
from bot.scoring import score_many, score_transcript
from bot.scoring.dismissal import KINDS
from bot.settings import REPO_ROOT as ROOT
from bot.transcripts import TranscriptError, load_transcript_file, parse_transcript

VALIDATION = sorted((ROOT / "tests" / "data" / "scoring").glob("*.json"))
REPORT_KEYS = {"overall", "verdict", "topics_covered", "dismissals", "empathy", "missed_cues", "turns", "domains"}


def sptrainer(*args: str, stdin: str = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, input=stdin, timeout=300)


def all_quotes(report):
    for key in ("dismissals", "empathy", "missed_cues"):
        for item in report[key]:
            yield item["turn"], item["quote"]
    for domain in report["domains"]:
        for item in domain["evidence"]:
            yield item["turn"], item["quote"]
    for item in report["patient_experience"]["items"]:
        for evidence in item["evidence"]:
            yield evidence["turn"], evidence["quote"]


@pytest.fixture(scope="module")
def validation_reports():
    transcripts = [load_transcript_file(p) for p in VALIDATION]
    return list(zip(VALIDATION, transcripts, score_many(transcripts)))


def test_a_large_batch_scored_in_worker_processes_matches_scoring_in_this_process():
    """The parallel path (score_workers) must change only the speed, never a report."""
    from bot.scoring.report import PARALLEL_MIN

    corpus = [load_transcript_file(p) for p in VALIDATION]
    corpus += [load_transcript_file(p) for p in sorted((ROOT / "tests" / "data" / "scoring_2").glob("*/*.json"))]
    batch = [corpus[i % len(corpus)] for i in range(PARALLEL_MIN + 7)]
    assert score_many(batch, workers=2) == score_many(batch, workers=1)


def test_report_follows_the_contract(validation_reports):
    for _path, transcript, report in validation_reports:
        assert REPORT_KEYS <= set(report)
        assert 0 <= report["overall"] <= 100
        assert set(report["verdict"]) >= {"explored_psychosocial", "dismissed_physical", "balanced",
                                          "psychosocial_before_physical"}
        assert len(report["turns"]) == len(transcript.turns)
        for entry, turn in zip(report["turns"], transcript.turns):
            assert entry["turn"] == turn.number and entry["speaker"] == turn.speaker
            if turn.speaker == "learner":
                assert entry["topic"] in topics.topic_ids()
                assert 0 <= entry["confidence"] <= 1
            else:
                assert isinstance(entry["cue"], bool)
        assert len(report["domains"]) >= 8
        for d in report["domains"]:
            assert 0 <= d["score"] <= 5 and d["rationale"]
        assert set(report["topics_covered"]) <= set(topics.topic_ids())
        for d in report["dismissals"] + report["for_review"]:
            assert d["kind"] in KINDS


def test_every_quote_in_the_validation_reports_is_verbatim(validation_reports):
    for path, transcript, report in validation_reports:
        texts = {t.number: t.text for t in transcript.turns}
        for turn, quote in all_quotes(report):
            assert quote and quote in texts[turn], (path.name, turn, quote)


def test_every_dismissive_transcript_is_caught_and_no_excellent_one_is(validation_reports):
    for path, _, report in validation_reports:
        if path.stem.startswith("dismissive"):
            assert report["verdict"]["dismissed_physical"], path.name
        if path.stem.startswith("excellent"):
            assert not report["dismissals"], (path.name, report["dismissals"])


def test_scores_rank_the_four_kinds(validation_reports):
    by_kind = {}
    for path, _, report in validation_reports:
        by_kind.setdefault(path.stem.rsplit("-", 1)[0], []).append(report["overall"])
    mean = {k: sum(v) / len(v) for k, v in by_kind.items()}
    assert mean["excellent"] > mean["good_incomplete"] > mean["biomedical"] > mean["dismissive"]


@pytest.mark.parametrize("text, kind", [
    ("Honestly I think it's all in your head.", "psychologising"),
    ("Your blood tests were normal, so there's nothing wrong with your stomach.", "normal_tests"),
    ("You just need to relax and stop worrying about it.", "lecturing"),
    ("Come on, it can't be that bad.", "faking"),
    ("I'm sure it's nothing serious, it'll go away on its own.", "premature_reassurance"),
    ("We need to work out whether this is a real physical problem or whether it's in your head.", "either_or"),
    ("Physically you're perfectly healthy, so there's no real problem here.", "denial"),
])
def test_dismissal_kinds(text, kind):
    report = score_transcript(parse_transcript({"turns": [{"speaker": "learner", "text": text}]}))
    assert [d["kind"] for d in report["dismissals"]] == [kind]
    assert report["dismissals"][0]["quote"] in text


@pytest.mark.parametrize("text", [
    "Stress can make the nerves in your gut more sensitive, so the pain you feel is real, and worry turns the volume up.",
    "This is not in your head. Normal tests don't mean nothing is wrong.",
    "You mentioned the last doctor said it was all in your head. How did that feel?",
    "Has stress been a factor, do you think?",
    "What helps you relax when the pain flares?",
    "I believe you, and we're going to take this seriously.",
])
def test_good_explanations_and_exploration_are_not_flagged(text):
    report = score_transcript(parse_transcript({"turns": [{"speaker": "learner", "text": text}]}))
    assert report["dismissals"] == []


def test_missed_cue_comes_from_the_persona_file_with_a_suggestion():
    from bot.personas import PersonaRegistry

    persona = PersonaRegistry(ROOT / "personas").get("priya-shah")
    cue_topic = next(t for t, a in persona.answers.items() if a.cue)
    cue_text = persona.answers[cue_topic].open[0]
    transcript = parse_transcript({"persona_id": "priya-shah", "turns": [
        {"speaker": "learner", "text": "Tell me more about that."},
        {"speaker": "patient", "text": cue_text},
        {"speaker": "learner", "text": "Any blood in your stool?"},
        {"speaker": "patient", "text": "No."}]})
    report = score_transcript(transcript)
    assert [m["turn"] for m in report["missed_cues"]] == [2]
    assert report["missed_cues"][0]["quote"] in cue_text
    assert report["missed_cues"][0]["suggestion"]
    assert report["turns"][1]["cue"] is True

    answered = parse_transcript({"persona_id": "priya-shah", "turns": [
        {"speaker": "learner", "text": "Tell me more about that."},
        {"speaker": "patient", "text": cue_text},
        {"speaker": "learner", "text": "That sounds really hard, I'm sorry."}]})
    assert score_transcript(answered)["missed_cues"] == []


# --- honest evidence over generated transcripts --------------------------------------

PHRASES = [t.text for path in VALIDATION for t in load_transcript_file(path).turns][:400]
turn_text = st.one_of(st.sampled_from(PHRASES), st.text(min_size=0, max_size=200),
                      st.builds(lambda a, b: f"{a} {b}", st.sampled_from(PHRASES), st.sampled_from(PHRASES)))
turn = st.fixed_dictionaries({"speaker": st.sampled_from(["learner", "patient"]), "text": turn_text})
transcripts = st.lists(turn, min_size=1, max_size=24).filter(lambda ts: any(t["speaker"] == "learner" for t in ts))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(turns=transcripts, persona=st.sampled_from([None, "priya-shah", "daniel-osei", "no-such-persona"]))
def test_generated_transcripts_quote_verbatim_and_number_turns_that_exist(turns, persona):
    report = score_transcript(parse_transcript({"persona_id": persona, "turns": turns}))
    texts = {i: t["text"] for i, t in enumerate(turns, start=1)}
    assert [t["turn"] for t in report["turns"]] == list(texts)
    for number, quote in all_quotes(report):
        assert number in texts
        assert quote in texts[number]
    for m in report["missed_cues"]:
        assert turns[m["turn"] - 1]["speaker"] == "patient"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(turns=transcripts, persona=st.sampled_from([None, "priya-shah", "gareth-pryce", "no-such-persona"]))
# Found by this test once: "A" read as a plan by the act model and put up for review by the dismissal reader.
@example(turns=[{"speaker": "learner", "text": "A"}], persona=None)
def test_feedback_never_calls_asked_what_a_learner_turn_asked(turns, persona):
    """No topic is reported "not asked" (nor advised) when a learner turn's acts include it."""
    report = score_transcript(parse_transcript({"persona_id": persona, "turns": turns}))
    asked = {act for t in report["turns"] if t["speaker"] == "learner" for act in t["acts"]}
    for domain in report["domains"]:
        assert not asked & set(domain["not_asked"]), (domain["id"], asked & set(domain["not_asked"]))
    flagged = {d["turn"] for d in report["dismissals"]}
    review = {(d["turn"], d["quote"]) for d in report["for_review"]}
    assert not flagged & {n for n, _ in review}, "a turn is either a confident dismissal or for review"
    cited = {(e["turn"], e["quote"]) for item in report["patient_experience"]["items"] for e in item["evidence"]}
    assert not review & cited, "the patient's view never cites a flag shown for review"


# --- bad input ----------------------------------------------------------------------

@pytest.mark.parametrize("content, problem", [
    ("", "file is empty"),
    ("{not json", "invalid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"persona_id": "x"}', "missing key 'turns'"),
    ('{"turns": "hello"}', "'turns' must be a list"),
    ('{"turns": []}', "'turns' is empty"),
    ('{"turns": [{"speaker": "learner"}]}', "turn 1: missing key 'text'"),
    ('{"turns": [{"speaker": "doctor", "text": "hi"}]}', "turn 1: 'speaker' must be 'learner' or 'patient'"),
    ('{"turns": [{"speaker": "learner", "text": 5}]}', "turn 1: 'text' must be a string"),
    ('{"turns": [{"speaker": "patient", "text": "hi"}]}', "no learner turn"),
    ('{"persona_id": 7, "turns": [{"speaker": "learner", "text": "hi"}]}', "'persona_id' must be a string"),
])
def test_malformed_transcripts_get_a_clear_error_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "broken.json"
    path.write_text(content)
    with pytest.raises(TranscriptError) as info:
        load_transcript_file(path)
    assert str(path) in str(info.value) and problem in str(info.value)


def test_huge_transcript_is_refused(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"turns": [{"speaker": "learner", "text": "x" * 30_000}]}))
    with pytest.raises(TranscriptError, match="huge.json: turn 1: text is 30000 characters"):
        load_transcript_file(path)


def test_cli_scores_a_folder_in_file_name_order_and_reports_bad_files(tmp_path):
    for name in ("b.json", "a.json"):
        (tmp_path / name).write_text(json.dumps({"persona_id": "priya-shah", "turns": [
            {"speaker": "learner", "text": "What brings you in today?"},
            {"speaker": "patient", "text": "My stomach."}]}))
    result = sptrainer("score", str(tmp_path), "--format", "json")
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)
    assert [Path(r["source"]).name for r in reports] == ["a.json", "b.json"]
    assert reports[0]["turns"][0]["topic"] == "ask_open"

    (tmp_path / "c.json").write_text('{"turns": 3}')
    failed = sptrainer("score", str(tmp_path))
    assert failed.returncode == 1
    assert "c.json: 'turns' must be a list" in failed.stderr


def test_cli_html_is_self_contained_and_escapes_text(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"turns": [
        {"speaker": "learner", "text": "<script>alert(1)</script> what brings you in?"},
        {"speaker": "patient", "text": "<b>pain</b>"}]}))
    out = tmp_path / "report.html"
    result = sptrainer("score", str(path), "--format", "html", "-o", str(out))
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "src=" not in page and "http://" not in page and "https://" not in page
    text = sptrainer("score", str(path), "--format", "text")
    assert "SP Trainer score:" in text.stdout


def test_cli_scores_a_logged_conversation_from_the_tracker_store(rasa, stack):
    sender = f"score-{uuid.uuid4().hex[:8]}"
    rasa.start(sender, "priya-shah")
    for line in ("What brings you in today?", "When did it start?", "How are things at home?",
                 "That sounds really hard.", "It's probably all in your head."):
        rasa.say(sender, line)
    result = sptrainer("score", "--conversation", sender, "--tracker-url", f"sqlite:///{stack.run_dir / 'tracker.db'}")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["persona_id"] == "priya-shah"
    assert [t["speaker"] for t in report["turns"]][:2] == ["patient", "learner"]  # opening first
    assert report["verdict"]["dismissed_physical"]
    missing = sptrainer("score", "--conversation", "no-such-conversation",
                        "--tracker-url", f"sqlite:///{stack.run_dir / 'tracker.db'}")
    assert missing.returncode == 1 and "no-such-conversation" in missing.stderr


def test_a_feeling_already_met_with_empathy_is_no_new_cue_unless_read_very_surely():
    """After an empathic turn the patient often goes on in the same feeling: only a very
    sure reading is a new empathic opportunity (docs/scoring.md, "Cues")."""
    from bot.nlu.segments import Segment
    from bot.scoring.cues import AFTER_EMPATHY_PROBABILITY, ClauseReading, find_cue

    clause = [Segment("It's just nice to have someone listen.", 0, 38)]
    likely = [ClauseReading(0.8, "isolation")]
    assert find_cue(clause, likely, "ask_sleep") is not None
    assert find_cue(clause, likely, "ask_sleep", after_empathy=True) is None
    sure = [ClauseReading(AFTER_EMPATHY_PROBABILITY, "isolation")]
    assert find_cue(clause, sure, "ask_sleep", after_empathy=True) is not None
    # Even a line close to one of the persona's cue answers.
    scripted = [ClauseReading(0.5, "isolation", cue_answer=0.9, plain_answer=0.1)]
    assert find_cue(clause, scripted, "ask_sleep") is not None
    assert find_cue(clause, scripted, "ask_sleep", after_empathy=True) is None


def test_a_clause_close_to_a_plain_persona_answer_never_lowers_the_bar():
    from bot.nlu.segments import Segment
    from bot.scoring.cues import AFTER_PLAN_PROBABILITY, ClauseReading, find_cue

    clause = [Segment("Nobody knows anything until the new year.", 0, 41)]
    plain = [ClauseReading(AFTER_PLAN_PROBABILITY - 0.1, "fear", cue_answer=0.1, plain_answer=0.9)]
    assert find_cue(clause, plain, "ask_work") is not None  # the plain-answer bar (0.6) is met
    assert find_cue(clause, plain, "propose_plan") is None  # after a plan the higher bar stands


def test_the_story_told_to_the_opening_question_needs_a_surer_cue_reading():
    from bot.nlu.segments import Segment
    from bot.scoring.cues import OPENING_PROBABILITY, ClauseReading, find_cue

    clause = [Segment("I wake at three with my heart going and that's me up.", 0, 53)]
    likely = [ClauseReading(OPENING_PROBABILITY - 0.1, "fear")]
    assert find_cue(clause, likely, "ask_sleep") is not None
    assert find_cue(clause, likely, "ask_open") is None
    assert find_cue(clause, [ClauseReading(OPENING_PROBABILITY, "fear")], "ask_open") is not None
    # A line the persona marks as a cue stays one.
    scripted = [ClauseReading(0.3, "fear", cue_answer=0.9, plain_answer=0.1)]
    assert find_cue(clause, scripted, "greet") is not None


def test_the_empathic_lexicon_knows_validation_and_acknowledgement():
    from bot.scoring.style import empathic_phrase

    for warm in ("Needing a hand isn't a sign of weakness.", "you're not a bad dad for snapping",
                 "thanks for being so honest with me", "that's completely understandable",
                 "Two jobs and a baby - that's a lot.", "I'm sorry they brushed you off like that."):
        assert empathic_phrase(warm), warm
    for plain in ("Does that make sense?", "you're not on any tablets?", "That's a lot of coffee."):
        assert not empathic_phrase(plain), plain


def test_a_clause_framed_as_the_patients_own_view_is_never_a_confident_dismissal():
    """A reflection gives the patient's belief back; "as you said, it's all stress" endorses it."""
    from bot.nlu.segments import clauses_of
    from bot.scoring.dismissal import DismissalReading, detect, patients_view

    reflection = "So you put it down to your age, mostly."
    endorsed = "As you said yourself, it's just your age."
    assert patients_view(reflection) and not patients_view(endorsed)
    # Reporting what the patient said gives it back; concluding from it or agreeing does not.
    assert patients_view("You said it's not only the back.")
    assert not patients_view("You mentioned deadlines, so it's most likely just stress.")
    assert not patients_view("You said it's your nerves and I agree with you.")
    sure = DismissalReading(0.99, "age_normalising")
    for text, confident in ((reflection, False), (endorsed, True)):
        found = detect(clauses_of(text), [sure], sure)
        assert found and found[0].confident is confident, text


def test_a_turn_read_as_a_reflection_needs_a_sure_reading_to_be_a_confident_dismissal():
    """The patient's words given back ("so it's a deep ache...") are not the learner's verdict."""
    from bot.nlu.segments import clauses_of
    from bot.scoring.dismissal import CLAUSE_SURE, DismissalReading, detect, reads_as_reflection

    text = "So it's a deep ache, like you've done a workout when you haven't."
    likely, sure = DismissalReading(0.8, "denial"), DismissalReading(CLAUSE_SURE, "denial")
    assert reads_as_reflection("reflect", 0.6) and not reads_as_reflection("reflect", 0.3)
    assert not reads_as_reflection("empathize", 0.9)
    assert detect(clauses_of(text), [likely], likely)[0].confident
    assert not detect(clauses_of(text), [likely], likely, reflecting=True)[0].confident
    assert detect(clauses_of(text), [sure], sure, reflecting=True)[0].confident


def test_a_turn_sure_as_a_whole_is_a_dismissal_quoting_its_likeliest_clause():
    """Two clauses each half-dismissive ("Three clear scans. That settles it...") make a sure
    turn: the likeliest clause is quoted and caps the score; an unsure turn stays for review."""
    from bot.nlu.segments import clauses_of
    from bot.scoring.dismissal import TURN_SURE, DismissalReading, detect

    text = "Three clear scans. That settles it, your back is not the cause."
    parts = clauses_of(text)
    assert len(parts) == 2
    first, second = DismissalReading(0.4, "normal_tests"), DismissalReading(0.55, "denial")
    found = detect(parts, [first, second], DismissalReading(TURN_SURE + 0.1, "normal_tests"))
    assert [d.confident for d in found] == [True, False] and found[0].quote == parts[1].text
    unsure = detect(parts, [first, second], DismissalReading(TURN_SURE - 0.1, "normal_tests"))
    assert unsure and not any(d.confident for d in unsure)


def test_a_clause_keeping_the_symptoms_real_leaves_a_likely_dismissal_in_the_same_turn_for_review():
    """"With the long shifts your back's taking a hammering. It's not that the pain isn't real,
    your nerves are turned up": a lifestyle clause next to a mind-body explanation that keeps
    the pain real is not the learner's verdict that nothing is wrong, unless read surely."""
    from bot.nlu.segments import clauses_of
    from bot.scoring.dismissal import CLAUSE_SURE, WARM_FRAME_SURE, DismissalReading, clauses_keeping_real, detect
    from bot.scoring.report import score_transcript
    from bot.transcripts import parse_transcript

    text = "With the long shifts your back's taking a hammering. It's not that the pain isn't real, your nerves are turned up."
    parts = clauses_of(text)
    assert len(parts) == 2
    likely, calm = DismissalReading(0.9, "age_normalising"), DismissalReading(0.02, "denial")
    keeping = clauses_keeping_real([("ask_work", 0.4), ("explain_mind_body", 0.9)])
    assert keeping == [False, True]
    assert detect(parts, [likely, calm], likely)[0].confident
    assert not detect(parts, [likely, calm], likely, keeping_real=keeping)[0].confident
    sure = DismissalReading(CLAUSE_SURE, "psychologising")
    assert detect(parts, [sure, calm], sure, keeping_real=keeping)[0].confident
    # A clause does not excuse itself, and a one-clause turn has no other clause.
    assert detect(parts, [likely, calm], likely, keeping_real=[True, False])[0].confident
    assert clauses_keeping_real([("legitimize", 0.95)]) == [False]
    # Said first, the same words frame the dismissal warmly: a clause read at WARM_FRAME_SURE
    # after them is confident even when the whole turn reads diluted.
    framed = clauses_of("I believe the pain is real. But do you think the claim makes it harder to get better?")
    kindly = DismissalReading(WARM_FRAME_SURE, "secondary_gain")
    diluted = DismissalReading(0.3, "secondary_gain")
    assert detect(framed, [calm, kindly], diluted, keeping_real=[True, False])[0].confident
    assert not detect(framed, [calm, DismissalReading(0.8, "secondary_gain")], diluted,
                      keeping_real=[True, False])[0].confident
    # Through the real models: a plain "it's all in your head" is still capped.
    report = score_transcript(parse_transcript({"persona_id": None, "turns": [
        {"speaker": "learner", "text": "Honestly, it's all in your head. Your scans are all normal."}]}, "t"))
    assert report["dismissals"]
