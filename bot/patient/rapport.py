"""Rapport: how each learner act moves the patient's trust, and the hurt of a dismissal.

One home for the rule, used by the patient (bot/patient/engine.py, which answers from it)
and by the scorer's patient's view (bot/scoring/patient_view.py, which replays it over a
transcript), so one student turn moves both the same way. docs/authoring.md, "How the
patient behaves", explains the numbers to persona authors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, Tuple

from bot.nlu.reading import DISMISSIVE_ACTS

#: Rapport change per learner act (CARE / Suchman: acknowledging builds trust,
#: dismissing and empty reassurance erode it).
RAPPORT_DELTA: Dict[str, float] = {
    "empathize": 1.0,
    "legitimize": 1.0,
    "explain_mind_body": 1.0,
    "explain_diagnosis": 1.0,
    "summarize": 0.5,
    "reflect": 0.5,
    "dismiss": -2.0,
    "reassure_premature": -1.0,
}
#: Extra rapport for answering an emotional cue with a continuer.
CUE_ACKNOWLEDGED_BONUS = 0.5
#: After a dismissal the patient stays guarded for this many learner turns whatever happens.
GUARDED_AFTER_DISMISSAL = 3
RAPPORT_RANGE = (-5.0, 6.0)

#: Acts that hurt the patient: until repaired, warmth counts for half and nothing opens up.
HURTING = DISMISSIVE_ACTS
#: Acts that repair the hurt at once (the symptoms are real; here is what they are).
REPAIRING = frozenset({"legitimize", "explain_mind_body", "explain_diagnosis"})
#: Or this many empathic acts after the hurt.
EMPATHY_TO_REPAIR = 2
#: Or an apology for what was said ("Sorry, that came out wrong"), which counts as this act.
#: The NLU has no act for it (topics v2), and often reads "I'm sorry, I shouldn't have
#: said that" as reassurance, so it is found by its words, and only once the patient is hurt.
APOLOGY_ACT = "legitimize"
_APOLOGY = re.compile(
    r"\b(?:sorry|apologi[sz]e|apologies)\b[^.?!]{0,40}\b(?:came out|didn'?t mean|did not mean|shouldn'?t have|"
    r"should not have|wrong way|badly|clumsy|brush(?:ed)? (?:you|it) off|dismissive|sounded|unfair)|"
    r"\bthat (?:came out|sounded) (?:wrong|badly|harsh|dismissive)|\bi didn'?t mean (?:to|that|it)\b|"
    r"\blet me (?:rephrase|put (?:that|it) (?:better|another way|differently)|try that again|start again)\b|"
    r"\bi take (?:that|it) back\b|\bthat was (?:a )?(?:clumsy|unfair|careless|thoughtless|insensitive)\b|"
    r"\b(?:that was|i was|that's|that is) (?:wrong|out of order|too (?:quick|hasty))\b|\bwrong of me\b|"
    r"\bspoke too (?:soon|quickly|fast)\b|\bjumped (?:the gun|to (?:a )?conclusions?)\b|\bmy (?:mistake|bad)\b|"
    r"\b(?:that )?(?:wasn'?t|was not) (?:fair|what i meant|right of me)\b|\bscratch that\b|\bforget (?:i said|what i said)\b",
    re.IGNORECASE)


def apology_phrase(text: str) -> bool:
    return bool(_APOLOGY.search(text))


def clamp(value: float) -> float:
    low, high = RAPPORT_RANGE
    return max(low, min(high, value))


@dataclass
class Rapport:
    """The patient's trust so far, replayed turn by turn."""

    rapport: float
    guarded_turns_left: int = 0
    hurt: bool = False
    empathy_since_hurt: int = 0

    def repaired_acts(self, acts: Iterable[str], text: str) -> Tuple[str, ...]:
        """The turn's acts, with an apology to a hurt patient read as a repair: it replaces
        the turn's hurting acts and a fallback (the NLU's misreadings of an apology)."""
        acts = tuple(acts)
        if not (self.hurt and apology_phrase(text)):
            return acts
        kept = tuple(a for a in acts if a not in HURTING and a != "nlu_fallback" and a != APOLOGY_ACT)
        return (APOLOGY_ACT, *kept)

    def acknowledge_cue(self) -> None:
        self.rapport = clamp(self.rapport + CUE_ACKNOWLEDGED_BONUS)

    def take_turn(self, acts: Iterable[str]) -> bool:
        """Move rapport by every act of one learner turn; True while the patient is guarded
        after a dismissal (this turn's included)."""
        acts = list(acts)
        guarded = self.guarded_turns_left > 0
        for act in acts:
            self._move(act)
        dismissed = "dismiss" in acts
        if not dismissed and self.guarded_turns_left > 0:
            self.guarded_turns_left -= 1
        return guarded or dismissed

    def _move(self, act: str) -> None:
        delta = RAPPORT_DELTA.get(act, 0.0)
        if act in HURTING:
            self.hurt, self.empathy_since_hurt = True, 0
            if act == "dismiss":
                self.guarded_turns_left = GUARDED_AFTER_DISMISSAL
        elif self.hurt and act in REPAIRING:
            self.hurt = False
        elif self.hurt and act == "empathize":
            self.empathy_since_hurt += 1
            delta /= 2
            if self.empathy_since_hurt >= EMPATHY_TO_REPAIR:
                self.hurt = False
        self.rapport = clamp(self.rapport + delta)
