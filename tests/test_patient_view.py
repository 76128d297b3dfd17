"""The patient's view (docs/scoring.md): CARE-theme ratings from the simulated patient, with quotes."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from bot.patient.rapport import RAPPORT_DELTA
from bot.personas import PersonaRegistry
from bot.scoring import score_many, score_transcript
from bot.scoring.patient_view import ITEM_IDS
from bot.scoring.render import to_html, to_text
from bot.settings import REPO_ROOT as ROOT
from bot.transcripts import Transcript, load_transcript_file, parse_transcript

VALIDATION = sorted((ROOT / "tests" / "data" / "scoring").glob("*.json"))
PERSONA = "priya-shah"


@pytest.fixture(scope="module")
def priya():
    return PersonaRegistry(ROOT / "personas").get(PERSONA)


def _say(persona, topic: str, level: str = "open") -> str:
    """What the persona file says for a topic (answers) or an act (reactions)."""
    if topic in persona.answers:
        answer = persona.answers[topic]
        return (answer.open if level == "open" else answer.guarded)[0]
    return persona.reactions[topic][0]


def _transcript(persona, exchanges: List[Tuple[str, str]], **extra) -> Transcript:
    """``exchanges``: (learner text, what the patient answers: a topic id, 'guarded:topic', or text)."""
    turns = []
    for learner, reply in exchanges:
        turns.append({"speaker": "learner", "text": learner})
        if reply.startswith("guarded:"):
            text = _say(persona, reply.split(":", 1)[1], "guarded")
        elif reply in persona.answers or reply in persona.reactions:
            text = _say(persona, reply)
        else:
            text = reply
        turns.append({"speaker": "patient", "text": text})
    return parse_transcript({"persona_id": persona.id, "turns": turns, **extra})


def empathic(persona) -> Transcript:
    return _transcript(persona, [
        ("Hi Priya, I'm Alex, one of the medical students. In your own words, what's been going on?", "ask_open"),
        ("That sounds really draining. Is there anything else you'd like us to talk about today?", "ask_anything_else"),
        ("Thank you for telling me about your uncle, we'll come back to that. When did it all start?", "ask_onset"),
        ("What does the pain feel like?", "ask_character"),
        ("Any blood in your poo, losing weight, fevers, or pain waking you at night?", "ask_red_flags"),
        ("You mentioned you'd seen your GP. What happened there?", "ask_previous_care"),
        ("I'm really sorry it left you feeling like that. Your symptoms are real, and normal tests don't mean "
         "you're making this up.", "legitimize"),
        ("Has there been much pressure on you in other parts of your life?", "ask_stress"),
        ("That's a lot landing on you at once. How are things at home?", "ask_relationships"),
        ("It sounds like you've been really hard on yourself. Being unwell for months would make anyone "
         "cancel plans.", "empathize"),
        ("How has all this been affecting your day-to-day life?", "ask_daily_function"),
        ("That sounds really isolating. What do you think might be behind it all?", "ask_ideas"),
        ("What worries you most about it?", "ask_concerns"),
        ("And what were you hoping we could do for you today?", "ask_expectations"),
        ("Can I explain how I see it? Stress and poor sleep can make the nerves in the gut more sensitive, so "
         "the pain is real and worry turns the volume up.", "explain_mind_body"),
        ("Let me check I've got it right: nine months of cramps and bloating, worse with deadlines and big "
         "meals, normal tests, and a lot going on. Is that right?", "summarize"),
        ("How would you feel about making a plan together? A food diary, regular meals, and I'll ask the "
         "doctor about a referral given your uncle.", "propose_plan"),
        ("Thanks so much for being so open with me, Priya. Take care.", "goodbye"),
    ])


def biomedical(persona) -> Transcript:
    return _transcript(persona, [
        ("Hello, I'm Alex, a medical student. What's brought you in today?", "ask_open"),
        ("When did it start?", "ask_onset"),
        ("Where is the pain?", "ask_location"),
        ("What's the pain like?", "ask_character"),
        ("How bad is it out of ten?", "ask_severity"),
        ("Does anything make it better?", "ask_relief"),
        ("Any blood in your stool, weight loss, fevers or night-time symptoms?", "ask_red_flags"),
        ("Have you had any tests?", "ask_previous_care"),
        ("What medications have you tried?", "ask_medications"),
        ("Any family history of bowel problems?", "ask_family_history"),
        ("Do you smoke or drink?", "guarded:ask_substances"),
        ("OK, thanks. I'll let the doctor know and they'll be in shortly.", "goodbye"),
    ])


def dismissive(persona) -> Transcript:
    return _transcript(persona, [
        ("Hi, I'm Alex, med student. What's the problem?", "ask_open"),
        ("How long has it been going on?", "ask_onset"),
        ("How bad is it out of ten?", "ask_severity"),
        ("Seven seems quite high for a bit of bloating, to be honest.", "dismiss"),
        ("Have you had any tests?", "ask_previous_care"),
        ("Well, your tests were all normal, so there's nothing actually wrong with your stomach.", "dismiss"),
        ("Are you stressed?", "guarded:ask_stress"),
        ("Honestly, it sounds like it's all in your head. You just need to relax.", "dismiss"),
        ("OK, I'll let the doctor know. Bye!", "goodbye"),
    ])


@pytest.fixture(scope="module")
def three(priya) -> Dict[str, Tuple[Transcript, Dict]]:
    transcripts = {"empathic": empathic(priya), "biomedical": biomedical(priya), "dismissive": dismissive(priya)}
    reports = score_many(list(transcripts.values()))
    return {kind: (t, r) for (kind, t), r in zip(transcripts.items(), reports)}


def _check_shape_and_quotes(transcript: Transcript, report: Dict) -> None:
    pe = report["patient_experience"]
    assert [i["id"] for i in pe["items"]] == list(ITEM_IDS)
    assert len(ITEM_IDS) == 10
    assert all(isinstance(i["score"], int) and 1 <= i["score"] <= 5 for i in pe["items"])
    assert pe["total"] == sum(i["score"] for i in pe["items"]) and 10 <= pe["total"] <= 50
    assert "not a validated CARE score" in pe["note"]
    texts = {t.number: t for t in transcript.turns}
    for item in pe["items"]:
        assert item["comment"] and item["label"]
        if not item["evidence"]:
            assert item["score"] == 3, item  # nothing either way: a neutral 3
        for e in item["evidence"]:
            turn = texts[e["turn"]]
            assert turn.speaker == "learner", (item["id"], e)
            assert e["quote"] and e["quote"] in turn.text, (item["id"], e)  # verbatim
        if item["evidence"]:
            assert item["evidence"][0]["quote"] in item["comment"], item  # the comment quotes the turn it cites


def test_the_patient_ranks_empathic_over_biomedical_over_dismissive(three):
    totals = {kind: r["patient_experience"]["total"] for kind, (_, r) in three.items()}
    assert totals["empathic"] >= totals["biomedical"] + 8, totals
    assert totals["biomedical"] >= totals["dismissive"] + 5, totals
    assert totals["empathic"] >= 40 and totals["dismissive"] <= 22, totals
    for transcript, report in three.values():
        _check_shape_and_quotes(transcript, report)


def test_comments_are_first_person_and_name_the_turn_behind_them(three):
    _, report = three["dismissive"]
    items = {i["id"]: i for i in report["patient_experience"]["items"]}
    assert items["care_compassion"]["score"] <= 2 and items["being_positive"]["score"] <= 2
    assert "all in your head" in " ".join(i["comment"] for i in items.values())
    assert items["take_control"]["score"] <= 2  # "You just need to relax" is lecturing
    _, good = three["empathic"]
    good_items = {i["id"]: i for i in good["patient_experience"]["items"]}
    assert good_items["making_plan"]["score"] == 5
    assert good_items["being_positive"]["comment"].startswith("When you said")
    for item in list(items.values()) + list(good_items.values()):
        assert " I " in f" {item['comment']}" or "I'" in item["comment"] or " me" in item["comment"], item


def test_rapport_is_replayed_with_the_engine_rules(three):
    _, good = three["empathic"]
    _, bad = three["dismissive"]
    assert good["patient_experience"]["rapport"]["end"] >= 1 > bad["patient_experience"]["rapport"]["end"]
    # One act per turn, no cue: the replay moves exactly as the patient engine's RAPPORT_DELTA.
    t = parse_transcript({"persona_id": PERSONA, "turns": [
        {"speaker": "learner", "text": "When did it start?"},
        {"speaker": "learner", "text": "That sounds really hard."},
        {"speaker": "learner", "text": "It's all in your head."},
        {"speaker": "learner", "text": "Let me check I've got it right: nine months of cramps and bloating. Is that right?"}]})
    report = score_transcript(t)
    acts = [x["topic"] for x in report["turns"]]
    assert acts[1:] == ["empathize", "dismiss", "summarize"], acts
    expected, values = 0.0, []
    for act in acts:
        expected += RAPPORT_DELTA.get(act, 0.0)
        values.append(expected)
    assert [p["rapport"] for p in report["patient_experience"]["rapport"]["by_turn"]] == pytest.approx(values)


def test_a_proxy_persona_speaks_as_the_parent_and_an_unknown_one_generically():
    leo = PersonaRegistry(ROOT / "personas").get("leo-fischer")
    assert leo.proxy is not None
    exchanges = [("Hello, I'm Alex, one of the medical students. What's been going on with Leo?", "ask_open"),
                 ("That sounds really hard for both of you. How is Leo getting on at school?", "ask_work"),
                 ("And how are things at home at the moment?", "ask_relationships")]
    report = score_transcript(_transcript(leo, exchanges))
    whole = next(i for i in report["patient_experience"]["items"] if i["id"] == "whole_person")
    assert "Leo" in whole["comment"] and "my tummy" not in whole["comment"], whole
    assert report["patient_experience"]["voice"] == "proxy"
    generic = parse_transcript({"turns": [{"speaker": "learner", "text": text} for text, _ in exchanges]})
    pe = score_transcript(generic)["patient_experience"]
    assert pe["voice"] == "generic" and len(pe["items"]) == 10


def test_an_item_nothing_speaks_to_is_a_neutral_three():
    report = score_transcript(parse_transcript({"turns": [{"speaker": "learner", "text": "Hello."}]}))
    items = {i["id"]: i for i in report["patient_experience"]["items"]}
    assert items["explaining_clearly"]["score"] == 3 and items["explaining_clearly"]["evidence"] == []
    assert items["making_plan"]["score"] == 3 and "didn't" in items["making_plan"]["comment"]


def test_validation_set_kinds_rank_on_the_patients_view():
    transcripts = [load_transcript_file(p) for p in VALIDATION]
    reports = score_many(transcripts)
    by_kind: Dict[str, List[int]] = {}
    for path, transcript, report in zip(VALIDATION, transcripts, reports):
        by_kind.setdefault(Path(path).stem.rsplit("-", 1)[0], []).append(report["patient_experience"]["total"])
        _check_shape_and_quotes(transcript, report)
    mean = {k: sum(v) / len(v) for k, v in by_kind.items()}
    assert mean["excellent"] > mean["biomedical"] > mean["dismissive"], mean


def test_text_and_html_show_the_patients_view(three):
    transcript, report = three["dismissive"]
    text = to_text(report, transcript)
    assert "The patient's view" in text and f"{report['patient_experience']['total']}/50" in text
    page = to_html(report, transcript)
    assert "The patient&#x27;s view" in page or "The patient's view" in page
    assert "not a validated CARE score" in page
