"""The patient follows the conversation, with real Rasa over REST and over Socket.IO.

Each behaviour of docs/authoring.md ("How the patient behaves") is played as a short
interview on both channels; the reply must show the behaviour and be exactly what the
patient engine derives from the server's own tracker.
"""
from __future__ import annotations

import uuid
from typing import Callable, List

import pytest

from bot.conversation import interview_from_events
from bot.patient import defaults, respond
from bot.patient.address import addressee_of
from bot.scoring.patient_reading import patient_context
from tests.test_rest_interview import BUNDLED
from tests.test_socketio import SocketChat

PRIYA = BUNDLED.get("priya-shah")
LEO = BUNDLED.get("leo-fischer")


def _texts(answer_topic: str, persona=PRIYA) -> List[str]:
    return list(persona.answers[answer_topic].all_texts())


@pytest.fixture(params=["rest", "socketio"])
def interview(request, rasa, stack) -> Callable[[str, List[str]], List[str]]:
    """Play ``lines`` with persona ``pid`` on one channel; the replies, checked against the engine."""
    chats = []

    def play(pid: str, lines: List[str]) -> List[str]:
        sender = f"conv-{request.param}-{uuid.uuid4().hex[:8]}"
        if request.param == "rest":
            rasa.start(sender, pid)
            replies = [rasa.say(sender, line)[0] for line in lines]
        else:
            chat = SocketChat(stack.rasa_url, sender)
            chats.append(chat)
            chat.say('/start_interview{"persona_id": "%s"}' % pid)
            replies = [chat.say(line) for line in lines]
        events = rasa.tracker(sender)["events"]
        interview = interview_from_events(events)
        persona = BUNDLED.get(pid)
        addressees = [addressee_of(t, persona) for t in interview.texts]
        context = patient_context(interview)
        assert replies[-1] == respond(persona, sender, interview.turns, addressees, context).text
        return replies

    yield play
    for chat in chats:
        chat.close()


def test_a_follow_up_gets_the_topics_next_fact(interview):
    replies = interview("priya-shah", ["When did this first start?", "tell me more about that"])
    assert replies[-1] == PRIYA.answers["ask_onset"].follow_up[0]


def test_a_question_picking_up_what_the_patient_just_said_follows_that_topic(interview):
    # "thyroid" comes from Priya's family-history answer; on its own the question reads as
    # one about medicines. Her file has no further family-history fact, so she says so.
    replies = interview("priya-shah", ["Does anything run in the family?",
                                       "the thyroid, is your mum on tablets for it?"])
    assert replies[-1] in defaults.nothing_more_lines(PRIYA), replies[-1]


def test_a_compound_question_is_answered_in_order(interview):
    replies = interview("priya-shah", ["That sounds so hard, I'm sorry.",
                                       "How bad is the pain out of ten, and where exactly is it?"])
    severity = [t for t in _texts("ask_severity") if t in replies[-1]]
    location = [t for t in _texts("ask_location") if t in replies[-1]]
    assert severity and location, replies[-1]
    assert replies[-1].index(severity[0]) < replies[-1].index(location[0])


def test_an_uncovered_question_gets_an_honest_reply(interview):
    replies = interview("priya-shah", ["Have you been abroad anywhere recently?"])
    assert replies[-1] in defaults.uncovered_lines(PRIYA, "Have you been abroad anywhere recently?")


def test_asking_who_someone_the_patient_named_is_answered_from_where_her_file_speaks_of_them(interview):
    margaret = BUNDLED.get("margaret-doyle")
    replies = interview("margaret-doyle", ["When did the sleep first go off?", "And Tom is...?"])
    assert "Tom" in replies[0]
    assert replies[-1] in _texts("ask_relationships", margaret), replies[-1]


def test_a_reflection_gets_a_confirming_reply(interview):
    replies = interview("priya-shah", ["So it's the planning around toilets that wears you down the most."])
    assert replies[-1] in PRIYA.reactions["reflect"]


#: Rapport earned, a dismissal, then four turns of history (the patient stays guarded for three).
DISMISSED = ["That sounds really exhausting.", "I can hear how hard this has been.",
             "Honestly, it's probably just stress.", "When did this first start?", "Where exactly is the pain?",
             "What does it feel like?", "Is it there all the time?"]


def test_a_dismissal_keeps_the_patient_guarded_until_repaired(interview):
    replies = interview("priya-shah", DISMISSED + ["I'm sorry you're going through this.", "How has your mood been?"])
    assert replies[-1] in PRIYA.answers["ask_mood"].guarded


def test_taking_a_dismissal_back_repairs_it(interview):
    replies = interview("priya-shah", DISMISSED + ["Hang on, I spoke too soon there, that wasn't fair of me.",
                                                   "How has your mood been?"])
    assert replies[-1] not in PRIYA.answers["ask_mood"].guarded, replies[-1]


def test_a_dismissal_the_nlu_misses_but_the_scorer_reads_still_hurts(interview):
    # Secondary gain put kindly: the NLU has no act for it; the dismissal reader the score
    # report uses is sure, so the patient reacts as the report will judge it.
    line = "Kids do tend to get tummy aches when there's a test they'd rather skip."
    replies = interview("leo-fischer", ["That sounds really hard for you both.", line])
    hurt = set(LEO.reactions.get("dismiss", ())) | set(defaults.reaction_lines("dismiss", LEO))
    assert any(r in replies[-1] for r in hurt), replies[-1]


def test_asking_again_never_gets_the_same_words(interview):
    replies = interview("priya-shah", ["When did this first start?"] * 4)
    assert len(set(replies)) == 4, replies


def test_the_child_answers_in_his_own_voice_when_addressed(interview):
    replies = interview("leo-fischer", ["Hi both, I'm Sam, one of the students.",
                                        "Leo, how are things at school for you?"])
    assert replies[-1] in LEO.answers["ask_work"].patient
