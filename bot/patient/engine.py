"""How the patient answers: a pure function of the persona and the learner's turns so far.

State (rapport, hurt, disclosure, what was already said, ignored cues) is never stored:
it is replayed from the learner's turns, so the same conversation always gets the same
replies and any Rasa server holding the tracker can answer the next turn. The behaviour is
described in docs/authoring.md ("How the patient behaves").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

from bot import topics
from bot.conversation import TurnContext, acts_in_context, acts_with_dismissal, asked_topic, content_words, plain_act
from bot.patient import axes, defaults
from bot.patient.people import acts_asking_who
from bot.patient.rapport import HURTING, Rapport
from bot.patient.variants import as_i_said, first_sentence, pick
from bot.personas.model import Answer, Persona

#: Learner acts that pick up an emotional cue (continuers).
CONTINUERS = frozenset({"empathize", "legitimize", "ask_open", "explain_mind_body", "reflect"})
#: Acts after which an ignored cue is not brought back (it would sound odd).
NO_ESCALATION_AFTER = frozenset({"goodbye", "dismiss", "reassure_premature", "greet", "out_of_scope",
                                 "empathize", "legitimize", "explain_mind_body", "reflect"})
#: Acts that already carry a turn's warmth: empathic wording adds nothing to them.
WARM = frozenset({"empathize", "legitimize", "explain_mind_body"})
#: The patient answers at most this many questions of one turn.
MAX_ANSWERS = 3

START = topics.START_INTENT
FALLBACK = topics.FALLBACK_INTENT

#: A learner turn: one act, or the acts of a compound turn (main act first). A follow-up
#: resolved in context is written ``follow_up:<topic>`` (bot/conversation.py).
Turn = Union[str, Sequence[str]]


@dataclass(frozen=True)
class PatientReply:
    text: str
    topic: str
    level: str  # "open" | "guarded" | "reaction" | "fallback" | "unknown" | "default" | "opening" | "follow_up"
    #           | "clarify" (limited English: asks to hear the question again)
    cue: bool
    rapport: float
    topics: Tuple[str, ...] = ()  # the history topics this reply answers, in order
    speaker: str = "patient"  # "patient", or "proxy" when someone speaks for the patient
    hurt: bool = False


@dataclass
class _State(Rapport):
    asked: Dict[str, int] = field(default_factory=dict)
    said_level: Dict[str, str] = field(default_factory=dict)  # topic -> level of what was said
    said_by: Dict[str, str] = field(default_factory=dict)  # topic -> who answered it last (proxy cases)
    follow_ups_used: Dict[str, int] = field(default_factory=dict)
    said: Set[str] = field(default_factory=set)
    pending_cue: Optional[str] = None  # topic whose cue the learner has not yet answered
    missed: List[Tuple[str, int]] = field(default_factory=list)  # (topic, turn when due)
    escalated: Set[str] = field(default_factory=set)
    addressee: str = "proxy"
    clarified: Set[str] = field(default_factory=set)  # topics a limited-English patient asked to hear again


def follow_up_topic(act: str) -> Optional[str]:
    """The topic of a resolved follow-up act (``follow_up:<topic>``), else None."""
    topic = plain_act(act)
    return topic if topic != act else None


def _topic_of(act: str) -> str:
    return plain_act(act)


def respond(persona: Persona, conversation_id: str, acts: Sequence[Turn],
            addressees: Optional[Sequence[Optional[str]]] = None,
            context: Optional[Sequence[Union[TurnContext, Tuple[str, float]]]] = None) -> PatientReply:
    """The patient's reply to the last of ``acts`` (learner turns since the interview began).

    ``acts`` may start with ``start_interview``; ``nlu_fallback`` marks a message the NLU
    did not understand. ``addressees`` (one per turn: "patient", "proxy" or None for
    unchanged) says whom the learner spoke to in a proxy case. ``context`` (each turn's
    words, main-act confidence and rare words: Interview.context) lets a turn be read as a
    follow-up on the patient's last answer (bot/conversation.py, contextual_follow_up).
    """
    state = _State(rapport=persona.rapport_start)
    reply = _opening(persona, conversation_id)
    asked: List[Tuple[str, str]] = []  # each earlier turn's words and the history topic it asked
    names = defaults.names_in_case(persona)
    for index, turn in enumerate(acts):
        turn_acts = (turn,) if isinstance(turn, str) else tuple(turn)
        if not turn_acts:
            turn_acts = (FALLBACK,)
        if turn_acts[0] == START:
            state = _State(rapport=persona.rapport_start)
            reply = _opening(persona, conversation_id)
            asked = []
            continue
        if addressees is not None and index < len(addressees) and addressees[index]:
            state.addressee = str(addressees[index])
        here = TurnContext(*context[index]) if context is not None and index < len(context) else None
        if here is not None:
            turn_acts = acts_in_context(turn_acts, here.text, here.confidence,
                                        _followed_topic(persona, reply.topics, here.text), reply.text,
                                        here.rare_words, names, sorted(state.said), asked)
            turn_acts = acts_asking_who(persona, turn_acts, here.text, reply.text, names)
            asked.append((here.text, asked_topic(turn_acts)))
        if here is not None and here.dismissal is not None:
            turn_acts = acts_with_dismissal(turn_acts, here.dismissal)
        if here is not None and here.empathic and not set(map(plain_act, turn_acts)) & WARM:
            turn_acts = ("empathize", *turn_acts) if turn_acts != (FALLBACK,) else ("empathize",)
        words = here.text if here is not None else ""
        reply = _turn(persona, conversation_id, state, index, turn_acts, words)
        state.said.add(reply.text)
    return reply


def _followed_topic(persona: Persona, answered: Sequence[str], text: str) -> Optional[str]:
    """Which topic of the last reply a follow-up can refer to: of a reply to several
    questions, the one whose answer shares most words with the turn ("how did your mum and
    dad take the break-up?" after home and support goes with home), else the last."""
    if len(answered) < 2:
        return answered[-1] if answered else None
    words = content_words(text, plain=True)

    def shared(topic: str) -> int:
        answer = persona.answers.get(topic)
        said = " ".join(answer.all_texts()) if answer is not None else ""
        return len(words & content_words(said, plain=True))

    best = max(range(len(answered)), key=lambda i: (shared(answered[i]), i))
    return answered[best]


def _opening(persona: Persona, conversation_id: str) -> PatientReply:
    text = pick(persona.opening, conversation_id, "opening")
    if persona.volunteers:
        text = " ".join([text, *persona.volunteers])
    return PatientReply(text, START, "opening", False, persona.rapport_start,
                        speaker="proxy" if persona.proxy else "patient")


def _is_question(act: str) -> bool:
    topic = _topic_of(act)
    return topic in topics.history_question_ids()


def _turn(persona: Persona, cid: str, state: _State, index: int, acts: Tuple[str, ...],
          words: str = "") -> PatientReply:
    """Acts that move rapport (empathy, a dismissal) count first, then up to three questions
    are answered in the order asked, in one reply."""
    acts = state.repaired_acts(acts, words)
    _cue_response(persona, state, index, acts)
    guarded_now = state.take_turn(acts)

    questions = [a for a in acts if _is_question(a)][:MAX_ANSWERS]
    if questions and _asks_to_repeat(persona, state, questions[0], words):
        text = _fresh(state, defaults.ask_to_repeat_lines(persona), cid, "repeat-please", index)
        return PatientReply(text, _topic_of(questions[0]), "clarify", False, state.rapport, (),
                            _speaker(persona, state), state.hurt)
    if not questions:
        main = _reply_act(acts)
        reply = _single(persona, cid, state, index, main, guarded_now, words)
        return _maybe_escalate(persona, cid, state, index, main, reply)
    lead = [_reaction(persona, cid, a, state).text for a in acts if a in HURTING]
    replies = [_single(persona, cid, state, index, a, guarded_now, words) for a in questions]
    first = replies[0]
    reply = PatientReply(" ".join([*lead, *(r.text for r in replies)]), first.topic, first.level,
                         any(r.cue for r in replies), state.rapport,
                         tuple(t for r in replies for t in r.topics), first.speaker, state.hurt)
    return _maybe_escalate(persona, cid, state, index, _topic_of(questions[-1]), reply)


#: Without a history question, the act a turn's reply answers: a hurt first, then a summary,
#: a question no topic covers ("since you're 66 - had the shingles jab?" asks, whatever the
#: words before it), a reflection (confirmed, with the empathy around it counted in
#: rapport), then what the learner asks for (an open invitation, their questions...), then
#: the first act said.
_REPLY_PRIORITY = ("dismiss", "reassure_premature", "summarize", topics.UNCOVERED_INTENT, "reflect", "ask_open",
                   "ask_anything_else", "invite_questions", "check_understanding")


def _asks_to_repeat(persona: Persona, state: _State, question: str, words: str) -> bool:
    """Limited English: a long or jargon-laden question is met with "say again, more simply?",
    once per topic; asked again, in any words, it is answered. Follow-ups are not."""
    topic = _topic_of(question)
    if follow_up_topic(question) or topic in state.clarified or not axes.hard_to_follow(persona, words):
        return False
    state.clarified.add(topic)
    return True


def _reply_act(acts: Tuple[str, ...]) -> str:
    for act in _REPLY_PRIORITY:
        if act in acts:
            return act
    return acts[0]


def _cue_response(persona: Persona, state: _State, index: int, acts: Tuple[str, ...]) -> None:
    """Did the learner pick up the cue the patient gave last turn?"""
    if state.pending_cue is None:
        return
    plain = {_topic_of(a) for a in acts}
    if plain & CONTINUERS or state.pending_cue in plain:
        state.acknowledge_cue()
    elif state.pending_cue not in state.escalated and not persona.answers[state.pending_cue].direct_only:
        # A direct_only fact is said only when asked: an ignored one is never brought back.
        state.missed.append((state.pending_cue, index + 1))
    state.pending_cue = None


def _single(persona: Persona, cid: str, state: _State, index: int, act: str, guarded_now: bool,
            words: str = "") -> PatientReply:
    """The reply to one act of the turn."""
    topic = _topic_of(act)
    occurrence = state.asked.get(topic, 0)
    state.asked[topic] = occurrence + 1
    if topic == topics.UNCOVERED_INTENT:
        text = _fresh(state, defaults.uncovered_lines(persona, words), cid, "uncovered", index)
        text, speaker = _aside_first(persona, cid, state, topic, text)
        return PatientReply(text, topic, "unknown", False, state.rapport, (), speaker, state.hurt)
    if topic == FALLBACK or topic not in topics.load_topics():
        text = _fresh(state, defaults.fallback_lines(persona), cid, "fallback", index)
        return PatientReply(text, FALLBACK, "fallback", False, state.rapport, (), _speaker(persona, state), state.hurt)

    category = topics.category_of(topic)
    answer = persona.answers.get(topic)
    if category in topics.REACTION_CATEGORIES and (topic in persona.reactions or answer is None):
        return _reaction(persona, cid, topic, state, occurrence)
    if answer is None:
        lines = defaults.default_answer_lines(topic, persona)
        level = "default" if lines else "unknown"
        text = _fresh(state, lines or defaults.unknown_lines(persona), cid, level, topic, occurrence)
        state.said_level.setdefault(topic, level)
        text, speaker = _aside_first(persona, cid, state, topic, text)
        return PatientReply(text, topic, level, False, state.rapport, (topic,), speaker, state.hurt)
    opened = state.rapport >= persona.open_at and not guarded_now and not state.hurt
    if follow_up_topic(act) and topic in state.said_level:
        return _follow_up(persona, cid, state, topic, answer, opened)
    return _answer(persona, cid, state, topic, answer, opened, occurrence)


def _speaker(persona: Persona, state: _State) -> str:
    """Who says a line that is not in the patient's own voice: the proxy when there is one."""
    return "proxy" if persona.proxy else "patient"


def _fresh(state: _State, options: Sequence[str], *key: object) -> str:
    """A variant not said before in this conversation when there is one."""
    first = pick(options, *key)
    if first not in state.said or not options:
        return first
    start = list(options).index(first)
    for option in list(options[start:]) + list(options[:start]):
        if option not in state.said:
            return option
    return first


def _reaction(persona: Persona, cid: str, act: str, state: _State, occurrence: Optional[int] = None) -> PatientReply:
    own = persona.reactions.get(act) or (persona.answers[act].open if act in persona.answers else ())
    options = own or defaults.reaction_lines(act, persona) or defaults.unknown_lines(persona)
    # Cycle through variants so the same act twice does not get the identical line: the
    # persona's own lines from a per-conversation start, then the built-in ones, then round again.
    start = options.index(pick(options, cid, act)) if options else 0
    sequence = options[start:] + options[:start]
    if own:
        sequence += tuple(line for line in defaults.reaction_lines(act, persona) if line not in own)
    n = state.asked.get(act, 1) - 1 if occurrence is None else occurrence
    text = sequence[n % len(sequence)]
    return PatientReply(text, act, "reaction", False, state.rapport, (), _speaker(persona, state), state.hurt)


def _voice(persona: Persona, cid: str, state: _State, topic: str, answer: Answer,
           texts: Sequence[str]) -> Tuple[Sequence[str], str]:
    """In a proxy case the patient answers in their own voice when addressed: the file's line
    for them, else a short reply of their own before the proxy fills in."""
    if persona.proxy and state.addressee == "patient" and answer.patient:
        return answer.patient, "patient"
    replies = [_aside_first(persona, cid, state, topic, text) for text in texts]
    return tuple(text for text, _ in replies), (replies[0][1] if replies else _speaker(persona, state))


def _aside_first(persona: Persona, cid: str, state: _State, topic: str, text: str) -> Tuple[str, str]:
    """A proxy's line when the learner spoke to the patient: the patient's own short reply
    first ("(Leo) Dunno. (Anna) ..."), so the one addressed always answers."""
    if not (persona.proxy and state.addressee == "patient"):
        return text, _speaker(persona, state)
    aside = pick(defaults.patient_aside_lines(persona), cid, topic, "aside")
    first, proxy = defaults.first_name(persona), defaults.proxy_first_name(persona)
    return f"({first}) {aside} ({proxy}) {text}", "patient"


def _answer(persona: Persona, cid: str, state: _State, topic: str, answer: Answer, opened: bool,
            occurrence: int) -> PatientReply:
    level = "open" if (opened or not answer.has_disclosure_levels) else "guarded"
    texts, speaker = _voice(persona, cid, state, topic, answer, answer.open if level == "open" else answer.guarded)
    if topics.category_of(topic) in topics.REACTION_CATEGORIES and topic not in ("ask_open", "ask_anything_else"):
        level = "reaction"  # a process or communication act answered from `answers` is a reaction
    base = pick(texts, cid, topic, level)
    already = state.said_level.get(topic)
    # In a proxy case the other one's answer was not this speaker's: no "as I said" about it.
    other_said = state.said_by.get(topic, speaker) != speaker and base not in state.said
    state.said_by[topic] = speaker
    if other_said:
        text = base
    elif already == level or (already == "open" and level == "guarded"):
        text = _restatement(persona, cid, state, topic, answer, level, base, occurrence, speaker)
    elif already is None and axes.hedges_recall(persona, topic, base):
        text = f"{pick(defaults.vague_recall_lines(persona), cid, topic, 'recall')} {base}"
    else:
        text = base
    state.said_level[topic] = level if already != "open" else "open"
    is_cue = answer.cue and level == "open" and already != "open"
    if is_cue:
        state.pending_cue = topic
    return PatientReply(text, topic, level, is_cue, state.rapport, (topic,), speaker, state.hurt)


def _restatement(persona: Persona, cid: str, state: _State, topic: str, answer: Answer, level: str,
                 base: str, occurrence: int, speaker: str) -> str:
    """Asked again: a short restatement of what was said at this level, never new content
    (the persona's ``repeat`` lines carry open content, so they serve the open level only)."""
    if level == "open" and answer.repeat and speaker == ("proxy" if persona.proxy else "patient"):
        line = _fresh(state, answer.repeat, cid, topic, "repeat", occurrence)
        if line not in state.said:
            return line
    short = first_sentence(base)
    if state.said_level.get(topic) == level:
        prefixes = defaults.repeat_prefixes()
        start = prefixes.index(pick(prefixes, cid, topic, occurrence))
        for prefix in prefixes[start:] + prefixes[:start]:
            text = as_i_said(short, prefix)
            if text not in state.said:
                return text
    elif short not in state.said:
        return short
    return _fresh(state, defaults.nothing_more_lines(persona), cid, topic, "nothing-more", occurrence)


def _follow_up(persona: Persona, cid: str, state: _State, topic: str, answer: Answer, opened: bool) -> PatientReply:
    """A follow-up on a topic already answered: the next further fact when the file has one
    (open level only, for topics with guarded/open), else an in-character 'that's about it'."""
    used = state.follow_ups_used.get(topic, 0)
    speaker = _speaker(persona, state)
    if answer.has_disclosure_levels and not opened:
        text = _fresh(state, defaults.guarded_follow_up_lines(persona), cid, topic, "guarded-follow-up", used)
        return PatientReply(text, topic, "guarded", False, state.rapport, (topic,), speaker, state.hurt)
    if answer.has_disclosure_levels and state.said_level.get(topic) != "open":
        return _answer(persona, cid, state, topic, answer, opened, state.asked.get(topic, 1))
    state.follow_ups_used[topic] = used + 1
    if used < len(answer.follow_up):
        return PatientReply(answer.follow_up[used], topic, "follow_up", False, state.rapport, (topic,),
                            speaker, state.hurt)
    text = _fresh(state, defaults.nothing_more_lines(persona), cid, topic, "nothing-more", used)
    return PatientReply(text, topic, "follow_up", False, state.rapport, (topic,), speaker, state.hurt)


def _maybe_escalate(persona: Persona, cid: str, state: _State, index: int, act: str,
                    reply: PatientReply) -> PatientReply:
    due = [m for m in state.missed if m[1] <= index and m[0] not in state.escalated]
    if not due or reply.cue or act in NO_ESCALATION_AFTER or reply.level == "fallback":
        return reply
    topic, _ = due[0]
    state.missed = [m for m in state.missed if m[0] != topic]
    state.escalated.add(topic)
    answer = persona.answers[topic]
    if answer.escalation:
        extra = pick(answer.escalation, cid, topic, "escalation")
    else:
        lead = pick(defaults.escalation_leads(), cid, topic, "lead")
        extra = f"{lead} {pick(answer.open, cid, topic, 'open')}"
    state.pending_cue = topic
    return PatientReply(f"{reply.text} {extra}", reply.topic, reply.level, True, state.rapport,
                        reply.topics, reply.speaker, reply.hurt)
