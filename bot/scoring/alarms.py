"""Did the learner draw out the persona's positive alarm features (a red flag, passive
suicidal ideation)? The persona file marks them (docs/authoring.md); a feature is drawn
out when the learner asked its topic and the patient's next turn says it (docs/scoring.md,
"Clinical content")."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

from bot.scoring.analysis import Analysis

_WORD = re.compile(r"[a-z]{4,}")
#: Words the patient's turn must share with the feature's own lines to count as saying it.
SHARED_WORDS = 3


@dataclass(frozen=True)
class AlarmOutcome:
    topic: str
    description: str
    asked_at: Optional[int]  # the first learner turn that asked the feature's topic
    revealed_at: Optional[int]  # the patient turn that said it

    def to_json(self) -> dict:
        return {"topic": self.topic, "description": self.description, "asked_at": self.asked_at,
                "revealed_at": self.revealed_at, "drawn_out": self.revealed_at is not None}


def alarm_outcomes(a: Analysis) -> List[AlarmOutcome]:
    if a.persona is None:
        return []
    by_number = {p.number: p for p in a.patient}
    out = []
    for feature in a.persona.alarm_features():
        words = {w for text in feature.texts for w in _WORD.findall(text.lower())}
        asking = [t.number for t in a.learner if feature.topic in t.topics]
        revealed = next((n + 1 for n in asking if n + 1 in by_number
                         and len(words & set(_WORD.findall(by_number[n + 1].text.lower()))) >= SHARED_WORDS), None)
        out.append(AlarmOutcome(feature.topic, feature.description, asking[0] if asking else None, revealed))
    return out
