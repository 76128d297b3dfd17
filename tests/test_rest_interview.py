"""Real Rasa over REST: each topic's reply comes from the active persona's file."""
from __future__ import annotations

import uuid

import pytest

from bot import topics
from bot.patient import defaults, respond
from bot.personas import PersonaRegistry
from bot.settings import REPO_ROOT as ROOT

BUNDLED = PersonaRegistry(ROOT / "personas")


def persona_texts(persona, topic_id):
    texts = list(persona.reactions.get(topic_id, ()))
    if topic_id in persona.answers:
        texts += persona.answers[topic_id].all_texts()
    return texts + list(defaults.reaction_lines(topic_id)) + list(defaults.default_answer_lines(topic_id, persona))


@pytest.mark.parametrize("pid", BUNDLED.ids())
def test_scripted_interview_every_topic_answered_from_the_persona_file(rasa, pid):
    persona = BUNDLED.get(pid)
    sender = f"rest-{pid}-{uuid.uuid4().hex[:6]}"
    opening = rasa.start(sender, pid)
    assert any(opening.startswith(o) for o in persona.opening)
    wrong = []
    for topic in topics.load_topics().values():
        question = topic.examples[0]
        replies = rasa.say(sender, question)
        assert len(replies) == 1, (question, replies)
        texts = persona_texts(persona, topic.id)
        if not any(t and t in replies[0] for t in texts) and not any(
                t and t[1:] in replies[0] for t in texts):  # "As I said, <lower-cased answer>"
            wrong.append((topic.id, question, replies[0]))
    assert not wrong, "replies not taken from the persona file:\n" + "\n".join(map(str, wrong))
    # The server's replies are exactly what the patient engine derives from the tracker.
    acts = rasa.learner_intents(sender)
    assert acts[0] == "start_interview"
    assert acts[1:] == [t for t in topics.topic_ids()], "NLU should recognise the topic list's own examples"


def test_reply_matches_the_engine_for_the_recorded_acts(rasa):
    pid = BUNDLED.ids()[0]
    sender = f"engine-{uuid.uuid4().hex[:6]}"
    rasa.start(sender, pid)
    said = [rasa.say(sender, q)[0] for q in ("what brings you in", "how are things at home?",
                                             "that sounds really tough", "how are things at home?")]
    acts = rasa.learner_intents(sender)
    persona = BUNDLED.get(pid)
    expected = [respond(persona, sender, acts[: i + 2]).text for i in range(len(said))]
    assert said == expected


def test_rapport_opens_psychosocial_answers_over_rest(rasa):
    pid = "priya-shah" if "priya-shah" in BUNDLED.ids() else BUNDLED.ids()[0]
    persona = BUNDLED.get(pid)
    sender = f"rapport-{uuid.uuid4().hex[:6]}"
    rasa.start(sender, pid)
    guarded = rasa.say(sender, "Has anything stressful been happening in your life?")[0]
    assert guarded in persona.answers["ask_stress"].guarded
    rasa.say(sender, "That sounds really exhausting, I'm sorry you've been dealing with this.")
    opened = rasa.say(sender, "Has anything stressful been happening in your life?")[0]
    assert any(opened.startswith(o) for o in persona.answers["ask_stress"].open)


def test_repeated_question_is_not_an_identical_copy(rasa):
    pid = BUNDLED.ids()[0]
    sender = f"repeat-{uuid.uuid4().hex[:6]}"
    rasa.start(sender, pid)
    first = rasa.say(sender, "When did this first start?")[0]
    second = rasa.say(sender, "When did this first start?")[0]
    assert first != second
    assert second in BUNDLED.get(pid).answers["ask_onset"].repeat or second.startswith(("As I said", "Like I said", "As I mentioned"))


def test_dismissal_gets_the_persona_reaction(rasa):
    pid = BUNDLED.ids()[0]
    sender = f"dismiss-{uuid.uuid4().hex[:6]}"
    rasa.start(sender, pid)
    reaction = rasa.say(sender, "Honestly, I think it's all in your head.")[0]
    assert reaction in BUNDLED.get(pid).reactions["dismiss"]


def test_unknown_persona_lists_available_ids(rasa):
    reply = rasa.say(f"unknown-{uuid.uuid4().hex[:6]}", '/start_interview{"persona_id": "no-such-patient"}')[0]
    assert "no-such-patient" in reply
    for pid in BUNDLED.ids():
        assert pid in reply


def test_path_like_persona_id_is_refused_like_any_unknown_id(rasa):
    reply = rasa.say(f"trav-{uuid.uuid4().hex[:6]}", '/start_interview{"persona_id": "../../etc/passwd"}')[0]
    assert "no patient with the id" in reply.lower()


def test_message_before_any_interview_explains_how_to_start(rasa):
    reply = rasa.say(f"nostart-{uuid.uuid4().hex[:6]}", "hello there")[0]
    assert "start_interview" in reply and BUNDLED.ids()[0] in reply


def test_persona_id_in_first_message_metadata_starts_the_interview(rasa):
    pid = BUNDLED.ids()[-1]
    persona = BUNDLED.get(pid)
    sender = f"meta-{uuid.uuid4().hex[:6]}"
    first = rasa.say(sender, "/start_interview", metadata={"persona_id": pid})[0]
    assert any(first.startswith(o) for o in persona.opening)
    other = f"meta2-{uuid.uuid4().hex[:6]}"
    answer = rasa.say(other, "When did this first start?", metadata={"persona_id": pid})[0]
    assert answer in persona.answers["ask_onset"].open


def test_not_understood_gets_an_in_character_clarification(rasa):
    pid = BUNDLED.ids()[0]
    persona = BUNDLED.get(pid)
    sender = f"fallback-{uuid.uuid4().hex[:6]}"
    rasa.start(sender, pid)
    reply = rasa.say(sender, "right")[0]
    assert reply in (persona.fallback or defaults.fallback_lines(persona))
