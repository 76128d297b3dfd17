"""The dismissal classifier: is a learner clause dismissive of the physical symptoms, and of
which kind? Learned from labelled sentences (bot/scoring/data/dismissal_sentences.yml),
with the NLU's own examples of every non-dismissive act as further "ok" sentences, so the
ordinary history questions of an interview are known to be harmless. docs/scoring.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence, Tuple

import yaml

from bot.nlu.tfidf_model import TfidfModel
from bot.scoring.text_model import DATA_DIR, ModelSpec, labelled_examples, probabilities, trained
from bot.settings import REPO_ROOT

OK = "ok"
KINDS = ("denial", "normal_tests", "psychologising", "faking", "premature_reassurance", "lecturing",
         "either_or", "age_normalising", "secondary_gain")
SENTENCES = DATA_DIR / "dismissal_sentences.yml"
NLU_DIR = REPO_ROOT / "data" / "nlu"
#: NLU intents that are themselves dismissive: their examples carry no kind, so they are left out.
_DISMISSIVE_INTENTS = ("dismiss", "reassure_premature")
#: At most this many examples of each other intent join as "ok" (the history questions
#: would otherwise outnumber every dismissal).
_OK_PER_INTENT = 40


def _nlu_files() -> Tuple[Path, ...]:
    return tuple(sorted(NLU_DIR.glob("*.yml")))


def _nlu_ok_examples() -> List[str]:
    out: List[str] = []
    for path in _nlu_files():
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu", []) or []:
            if "intent" not in block or block["intent"] in _DISMISSIVE_INTENTS:
                continue
            lines = [ln.strip()[2:].strip() for ln in str(block.get("examples", "")).splitlines()
                     if ln.strip().startswith("- ")]
            out.extend(lines[:_OK_PER_INTENT])
    return out


#: Each dismissive sentence counts this many times: "ok" sentences outnumber every kind by
#: about thirty to one, which left short, blatant dismissals ("Are you after a sick note?")
#: read as ok (fitted on the dev half of tests/data/scoring_2).
DISMISSIVE_WEIGHT = 2


def _examples() -> Tuple[List[str], List[str]]:
    texts, labels = labelled_examples(SENTENCES, "label", (OK, *KINDS))
    dismissive = [(text, label) for text, label in zip(texts, labels) if label != OK]
    for text, label in dismissive * (DISMISSIVE_WEIGHT - 1):
        texts.append(text)
        labels.append(label)
    for text in _nlu_ok_examples():
        texts.append(text)
        labels.append(OK)
    return texts, labels


SPEC = ModelSpec("dismissal", (SENTENCES, Path(__file__), *_nlu_files()), _examples, c=10.0,
                 weight=DISMISSIVE_WEIGHT)


def model() -> TfidfModel:
    return trained(SPEC)


@dataclass(frozen=True)
class DismissalReading:
    probability: float  # P(dismissive)
    kind: str  # the likeliest dismissive kind


def read(texts: Sequence[str]) -> List[DismissalReading]:
    """Each text's reading, in one batch."""
    return [DismissalReading(1.0 - probs.get(OK, 0.0), max(KINDS, key=lambda k: probs.get(k, 0.0)))
            for probs in probabilities(model(), texts)]
