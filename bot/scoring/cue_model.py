"""The cue reader: does a patient clause hint at an emotion (Suchman's empathic
opportunity), and which one? Learned from labelled patient sentences
(bot/scoring/data/cue_sentences.yml); docs/scoring.md.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import yaml
from scipy import sparse

from bot.nlu.segments import segments
from bot.nlu.tfidf_model import TfidfModel
from bot.scoring.text_model import DATA_DIR, ModelSpec, labelled_examples, probabilities_of_vectors, trained
from bot.settings import REPO_ROOT

NONE = "none"
EMOTIONS = ("loss", "fear", "shame", "anger", "exhaustion", "isolation")
SENTENCES = DATA_DIR / "cue_sentences.yml"
BUNDLED_PERSONAS = REPO_ROOT / "personas"
#: Answer keys whose texts carry no cue unless the file marks one (short facts, numbers).
_ANSWER_LEVELS = ("guarded", "open", "repeat", "follow_up")
#: Topics whose unmarked answers are plain facts about the symptom: the answers about
#: family history, earlier care and the patient's life often carry feeling unmarked
#: ("the doctor barely looked up"), so they are not taught as "none".
_FACTUAL_TOPICS = frozenset({"ask_onset", "ask_location", "ask_character", "ask_severity", "ask_timing",
                             "ask_triggers", "ask_relief", "ask_associated", "ask_red_flags",
                             "ask_medical_history", "ask_medications", "ask_allergies"})


def _persona_files() -> Tuple[Path, ...]:
    return tuple(sorted(BUNDLED_PERSONAS.glob("*.yml")))


def _plain_persona_lines() -> List[str]:
    """Clauses of the bundled personas' unmarked answers about the symptom itself: the
    short, plain facts ("Stopped in 2005.") that make up most of what a patient says."""
    out: List[str] = []
    for path in _persona_files():
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for topic, answer in (doc.get("answers") or {}).items():
            if topic not in _FACTUAL_TOPICS or not isinstance(answer, dict) or answer.get("cue"):
                continue
            for level in _ANSWER_LEVELS:
                value = answer.get(level) or []
                for text in [value] if isinstance(value, str) else value:
                    if isinstance(text, str):
                        out.extend(s.text for s in segments(text))
    return list(dict.fromkeys(out))


def _examples() -> Tuple[List[str], List[str]]:
    texts, labels = labelled_examples(SENTENCES, "emotion", (NONE, *EMOTIONS))
    for line in _plain_persona_lines():
        texts.append(line)
        labels.append(NONE)
    return texts, labels


SPEC = ModelSpec("cues", (SENTENCES, Path(__file__), *_persona_files()), _examples, c=10.0)


def model() -> TfidfModel:
    return trained(SPEC)


def cue_readings(vectors: sparse.csr_matrix) -> List[Tuple[float, str]]:
    """For each text, already in the model's space (TfidfModel.vectors): P(it carries a cue)
    and the likeliest emotion."""
    out = []
    for probs in probabilities_of_vectors(model(), vectors):
        emotion = max(EMOTIONS, key=lambda e: probs.get(e, 0.0))
        out.append((1.0 - probs.get(NONE, 0.0), emotion))
    return out
