"""Whom the learner is speaking to in a proxy case: the patient (a child, an adult cared
for) or the person speaking for them. Read from the words of each turn, so it replays
from the tracker like everything else (docs/authoring.md, "Proxies")."""
from __future__ import annotations

import re
from typing import List, Optional, Sequence

from bot.personas.model import Persona

#: Titles: the parent of a child patient; for an adult patient, "Mr Nowak" is the patient.
_TITLES = ("mr", "mrs", "ms", "miss")
#: What a learner calls a child instead of his name ("how are you sleeping, mate?").
_CHILD_WORDS = ("young man", "young lady", "little man", "mate", "buddy", "bud", "pal", "kiddo", "champ",
                "sweetheart", "sweetie")
CHILD_AGE = 16
_LEAD = r"(?:^|[,.!?;]\s*|\b(?:hi|hello|hey|so|and|ok|okay|right|now|(?:what|how) about you(?:rself)?)\s*,?\s*)"


def _vocative_at(names: Sequence[str], text: str, marked: bool = False) -> int:
    """Where the last of ``names`` used to address someone starts (at the start or after a
    greeting, or before/after a comma), or -1 when none is. ``marked``: only with a comma
    or a mark after it, for short forms that may be words ("And, ..." is not Andrew)."""
    found = -1
    after = r"\s*[,?!]" if marked else r"\b\s*[,?!.]?"
    for name in names:
        n = re.escape(name)
        for match in re.finditer(rf"{_LEAD}({n}){after}|,\s*({n})\s*[?!.]*\s*$", text, re.IGNORECASE):
            found = max(found, match.start(1) if match.group(1) else match.start(2))
    return found


def _short_forms(first: str) -> List[str]:
    """The short forms of a first name a learner picks up from the family ("Stan" for
    Stanislav, "Alf" for Alfie): every shorter prefix of three letters or more."""
    return [first[:end] for end in range(3, len(first))]


def _addressed_at(full: Sequence[str], first: str, text: str) -> int:
    """Where the last of these names, or a short form of ``first``, addresses someone."""
    short = _short_forms(first) if first else []
    return max(_vocative_at([first, *full] if first else full, text), _vocative_at(short, text, marked=True))


#: What a learner calls a parent or grandparent, by the relation the persona gives.
_RELATION_WORDS = {
    "mother": ("mum", "mom", "mummy", "mother"), "father": ("dad", "daddy", "father"),
    "grandmother": ("gran", "granny", "grandma", "nan", "nana", "nanna", "grandmother"),
    "grandfather": ("grandad", "granddad", "grandpa", "gramps", "grandfather"),
}
#: Words a learner uses to turn to a parent, whatever relation the persona gives.
_PROXY_WORDS = (*_RELATION_WORDS["mother"], *_RELATION_WORDS["father"])


#: Asking about someone in the third person ("has he had...", "does she sleep"): with no one
#: named, a question about the patient is put to the proxy.
_ABOUT_THEM = re.compile(r"\b(?:has|have|does|did|is|was|can|could|would|will)\s+(?:he|she)\b|'s\s+(?:he|she)\b|\b(?:he|she)\s+(?:has|is|does|did|was|'s)\b",
                         re.IGNORECASE)


def addressee_of(text: str, persona: Persona) -> Optional[str]:
    """"patient" or "proxy" when the turn names whom it speaks to, else None (unchanged);
    a question about "he"/"she" (or the patient by name) with no one addressed goes to the proxy."""
    if persona.proxy is None or not text:
        return None
    patient_first = persona.name.split()[0]
    proxy_first = persona.proxy.speaker.split()[0] if persona.proxy.speaker else ""
    relation = persona.proxy.relation.split()[0].lower() if persona.proxy.relation else ""
    child = persona.age < CHILD_AGE
    patient_names = list(_CHILD_WORDS if child else ())
    if not child and len(persona.name.split()) > 1:
        patient_names += [f"{title} {persona.name.split()[-1]}" for title in _TITLES]
    proxy_names = [w for w in (relation, *_RELATION_WORDS.get(relation, ()), *_PROXY_WORDS, *(_TITLES if child else ())) if w]
    to_patient = _addressed_at(patient_names, patient_first, text)
    to_proxy = _addressed_at(proxy_names, proxy_first, text)
    if to_patient >= 0 and to_proxy >= 0:
        # Both named in one sentence ("Hi Mrs Fischer, hi Leo") is both; in two ("Thanks,
        # Helen. Stan, do you..."), the question goes to the one named last.
        first, last = sorted((to_patient, to_proxy))
        if not re.search(r"[.!?]", text[first:last]):
            return None
        return "patient" if to_patient > to_proxy else "proxy"
    if to_patient >= 0 or to_proxy >= 0:
        return "patient" if to_patient >= 0 else "proxy"
    if _ABOUT_THEM.search(text) or re.search(rf"\b{re.escape(patient_first)}(?:'s)?\b", text, re.IGNORECASE):
        return "proxy"
    return None
