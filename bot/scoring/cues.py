"""Emotional cues in patient turns (Suchman's empathic opportunities) and how the learner
answered them: a continuer acknowledges or explores, a terminator moves on.

A cue is found by meaning, not by wording (docs/scoring.md, "Cues"): the cue reader
(bot/scoring/cue_model.py) gives each patient clause a probability of carrying an emotion
and names it; with a known persona, a clause that paraphrases one of the persona's cue
answers is a cue too, and one that paraphrases a plain answer needs a surer reading.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from scipy import sparse

from bot.nlu.segments import Segment, clauses_of, clip
from bot.patient.engine import CONTINUERS
from bot.personas.model import Persona
from bot.scoring import cue_model
from bot.scoring.style import exploring_phrase

#: A clause the cue reader is this sure of is a cue (fitted on the dev half of corpus 2).
CUE_PROBABILITY = 0.5
#: A clause of this many words or fewer ("Sorry.", "Just this.") says too little to read
#: on its own and needs this reading.
SHORT_CLAUSE_WORDS = 3
SHORT_CLAUSE_PROBABILITY = 0.85
#: With a known persona: a clause at least this close (cosine) to a cue answer is a cue ...
PERSONA_CUE_SIMILARITY = 0.4
#: ... and one closer to a plain answer than to any cue answer needs this reading instead.
PLAIN_ANSWER_PROBABILITY = 0.6

#: Learner acts that pick up a cue (continuers): the patient engine's own set.
CONTINUER_TOPICS = CONTINUERS


@dataclass(frozen=True)
class Cue:
    """The clause of a patient turn that carries a cue, and the emotion it hints at."""

    quote: str
    emotion: str


@dataclass(frozen=True)
class ClauseReading:
    probability: float
    emotion: str
    #: With a known persona: closeness (cosine) to its nearest cue answer and nearest plain one.
    cue_answer: float = 0.0
    plain_answer: float = 0.0


def patient_clauses(text: str) -> List[Segment]:
    return clauses_of(text)


def read_clauses(batches: Sequence[Tuple[Sequence[str], Optional[Persona]]]) -> List[List[ClauseReading]]:
    """The cue reader on every transcript's patient clauses at once (one batch per scoring
    run), each transcript's clauses compared with its persona's answers in one product."""
    texts = [t for batch, _ in batches for t in batch]
    if not texts:
        return [[] for _ in batches]
    vectors = cue_model.model().vectors(texts)
    readings = cue_model.cue_readings(vectors)
    out: List[List[ClauseReading]] = []
    pos = 0
    for batch, persona in batches:
        rows = slice(pos, pos + len(batch))
        near = persona_cues(persona).closeness(vectors[rows]) if persona is not None and batch else None
        out.append([ClauseReading(p, e, *(near[i] if near else (0.0, 0.0)))
                    for i, (p, e) in enumerate(readings[rows])])
        pos += len(batch)
    return out


class PersonaCues:
    """A persona's answers in the cue reader's space: which are cues, which plain facts."""

    def __init__(self, persona: Persona) -> None:
        texts: List[str] = []
        is_cue: List[bool] = []
        for answer in persona.answers.values():
            cue_texts = set(answer.open + answer.escalation) if answer.cue else set()
            for text in answer.all_texts():
                for clause in patient_clauses(text):
                    texts.append(clause.text)
                    is_cue.append(text in cue_texts)
        self._vectors = cue_model.model().vectors(texts) if texts else None
        self._is_cue = np.array(is_cue, dtype=bool)

    def closeness(self, vectors: sparse.csr_matrix) -> List[Tuple[float, float]]:
        """For each clause (a row of ``vectors``): its closeness to the nearest cue answer,
        and to the nearest plain one."""
        if self._vectors is None:
            return [(0.0, 0.0)] * vectors.shape[0]
        sims = (vectors @ self._vectors.T).toarray()
        cue = sims[:, self._is_cue].max(axis=1) if self._is_cue.any() else np.zeros(len(sims))
        plain = sims[:, ~self._is_cue].max(axis=1) if (~self._is_cue).any() else np.zeros(len(sims))
        return list(zip(cue.tolist(), plain.tolist()))


_persona_lock = threading.Lock()
_persona_cache: Dict[Tuple[str, int], PersonaCues] = {}


def persona_cues(persona: Persona) -> PersonaCues:
    key = (persona.id, id(persona))  # a reloaded file is a new object
    with _persona_lock:
        if key not in _persona_cache:
            if len(_persona_cache) > 64:
                _persona_cache.clear()
            _persona_cache[key] = PersonaCues(persona)
        return _persona_cache[key]


#: The patient's reply to an explanation, a plan or the closing (relief, thanks, doubts about
#: the plan) is rarely an empathic opportunity: it needs this reading (fitted on dev).
AFTER_PLAN_ACTS = frozenset({"explain_diagnosis", "explain_mind_body", "propose_plan", "safety_net",
                             "check_understanding", "invite_questions"})
AFTER_PLAN_PROBABILITY = 0.9
#: The reply to a greeting or the opening question tells the story of the complaint, which
#: sounds emotional more often than it offers an empathic opportunity (fitted on dev).
OPENING_ACTS = frozenset({"greet", "ask_open"})
OPENING_PROBABILITY = 0.7
#: After an empathic learner turn the patient often goes on in the same feeling ("It's just
#: nice to be listened to"): only a clause read this surely is a new cue (fitted on dev).
AFTER_EMPATHY_PROBABILITY = 0.95


def find_cue(clauses: Sequence[Segment], readings: Sequence[ClauseReading], after: Optional[str] = None,
             after_empathy: bool = False) -> Optional[Cue]:
    """The patient turn's cue: its most emotional clause when that clause is a cue. ``after``
    is the main act of the learner turn it answers; ``after_empathy`` says that turn was
    empathic, so the patient is going on with a feeling already met, not offering a new one."""
    best: Optional[Tuple[float, Cue]] = None
    base = AFTER_PLAN_PROBABILITY if after in AFTER_PLAN_ACTS else CUE_PROBABILITY
    if after in OPENING_ACTS:
        base = max(base, OPENING_PROBABILITY)
    if after_empathy:
        base = max(base, AFTER_EMPATHY_PROBABILITY)
    for clause, reading in zip(clauses, readings):
        threshold = max(base, SHORT_CLAUSE_PROBABILITY) if len(clause.text.split()) <= SHORT_CLAUSE_WORDS else base
        cue_sim, plain_sim = reading.cue_answer, reading.plain_answer
        if cue_sim >= PERSONA_CUE_SIMILARITY and cue_sim >= plain_sim and not after_empathy:
            threshold = 0.0
        elif plain_sim > cue_sim and plain_sim >= PERSONA_CUE_SIMILARITY:
            threshold = max(threshold, PLAIN_ANSWER_PROBABILITY)
        if reading.probability >= threshold and (best is None or reading.probability > best[0]):
            best = (reading.probability, Cue(clip(clause.text), reading.emotion))
    return best[1] if best else None


_WORD = re.compile(r"[a-z']{4,}")
#: Words too common in these interviews to show that a reply picked up the cue.
_COMMON = frozenset("""
about after again also always anything back been before being come could didn't does doesn't doing don't down
each even ever every feel feeling feels from getting going gone good have having here into it's just keep know
like little look made make many more most much must need never night only other over pain really right same
say said should since some something still such sure take tell than that that's their them then there these
they thing things think this those time told very want well went were what when where which while will with
would year years your you're you've
""".split())


def takes_up(cue: Cue, reply_text: str) -> bool:
    """Does the reply pick up the cue's own words ("Losing the rugby and the boys...")?
    Only its opening clauses count: a word met at the end of a long question does not."""
    opening = " ".join(c.text for c in patient_clauses(reply_text)[:2]).lower()
    cue_words = set(_WORD.findall(cue.quote.lower())) - _COMMON
    return bool(cue_words & set(_WORD.findall(opening)))


def is_continuer(acts: Sequence[str], turn_text: str, empathic: bool) -> bool:
    """Any act of the turn may pick the cue up ("So on top of losing him, you blame
    yourself. How's your sleep?" reflects first), as may an empathic or exploring phrase."""
    return empathic or bool(set(acts) & CONTINUER_TOPICS) or exploring_phrase(turn_text)


#: What a continuer says for each emotion: name it, then invite more. {quote} is the
#: patient's own words.
_REPLIES = {
    "loss": "You said \"{quote}\". That sounds like a real loss. Would you tell me a bit more about it?",
    "fear": "You said \"{quote}\". That sounds frightening. What is it you're most afraid of?",
    "shame": "You said \"{quote}\". There's nothing to be embarrassed about here. How has that been for you?",
    "anger": "You said \"{quote}\". I can hear how frustrating that's been. What has made it hardest?",
    "exhaustion": "You said \"{quote}\". That sounds exhausting. How are you keeping going?",
    "isolation": "You said \"{quote}\". That sounds lonely. Who do you have around you at the moment?",
}


def suggestion_for(cue: Cue) -> str:
    """An example continuer for a missed cue that fits its emotion and quotes the patient."""
    words = cue.quote.strip().rstrip(".!").strip()
    if len(words) > 90:
        words = words[:87].rsplit(" ", 1)[0] + "..."
    template = _REPLIES.get(cue.emotion, "You said \"{quote}\". That sounds hard. Can you tell me more?")
    return template.format(quote=words)
