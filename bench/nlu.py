"""``make bench-nlu``: the trained model on each held-out set (never trained on).

For each set: accuracy, macro-F1, fallback rate and dismiss precision, then per-intent
precision/recall/F1 and the most confused pairs over all sets. Set 4 is real consultation
wording (docs/intent-guide.md); sets 1-3 are the older, student-style sets.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
HELDOUT_FILES = sorted((ROOT / "tests" / "data").glob("nlu_heldout*.yml"))
REAL_WORDING_SET = ROOT / "tests" / "data" / "nlu_heldout_4.yml"
#: Targets on the real-wording set.
TARGETS = {"accuracy": 0.88, "fallback_rate": 0.06, "dismiss_precision": 0.95}


def load_examples(path: Path) -> List[Tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for block in data["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((line[2:].strip(), block["intent"]))
    return pairs


@dataclass
class SetResult:
    name: str
    gold: List[str]
    pred: List[str]
    texts: List[str]

    @property
    def accuracy(self) -> float:
        return sum(g == p for g, p in zip(self.gold, self.pred)) / max(1, len(self.gold))

    @property
    def fallback_rate(self) -> float:
        return self.pred.count("nlu_fallback") / max(1, len(self.pred))

    @property
    def dismiss_precision(self) -> float:
        called = [g for g, p in zip(self.gold, self.pred) if p == "dismiss"]
        return sum(g == "dismiss" for g in called) / len(called) if called else 1.0

    @property
    def macro_f1(self) -> float:
        from sklearn.metrics import f1_score

        labels = sorted(set(self.gold))
        return float(f1_score(self.gold, self.pred, labels=labels, average="macro", zero_division=0))


def evaluate(paths: Sequence[Path], parser=None) -> Tuple[List[SetResult], float]:
    """Every set parsed by the running model's NLU graph; also the mean parse time in ms."""
    from bot.nlu.parser import NluParser

    parser = parser or NluParser()
    results, elapsed, count = [], 0.0, 0
    for path in paths:
        examples = load_examples(path)
        started = time.perf_counter()
        parsed = parser.parse_many([text for text, _ in examples])
        elapsed += time.perf_counter() - started
        count += len(examples)
        results.append(SetResult(path.name, [lab for _, lab in examples],
                                 [r["intent"]["name"] or "nlu_fallback" for r in parsed],
                                 [text for text, _ in examples]))
    return results, 1000 * elapsed / max(1, count)


def _print_per_intent(results: Sequence[SetResult], top: int) -> None:
    from sklearn.metrics import precision_recall_fscore_support

    gold = [g for r in results for g in r.gold]
    pred = [p for r in results for p in r.pred]
    texts = [t for r in results for t in r.texts]
    labels = sorted(set(gold))
    p, rec, f, n = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    print("\nper intent, all sets:  precision  recall    F1   n")
    for label, pi, ri, fi, ni in sorted(zip(labels, p, rec, f, n), key=lambda x: x[3]):
        print(f"  {label:22s} {pi:7.2f} {ri:7.2f} {fi:7.2f} {ni:3d}")
    confused = Counter((g, q) for g, q in zip(gold, pred) if g != q)
    print("\nmost confused (gold -> predicted: count, example):")
    for (g, q), count in confused.most_common(top):
        example = next(t for t, lab, pr in zip(texts, gold, pred) if lab == g and pr == q)
        print(f"  {g} -> {q}: {count}   e.g. {example!r}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, nargs="*", default=HELDOUT_FILES)
    ap.add_argument("--top", type=int, default=15, help="how many confused pairs to print")
    args = ap.parse_args()

    from bot.nlu.parser import NluParser

    parser = NluParser()
    results, ms = evaluate(args.data, parser)
    print(f"model: {parser.model_path.name}; parse time {ms:.2f} ms/utterance (whole NLU graph, in process)")
    print("\nheld-out set               n   accuracy  macro-F1  fallback  dismiss precision")
    for r in results:
        print(f"  {r.name:22s} {len(r.gold):4d}   {r.accuracy:7.3f}   {r.macro_f1:7.3f}   "
              f"{r.fallback_rate:6.1%}   {r.dismiss_precision:7.3f}")
    old = [r for r in results if r.name != REAL_WORDING_SET.name]
    if old:
        merged = SetResult("sets 1-3", [g for r in old for g in r.gold], [p for r in old for p in r.pred],
                           [t for r in old for t in r.texts])
        print(f"  {'sets 1-3 together':22s} {len(merged.gold):4d}   {merged.accuracy:7.3f}   {merged.macro_f1:7.3f}   "
              f"{merged.fallback_rate:6.1%}   {merged.dismiss_precision:7.3f}")
    real = next((r for r in results if r.name == REAL_WORDING_SET.name), None)
    if real:
        print(f"\ntargets on {real.name}: accuracy >= {TARGETS['accuracy']}, fallback <= {TARGETS['fallback_rate']:.0%}, "
              f"dismiss precision >= {TARGETS['dismiss_precision']}")
    _print_per_intent(results, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
