"""Word classes the classifier sees as one feature (medicine names and doses), and the
texting spellings it reads as the words they stand for.

Real clinicians name drugs ("still on the carvedilol 25 milligrams?"); a model that has
never seen "carvedilol" guesses from its letters. Medicine names come from the
drug-named-entity-recognition package's dictionary (MIT, shipped inside the package, no
download); they are read once at training and stored in the model, so parsing never loads
the package. See docs/intent-guide.md for how such turns are labelled.
"""
from __future__ import annotations

import re
from typing import FrozenSet, Iterable, Tuple

#: Texting spellings seen in student chats, mapped to the words the model learned.
TEXTING = {
    "u": "you", "ur": "your", "r": "are", "ya": "you", "wat": "what", "wot": "what", "hw": "how",
    "pls": "please", "plz": "please", "thx": "thanks", "ty": "thank you", "abt": "about",
    "bc": "because", "cos": "because", "coz": "because", "cuz": "because", "n": "and",
    "im": "i'm", "ive": "i've", "dont": "don't", "doesnt": "doesn't", "didnt": "didn't",
    "hows": "how's", "whats": "what's", "thats": "that's", "its": "it's", "youre": "you're",
    "cant": "can't", "wont": "won't", "isnt": "isn't", "anythin": "anything", "somethin": "something",
}

#: Clinicians' shorthand in typed questions ("FHx? PMH?", "any PR bleeding or wt loss"),
#: read as the words it stands for (the examples mostly spell them out).
SHORTHAND = {
    "pmh": "past medical history", "pmhx": "past medical history", "fhx": "family history",
    "fh": "family history", "dhx": "drug history", "shx": "social history", "hx": "history",
    "hpc": "history of the complaint", "probs": "problems", "wt": "weight",
    "sob": "short of breath", "pr": "rectal", "pv": "vaginal", "otc": "over the counter", "etoh": "alcohol",
    "nkda": "no known drug allergies", "abdo": "abdominal", "sx": "symptoms", "dx": "diagnosis",
    "tx": "treatment", "rx": "treatment", "ix": "tests", "bp": "blood pressure", "tatt": "tired all the time",
    "hrs": "hours", "wks": "weeks", "mths": "months", "yrs": "years", "mins": "minutes", "cigs": "cigarettes",
    "idk": "i don't know", "tbh": "to be honest", "gonna": "going to", "wanna": "want to",
}
#: Every spelling the model reads as other words: texting and shorthand.
READ_AS = {**TEXTING, **SHORTHAND}


def texting_forms(*words: str) -> Tuple[str, ...]:
    """The texting spellings of these words ("wat" and "wot" for what): the clause splitter
    needs them to see where a second question starts."""
    return tuple(k for k, v in TEXTING.items() if v in words)


#: Capitalised words that start a sentence but are no one's name ("Okay, how...", "So,
#: what...", "Sorry, who's Tom?"): the clause splitter does not take them for a name the
#: learner turns to, and the patient does not take them for a person it named. Kinship and
#: role words ("Mum", "Doctor", "Mr") are each module's own choice.
NOT_NAMES = frozenset("""Okay Ok Right Sorry Thanks Great Yes Yeah No Well Sure Good Lovely Alright Cool Fine Ah Oh
Hmm Mm Now So And Then Hi Hello Hey Morning Afternoon Evening Who Whos What Is Was Are Did Does The Your His Her
Their Tell Remind""".split())

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
