"""The case library as an OSCE station set: the cases it must contain, the patient axes,
the facts the scorer can use (alarm features, volunteered facts), and each new case played
through a scripted interview with real Rasa."""
from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import List

import pytest

from bot import topics
from bot.patient import axes, defaults, respond
from bot.personas import PersonaFileError, PersonaRegistry, parse_persona_text
from bot.personas.lint import MOST_ASKED, lint_file
from bot.personas.model import AlarmFeature, Persona
from bot.settings import REPO_ROOT as ROOT

REGISTRY = PersonaRegistry(ROOT / "personas")
PERSONAS = {pid: REGISTRY.get(pid) for pid in REGISTRY.ids()}
HISTORY = topics.ids_in("physical", "psychosocial", "perspective")
#: Words that would give each alarm feature away if said outside its own answer.
ALARM_GIVEAWAYS = {
    "ana-popescu": ("blood", "kilo", "weight", "night"),
    "gareth-pryce": ("wake up one day", "worst thing", "never said that out loud"),
    "amina-hassan": ("not wake up",),
    "margaret-doyle": ("took me in my sleep",),
}

MINIMAL = """\
id: ruth-okafor
name: Ruth Okafor
age: 58
sex: female
occupation: school librarian
complaint: gut
chief_complaint: cramping belly pain and bloating
opening: "It's my stomach. It's been cramping on and off for months."
answers:
  ask_onset: "About eight months ago, around when the library cuts started."
  ask_stress:
    guarded: "Stress? Everyone has stress."
    open: "Honestly, I might lose my job in June."
    cue: true
"""


def say(persona: Persona, *acts, cid: str = "case-1", words=None):
    context = None if words is None else [("/start_interview", 1.0), *((w, 0.99) for w in words)]
    return respond(persona, cid, ["start_interview", *acts], None, context)


def sentences(text: str) -> List[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 20]


# ---------------------------------------------------------------- the library

def test_twelve_cases_across_the_three_complaint_groups():
    assert len(PERSONAS) >= 12
    groups = [p.complaint for p in PERSONAS.values()]
    assert all(groups.count(g) >= 3 for g in ("chronic_pain", "gut", "sleep")), groups


def test_the_library_holds_the_cases_an_educator_needs():
    # A positive red flag (organic cause) and passive suicidal ideation, both drawn out only when asked.
    red_flags = [p for p in PERSONAS.values() for a in p.alarm_features() if a.topic == "ask_red_flags"]
    risks = [p for p in PERSONAS.values() for a in p.alarm_features() if a.topic == "ask_risk" and a.level == "open"]
    assert red_flags and risks
    # An adolescent who answers in their own voice with the parent present.
    teens = [p for p in PERSONAS.values() if p.proxy and 11 <= p.age < 18
             and sum(bool(a.patient) for a in p.answers.values()) >= 15]
    assert len(teens) >= 2, [p.id for p in teens]
    # A case with no identifiable stressor: the open stress answer discloses none.
    callum = PERSONAS["callum-reid"]
    assert not callum.alarm_features() and not callum.answers["ask_stress"].cue
    assert "no" in callum.answers["ask_stress"].open[0].lower()


def test_each_non_default_axis_is_used_by_a_bundled_case():
    assert any(p.recall == "vague" for p in PERSONAS.values())
    assert any(p.proficiency == "limited" for p in PERSONAS.values())
    assert {p.recall for p in PERSONAS.values()} <= {"precise", "vague"}


@pytest.mark.parametrize("pid", sorted(PERSONAS))
def test_every_case_answers_the_v2_topics_with_follow_ups(pid):
    persona = PERSONAS[pid]
    for topic_id in ("ask_allergies", "ask_risk"):
        assert topic_id in persona.answers, topic_id
    for topic_id in ("invite_questions", "check_understanding", "safety_net", "reflect", "explain_diagnosis"):
        assert topic_id in persona.reactions or topic_id in persona.answers, topic_id
    own_question = persona.reactions.get("invite_questions") or persona.answers["invite_questions"].open
    assert all("?" in line for line in own_question), "invite_questions: the patient asks their own question"
    without = [t for t in MOST_ASKED if t in persona.answers and not persona.answers[t].follow_up]
    assert not without, f"most-asked topics without follow-up details: {without}"


@pytest.mark.parametrize("pid", sorted(PERSONAS))
def test_every_case_lints_without_warnings(pid):
    report = lint_file(ROOT / "personas" / f"{pid}.yml")
    assert not report.errors and not report.warnings, [str(p) for p in report.errors + report.warnings]


# ---------------------------------------------------------------- facts for the scorer

def test_alarm_features_api_shape():
    ana, gareth = PERSONAS["ana-popescu"], PERSONAS["gareth-pryce"]
    (red,) = ana.alarm_features()
    assert isinstance(red, AlarmFeature)
    assert (red.topic, red.level) == ("ask_red_flags", "any") and "weight loss" in red.description
    assert red.texts == ana.answers["ask_red_flags"].open
    assert red.revealed_by("ask_red_flags", "open") and not red.revealed_by("ask_timing", "open")
    (risk,) = gareth.alarm_features()
    assert (risk.topic, risk.level) == ("ask_risk", "open")
    assert risk.revealed_by("ask_risk", "open") and not risk.revealed_by("ask_risk", "guarded")
    assert "ask_risk" in gareth.elicited_topics() and "ask_red_flags" in ana.elicited_topics()


def test_volunteered_facts_are_told_apart_from_elicited_ones():
    callum = PERSONAS["callum-reid"]
    assert callum.volunteered_topics() == frozenset({"ask_mood"})
    assert "ask_mood" not in callum.elicited_topics() and "ask_onset" in callum.elicited_topics()
    assert callum.volunteers == tuple(v.text for v in callum.volunteered)
    # A plain-string volunteer (the older form) names no topic.
    plain = parse_persona_text(MINIMAL + 'volunteers: ["I lost a bit of weight too."]\n', Path("ruth-okafor.yml"))
    assert plain.volunteers == ("I lost a bit of weight too.",) and plain.volunteered_topics() == frozenset()


@pytest.mark.parametrize("pid", sorted(ALARM_GIVEAWAYS))
def test_an_alarm_feature_is_said_only_when_its_topic_is_asked(pid):
    persona = PERSONAS[pid]
    (feature,) = persona.alarm_features()
    # A warm, thorough interview that never asks the alarm topic: every other topic twice,
    # each followed up three times, and every reaction.
    acts: List[str] = ["greet", "ask_open", "empathize", "legitimize", "empathize"]
    for topic_id in HISTORY:
        if topic_id != feature.topic:
            acts += [topic_id, *[f"follow_up:{topic_id}"] * 3, topic_id]
    acts += [t for t in topics.ids_in("process", "communication") if t not in ("dismiss", "goodbye")]
    said = [say(persona, *acts[:i]).text for i in range(1, len(acts) + 1)]
    spoken = " ".join([say(persona).text, *said]).lower()
    for sentence in (s for text in feature.texts for s in sentences(text)):
        assert sentence.lower() not in spoken, sentence
    for word in ALARM_GIVEAWAYS[pid]:
        assert word not in spoken, f"'{word}' gives the alarm feature away before it is asked"
    # Asked (at the end of the same warm interview), the patient says it.
    asked = say(persona, *acts, feature.topic)
    assert any(text in asked.text for text in feature.texts) and feature.revealed_by(asked.topic, asked.level)


def test_passive_suicidal_ideation_needs_care_before_it_is_told():
    gareth = PERSONAS["gareth-pryce"]
    (risk,) = gareth.alarm_features()
    cold = say(gareth, "ask_open", "ask_risk")
    assert cold.level == "guarded" and not any(t in cold.text for t in risk.texts)
    assert not risk.revealed_by(cold.topic, cold.level)
    warm = say(gareth, "ask_open", "empathize", "legitimize", "ask_risk")
    assert warm.level == "open" and any(t in warm.text for t in risk.texts)
    followed = say(gareth, "ask_open", "empathize", "legitimize", "ask_risk", "follow_up:ask_risk")
    assert followed.text == gareth.answers["ask_risk"].follow_up[0]  # no plan, asked with care


def test_lint_warns_when_an_alarm_feature_is_volunteered(tmp_path: Path):
    text = MINIMAL.replace('  ask_onset: "About', '''  ask_red_flags:
    text: "Yes, there has been blood in the toilet, and I've lost a stone."
    alarm: "rectal bleeding and weight loss"
  ask_onset: "About''') + '''volunteers:
  - text: "Yes, there has been blood in the toilet, and I've lost a stone."
    topic: ask_red_flags
'''
    path = tmp_path / "ruth-okafor.yml"
    path.write_text(text)
    warnings = [str(w) for w in lint_file(path).warnings]
    assert any("volunteers the alarm feature in answers.ask_red_flags" in w for w in warnings), warnings
    assert any("carries the alarm feature 'rectal bleeding and weight loss'" in w for w in warnings), warnings


@pytest.mark.parametrize("extra, expected", [
    ("recall: hazy\n", r"recall: 'hazy' is not one of: precise, vague"),
    ("proficiency: basic\n", r"proficiency: 'basic' is not one of: fluent, limited"),
    ("volunteers:\n  - {text: \"I'm fine.\", topic: ask_moood}\n", r"volunteers\[0\]"),
    ("reactions:\n  greet: hi\n", None),
])
def test_new_fields_are_checked(extra: str, expected):
    if expected is None:
        parse_persona_text(MINIMAL + extra, Path("ruth-okafor.yml"))
        return
    with pytest.raises(PersonaFileError) as info:
        parse_persona_text(MINIMAL + extra, Path("ruth-okafor.yml"))
    assert any(re.search(expected, str(p)) for p in info.value.problems), info.value.problems


def test_alarm_on_a_reaction_topic_is_refused():
    text = MINIMAL + "  greet:\n    text: Hello.\n    alarm: nothing\n"
    with pytest.raises(PersonaFileError) as info:
        parse_persona_text(text, Path("ruth-okafor.yml"))
    assert any("'alarm' marks a history answer" in str(p) for p in info.value.problems)


def test_the_contract_minimal_persona_has_the_default_axes_and_no_alarms():
    persona = parse_persona_text(MINIMAL, Path("ruth-okafor.yml"))
    assert (persona.recall, persona.proficiency) == ("precise", "fluent")
    assert persona.alarm_features() == () and persona.volunteered_topics() == frozenset()
    assert persona.elicited_topics() == ("ask_onset", "ask_stress")


# ---------------------------------------------------------------- the axes in the engine

def test_vague_recall_hedges_a_first_answer_on_dates_only():
    gareth, callum = PERSONAS["gareth-pryce"], PERSONAS["callum-reid"]
    hedges = defaults.vague_recall_lines(gareth)
    first = say(gareth, "ask_onset")
    assert any(first.text == f"{h} {gareth.answers['ask_onset'].open[0]}" for h in hedges), first.text
    again = say(gareth, "ask_onset", "ask_onset")
    assert not any(again.text.startswith(h) for h in hedges)
    character = say(gareth, "ask_character")
    assert not any(character.text.startswith(h) for h in hedges)  # not a date or a number
    assert not any(say(callum, "ask_onset").text.startswith(h) for h in hedges)  # precise recall
    assert say(gareth, "ask_onset", cid="x").text == say(gareth, "ask_onset", cid="x").text


def test_limited_english_asks_once_to_hear_a_hard_question_again():
    ana = PERSONAS["ana-popescu"]
    hard = "Have you noticed any blood in your stool?"
    plain = "Any blood? Or weight loss?"
    assert axes.hard_to_follow(ana, hard) and not axes.hard_to_follow(ana, plain)
    long_question = ("I was wondering whether you could tell me a little more about when exactly in the day "
                     "the pain tends to come on for you?")
    assert axes.hard_to_follow(ana, long_question)
    first = say(ana, "ask_red_flags", words=[hard])
    assert first.level == "clarify" and first.text in defaults.ask_to_repeat_lines(ana)
    # Asked again, even in the same words, it is answered in full.
    again = say(ana, "ask_red_flags", "ask_red_flags", words=[hard, hard])
    assert again.text in ana.answers["ask_red_flags"].open
    direct = say(ana, "ask_red_flags", words=[plain])
    assert direct.text in ana.answers["ask_red_flags"].open
    # A fluent patient answers the hard question at once.
    callum = PERSONAS["callum-reid"]
    assert say(callum, "ask_red_flags", words=[hard]).text in callum.answers["ask_red_flags"].open


# ---------------------------------------------------------------- scripted interviews with real Rasa

def _interview(rasa, pid: str, lines: List[str]) -> List[str]:
    sender = f"case-{pid}-{uuid.uuid4().hex[:6]}"
    opening = rasa.start(sender, pid)
    assert any(opening.startswith(o) for o in PERSONAS[pid].opening)
    replies = []
    for line in lines:
        got = rasa.say(sender, line)
        assert len(got) == 1, (line, got)
        replies.append(got[0])
    return replies


def _in(reply: str, texts) -> bool:
    return any(t and t in reply for t in texts)


def test_no_stressor_case_over_rasa(rasa):
    persona = PERSONAS["callum-reid"]
    a = persona.answers
    replies = _interview(rasa, "callum-reid", [
        "What brings you in today?",
        "That sounds really frustrating.",
        "Has anything stressful been happening in your life?",
        "Any unexplained weight loss or fevers?",
        "Have you had any tests done?",
        "What worries you most about it?",
    ])
    assert _in(replies[0], a["ask_open"].open)
    assert _in(replies[2], a["ask_stress"].open)  # open, and no stressor in it
    assert _in(replies[3], a["ask_red_flags"].open)
    assert _in(replies[4], a["ask_previous_care"].open)
    assert _in(replies[5], a["ask_concerns"].open)


def test_red_flag_case_over_rasa_only_when_asked_and_in_plain_words(rasa):
    persona = PERSONAS["ana-popescu"]
    (feature,) = persona.alarm_features()
    before = _interview(rasa, "ana-popescu", [
        "What brings you in today?",
        "That sounds really hard.",
        "When did this first start?",
        "Is it there all the time or does it come and go?",
        "Have you noticed any other symptoms?",
        "How are you sleeping?",
        "Has anything stressful been happening in your life?",
        "What do you think might be causing it?",
        "Any blood in your stool?",
        "Any blood? Or weight loss?",
    ])
    told, plain = before[-2], before[-1]
    for reply in before[:-2]:
        assert not _in(reply, feature.texts)
        assert not any(w in reply.lower() for w in ALARM_GIVEAWAYS["ana-popescu"]), reply
    assert told in defaults.ask_to_repeat_lines(persona)  # "stool": she asks to hear it again
    assert _in(plain, feature.texts)


def test_passive_suicidal_ideation_case_over_rasa(rasa):
    persona = PERSONAS["gareth-pryce"]
    (feature,) = persona.alarm_features()
    replies = _interview(rasa, "gareth-pryce", [
        "When did this first start?",
        "Have you ever had thoughts of harming yourself?",
        "That sounds really exhausting.",
        "I can hear how hard this has been for you.",
        "Your sleep problem is real and we're going to take it seriously.",
        "Have you ever had thoughts of harming yourself?",
    ])
    assert any(replies[0].startswith(h) for h in defaults.vague_recall_lines(persona))  # vague recall
    assert _in(replies[1], persona.answers["ask_risk"].guarded) and not _in(replies[1], feature.texts)
    assert _in(replies[-1], feature.texts)


def test_adolescent_answers_in_her_own_voice_over_rasa(rasa):
    persona = PERSONAS["chloe-mensah"]
    a = persona.answers
    replies = _interview(rasa, "chloe-mensah", [
        "Hi, I'm Sam, one of the medical students.",
        "Chloe, what brings you in today?",
        "Chloe, how are things at school?",
        "Mr Mensah, how is she sleeping?",
        "Chloe, is there anything else you wanted to talk about?",
    ])
    assert _in(replies[1], a["ask_open"].patient)
    assert _in(replies[2], a["ask_work"].patient)
    assert _in(replies[3], a["ask_sleep"].guarded + a["ask_sleep"].open)  # her father answers
    assert _in(replies[4], a["ask_anything_else"].patient)  # she asks for time alone
