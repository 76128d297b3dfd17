"""The learner-act taxonomy, loaded from the project's own copy of topics.yml.

Everything that names a topic (NLU intents, the domain, persona answer keys, the
scorer) derives from or is checked against this module, so there is one source of
truth. The file is a verbatim copy of the shared contract; it is never read from
``../shared`` at run time.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

TOPICS_FILE = Path(__file__).with_name("topics.yml")

CATEGORIES: Tuple[str, ...] = ("process", "physical", "psychosocial", "perspective", "communication")

#: Topics whose answers may have guarded/open variants (disclosure depends on rapport).
DISCLOSURE_CATEGORIES = ("psychosocial", "perspective")
#: Topics that may appear under a persona's ``reactions``.
REACTION_CATEGORIES = ("process", "communication")

#: Intents that are not learner acts but are part of the conversation protocol.
START_INTENT = "start_interview"
FALLBACK_INTENT = "nlu_fallback"
#: A clinical or personal question that no topic covers (travel, pets, jabs...): the patient
#: answers it honestly ("not that I know of") instead of with another topic's facts.
UNCOVERED_INTENT = "uncovered_question"
#: An elliptical follow-up ("How many?", "and at night?") that takes its topic from the
#: conversation so far (bot/conversation.py resolves it).
FOLLOW_UP_INTENT = "follow_up"
#: Intents the NLU learns that are not topic ids.
EXTRA_INTENTS = (UNCOVERED_INTENT, FOLLOW_UP_INTENT)


@dataclass(frozen=True)
class Topic:
    id: str
    category: str
    desc: str
    examples: Tuple[str, ...]


@lru_cache(maxsize=1)
def load_topics() -> Dict[str, Topic]:
    """All topics in file order, keyed by id."""
    raw = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))
    topics: Dict[str, Topic] = {}
    for category in CATEGORIES:
        for topic_id, spec in (raw.get(category) or {}).items():
            topics[topic_id] = Topic(topic_id, category, spec["desc"], tuple(spec.get("examples", ())))
    return topics


def topic_ids() -> List[str]:
    return list(load_topics())


def ids_in(*categories: str) -> List[str]:
    return [t.id for t in load_topics().values() if t.category in categories]


@lru_cache(maxsize=1)
def history_question_ids() -> frozenset:
    """Topics the learner asks about the patient's history (physical, psychosocial,
    perspective): what a follow-up can follow and what a compound turn answers."""
    return frozenset(ids_in("physical", "psychosocial", "perspective"))


def category_of(topic_id: str) -> str:
    return load_topics()[topic_id].category
