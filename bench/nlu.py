"""``make bench-nlu``: macro-F1 of the trained model on the held-out set (never trained on).

Prints macro-F1, per-intent precision/recall/F1 and the most confused pairs.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import List, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
HELDOUT_FILES = sorted((ROOT / "tests" / "data").glob("nlu_heldout*.yml"))


def load_examples(path: Path) -> List[Tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for block in data["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((line[2:].strip(), block["intent"]))
    return pairs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, nargs="*", default=HELDOUT_FILES)
    ap.add_argument("--top", type=int, default=12, help="how many confused pairs to print")
    args = ap.parse_args()

    from sklearn.metrics import f1_score, precision_recall_fscore_support

    from bot.nlu.parser import NluParser

    examples = [pair for path in args.data for pair in load_examples(path)]
    parser = NluParser()
    started = time.perf_counter()
    results = parser.parse_many([text for text, _ in examples])
    elapsed = time.perf_counter() - started
    gold = [label for _, label in examples]
    pred = [r["intent"]["name"] or "nlu_fallback" for r in results]
    labels = sorted(set(gold))
    macro = f1_score(gold, pred, labels=labels, average="macro", zero_division=0)
    accuracy = sum(g == p for g, p in zip(gold, pred)) / len(gold)
    p, r, f, n = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)

    names = ", ".join(p.name for p in args.data)
    print(f"held-out set: {names} ({len(examples)} utterances, {len(labels)} intents, never trained on)")
    print(f"model: {parser.model_path.name}; parse time {1000 * elapsed / len(examples):.2f} ms/utterance")
    print(f"\nmacro-F1: {macro:.3f}   accuracy: {accuracy:.3f}   (target macro-F1 >= 0.92)")
    print(f"fell back (nlu_fallback): {pred.count('nlu_fallback')}")
    print("\nper intent:            precision  recall    F1   n")
    for label, pi, ri, fi, ni in sorted(zip(labels, p, r, f, n), key=lambda x: x[3]):
        print(f"  {label:22s} {pi:7.2f} {ri:7.2f} {fi:7.2f} {ni:3d}")
    confused = Counter((g, q) for g, q in zip(gold, pred) if g != q)
    print("\nmost confused (gold -> predicted: count, example):")
    for (g, q), count in confused.most_common(args.top):
        example = next(t for (t, lab), pr in zip(examples, pred) if lab == g and pr == q)
        print(f"  {g} -> {q}: {count}   e.g. {example!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
