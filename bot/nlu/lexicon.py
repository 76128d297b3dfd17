"""Word classes the classifier sees as one feature: medicine names and doses.

Real clinicians name drugs ("still on the carvedilol 25 milligrams?"); a model that has
never seen "carvedilol" guesses from its letters. Medicine names come from the
drug-named-entity-recognition package's dictionary (MIT, shipped inside the package, no
download); they are read once at training and stored in the model, so parsing never loads
the package. See docs/intent-guide.md for how such turns are labelled.
"""
from __future__ import annotations

import re
from typing import FrozenSet, Iterable

#: The token a medicine name becomes, and the one a dose becomes.
MEDICINE = "medicinename"
DOSE = "medicinedose"

#: Recreational or everyday substances the dictionary also lists: these belong to
#: ask_substances, so they keep their own words.
_NOT_MEDICINES = frozenset({
    "alcohol", "caffeine", "nicotine", "cocaine", "heroin", "cannabis", "marijuana", "weed", "ecstasy",
    "mdma", "ketamine", "speed", "crack", "methadone", "tobacco", "coffee", "tea", "water", "oxygen",
    "sugar", "salt", "iron", "zinc", "cortisol", "adrenaline", "serotonin", "dopamine", "melatonin",
    "insulin", "vitamin", "fibre", "fiber", "gluten", "lactose", "peppermint", "ginger", "honey",
})
_WORD = re.compile(r"[a-z][a-z\-]{3,}")
DOSE_RE = re.compile(r"\b\d+(?:[.,/]\d+)?\s?(?:mg|milligrams?|mcg|micrograms?|ml|mls|millilitres?|milliliters?|"
                     r"g|grams?|units?|iu|puffs?|tabs?|tablets?|caps?|capsules?|sachets?)\b")


def medicine_words() -> FrozenSet[str]:
    """Single-word medicine names and brands from the package's dictionary (training only)."""
    from drug_named_entity_recognition.drugs_finder import d as dictionary

    names = dictionary["drug_variant_to_canonical"]
    return frozenset(w for w in names if _WORD.fullmatch(w) and w not in _NOT_MEDICINES)


def tag_medicines(tokens: Iterable[str], medicines: FrozenSet[str]) -> list:
    """Tokens with every medicine name replaced by :data:`MEDICINE`."""
    return [MEDICINE if tok in medicines else tok for tok in tokens]
