"""Immutable persona objects: what the run-time patient needs from a persona file."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Tuple

from bot import topics

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
    #: A positive alarm feature this answer reveals (short description), else "".
    alarm: str = ""

    @property
    def has_disclosure_levels(self) -> bool:
        return self.guarded != self.open

    def all_texts(self) -> Tuple[str, ...]:
        return tuple(dict.fromkeys(self.guarded + self.open + self.repeat + self.escalation
                                   + self.follow_up + self.patient))


#: Disclosure levels of an alarm feature (AlarmFeature.level).
ALARM_ANY_LEVEL = "any"
ALARM_OPEN_LEVEL = "open"


@dataclass(frozen=True)
class AlarmFeature:
    """A positive alarm feature the patient reveals only when the learner draws it out.

    ``topic``: the topic id whose answer reveals it (e.g. ``ask_red_flags``, ``ask_risk``).
    ``level``: ``"any"`` when the answer is the same at any rapport (a ``text`` answer), or
    ``"open"`` when only the open answer says it (a guarded/open answer: the learner must
    earn trust first). ``description``: the author's short description of the feature.
    ``texts``: the lines that say it (the open variants, and the patient's own words in a
    proxy case), for matching against a transcript's patient turns.
    """

    topic: str
    level: str
    description: str
    texts: Variants

    def revealed_by(self, topic: str, level: str) -> bool:
        """Whether a patient reply on ``topic`` at engine level ``level`` (PatientReply.level:
        "open", "guarded", "follow_up", ...) has said the feature."""
        if topic != self.topic:
            return False
        return level in ("open", "follow_up") or (self.level == ALARM_ANY_LEVEL and level == "guarded")


@dataclass(frozen=True)
class Volunteered:
    """A fact the patient offers unprompted, right after the opening; ``topic`` is the
    history topic it belongs to, or "" when the file does not say."""

    text: str
    topic: str = ""


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
    #: The volunteered facts with their topics (the same texts as ``volunteers``).
    volunteered: Tuple[Volunteered, ...] = ()
    #: "precise" or "vague": how well the patient recalls dates and numbers.
    recall: str = "precise"
    #: "fluent" or "limited": how well the patient speaks English.
    proficiency: str = "fluent"
    fallback: Variants = ()
    unknown: Variants = ()
    source: Optional[Path] = None

    @property
    def one_line(self) -> str:
        return self.summary or self.chief_complaint

    def cue_texts(self) -> Tuple[str, ...]:
        """Every text the persona marks as an emotional cue (open variants and escalations)."""
        texts: List[str] = []
        for answer in self.answers.values():
            if answer.cue:
                texts.extend(answer.open)
                texts.extend(answer.escalation)
        return tuple(texts)

    # ------------------------------------------------------------ facts for the scorer

    def alarm_features(self) -> Tuple[AlarmFeature, ...]:
        """Every positive alarm feature in the file (answers with ``alarm:``), in file order.

        A learner who asks the feature's topic (at the open level when ``level`` is "open")
        has drawn it out; one who never asks has missed it. The feature is never in the
        opening or the volunteered facts (lint checks); the engine says an answer only when
        its topic is asked (an ignored cue is brought back only after it was said).
        """
        found = []
        for topic_id, answer in self.answers.items():
            if answer.alarm:
                level = ALARM_OPEN_LEVEL if answer.has_disclosure_levels else ALARM_ANY_LEVEL
                found.append(AlarmFeature(topic_id, level, answer.alarm, tuple(dict.fromkeys(answer.open + answer.patient))))
        return tuple(found)

    def volunteered_topics(self) -> FrozenSet[str]:
        """Topics whose facts the patient offers unprompted (``volunteers`` entries with a
        ``topic``): a learner gets no credit for eliciting these."""
        return frozenset(v.topic for v in self.volunteered if v.topic)

    def elicited_topics(self) -> Tuple[str, ...]:
        """History topics (physical, psychosocial, perspective) the file answers whose facts
        the learner must draw out: answered, and not volunteered. ``direct_only`` answers
        and alarm features are always among them."""
        offered = self.volunteered_topics()
        history = topics.ids_in("physical", "psychosocial", "perspective")
        return tuple(t for t in history if t in self.answers and t not in offered)
