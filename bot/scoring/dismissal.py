"""Dismissive and stigmatising language in a learner turn, with its kind (rubric-sources.md).

The dismissal classifier (bot/scoring/dismissal_model.py) reads each clause of the turn and
the whole turn: a clause is dismissive when it reads so on its own AND the turn around it
does not take it back ("your GP said it was stress - I don't think that's the whole
story"). A sure reading caps the score; an unsure one is shown "for review" and caps
nothing (docs/scoring.md, "Dismissals"). The kind is the classifier's; the quote is the
dismissive clause itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Optional, Sequence, Tuple

from bot.nlu.segments import Segment, clauses_of, with_clauses
from bot.scoring import dismissal_model
from bot.scoring.classifier import shared_classifier
from bot.scoring.dismissal_model import KINDS, DismissalReading

__all__ = ["KINDS", "Dismissal", "detect", "dismissal_act"]

#: A clause this likely dismissive, in a turn at least TURN_CONFIDENT so, is a dismissal;
#: so is a clause read as surely dismissive as CLAUSE_SURE when warm words around it dilute
#: the whole turn down to TURN_DILUTED ("I'm so sorry... the good news is there's nothing
#: actually wrong"). All fitted on the dev half of tests/data/scoring_2.
CLAUSE_CONFIDENT = 0.7
TURN_CONFIDENT = 0.4
CLAUSE_SURE = 0.97
TURN_DILUTED = 0.2
#: A turn read as dismissive this surely as a whole is a dismissal even when no one clause
#: reaches CLAUSE_CONFIDENT ("Three normal MRIs. That settles it: your back is not the
#: cause."): its likeliest clause, at least CLAUSE_REVIEW, is the quote. Fitted on the dev
#: half and on 640 blind sentences kept out of training (docs/scoring.md).
TURN_SURE = 0.7
#: Below those but above these, the clause is shown for review.
CLAUSE_REVIEW = 0.35
TURN_REVIEW = 0.15


#: A clause framed as the patient's own view ("So you put it down to your age", "You reckon
#: it's the stress?") is a reflection, not the learner's verdict: at most "for review". Not
#: "as you said, it's all stress": that endorses it.
_PATIENTS_VIEW = re.compile(
    r"^\W*(?:(?:so|and|right|ok|okay|mm|yeah)\W+)*(?:(?:it )?(?:sounds|seems) like |i get the sense |"
    r"i hear that |if i'?ve got it right,? )?you(?:'re| are|'ve| have)?\s+(?:been\s+)?(?:think(?:ing)?|thought|(?:feel|felt) (?:like|that|as if|as though|it'?s|it is|it was|this is|people|everyone|nobody|no one|others|they|doctors)|"
    r"reckon(?:ed)?|see (?:it|this|them) as|put (?:it|this|them) down to|wonder(?:ed|ing)?|worr(?:y|ied)|believe|"
    r"suspect(?:ed)?|fear|blame|are worried|'re worried|worried)\b",
    re.IGNORECASE)


#: A clause that only reports what the patient said ("You said it's not only the back.") gives
#: it back too; one that draws a conclusion from it or agrees ("you mentioned deadlines, so
#: it's most likely just stress", "you said it's stress and I agree") is the learner's verdict.
_REPORTED = re.compile(
    r"^\W*(?:(?:so|and|right|ok|okay|mm|yeah)\W+)*you (?:said|mentioned|told me|were saying)\b"
    r"(?![^.?!]*\b(?:so|which means|that'?s why|therefore|then|i agree|you'?re right|exactly|spot on)\b)",
    re.IGNORECASE)


def patients_view(clause: str) -> bool:
    return bool(_PATIENTS_VIEW.search(clause) or _REPORTED.search(clause))


#: A turn the act model reads as a reflection this surely ("So it's a deep ache, like you've
#: done a workout") gives the patient's words back: only a sure dismissal reading (CLAUSE_SURE)
#: outweighs that; below it the clause is for review (fitted on the dialogue dev sets).
REFLECTION_CONFIDENT = 0.5


def reads_as_reflection(main_act: str, confidence: float) -> bool:
    return main_act == "reflect" and confidence >= REFLECTION_CONFIDENT


def patient_act(kind: str) -> str:
    """The act by which the patient takes a dismissal of this kind: a premature reassurance
    hurts as ``reassure_premature``, every other kind as ``dismiss``."""
    return "reassure_premature" if kind == "premature_reassurance" else "dismiss"


@dataclass(frozen=True)
class Dismissal:
    kind: str
    quote: str
    probability: float
    confident: bool  # False: "for review", shown to the assessor, never capping the score


#: A later clause of the turn that the act model reads this surely as keeping the symptoms
#: real ("... your gut's probably copping it. It's not that it isn't real, it's that the
#: volume's been turned up") makes a dismissive reading short of CLAUSE_SURE for review only
#: (fitted on the dev half and the dev sentences: no dismissal there is lost). The same
#: words BEFORE the dismissive clause are a warm frame around it ("I believe the pain is
#: real, but do you think the claim makes it harder to get better?"): a clause read at
#: WARM_FRAME_SURE after one is confident however the whole turn reads.
KEEPS_REAL_ACTS = frozenset({"legitimize", "explain_mind_body"})
KEEPS_REAL_CONFIDENCE = 0.7
WARM_FRAME_SURE = 0.85


def clauses_keeping_real(acts: Sequence[Tuple[str, float]]) -> List[bool]:
    """For each clause's act and its confidence: does it keep the symptoms real?"""
    return [len(acts) > 1 and name in KEEPS_REAL_ACTS and p >= KEEPS_REAL_CONFIDENCE for name, p in acts]


def detect(parts: Sequence[Segment], clause_readings: Sequence[DismissalReading], turn_reading: DismissalReading,
           red_flags_checked: bool = False, reflecting: bool = False,
           keeping_real: Sequence[bool] = ()) -> List[Dismissal]:
    """The dismissive clauses of one learner turn, likeliest first. ``reflecting``: the act
    model reads the turn as a reflection (reads_as_reflection); ``keeping_real``: for each
    clause, whether it keeps the symptoms real (clauses_keeping_real)."""
    turn_p = turn_reading.probability
    if turn_p < TURN_REVIEW:
        return []
    found = []
    likeliest = max((r.probability for r in clause_readings), default=0.0)
    for index, (clause, reading) in enumerate(zip(parts, clause_readings)):
        if reading.probability < CLAUSE_REVIEW:
            continue
        confident = ((reading.probability >= CLAUSE_CONFIDENT and turn_p >= TURN_CONFIDENT)
                     or (reading.probability >= CLAUSE_SURE and turn_p >= TURN_DILUTED)
                     or (turn_p >= TURN_SURE and reading.probability == likeliest))
        if reading.kind == "premature_reassurance" and red_flags_checked:
            confident = False  # reassurance after the alarm features were asked about may be earned
        kept_real = any(k for other, k in enumerate(keeping_real) if other > index)
        warm_frame = any(k for other, k in enumerate(keeping_real) if other < index)
        if warm_frame and reading.probability >= WARM_FRAME_SURE and not kept_real:
            confident = True  # "I believe you it's real, but ... gets you out of lessons"
        if patients_view(clause.text) or ((reflecting or kept_real) and reading.probability < CLAUSE_SURE):
            confident = False
        found.append(Dismissal(reading.kind, clause.text, round(min(reading.probability, turn_p), 3), confident))
    return sorted(found, key=lambda d: -d.probability)


def dismissal_act(text: str, red_flags_checked: bool = False, reflecting: bool = False) -> Optional[str]:
    """The patient's act for a learner turn by this reader: "dismiss", or "reassure_premature"
    for a premature reassurance, when it is sure (the report caps the score); "" when it finds
    nothing dismissive (the NLU's dismiss, if any, was a misreading); None when it is unsure
    (the report shows the turn for review): then the NLU's reading stands. So the patient is
    hurt by what the score report calls a dismissal."""
    return _dismissal_act(text, red_flags_checked, reflecting)


@lru_cache(maxsize=4096)
def _dismissal_act(text: str, red_flags_checked: bool, reflecting: bool) -> Optional[str]:
    parts = clauses_of(text)
    readings = dismissal_model.read(with_clauses(text))
    whole, clauses = readings[0], (readings[1:] or readings[:1])
    keeping_real: List[bool] = []
    if len(parts) > 1 and any(CLAUSE_REVIEW <= r.probability < CLAUSE_SURE for r in clauses):
        # The act model is asked only for the few turns the answer can change.
        keeping_real = clauses_keeping_real([(p.topic, p.confidence) for p in
                                             shared_classifier().predict([part.text for part in parts])])
    found = detect(parts, clauses, whole, red_flags_checked, reflecting, keeping_real)
    sure = [d for d in found if d.confident]
    if sure:
        return patient_act(sure[0].kind)
    return None if found else ""
