"""The patient axes beside demeanour: recall (precise | vague) and English proficiency
(fluent | limited). Both are rules on what was said and asked, so they replay from the
tracker like everything else (docs/authoring.md, "Patient axes")."""
from __future__ import annotations

import re

from bot.personas.model import Persona

#: Topics whose answers are dates and numbers: a patient with vague recall hedges on them.
RECALL_TOPICS = frozenset({"ask_onset", "ask_timing", "ask_medications", "ask_previous_care",
                           "ask_medical_history", "ask_family_history"})
#: Words past which a question is too long for a patient with limited English.
LONG_QUESTION_WORDS = 20
#: Clinical words a patient with limited English does not follow (stems: "radiat" is
#: radiate, radiates, radiating, radiation).
JARGON = ("radiat", "intermittent", "exacerbat", "aggravat", "alleviat", "nocturnal", "rectal", "stool",
          "bowel habit", "haematochezia", "hematochezia", "melaena", "tenesmus", "dyspepsia", "paraesthesia",
          "paresthesia", "ideation", "psychosocial", "symptomatology", "comorbid", "precipitat", "onset",
          "anhedonia", "analgesi", "concomitant", "unintentional", "unintended", "recurrent")
_WORD = re.compile(r"[A-Za-z']+")


def hedges_recall(persona: Persona, topic: str, text: str) -> bool:
    """A vague patient starts a first answer on dates and numbers with "I don't remember
    exactly", unless the author's words already say so."""
    return (persona.recall == "vague" and topic in RECALL_TOPICS
            and not re.search(r"\bremember\b|\bnot sure\b", text, re.IGNORECASE))


def hard_to_follow(persona: Persona, question: str) -> bool:
    """A question a patient with limited English asks to hear again: long, or with jargon."""
    if persona.proficiency != "limited" or not question:
        return False
    lowered = question.lower()
    return len(_WORD.findall(question)) > LONG_QUESTION_WORDS or any(term in lowered for term in JARGON)
