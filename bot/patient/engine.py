"""How the patient answers: a pure function of the persona and the learner's acts so far.

State (rapport, disclosure, repeats, ignored cues) is never stored: it is replayed from
the sequence of learner acts, so the same conversation always gets the same replies and
any Rasa server holding the tracker can answer the next turn.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from bot import topics
from bot.patient import defaults
from bot.patient.variants import as_i_said, pick
from bot.personas.model import Answer, Persona

#: Rapport change per learner act (CARE / Suchman: acknowledging builds trust,
#: dismissing and empty reassurance erode it).
RAPPORT_DELTA: Dict[str, float] = {
    "empathize": 1.0,
    "legitimize": 1.0,
    "explain_mind_body": 1.0,
    "summarize": 0.5,
    "reflect": 0.5,
    "explain_diagnosis": 1.0,
    "dismiss": -2.0,
    "reassure_premature": -1.0,
}
#: Extra rapport for answering an emotional cue with a continuer.
CUE_ACKNOWLEDGED_BONUS = 0.5
#: After a dismissal the patient stays guarded for this many learner turns.
GUARDED_AFTER_DISMISSAL = 3
RAPPORT_RANGE = (-5.0, 6.0)

#: Learner acts that pick up an emotional cue (continuers).
CONTINUERS = frozenset({"empathize", "legitimize", "ask_open", "explain_mind_body", "reflect"})
#: Acts after which an ignored cue is not brought back (it would sound odd).
NO_ESCALATION_AFTER = frozenset({"goodbye", "dismiss", "reassure_premature", "greet", "out_of_scope",
                                 "empathize", "legitimize", "explain_mind_body"})

START = topics.START_INTENT
FALLBACK = topics.FALLBACK_INTENT


@dataclass(frozen=True)
class PatientReply:
    text: str
    topic: str
    level: str  # "open" | "guarded" | "reaction" | "fallback" | "unknown" | "opening"
    cue: bool
    rapport: float


@dataclass
class _State:
    rapport: float
    guarded_turns_left: int = 0
    asked: Dict[str, int] = field(default_factory=dict)
    last_level: Dict[str, str] = field(default_factory=dict)
    pending_cue: Optional[str] = None  # topic whose cue the learner has not yet answered
    missed: List[Tuple[str, int]] = field(default_factory=list)  # (topic, turn when due)
    escalated: set = field(default_factory=set)


def respond(persona: Persona, conversation_id: str, acts: Sequence[str]) -> PatientReply:
    """The patient's reply to the last of ``acts`` (learner acts since the interview began).

    ``acts`` may start with ``start_interview``; ``nlu_fallback`` marks a message the
    NLU did not understand.
    """
    if not acts:
        return _opening(persona, conversation_id)
    state = _State(rapport=persona.rapport_start)
    reply = _opening(persona, conversation_id)
    for index, act in enumerate(acts):
        if act == START:
            state = _State(rapport=persona.rapport_start)
            reply = _opening(persona, conversation_id)
            continue
        reply = _turn(persona, conversation_id, state, index, act)
    return reply


def _opening(persona: Persona, conversation_id: str) -> PatientReply:
    text = pick(persona.opening, conversation_id, "opening")
    if persona.volunteers:
        text = " ".join([text, *persona.volunteers])
    return PatientReply(text, START, "opening", False, persona.rapport_start)


def _clamp(value: float) -> float:
    low, high = RAPPORT_RANGE
    return max(low, min(high, value))


def _turn(persona: Persona, cid: str, state: _State, index: int, act: str) -> PatientReply:
    # 1. Did the learner pick up the cue the patient gave last turn?
    if state.pending_cue is not None:
        if act in CONTINUERS or act == state.pending_cue:
            state.rapport = _clamp(state.rapport + CUE_ACKNOWLEDGED_BONUS)
        elif state.pending_cue not in state.escalated and not persona.answers[state.pending_cue].direct_only:
            # A direct_only fact is said only when asked: an ignored one is never brought back.
            state.missed.append((state.pending_cue, index + 1))
        state.pending_cue = None

    # 2. Rapport and the guarded spell after a dismissal.
    state.rapport = _clamp(state.rapport + RAPPORT_DELTA.get(act, 0.0))
    guarded_now = state.guarded_turns_left > 0
    if act == "dismiss":
        state.guarded_turns_left = GUARDED_AFTER_DISMISSAL
    elif state.guarded_turns_left > 0:
        state.guarded_turns_left -= 1

    occurrence = state.asked.get(act, 0)
    state.asked[act] = occurrence + 1

    # 3. The reply itself.
    if act == topics.UNCOVERED_INTENT:
        text = pick(defaults.uncovered_lines(persona), cid, "uncovered", index)
        return PatientReply(text, act, "unknown", False, state.rapport)
    if act == FALLBACK or act not in topics.load_topics():
        text = pick(defaults.fallback_lines(persona), cid, "fallback", index)
        return PatientReply(text, FALLBACK, "fallback", False, state.rapport)

    category = topics.category_of(act)
    answer = persona.answers.get(act)
    if category in topics.REACTION_CATEGORIES and (act in persona.reactions or answer is None):
        reply = _reaction(persona, cid, act, occurrence, state)
    elif answer is None and defaults.default_answer_lines(act, persona):
        text = pick(defaults.default_answer_lines(act, persona), cid, "default", act, occurrence)
        reply = PatientReply(text, act, "default", False, state.rapport)
    elif answer is None:
        text = pick(defaults.unknown_lines(persona), cid, "unknown", act, occurrence)
        reply = PatientReply(text, act, "unknown", False, state.rapport)
    else:
        opened = state.rapport >= persona.open_at and not guarded_now
        reply = _answer(persona, cid, act, answer, opened, occurrence, state)

    # 4. An ignored cue comes back, more strongly, a turn later.
    return _maybe_escalate(persona, cid, state, index, act, reply)


def _reaction(persona: Persona, cid: str, act: str, occurrence: int, state: _State) -> PatientReply:
    own = persona.reactions.get(act) or (persona.answers[act].open if act in persona.answers else ())
    options = own or defaults.reaction_lines(act, persona) or defaults.unknown_lines(persona)
    # Cycle through variants so the same act twice does not get the identical line: the
    # persona's own lines from a per-conversation start, then the built-in ones, then round again.
    start = options.index(pick(options, cid, act)) if options else 0
    sequence = options[start:] + options[:start]
    if own:
        sequence += tuple(line for line in defaults.reaction_lines(act, persona) if line not in own)
    text = sequence[occurrence % len(sequence)]
    return PatientReply(text, act, "reaction", False, state.rapport)


def _answer(persona: Persona, cid: str, act: str, answer: Answer, opened: bool,
            occurrence: int, state: _State) -> PatientReply:
    level = "open" if (opened or not answer.has_disclosure_levels) else "guarded"
    texts = answer.open if level == "open" else answer.guarded
    base = pick(texts, cid, act, level)
    repeated = occurrence > 0 and state.last_level.get(act) == level
    if repeated:
        if answer.repeat:
            text = pick(answer.repeat, cid, act, "repeat", occurrence)
            if occurrence > 1 and len(answer.repeat) == 1:
                text = as_i_said(base, pick(defaults.repeat_prefixes(), cid, act, occurrence))
        else:
            text = as_i_said(base, pick(defaults.repeat_prefixes(), cid, act, occurrence))
    else:
        text = base
    state.last_level[act] = level
    is_cue = answer.cue and level == "open" and not repeated
    if is_cue:
        state.pending_cue = act
    return PatientReply(text, act, level, is_cue, state.rapport)


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
    return PatientReply(f"{reply.text} {extra}", reply.topic, reply.level, True, state.rapport)
