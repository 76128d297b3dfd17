"""Train the NLU/rules model only when its inputs changed.

The model file is named after a hash of config, domain and training data, so an
unchanged tree reuses ``models/sp-<hash>.tar.gz`` without even starting Rasa, and tests
and benchmarks all share one trained model.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import List

from bot.settings import REPO_ROOT

ROOT = REPO_ROOT
MODELS_DIR = ROOT / "models"
#: What the model is built from: the data, and the code our classifier trains with (the
#: reading of turns and the parser run at parse time and need no retraining).
TRAINING_INPUTS = ("config.yml", "domain", "data", "bot/nlu/tfidf_intent_classifier.py", "bot/nlu/tfidf_model.py",
                   "bot/nlu/lexicon.py")


def _files(root: Path) -> List[Path]:
    out: List[Path] = []
    for name in TRAINING_INPUTS:
        p = root / name
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file() and q.suffix in (".yml", ".yaml", ".py")))
    return out


def fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for path in _files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    return MODELS_DIR / f"sp-{fingerprint(root)}.tar.gz"


def rasa_bin() -> str:
    candidate = Path(sys.executable).with_name("rasa")
    return str(candidate) if candidate.exists() else "rasa"


def ensure_model(quiet: bool = False) -> Path:
    """Return the model for the current training data, training it first if needed."""
    target = model_path()
    if target.exists():
        if not quiet:
            print(f"model up to date: {target.relative_to(ROOT)} (training data unchanged)", flush=True)
        return target
    MODELS_DIR.mkdir(exist_ok=True)
    print(f"training data changed: training {target.name} (takes a few minutes on 2 cores)...", flush=True)
    started = time.monotonic()
    cmd = [rasa_bin(), "train", "--domain", "domain", "--data", "data", "--config", "config.yml",
           "--out", str(MODELS_DIR), "--fixed-model-name", target.name[: -len(".tar.gz")]]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONWARNINGS="ignore")
    result = subprocess.run(cmd, cwd=ROOT, env=env)
    if result.returncode != 0 or not target.exists():
        raise SystemExit(f"error: rasa train failed (exit {result.returncode}); see the output above")
    print(f"trained {target.relative_to(ROOT)} in {time.monotonic() - started:.0f} s", flush=True)
    _prune_old_models(keep=target)
    return target


def _prune_old_models(keep: Path, max_models: int = 3) -> None:
    models = sorted(MODELS_DIR.glob("sp-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [m for m in models if m != keep][max_models - 1:]:
        old.unlink(missing_ok=True)


def ensure_scorer_models() -> None:
    """The scorer's dismissal and cue readers (bot/scoring/text_model.py), trained now when
    their data changed, so neither the first score nor the patient's first reply waits."""
    from bot.scoring import cue_model, dismissal_model

    dismissal_model.model()
    cue_model.model()


if __name__ == "__main__":
    print(ensure_model())
    ensure_scorer_models()
