"""Learner-turn topics from the trained Rasa model, in batch and without a server.

The NLU's act model is loaded once from the model archive and applied to
all texts of all transcripts in one vectorised call: 1,000 transcripts take seconds,
where parsing message by message through Rasa's processor would take minutes.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from bot import topics
from bot.nlu.tfidf_model import TfidfModel


@dataclass(frozen=True)
class Prediction:
    topic: str  # best act: a topic id, or follow_up / uncovered_question (never nlu_fallback)
    confidence: float
    probabilities: Dict[str, float]
    rare_words: Tuple[str, ...] = ()  # TfidfModel.rare_words: what a follow-up may pick up

    def p(self, topic_id: str) -> float:
        return self.probabilities.get(topic_id, 0.0)

    def best_topic(self) -> str:
        """The most likely topic id, leaving out the acts that are not topics."""
        real = {k: v for k, v in self.probabilities.items() if k in topics.load_topics()}
        return max(real, key=lambda k: real[k]) if real else "out_of_scope"


class TopicClassifier:
    """The trained learner-act model, read straight from the model file (no Rasa import)."""

    def __init__(self, model_path: Optional[Path] = None) -> None:
        from bot.process.training import ensure_model

        self.model_path = Path(model_path) if model_path else ensure_model(quiet=True)
        self.model = TfidfModel.from_archive(self.model_path)
        allowed = set(topics.topic_ids()) | set(topics.EXTRA_INTENTS)
        self._columns = [i for i, c in enumerate(self.model.classes) if c in allowed]
        self._names = [self.model.classes[i] for i in self._columns]

    def predict(self, texts: Sequence[str]) -> List[Prediction]:
        if not texts:
            return []
        probs = self.model.predict(list(texts))[:, self._columns]
        out = []
        for text, row in zip(texts, probs):
            best = int(np.argmax(row))
            out.append(Prediction(self._names[best], float(row[best]),
                                  {n: float(v) for n, v in zip(self._names, row) if v >= 0.01},
                                  tuple(self.model.rare_words(text))))
        return out


_lock = threading.Lock()
_shared: Optional[TopicClassifier] = None


def shared_classifier() -> TopicClassifier:
    """One classifier per process (loading the model takes about a second)."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = TopicClassifier()
        return _shared
