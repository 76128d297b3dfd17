"""Immutable persona objects: what the run-time patient needs from a persona file."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional, Tuple

#: One thing the patient may say, as one or more variants (picked deterministically).
Variants = Tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    """A persona's answer to one topic.

    ``guarded`` is used while rapport is low, ``open`` once it is earned. For a plain
    answer both hold the same text.
    """

    guarded: Variants
    open: Variants
    cue: bool = False
    escalation: Variants = ()
    repeat: Variants = ()
    direct_only: bool = False
    #: Short further facts, given one by one when the learner follows up ("How many?").
    follow_up: Variants = ()
    #: In a proxy case, what the patient says in their own voice when addressed directly.
    patient: Variants = ()

    @property
    def has_disclosure_levels(self) -> bool:
        return self.guarded != self.open

    def all_texts(self) -> Tuple[str, ...]:
        return tuple(dict.fromkeys(self.guarded + self.open + self.repeat + self.escalation
                                   + self.follow_up + self.patient))


@dataclass(frozen=True)
class Proxy:
    speaker: str
    relation: str


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    age: int
    sex: str
    occupation: str
    complaint: str
    chief_complaint: str
    opening: Variants
    answers: Dict[str, Answer]
    reactions: Dict[str, Variants] = field(default_factory=dict)
    summary: str = ""
    demeanour: str = "neutral"
    language: str = "en"
    pronouns: str = ""
    proxy: Optional[Proxy] = None
    rapport_start: float = 0.0
    open_at: float = 1.0
    volunteers: Tuple[str, ...] = ()
    fallback: Variants = ()
    unknown: Variants = ()
    source: Optional[Path] = None

    @property
    def one_line(self) -> str:
        return self.summary or self.chief_complaint

    def cue_texts(self) -> Tuple[str, ...]:
        """Every text the persona marks as an emotional cue (open variants and escalations)."""
        texts = []
        for answer in self.answers.values():
            if answer.cue:
                texts.extend(answer.open)
                texts.extend(answer.escalation)
        return tuple(texts)
