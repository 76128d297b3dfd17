"""The learner-act classifier as a Rasa component: trains and serves
bot/nlu/tfidf_model.py (TF-IDF word and character n-grams, multinomial logistic regression).

Why not DIET: on 2 cores DIET needs ~20 s per epoch on this data (about 40 minutes to
train) and scored lower on the held-out set than this linear model, which trains in
seconds and answers in well under a millisecond. Character n-grams make it robust to the
typos and texting spellings students use.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.reading import RARE_WORDS, Reading, acts_to_json
from bot.nlu.tfidf_model import TfidfModel

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfIntentClassifier(IntentClassifier, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 20.0, "max_iter": 3000, "ranking_length": 10}

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.model: Optional[TfidfModel] = None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TfidfIntentClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        self.model = TfidfModel.fit([e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples],
                                    self.config["C"], self.config["max_iter"])
        self.persist()
        return self._resource

    def read(self, texts: Sequence[str]) -> List[Reading]:
        """Each turn read as acts (bot/nlu/reading.py)."""
        assert self.model is not None
        return self.model.read(texts)[0]

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        texts = [m.get(TEXT) or "" for m in messages]
        readings, probs = self.model.read(texts)
        for message, row, reading in zip(messages, probs, readings):
            order = np.argsort(-row)
            ranking = [{"name": self.model.classes[i], "confidence": float(row[i])} for i in order]
            main = {"name": reading.main, "confidence": reading.confidence}
            # Only acts below the main one follow it: an act the reading set aside above it (a
            # demoted unsure follow_up or dismiss, a social preface) would make Rasa's
            # FallbackClassifier call every such turn ambiguous (its top two out of order).
            # Nor do the turn's other acts: they were asked too, not rivals of the main one.
            asked = {a.name for a in reading.acts}
            ranking = [main] + [r for r in ranking if r["name"] not in asked
                                and r["confidence"] <= reading.confidence]
            message.set(INTENT, main, add_to_output=True)
            message.set("intent_ranking", ranking[: self.config["ranking_length"]], add_to_output=True)
            message.set("acts", acts_to_json(reading), add_to_output=True)
            message.set(RARE_WORDS, self.model.rare_words(message.get(TEXT) or ""), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def persist(self) -> None:
        assert self.model is not None
        with self._storage.write_to(self._resource) as directory:
            self.model.save(directory)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TfidfIntentClassifier":
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                component.model = TfidfModel.load(directory)
        except ValueError:
            component.model = None
        if component.model is None:
            logger.warning("no trained TfidfIntentClassifier found; intents will not be classified")
        return component
