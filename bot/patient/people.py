"""Who is that? A short question about someone the patient just named ("And Tom is...?",
"Who's Bridget?") asks about the patient's people: it is answered from the topic of the
persona file that speaks of that person (docs/intent-guide.md, "Follow-ups")."""
from __future__ import annotations

import re
from typing import Optional, Sequence, Tuple

from bot.nlu import lexicon
from bot.nlu.reading import WARM_PREFACE_ACTS
from bot.personas.model import Persona

#: The topics where a persona file speaks of the people in the patient's life, in the order
#: a "who is..." question is answered from.
PEOPLE_TOPICS = ("ask_relationships", "ask_support", "ask_family_history")
#: At most this many words: "And Tom is...?", "sorry, who's Tom?", "Tom - your husband?".
WHO_WORDS = 6
_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")
#: Capitalised words that name no one the patient spoke of: sentence starters
#: (lexicon.NOT_NAMES), kinship and titles.
_NOT_NAMES = lexicon.NOT_NAMES | {"Mum", "Dad", "Doctor", "Mr", "Mrs", "Ms", "Miss", "Dr"}


#: The question asks who: "who's Tom?", "And Tom is...?", "Tom?", "Tom - is that your husband?".
_WHO = re.compile(r"\bwho(?:'s|s| is| was| are)?\b|^\W*(?:(?:and|sorry|so|um|erm)\W+)*(?-i:[A-Z][a-z]+)"
                  r"(?:\s+(?:is|being|was))?\W*(?:\.\.\.|\u2026)?\W*\?*\W*$|\bis (?:that|he|she) (?:your|his|her)\b",
                  re.IGNORECASE)


def person_asked_about(persona: Persona, text: str, last_reply: str, own_names: Sequence[str]) -> Optional[str]:
    """The topic that says who the person is whom a short question names, when the patient
    named them in the last reply; None otherwise."""
    if len(text.split()) > WHO_WORDS or "?" not in text and not text.rstrip().endswith("..."):
        return None
    if not _WHO.search(text):
        return None
    said = [n for n in dict.fromkeys(_NAME.findall(last_reply)) if n not in _NOT_NAMES and n not in own_names]
    names = [n for n in said if re.search(rf"\b{re.escape(n)}\b", text, re.IGNORECASE)]
    if not names:
        return None
    for topic in PEOPLE_TOPICS:
        answer = persona.answers.get(topic)
        if answer is not None and any(re.search(rf"\b{re.escape(names[0])}\b", t) for t in answer.all_texts()):
            return topic
    return None


def acts_asking_who(persona: Persona, acts: Sequence[str], text: str, last_reply: str,
                    own_names: Sequence[str]) -> Tuple[str, ...]:
    """The turn's acts with a "who is..." question read as the people topic it asks about
    (person_asked_about), keeping a warm preface ("Sorry, I should have asked - who's
    Tom?"); unchanged otherwise. The patient and the scorer both use this."""
    topic = person_asked_about(persona, text, last_reply, own_names)
    if topic is None:
        return tuple(acts)
    return (*[a for a in acts if a in WARM_PREFACE_ACTS], topic)
