"""The patient's behaviour, replayed from learner acts (no server needed)."""
from __future__ import annotations

import math
from typing import List, Tuple

import pytest

from bot.patient import respond
from bot.patient.rapport import GUARDED_AFTER_DISMISSAL
from bot.personas import PersonaRegistry
from bot.settings import REPO_ROOT as ROOT

REGISTRY = PersonaRegistry(ROOT / "personas")
PERSONA_IDS = REGISTRY.ids()


def reply(pid: str, *acts: str, cid: str = "conv-1"):
    return respond(REGISTRY.get(pid), cid, ["start_interview", *acts])


def warmth(pid: str) -> tuple:
    """Enough empathic turns to open this patient up (a wary one has a higher open_at)."""
    persona = REGISTRY.get(pid)
    return ("empathize",) * max(1, math.ceil(persona.open_at - persona.rapport_start))


def cue_topic(pid: str) -> str:
    persona = REGISTRY.get(pid)
    return next(t for t, a in persona.answers.items() if a.cue and a.has_disclosure_levels)


@pytest.mark.parametrize("pid", PERSONA_IDS)
def test_opening_comes_from_the_persona(pid):
    persona = REGISTRY.get(pid)
    first = respond(persona, "c", ["start_interview"])
    assert any(first.text.startswith(o) for o in persona.opening)


@pytest.mark.parametrize("pid", PERSONA_IDS)
def test_psychosocial_answers_are_guarded_until_rapport_is_earned(pid):
    persona = REGISTRY.get(pid)
    before = reply(pid, "ask_open", "ask_stress")
    assert before.level == "guarded"
    assert before.text in persona.answers["ask_stress"].guarded
    after = reply(pid, "ask_open", *warmth(pid), "ask_stress")
    assert after.level == "open"
    assert after.text.startswith(persona.answers["ask_stress"].open)


@pytest.mark.parametrize("pid", PERSONA_IDS)
def test_a_dismissal_leaves_a_lasting_mark_until_it_is_repaired(pid):
    persona = REGISTRY.get(pid)
    warm = ("empathize", "legitimize", "empathize")
    dismissed = reply(pid, *warm, "dismiss")
    assert dismissed.text in persona.reactions["dismiss"]
    assert dismissed.rapport < reply(pid, *warm).rapport
    # Rapport is still above the threshold, but the patient stays guarded right after...
    assert reply(pid, *warm, "dismiss", "ask_mood").level == "guarded"
    # ...and still, many turns later, with one kind word but no repair...
    fillers = ["ask_onset", "ask_location", "ask_timing", "ask_severity", "ask_relief", "ask_triggers"]
    assert reply(pid, *warm, "dismiss", *fillers, "empathize", "ask_mood").level == "guarded"
    # ...while without the dismissal the same interview has the patient open...
    assert reply(pid, *warm, *fillers, "empathize", "ask_mood").level == "open"
    # ...and a repair (the symptoms are real) shows once the guarded spell is over.
    repaired = reply(pid, *warm, "dismiss", "legitimize", *fillers[:GUARDED_AFTER_DISMISSAL], "ask_mood")
    assert repaired.level == "open"


@pytest.mark.parametrize("pid", PERSONA_IDS)
def test_empathy_before_a_question_in_one_turn_moves_rapport_first(pid):
    persona = REGISTRY.get(pid)
    assert reply(pid, "ask_open", "ask_stress").level == "guarded"
    compound = reply(pid, "ask_open", ("ask_stress", "empathize"))
    if persona.rapport_start + 1 >= persona.open_at:
        assert compound.level == "open"
    assert compound.topics == ("ask_stress",)


@pytest.mark.parametrize("pid", PERSONA_IDS)
def test_a_compound_turn_gets_every_question_answered_in_order(pid):
    REGISTRY.get(pid)
    both = reply(pid, ("ask_onset", "ask_location"))
    assert both.topics == ("ask_onset", "ask_location")
    onset, location = reply(pid, "ask_onset").text, reply(pid, "ask_location").text
    assert both.text.index(onset) < both.text.index(location)
    assert len(reply(pid, ("ask_onset", "ask_location", "ask_timing", "ask_severity")).topics) == 3


@pytest.mark.parametrize("pid", PERSONA_IDS)
def test_a_follow_up_stays_on_its_topic_and_is_never_a_copy(pid):
    REGISTRY.get(pid)
    said = [reply(pid, "ask_onset").text]
    for n in range(1, 4):
        follow = reply(pid, "ask_onset", *["follow_up:ask_onset"] * n)
        assert follow.topics == ("ask_onset",)
        assert follow.text not in said
        said.append(follow.text)


@pytest.mark.parametrize("pid", PERSONA_IDS)
def test_a_repeat_at_low_rapport_never_leaks_the_open_answer(pid):
    persona = REGISTRY.get(pid)
    answer = persona.answers["ask_stress"]
    for n in range(1, 4):
        again = reply(pid, *["ask_stress"] * n)
        assert again.level == "guarded"
        assert not any(o[:40] in again.text for o in answer.open)


@pytest.mark.parametrize("pid", PERSONA_IDS)
def test_asking_again_gets_an_as_i_said_variant_not_a_copy(pid):
    first = reply(pid, "ask_onset")
    second = reply(pid, "ask_onset", "ask_onset")
    third = reply(pid, "ask_onset", "ask_onset", "ask_onset")
    assert second.text != first.text
    assert third.text != first.text
    persona = REGISTRY.get(pid)
    assert second.text in persona.answers["ask_onset"].repeat or second.text.split(",")[0] in (
        "As I said", "Like I said", "As I mentioned")


@pytest.mark.parametrize("pid", PERSONA_IDS)
def test_an_ignored_cue_comes_back_more_strongly(pid):
    topic = cue_topic(pid)
    persona = REGISTRY.get(pid)
    cue = reply(pid, *warmth(pid), topic)
    assert cue.cue
    # The learner moves on twice with symptom questions: the cue comes back.
    ignored = reply(pid, *warmth(pid), topic, "ask_severity", "ask_location")
    escalation = persona.answers[topic].escalation
    assert ignored.cue
    assert any(e in ignored.text for e in escalation) if escalation else "keep coming back" in ignored.text
    # Answered with empathy, it does not.
    heard = reply(pid, *warmth(pid), topic, "empathize", "ask_location")
    assert not any(e in heard.text for e in escalation)


@pytest.mark.parametrize("pid", PERSONA_IDS)
def test_replies_are_deterministic_per_conversation(pid):
    acts = ["greet", "ask_open", "ask_onset", "ask_onset", "empathize", "ask_stress", "goodbye"]
    a = [reply(pid, *acts[:i], cid="same").text for i in range(1, len(acts) + 1)]
    b = [reply(pid, *acts[:i], cid="same").text for i in range(1, len(acts) + 1)]
    assert a == b


def test_unknown_topic_and_fallback_stay_in_character():
    persona = REGISTRY.get(PERSONA_IDS[0])
    not_understood = reply(persona.id, "nlu_fallback")
    assert not_understood.level == "fallback" and not_understood.text
    from pathlib import Path

    from bot.personas import parse_persona_text
    from tests.test_persona_files import MINIMAL
    minimal = parse_persona_text(MINIMAL, Path("ruth-okafor.yml"))
    unanswered = respond(minimal, "c", ["start_interview", "ask_family_history"])
    assert unanswered.level == "unknown"
    assert "not sure" in unanswered.text.lower() or "don't" in unanswered.text.lower()


def test_picking_up_a_rare_word_of_the_last_reply_is_a_follow_up_only_in_a_question() -> None:
    from bot.conversation import contextual_follow_up

    reply = "My cousin has coeliac disease, she was diagnosed last year."
    assert contextual_follow_up("your cousin, how old is she?", "ask_onset", 0.7, "ask_family_history",
                                reply, ("cousin",))
    # The same word in a reflection is the reflection's point, not a follow-up.
    assert not contextual_follow_up("So your cousin's illness has been on your mind.", "ask_onset", 0.7,
                                    "ask_family_history", reply, ("cousin",))
    # A name of the case addresses someone; a very sure other question changes the topic.
    assert not contextual_follow_up("Cousin, how old is she?", "ask_onset", 0.7, "ask_family_history",
                                    reply, ("cousin",), names=("Cousin",))
    assert not contextual_follow_up("your cousin, how old is she?", "ask_onset", 0.95, "ask_family_history",
                                    reply, ("cousin",))


def test_a_short_question_the_model_cannot_read_follows_up_the_last_answer() -> None:
    from bot.conversation import contextual_follow_up

    reply = "Broken. I'm up at half four for the early shift and I can't get off again."
    assert contextual_follow_up("what time does the alarm go off?", "nlu_fallback", 0.15, "ask_sleep", reply)
    # A history question the model barely reads is no sure change of topic either.
    assert contextual_follow_up("how did the two of you meet?", "ask_onset", 0.16, "ask_sleep", reply)
    assert not contextual_follow_up("how did the two of you meet?", "ask_onset", 0.6, "ask_sleep", reply)
    # Not a statement, not a long question, and not after a reaction (nothing to follow).
    assert not contextual_follow_up("the alarm goes off early.", "nlu_fallback", 0.15, "ask_sleep", reply)
    assert not contextual_follow_up("what time does the alarm go off, and do you lie there awake for long before "
                                    "it, or doze?", "nlu_fallback", 0.15, "ask_sleep", reply)
    assert not contextual_follow_up("what time does the alarm go off?", "nlu_fallback", 0.15, "empathize", reply)
    # The model's reading "no topic covers this" is not unread.
    assert not contextual_follow_up("do you play the piano?", "uncovered_question", 0.16, "ask_sleep", reply)


def test_an_unsure_question_most_likely_uncovered_is_read_as_uncovered_not_misheard() -> None:
    from bot.conversation import turn_acts

    def parse(text: str, guess: str) -> dict:
        return {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.15},
                "acts": [{"name": guess, "confidence": 0.14}]}

    assert turn_acts(parse("Do you play any instruments?", "uncovered_question")) == ("uncovered_question",)
    assert turn_acts(parse("instruments blah", "uncovered_question")) == ("nlu_fallback",)
    assert turn_acts(parse("Do you play any instruments?", "ask_daily_function")) == ("nlu_fallback",)


def test_a_word_of_the_learners_own_last_question_is_picked_up_as_well() -> None:
    from bot.conversation import acts_in_context

    asked = "Caffeine, booze, weed, anything like that?"
    reply = "Energy drinks, four or five a day. A joint a couple of nights a week to get off."
    turn = "where are you getting the weed from?"
    # The answer says "joint", the learner said "weed": the turn still follows the answer up.
    assert acts_in_context(("uncovered_question",), turn, 0.43, "ask_substances", reply, ("weed",),
                           earlier_questions=[(asked, "ask_substances")]) == ("follow_up:ask_substances",)
    # Without that question the word is named anew, and no topic covers the question.
    assert acts_in_context(("uncovered_question",), turn, 0.43, "ask_substances", reply, ("weed",),
                           earlier_questions=[("How's your sleep?", "ask_sleep")]) == ("uncovered_question",)


def test_pointing_back_is_not_undone_by_a_verb_but_is_by_a_thing_named_anew() -> None:
    from bot.conversation import contextual_follow_up

    reply = "I tried the sleeping tablets from the chemist, the antihistamine ones."
    # "remember" and "called" are no new subject for "they" to mean.
    assert contextual_follow_up("do you remember what they were called?", "uncovered_question", 0.52,
                                "ask_medications", reply, ("remember", "called"))
    # "the salon" is: "that" means it, not the tablets.
    assert not contextual_follow_up("and the salon, how's that going?", "ask_work", 0.5,
                                    "ask_medications", reply, ("salon",))
    # "this year" is a time, not a pointer back at the answer.
    assert not contextual_follow_up("flu jab done this year?", "uncovered_question", 0.89,
                                    "ask_medications", reply, ("flu", "jab"))


def test_a_greeting_is_not_followed_up_and_a_name_is_no_shared_word() -> None:
    from bot.conversation import contextual_follow_up

    greeting = "Hello, I'm Joanna, Frank's daughter. Dad, this is the doctor."
    assert not contextual_follow_up("Does your dad keep any pets, Joanna?", "uncovered_question", 0.5, "greet",
                                    greeting, names=("Joanna", "Frank"))
    answer = "Joanna does the shopping and I manage the stairs, most days."
    assert not contextual_follow_up("Joanna, do you drive?", "uncovered_question", 0.5, "ask_daily_function",
                                    answer, names=("Joanna", "Frank"))
    assert contextual_follow_up("the stairs, is that every day?", "ask_timing", 0.5, "ask_daily_function",
                                answer, names=("Joanna", "Frank"))


def test_a_summary_is_told_from_a_reflection_by_its_marker_or_its_length() -> None:
    from bot.conversation import acts_in_context, summarises

    replies = ["It started in March when I lifted the boxes at the warehouse.",
               "It wakes me at night, and paracetamol barely touches it."]
    summary = ("Right, so since March, after lifting those boxes at the warehouse, the back wakes you at night "
               "and paracetamol barely touches it, and the work has got harder. Is that right?")
    assert summarises(summary, replies)
    assert acts_in_context(("ask_onset",), summary, 0.4, "ask_relief", replies[-1], earlier_replies=replies) \
        == ("summarize",)
    assert summarises("Can I quickly recap what you've told me so far, before we go on to the next bit?", [])
    # One point given back is a reflection, and a long question is no summary.
    assert not summarises("So it wakes you at night and the paracetamol barely touches it.", replies)
    assert not summarises("Thinking about the warehouse, what would happen if you took a few weeks off after March "
                          "while paracetamol barely touches it, would they hold your job for you?", replies)


def test_an_open_invitation_about_a_named_topic_asks_about_that_topic() -> None:
    from bot.nlu.reading import read_turn

    assert read_turn("and how's the job been lately?", [("ask_open", 0.36), ("ask_work", 0.32)], []).main == "ask_work"
    assert read_turn("what's been going on?", [("ask_open", 0.8), ("ask_work", 0.05)], []).main == "ask_open"
    assert read_turn("anything else?", [("ask_open", 0.4), ("ask_anything_else", 0.38)], []).main == "ask_open"


def test_a_clause_starting_with_when_and_an_auxiliary_is_a_question_not_a_subordinate() -> None:
    from bot.nlu.reading import read_turn

    text = "when did it kick off, and what brings it on?"
    reading = read_turn(text, [("ask_triggers", 0.81), ("ask_onset", 0.1)],
                        [(0, 20, "ask_onset", 0.96), (22, len(text), "ask_triggers", 0.81)])
    assert [a.name for a in reading.acts] == ["ask_onset", "ask_triggers"]
    # "When you can't sleep, what helps?" stays one question.
    text = "When you can't sleep, what helps?"
    reading = read_turn(text, [("ask_relief", 0.7), ("ask_sleep", 0.2)],
                        [(0, 20, "ask_sleep", 0.8), (22, len(text), "ask_relief", 0.7)])
    assert [a.name for a in reading.acts] == ["ask_relief"]
    # Even when the whole turn took its label from the subordinate clause, behind a name.
    text = "Sam, when you can't get off to sleep, what makes it a bit better?"
    at = text.index("what")
    reading = read_turn(text, [("ask_sleep", 0.55), ("ask_relief", 0.2)],
                        [(0, at - 2, "ask_sleep", 0.8), (at, len(text), "ask_relief", 0.6)])
    assert reading.main == "ask_relief" and [a.name for a in reading.acts] == ["ask_relief"]
    # An unsure whole-turn label that none of two question clauses says is dropped.
    text = "where does it get you, and how long has it been like this?"
    at = text.index("and")
    reading = read_turn(text, [("ask_timing", 0.36), ("ask_location", 0.2)],
                        [(0, at - 2, "ask_location", 0.8), (at, len(text), "ask_onset", 0.7)])
    assert reading.main == "ask_location" and [a.name for a in reading.acts] == ["ask_location", "ask_onset"]


def test_a_question_joined_on_is_asked_even_when_unsure_and_two_sure_questions_are_a_compound() -> None:
    from bot.nlu.reading import read_turn
    from bot.nlu.segments import segments

    text = "When did it start, and how many nights a week is it like this?"
    at = text.index("and")
    reading = read_turn(text, [("ask_onset", 0.85), ("ask_timing", 0.07)],
                        [(0, at - 2, "ask_onset", 1.0), (at, len(text), "ask_timing", 0.43)])
    assert [a.name for a in reading.acts] == ["ask_onset", "ask_timing"]
    # A second sentence rounding the first off ("...? Any changes?") needs the usual confidence.
    text = "Has anything big happened this year? Any changes?"
    at = text.index("Any")
    reading = read_turn(text, [("ask_stress", 0.91), ("ask_family_history", 0.05)],
                        [(0, at - 1, "ask_stress", 0.78), (at, len(text), "ask_associated", 0.42)])
    assert [a.name for a in reading.acts] == ["ask_stress"]
    text = "ok so any meds tried, any allergies"
    at = text.index("any allergies")
    reading = read_turn(text, [("ask_allergies", 0.9), ("ask_medications", 0.09)],
                        [(0, at - 2, "ask_medications", 0.94), (at, len(text), "ask_allergies", 1.0)])
    assert [a.name for a in reading.acts] == ["ask_medications", "ask_allergies"]
    # Texting spellings join and start questions too.
    assert [s.text for s in segments("hw long uve had it n wat makes it worse")] == \
        ["hw long uve had it", "n wat makes it worse"]
    assert len(segments("bread n butter?")) == 1


def test_a_subject_named_first_and_then_asked_about_is_one_question_about_it() -> None:
    from bot.nlu.reading import read_turn

    text = "the herbal ones from the chemist, how long did you try them?"
    at = text.index("how")
    reading = read_turn(text, [("ask_medications", 0.51), ("follow_up", 0.05)],
                        [(0, at - 2, "ask_medications", 0.51), (at, len(text), "ask_onset", 0.77)])
    assert [a.name for a in reading.acts] == ["ask_medications"]
    # Two questions, the second pointing at nothing named first, stay two.
    text = "any meds at all, and how long have you had it?"
    at = text.index("and")
    reading = read_turn(text, [("ask_medications", 0.6), ("ask_onset", 0.3)],
                        [(0, at - 2, "ask_medications", 0.9), (at, len(text), "ask_onset", 0.8)])
    assert [a.name for a in reading.acts] == ["ask_medications", "ask_onset"]


def test_a_question_about_the_child_in_the_third_person_goes_to_the_parent() -> None:
    from bot.patient.address import addressee_of

    leo = REGISTRY.get("leo-fischer")
    assert addressee_of("Leo, is it worse on school days?", leo) == "patient"
    assert addressee_of("And what painkillers has he had for it?", leo) == "proxy"
    assert addressee_of("Does Leo get it at weekends too?", leo) == "proxy"
    assert addressee_of("And what helps?", leo) is None
    # Turning to the patient mid-sentence: "what about yourself" before the name.
    assert addressee_of("ok, and how about yourself Leo, what do you think makes it worse?", leo) == "patient"


def test_the_child_addressed_with_a_question_his_file_cannot_answer_still_answers_first() -> None:
    from bot.patient import defaults

    leo = REGISTRY.get("leo-fischer")
    turns = ["start_interview", "uncovered_question"]
    got = respond(leo, "conv-1", turns, [None, "patient"])
    assert got.speaker == "patient" and got.text.startswith(f"({defaults.first_name(leo)})"), got.text
    to_parent = respond(leo, "conv-1", turns, [None, "proxy"])
    assert to_parent.speaker == "proxy" and not to_parent.text.startswith("(")


def test_in_a_proxy_case_neither_one_says_as_i_said_about_the_others_answer() -> None:
    leo = REGISTRY.get("leo-fischer")
    for topic in ("ask_onset", "ask_location", "ask_severity"):
        parent = respond(leo, "conv-2", ["start_interview", topic, topic], [None, "patient", "proxy"])
        child_first = respond(leo, "conv-2", ["start_interview", topic], [None, "patient"])
        assert parent.speaker == "proxy" and parent.text != child_first.text
        assert not parent.text.lower().startswith(("as i", "like i")), parent.text
    # The same speaker asked again does restate.
    again = respond(leo, "conv-2", ["start_interview", "ask_onset", "ask_onset"], [None, "proxy", "proxy"])
    assert again.text != respond(leo, "conv-2", ["start_interview", "ask_onset"], [None, "proxy"]).text


def test_an_apology_after_a_dismissal_repairs_the_hurt_even_when_misread_as_reassurance() -> None:
    from bot.patient.rapport import Rapport, apology_phrase

    assert apology_phrase("I'm sorry, I shouldn't have said that.")
    assert apology_phrase("Sorry, that came out wrong.")
    assert not apology_phrase("I'm sorry you've been going through this.")
    for taken_back in ("Hang on, I spoke too soon, let me listen properly.", "That was wrong of me, sorry.",
                       "My mistake - I jumped to conclusions there.", "Sorry, that wasn't fair."):
        assert apology_phrase(taken_back), taken_back
    assert not apology_phrase("Was anything wrong with the scan?")
    state = Rapport(0.0)
    state.take_turn(["dismiss"])
    assert state.hurt
    acts = state.repaired_acts(["reassure_premature"], "I'm sorry, I shouldn't have said that.")
    assert acts == ("legitimize",)
    state.take_turn(acts)
    assert not state.hurt
    # Without a hurt, the same words change nothing.
    assert Rapport(0.0).repaired_acts(["ask_sleep"], "Let me rephrase: how's your sleep?") == ("ask_sleep",)
    pid = "priya-shah"
    persona = REGISTRY.get(pid)
    words = [("/start_interview", 1.0), ("It's just stress.", 0.9), ("I'm sorry, I shouldn't have said that.", 0.4)]
    got = respond(persona, "conv-1", ["start_interview", "dismiss", "reassure_premature"], None, words)
    assert got.topic == "legitimize" and not got.hurt, (got.topic, got.text)


def test_the_dismissal_reading_decides_the_hurt_both_ways() -> None:
    from bot.conversation import TurnContext

    persona = REGISTRY.get("priya-shah")
    start = TurnContext("/start_interview", 1.0)
    # The NLU said nothing hurtful, the reader is sure: the patient reacts as hurt.
    hurt = respond(persona, "c", ["start_interview", "ask_open"], None, [start, TurnContext("x", 0.9, (), "dismiss")])
    assert hurt.hurt
    # The NLU said dismiss, the reader is sure it is not: no hurt.
    fine = respond(persona, "c", ["start_interview", ("dismiss", "ask_sleep")], None,
                   [start, TurnContext("x", 0.9, (), "")])
    assert not fine.hurt and fine.topics == ("ask_sleep",)
    # Unread (None): the NLU's acts stand.
    assert respond(persona, "c", ["start_interview", "dismiss"], None, [start, TurnContext("x", 0.9)]).hurt


def test_a_question_pointing_back_or_a_fragment_follows_up_the_last_answer() -> None:
    from bot.conversation import contextual_follow_up

    reply = "A bit flat, if I'm honest, since the break-up."
    assert contextual_follow_up("how long has it been like that?", "ask_onset", 0.54, "ask_mood", reply)
    assert contextual_follow_up("wine mostly?", "out_of_scope", 0.3, "ask_substances", "A couple of glasses.")
    # Something new named for "that" to mean is a new topic; so is a sure fragment question.
    assert not contextual_follow_up("and the salon, how's that going?", "ask_work", 0.57, "ask_mood", reply,
                                    ("salon",))
    assert not contextual_follow_up("and kids?", "ask_relationships", 0.9, "ask_mood", reply)
    assert not contextual_follow_up("any pets?", "uncovered_question", 0.6, "ask_mood", reply)
    # In a proxy case "he" is the patient, not something just said.
    assert not contextual_follow_up("what painkillers has he had?", "ask_medications", 0.6, "ask_timing", reply)


def test_empathic_wording_the_nlu_missed_still_warms_the_patient() -> None:
    from bot.conversation import TurnContext

    persona = REGISTRY.get("priya-shah")
    start = TurnContext("/start_interview", 1.0)
    plain = respond(persona, "c", ["start_interview", "ask_sleep"], None, [start, TurnContext("x", 0.9)])
    warm = respond(persona, "c", ["start_interview", "ask_sleep"], None,
                   [start, TurnContext("that can't be easy, how are you sleeping?", 0.9, (), "", True)])
    assert warm.rapport > plain.rapport and warm.topics == ("ask_sleep",)


def test_the_empathic_lexicon_knows_everyday_shapes_but_not_apologies_for_mishearing() -> None:
    from bot.scoring.style import empathic_phrase

    for warm in ("you must be shattered, to be honest", "Three nights a week like that, that's grim.",
                 "that's a lot on your shoulders", "I'm really sorry, two years is ages to put up with this",
                 "honestly that sounds so intense", "I don't know how you manage, to be fair",
                 "forty years with her, that's huge", "the headaches are completely real"):
        assert empathic_phrase(warm), warm
    for plain in ("I'm sorry, can you say that again?", "That's a lot of tablets.", "you must be on the early shift",
                  "Is it real pain, would you say?", "it isn't real, is it?"):
        assert not empathic_phrase(plain), plain


def test_a_statement_giving_the_last_answer_back_is_a_reflection() -> None:
    from bot.conversation import acts_in_context, reflects_last_answer

    reply = "Big meals, definitely, and anything before a client deadline."
    assert reflects_last_answer("So big meals and deadlines.", "ask_triggers", 0.6, reply)
    assert acts_in_context(("ask_triggers",), "So big meals and deadlines.", 0.6, "ask_triggers", reply) == ("reflect",)
    # A question, a new subject or a sure dismissal is not.
    assert not reflects_last_answer("So are big meals the worst?", "ask_triggers", 0.6, reply)
    assert not reflects_last_answer("So how's work?", "ask_work", 0.9, reply)
    assert not reflects_last_answer("So it's just the deadlines stressing you, nothing physical.", "dismiss", 0.8, reply)
    # A reflection that checks itself is still one; so is one giving back an earlier reply.
    assert reflects_last_answer("So big meals and deadlines, have I got that right?", "ask_triggers", 0.6, reply)
    assert not reflects_last_answer("So are big meals worse, is that right?", "ask_triggers", 0.6, reply)
    earlier = ["My dad had knee replacements on both sides in his sixties."]
    assert reflects_last_answer("You mentioned your dad's knees went in his sixties.", "ask_family_history", 0.5,
                                "Thank you.", earlier)
    assert acts_in_context(("ask_family_history",), "You mentioned your dad's knees went in his sixties.", 0.5,
                           None, "Thank you.", earlier_replies=earlier) == ("reflect",)
    # A statement about a topic gives it back, in the patient's words or not; a request does not.
    assert reflects_last_answer("You're worried it could be something in the brain.", "ask_concerns", 0.75,
                                "Honestly? A stroke.")
    assert reflects_last_answer("It's stopping you doing the things you love.", "ask_daily_function", 0.5, "I manage.")
    assert not reflects_last_answer("So tell me about the nights.", "ask_sleep", 0.8, "Badly.")
    assert not reflects_last_answer("You're worried about it?", "ask_concerns", 0.8, "Honestly? A stroke.")
    # With no reflection opening, an unsure statement giving back three of the answer's words
    # reflects it; a sure reading, a request or fewer shared words does not.
    van = "Twenty years on the buses. Now it's nights in a warehouse, a scanner timing every pick."
    assert reflects_last_answer("Twenty years driving, and now a warehouse with a scanner timing you", "empathize",
                                0.3, van)
    assert not reflects_last_answer("Twenty years driving, and now a warehouse with a scanner timing you", "empathize",
                                    0.8, van)
    assert not reflects_last_answer("Tell me about the warehouse and the scanner, twenty years", "ask_work", 0.3, van)
    assert not reflects_last_answer("The warehouse must be hard", "empathize", 0.3, van)


def test_a_reflection_with_empathy_in_it_gets_the_confirming_reply_and_the_warmth() -> None:
    from bot.conversation import TurnContext

    persona = REGISTRY.get("priya-shah")
    start, ask = TurnContext("/start_interview", 1.0), TurnContext("what's work like?", 0.9)
    text = "It sounds like work has been really hard going lately."
    reply = respond(persona, "c", ["start_interview", "ask_work", "ask_stress"], None,
                    [start, ask, TurnContext(text, 0.7, (), "", True)])
    assert (reply.topic, reply.level) == ("reflect", "reaction")
    plain = respond(persona, "c", ["start_interview", "ask_work", "ask_stress"], None,
                    [start, ask, TurnContext(text, 0.7, (), "", False)])
    assert reply.rapport > plain.rapport


def test_two_questions_the_model_finds_equally_likely_are_both_asked() -> None:
    from bot.nlu.reading import read_turn

    text = "what makes it better or worse?"
    both = read_turn(text, [("ask_triggers", 0.42), ("ask_relief", 0.41), ("follow_up", 0.13)], [])
    assert [a.name for a in both.acts] == ["ask_triggers", "ask_relief"]
    # A clear winner, or a rival that is no question, stays one act.
    assert len(read_turn(text, [("ask_relationships", 0.5), ("ask_family_history", 0.44)], []).acts) == 1
    assert len(read_turn(text, [("ask_triggers", 0.42), ("reflect", 0.41)], []).acts) == 1


def test_a_child_called_mate_is_addressed_and_a_title_goes_to_the_parent() -> None:
    from bot.patient.address import addressee_of

    leo = REGISTRY.get("leo-fischer")
    assert addressee_of("what about you mate, how are you sleeping?", leo) == "patient"
    assert addressee_of("Mrs Fischer, when did it start?", leo) == "proxy"


def test_a_short_name_addresses_and_of_two_names_in_two_sentences_the_last_is_asked() -> None:
    from dataclasses import replace

    from bot.patient.address import addressee_of

    chloe = REGISTRY.get("chloe-mensah")
    assert chloe.proxy is not None
    assert addressee_of("Chlo, does it wake you up?", chloe) == "patient"
    assert addressee_of("Sorry Kofi, one second. Chloe, does it wake you up?", chloe) == "patient"
    assert addressee_of("Thanks Chloe. Kofi, does she sleep?", chloe) == "proxy"
    assert addressee_of("Hi Kofi, hi Chloe, when did it start?", chloe) is None
    # A short form that is also a word counts only when it is marked as a name.
    andrew = replace(chloe, name="Andrew Mensah")
    assert addressee_of("And how are the nights?", andrew) is None
    grandad = replace(chloe, proxy=replace(chloe.proxy, speaker="Ray Barker", relation="grandfather"))
    assert addressee_of("Grandad, when did this start?", grandad) == "proxy"


def test_an_uncovered_what_question_gets_an_i_dont_know_not_an_invented_no() -> None:
    from bot.patient import defaults

    persona = REGISTRY.get("priya-shah")
    yes_no = defaults.uncovered_lines(persona, "Any pets at home?")
    what = defaults.uncovered_lines(persona, "What's your blood group?")
    assert not set(yes_no) & set(what)
    assert not any(line.lower().startswith("no") for line in what)


def test_reassurance_after_red_flags_is_left_to_the_nlu_as_the_report_leaves_it_for_review() -> None:
    from bot.scoring.dismissal import dismissal_act

    line = "I'm sure it's nothing serious."
    assert dismissal_act(line) == "reassure_premature"
    assert dismissal_act(line, red_flags_checked=True) is None  # for review: the NLU's reading stands
    assert dismissal_act("How has your sleep been lately?") == ""


def test_a_question_picking_up_a_short_number_word_of_the_answer_follows_it_up() -> None:
    from bot.conversation import contextual_follow_up

    reply = "Most days a three or four. On a bad week it's more like a six."
    assert contextual_follow_up("does it ever get worse than a six?", "ask_triggers", 0.42, "ask_severity", reply)
    assert not contextual_follow_up("does it ever get worse at work?", "ask_triggers", 0.42,
                                    "ask_severity", "Most days a three or four.")


def test_a_question_asked_again_in_new_words_asks_the_earlier_question_not_the_last_answer() -> None:
    from bot.conversation import acts_in_context, asked_again
    earlier = [("How often does it come on in a day?", "ask_timing"), ("Whereabouts do you feel it?", "ask_location")]
    # Says it asks again, unsure, shares words with the first question: that question's topic.
    assert asked_again("Sorry, once more: how often in a day?", "ask_location", 0.4, earlier) == "ask_timing"
    assert acts_in_context(("ask_location",), "Sorry, once more: how often in a day?", 0.4, "ask_location",
                           "Low down on the left.", earlier_questions=earlier) == ("ask_timing",)
    # No word of its own that an earlier question shares ("how", "what" ask nothing in particular).
    assert asked_again("Again, how does it feel?", "ask_character", 0.4, earlier) is None
    # Not said to be asked again, or the model sure of another question: the reading stands.
    assert asked_again("How often in a day?", "ask_location", 0.4, earlier) is None
    assert asked_again("Just to check, how often in a day do you take the co-codamol?", "ask_medications", 0.9,
                       earlier) is None


def test_an_uncovered_reading_gives_way_to_a_named_topic_and_to_a_statement() -> None:
    from bot.nlu.reading import read_turn
    # A history topic at 0.6 of an uncovered reading is what the question asks.
    assert read_turn("Mia, do you like your school?", [("uncovered_question", 0.45), ("ask_work", 0.3)], []).main \
        == "ask_work"
    assert read_turn("Mia, do you like horses?", [("uncovered_question", 0.45), ("ask_lifestyle", 0.2)], []).main \
        == "uncovered_question"
    # An unsure uncovered reading of a statement is no question.
    assert read_turn("Twenty years at the depot and now this, for half the pay", [("uncovered_question", 0.3),
                                                                                   ("reflect", 0.2)], []).main == "reflect"
    assert read_turn("Twenty years at the depot, any pets?", [("uncovered_question", 0.3), ("reflect", 0.2)],
                     []).main == "uncovered_question"


def test_an_unsure_uncovered_reading_that_picks_up_the_answer_follows_it_up() -> None:
    from bot.conversation import contextual_follow_up
    reply = "My uncle had bowel cancer in his fifties."
    assert contextual_follow_up("how old was your uncle when they found it?", "uncovered_question", 0.3,
                                "ask_family_history", reply)
    assert not contextual_follow_up("do you play any instruments?", "uncovered_question", 0.3, "ask_family_history",
                                    reply)


def _read_two(first: Tuple[str, str, float], sep: str, second: Tuple[str, str, float],
              ranking: List[Tuple[str, float]]):
    """read_turn on a turn of two clauses (text, act, confidence) joined by ``sep``."""
    from bot.nlu.reading import read_turn
    text = first[0] + sep + second[0]
    start = len(first[0]) + len(sep)
    return read_turn(text, ranking, [(0, len(first[0]), first[1], first[2]), (start, len(text), second[1], second[2])])


def _two_acts(first: Tuple[str, str, float], sep: str, second: Tuple[str, str, float],
              ranking: List[Tuple[str, float]]) -> List[str]:
    return [a.name for a in _read_two(first, sep, second, ranking).acts]


def test_both_halves_of_a_question_joined_by_and_are_asked() -> None:
    acts = _two_acts(("can i ask what tablets you take", "ask_medications", 0.34), " ",
                     ("and have you any allergies?", "ask_allergies", 0.99),
                     [("ask_allergies", 0.88), ("ask_medications", 0.03)])
    assert acts == ["ask_medications", "ask_allergies"]
    # A question word the splitter knows ("whereabouts") makes the first half a question, not a
    # subject put first ("whereabouts is the burning, and what sets it off?").
    acts = _two_acts(("whereabouts is the burning", "ask_location", 0.88), ", ",
                     ("and what sets it off?", "ask_triggers", 0.87), [("ask_location", 0.47), ("ask_triggers", 0.17)])
    assert acts == ["ask_location", "ask_triggers"]


def test_a_question_word_before_an_inverted_auxiliary_asks_and_is_no_subordinate_clause() -> None:
    ranking = [("ask_triggers", 0.33), ("ask_timing", 0.15)]
    # Different words from any data set: "when during the week is it worse" asks when.
    acts = _two_acts(("When during the week is it worse for her", "ask_timing", 0.74), ", ",
                     ("and what seems to make it ease off?", "ask_relief", 0.5), ranking)
    assert acts == ["ask_timing", "ask_relief"]
    # "When you've had a bad night, what helps?": the front clause sets the scene only.
    acts = _two_acts(("When you've had a bad night", "ask_sleep", 0.74), ", ", ("what helps?", "ask_relief", 0.8),
                     [("ask_relief", 0.6), ("ask_sleep", 0.2)])
    assert acts == ["ask_relief"]


def test_an_empathic_preface_the_model_is_unsure_of_still_counts_before_a_question() -> None:
    preface = "Mornings like that sound so hard for you both."
    question = ("What's home like at the moment?", "ask_relationships", 0.85)
    ranking = [("reflect", 0.46), ("ask_relationships", 0.14)]
    assert _two_acts((preface, "empathize", 0.44), " ", question, ranking) == ["empathize", "ask_relationships"]
    # Not without a question after it, and not as sure below 0.4.
    assert "empathize" not in _two_acts((preface, "empathize", 0.44), " ", ("It's a lot.", "reflect", 0.5),
                                        [("reflect", 0.5), ("empathize", 0.3)])
    assert _two_acts((preface, "empathize", 0.3), " ", question, ranking) == ["ask_relationships"]


def test_a_question_no_topic_covers_is_answered_even_after_a_reflection_in_the_same_turn() -> None:
    registry = PersonaRegistry(ROOT / "personas")
    persona = registry.get("wei-chen")
    reply = respond(persona, "t-unc", [("greet",), ("ask_open",), ("reflect", "uncovered_question")])
    assert reply.topic == "uncovered_question" and reply.level == "unknown"


def test_an_off_topic_question_about_the_patient_is_uncovered_but_a_request_or_trivia_is_not() -> None:
    from bot.nlu.reading import read_turn
    ranking = [("out_of_scope", 0.6), ("uncovered_question", 0.1)]
    assert read_turn("Did you get soaked on the way in?", ranking, []).main == "uncovered_question"
    assert read_turn("ha, a baker! what's the best thing you make", ranking, []).main == "uncovered_question"
    assert read_turn("Could you write me a limerick?", ranking, []).main == "out_of_scope"
    assert read_turn("What's the tallest mountain in Wales?", ranking, []).main == "out_of_scope"


def test_a_first_clause_with_a_question_word_is_no_subject_and_ok_is_no_empathy() -> None:
    acts = _two_acts(("right so out of 10 how bad", "ask_severity", 0.99), ", ",
                     ("and is it there all the time", "ask_timing", 0.87), [("ask_severity", 0.65), ("ask_timing", 0.21)])
    assert acts == ["ask_severity", "ask_timing"]
    assert "empathize" not in _two_acts(("ok.", "empathize", 0.54), " ",
                                        ("any bladder or bowel change?", "ask_red_flags", 0.6), [("ask_red_flags", 0.5)])


def test_the_same_topic_straight_after_its_answer_asks_a_detail_or_asks_again() -> None:
    from bot.conversation import acts_in_context, contextual_follow_up
    reply = "Buscopan from the chemist. I tried Fybogel but it made the bloating worse."
    # Asks how long, or picks up a word the model rarely meets: a detail of the answer.
    assert contextual_follow_up("how long did u give the fybogel?", "ask_medications", 0.7, "ask_medications", reply,
                                rare_words=("fybogel",))
    assert contextual_follow_up("how often do you take them?", "ask_medications", 0.7, "ask_medications", reply)
    # A plain second asking, or one that says so, is asked again.
    assert not contextual_follow_up("what tablets are you on?", "ask_medications", 0.7, "ask_medications", reply)
    assert not contextual_follow_up("how often again?", "ask_medications", 0.7, "ask_medications", reply)
    # A turn read as empathy alone that says it asks again asks the earlier question.
    earlier = [("Which medicines does he take?", "ask_medications"), ("Any allergies?", "ask_allergies")]
    assert acts_in_context(("empathize",), "sorry, can you go through his medicines one more time?", 0.7,
                           "ask_allergies", "Penicillin.", earlier_questions=earlier) == ("empathize", "ask_medications")


def test_sure_empathy_that_starts_like_a_reflection_stays_empathy() -> None:
    from bot.conversation import reflects_last_answer
    reply = "About a year. It crept on last summer, a few months after Mum died."
    assert not reflects_last_answer("Sounds like it's been a really rough year for him.", "empathize", 0.97, reply)
    assert reflects_last_answer("Sounds like it's been a really rough year for him.", "empathize", 0.6, reply)


def test_a_question_after_an_empathic_preface_counts_at_a_quarter() -> None:
    reading = _read_two(("That must have been devastating, losing her.", "empathize", 0.93), " ",
                        ("Has he seemed down since?", "ask_mood", 0.29), [("empathize", 0.61), ("ask_mood", 0.14)])
    assert reading.main == "ask_mood" and [a.name for a in reading.acts] == ["empathize", "ask_mood"]


def test_a_when_or_where_put_to_the_last_answer_follows_it_up() -> None:
    from bot.conversation import contextual_follow_up
    reply = "The beer has crept up. Four or five cans on a Saturday now."
    assert contextual_follow_up("what about on work nights?", "ask_work", 0.74, "ask_substances", reply)
    assert contextual_follow_up("and in the mornings?", "ask_timing", 0.6, "ask_substances", reply)
    # A new topic named without a preposition is a change of topic; so is a very sure reading.
    assert not contextual_follow_up("and what about work?", "ask_work", 0.74, "ask_substances", reply)
    assert not contextual_follow_up("what about at work, how's that?", "ask_work", 0.95, "ask_substances", reply)


def test_a_one_clause_question_half_read_as_empathy_is_not_empathy() -> None:
    from bot.nlu.reading import read_turn
    assert read_turn("And Tom is...?", [("empathize", 0.78), ("legitimize", 0.05)], []).main == "nlu_fallback"
    assert read_turn("That sounds awful, doesn't it?", [("empathize", 0.95), ("reflect", 0.02)], []).main == "empathize"
    assert read_turn("That sounds awful.", [("empathize", 0.6), ("reflect", 0.2)], []).main == "empathize"


def test_an_unsure_uncovered_question_after_a_remark_is_still_uncovered() -> None:
    from bot.conversation import turn_acts
    parse = {"text": "ooh a baker! whats the best thing you make, asking for a friend",
             "intent": {"name": "nlu_fallback", "confidence": 0.15},
             "acts": [{"name": "uncovered_question", "confidence": 0.33}]}
    assert turn_acts(parse) == ("uncovered_question",)
    parse["text"] = "ooh a baker, lovely"
    assert turn_acts(parse) == ("nlu_fallback",)


def test_a_hedge_tagged_on_asks_nothing_of_its_own() -> None:
    assert _two_acts(("any low mood at all", "ask_mood", 0.8), ", ", ("do you think?", "ask_ideas", 0.5),
                     [("ask_mood", 0.7), ("ask_ideas", 0.2)]) == ["ask_mood"]


def test_a_question_read_only_as_its_sympathetic_preface_still_follows_up_the_answer() -> None:
    from bot.conversation import acts_in_context

    reply = "My ex and I split up in March, and I moved back in with my mum and dad."
    text = "Oh no, that's rotten. How did your mum and dad take the split?"
    assert acts_in_context(("empathize",), text, 0.95, "ask_relationships", reply) == \
        ("empathize", "follow_up:ask_relationships")
    # Sympathy alone, or after a greeting (nothing to follow up), stays what it is.
    assert acts_in_context(("empathize",), "Oh no, that's rotten.", 0.95, "ask_relationships", reply) == ("empathize",)
    assert acts_in_context(("empathize",), text, 0.95, None, reply) == ("empathize",)


def test_a_follow_up_after_a_reply_to_two_questions_goes_with_the_answer_it_picks_up() -> None:
    from bot.patient.engine import _followed_topic

    persona = REGISTRY.get("priya-shah")
    home = next(w for w in ("bathroom", "flatmates", "share") if w in " ".join(persona.answers["ask_relationships"].all_texts()))
    assert _followed_topic(persona, ("ask_relationships", "ask_sleep"), f"and the {home}, how is that?") == "ask_relationships"
    assert _followed_topic(persona, ("ask_relationships", "ask_sleep"), "how long for?") == "ask_sleep"
    assert _followed_topic(persona, ("ask_sleep",), "and the bathroom?") == "ask_sleep"


def test_a_question_only_half_read_as_a_reflection_is_read_as_what_it_asks() -> None:
    from bot.nlu.reading import read_turn

    ranking = [("reflect", 0.21), ("uncovered_question", 0.13), ("ask_onset", 0.09)]
    assert read_turn("Did you find the building ok? it's tucked away", ranking, []).main == "uncovered_question"
    # A statement giving something back, or a sure reading, stays a reflection.
    assert read_turn("So it's the mornings that are worst?", ranking, []).main == "reflect"
    assert read_turn("Did you find the building ok?", [("reflect", 0.6), ("uncovered_question", 0.3)], []).main == "reflect"


def test_who_is_someone_the_patient_just_named_is_answered_from_where_the_file_speaks_of_them() -> None:
    from bot.patient.people import person_asked_about

    persona = REGISTRY.get("margaret-doyle")
    reply = "It started last winter when Tom began getting up confused in the night."
    names = ("Margaret", "Doyle")
    for who in ("And Tom is...?", "sorry, who's tom?", "Tom?", "Tom - is that your husband?"):
        assert person_asked_about(persona, who, reply, names) == "ask_relationships", who
    # Not a "who" question, nobody just named, or a long question: no.
    assert person_asked_about(persona, "What happened with Tom back then?", reply, names) is None
    assert person_asked_about(persona, "Who's Declan?", reply, names) is None
    assert person_asked_about(persona, "Tom?", "I slept like a log before.", names) is None


def test_a_question_tag_stays_with_its_clause_and_a_second_question_after_a_comma_splits() -> None:
    from bot.nlu.segments import segments

    assert [s.text for s in segments("The scope was clear, so it can't really be acid, can it?")] == \
        ["The scope was clear, so it can't really be acid, can it?"]
    assert len(segments("It's just stress, don't you think?")) == 1
    assert [s.text for s in segments("Any pain at night, does it wake you?")] == ["Any pain at night", "does it wake you?"]


def test_a_list_of_anything_questions_splits_into_its_questions() -> None:
    from bot.nlu.segments import segments

    text = "Quickly - anything that sets it off, anything that eases it, and any bleeding?"
    assert [s.text for s in segments(text)] == ["Quickly", "anything that sets it off", "anything that eases it",
                                                "and any bleeding?"]


def test_two_people_joined_by_and_are_one_question_and_turning_to_someone_asks_nothing() -> None:
    from bot.nlu.segments import segments

    assert len(segments("Sarah, what would make today worth it for you and your mum?")) == 1
    assert len(segments("How are things between him and your sister?")) == 1
    assert [s.text for s in segments("How's the appetite and your energy?")] == ["How's the appetite", "and your energy?"]
    assert [s.text for s in segments("And how about you, Mrs Okoro, what are you hoping for?")] == \
        ["what are you hoping for?"]
    assert [s.text for s in segments("what about yourself?")] == ["what about yourself?"]


def test_a_word_or_two_read_as_a_summary_is_no_reading() -> None:
    from bot.nlu.reading import read_turn

    assert read_turn("right", [("summarize", 0.22), ("legitimize", 0.15)], []).main == "nlu_fallback"
    text = "So: nine months of cramps and bloating, worse with deadlines. Have I got that?"
    assert read_turn(text, [("summarize", 0.6), ("reflect", 0.2)], []).main == "summarize"


def test_something_of_the_answer_named_first_and_asked_about_follows_that_answer() -> None:
    from bot.conversation import contextual_follow_up

    reply = "My mum has an underactive thyroid, and my aunt has IBS."
    text = "the thyroid, is your mum on tablets for it?"
    assert contextual_follow_up(text, "ask_medications", 0.81, "ask_family_history", reply)
    # Not when the phrase names something the answer did not mention.
    assert not contextual_follow_up("the inhaler, how often do you use it?", "ask_medications", 0.81,
                                    "ask_family_history", reply)


def test_a_statement_the_dismissal_reader_is_sure_of_is_that_dismissal_and_questions_stay() -> None:
    from bot.conversation import acts_with_dismissal

    assert acts_with_dismissal(("reflect",), "dismiss") == ("dismiss",)
    assert acts_with_dismissal(("ask_sleep", "dismiss"), "dismiss") == ("ask_sleep", "dismiss")
    assert acts_with_dismissal(("empathize", "ask_mood"), "reassure_premature") == ("reassure_premature", "ask_mood")
    assert acts_with_dismissal(("dismiss",), "") == ("nlu_fallback",)
