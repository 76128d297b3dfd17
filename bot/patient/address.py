"""Whom the learner is speaking to in a proxy case: the patient (a child, an adult cared
for) or the person speaking for them. Read from the words of each turn, so it replays
from the tracker like everything else (docs/authoring.md, "Proxies")."""
from __future__ import annotations

import re
from typing import Optional

from bot.personas.model import Persona

#: Words a learner uses to turn to the proxy (a parent or carer) rather than the patient.
_PROXY_WORDS = ("mum", "mom", "mummy", "mother", "dad", "daddy", "father")
#: Titles: the parent of a child patient; for an adult patient, "Mr Nowak" is the patient.
_TITLES = ("mr", "mrs", "ms", "miss")
#: What a learner calls a child instead of his name ("how are you sleeping, mate?").
_CHILD_WORDS = ("young man", "young lady", "little man", "mate", "buddy", "bud", "pal", "kiddo", "champ",
                "sweetheart", "sweetie")
CHILD_AGE = 16
_LEAD = r"(?:^|[,.!?;]\s*|\b(?:hi|hello|hey|so|and|ok|okay|right|now|what about you|how about you)\s*,?\s*)"


def _vocative(name: str, text: str) -> bool:
    """``name`` used to address someone: at the start or after a greeting, or before/after a comma."""
    n = re.escape(name)
    return bool(re.search(rf"{_LEAD}{n}\b\s*[,?!.]?|,\s*{n}\s*[?!.]*\s*$", text, re.IGNORECASE))


#: Asking about someone in the third person ("has he had...", "does she sleep"): with no one
#: named, a question about the patient is put to the proxy.
_ABOUT_THEM = re.compile(r"\b(?:has|have|does|did|is|was|can|could|would|will)\s+(?:he|she)\b|\b(?:he|she)\s+(?:has|is|does|did|was|'s)\b",
                         re.IGNORECASE)


def addressee_of(text: str, persona: Persona) -> Optional[str]:
    """"patient" or "proxy" when the turn names whom it speaks to, else None (unchanged);
    a question about "he"/"she" (or the patient by name) with no one addressed goes to the proxy."""
    if persona.proxy is None or not text:
        return None
    patient_first = persona.name.split()[0]
    proxy_first = persona.proxy.speaker.split()[0] if persona.proxy.speaker else ""
    relation = persona.proxy.relation.split()[0] if persona.proxy.relation else ""
    child = persona.age < CHILD_AGE
    patient_names = [patient_first, *(_CHILD_WORDS if child else ())]
    if not child and len(persona.name.split()) > 1:
        patient_names += [f"{title} {persona.name.split()[-1]}" for title in _TITLES]
    to_patient = any(_vocative(w, text) for w in patient_names)
    proxy_names = [w for w in (proxy_first, relation, *_PROXY_WORDS, *(_TITLES if child else ())) if w]
    to_proxy = any(_vocative(w, text) for w in proxy_names)
    if to_patient and not to_proxy:
        return "patient"
    if to_proxy and not to_patient:
        return "proxy"
    if not to_patient and not to_proxy and (_ABOUT_THEM.search(text)
                                            or re.search(rf"\b{re.escape(patient_first)}(?:'s)?\b", text, re.IGNORECASE)):
        return "proxy"
    return None
