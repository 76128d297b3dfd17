"""Small text classifiers the scorer learns from labelled sentences (dismissals, cue emotions).

Each is the same TF-IDF + logistic regression model as the learner-act NLU
(bot/nlu/tfidf_model.py), trained in a few seconds from a YAML file under
bot/scoring/data/ and kept under models/ by a hash of its data and code, so it is trained
once (by `make train`, or on first use) and loaded in milliseconds after that.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np
import yaml
from scipy import sparse

from bot.nlu.tfidf_model import TfidfModel
from bot.settings import REPO_ROOT

DATA_DIR = Path(__file__).resolve().parent / "data"
MODELS_DIR = REPO_ROOT / "models"
#: The code a trained file depends on: a change to either retrains it.
_CODE = (Path(__file__), REPO_ROOT / "bot" / "nlu" / "tfidf_model.py")

Examples = Tuple[List[str], List[str]]


@dataclass(frozen=True)
class ModelSpec:
    """What a classifier is trained from: a name, its data files, how to read them, and C."""

    name: str
    data_files: Tuple[Path, ...]  # and the module that reads them: a change to either retrains
    examples: Callable[[], Examples]
    c: float = 10.0
    #: Anything else the examples depend on (a class weight): part of the fingerprint.
    weight: float = 1.0

    def fingerprint(self) -> str:
        digest = hashlib.sha256(self.name.encode())
        for path in (*self.data_files, *_CODE):
            digest.update(path.read_bytes())
        digest.update(repr((self.c, self.weight) if self.weight != 1.0 else self.c).encode())
        return digest.hexdigest()[:16]

    def folder(self) -> Path:
        return MODELS_DIR / f"{self.name}-{self.fingerprint()}"


def read_yaml_list(path: Path) -> List[Dict[str, object]]:
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a list of items")
    return items


def labelled_examples(path: Path, key: str, labels: Sequence[str]) -> Examples:
    """The texts of a labelled-sentence file and each one's ``key`` label, refusing a label
    that is not one of ``labels`` (a typo in the data must not become a class)."""
    texts: List[str] = []
    found: List[str] = []
    for item in read_yaml_list(path):
        label = str(item[key])
        if label not in labels:
            raise ValueError(f"{path}: unknown {key} {label!r} for {item['text']!r}")
        texts.append(str(item["text"]))
        found.append(label)
    return texts, found


_lock = threading.Lock()
_loaded: Dict[str, TfidfModel] = {}


def trained(spec: ModelSpec) -> TfidfModel:
    """The model for ``spec``'s data as this process first found it: loaded, or trained and
    saved first (the data is hashed once per process, not on every call)."""
    with _lock:
        model = _loaded.get(spec.name)
        if model is None:
            folder = spec.folder()
            model = TfidfModel.load(folder) if folder.exists() else None
            if model is None:
                model = _train(spec, folder)
            _loaded[spec.name] = model
        return model


def _train(spec: ModelSpec, folder: Path) -> TfidfModel:
    texts, labels = spec.examples()
    model = TfidfModel.fit(texts, labels, spec.c, max_iter=3000)
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    model.save(partial)
    if folder.exists():  # another process trained the same model meanwhile
        _remove(partial)
    else:
        partial.replace(folder)
    for old in MODELS_DIR.glob(f"{spec.name}-*"):
        if old != folder and not old.name.endswith(".partial"):
            _remove(old)
    return model


def _remove(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink(missing_ok=True)
    folder.rmdir()


def probabilities(model: TfidfModel, texts: Sequence[str]) -> List[Dict[str, float]]:
    """Each text's class probabilities by class name."""
    return probabilities_of_vectors(model, model.vectors(texts)) if texts else []


def probabilities_of_vectors(model: TfidfModel, vectors: sparse.csr_matrix) -> List[Dict[str, float]]:
    rows = model.predict_vectors(vectors)
    return [dict(zip(model.classes, row.tolist())) for row in np.atleast_2d(rows)]
