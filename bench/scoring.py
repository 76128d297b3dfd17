"""``make bench-scoring``: the scorer against hand-labelled transcripts, and its speed.

First the blind corpus (tests/data/scoring_2: its dev half, then the frozen test half,
which is the one reported; bench/scoring_corpus.py), then the old regression set of 24
(turn-topic accuracy, dismissals per turn and per transcript, Spearman), the held-out
dismissal sentences, and the time to score 1,000 transcripts of 30 turns. Targets:
docs/scoring.md.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import List

import yaml

ROOT = Path(__file__).resolve().parents[1]
VALIDATION = ROOT / "tests" / "data" / "scoring"
DISMISSAL_CASES = ROOT / "tests" / "data" / "dismissal_cases.yml"
DEV_SENTENCES = ROOT / "tests" / "data" / "dismissal_dev_sentences.yml"


def spearman(xs: List[float], ys: List[float]) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(xs, ys).correlation)


def validation(verbose: bool) -> None:
    from bot.scoring import score_many
    from bot.transcripts import load_transcript_file

    files = sorted(VALIDATION.glob("*.json"))
    transcripts = [load_transcript_file(p) for p in files]
    reports = score_many(transcripts)
    right = total = 0
    tp = fp = fn = 0
    per_transcript = Counter()
    confusions = Counter()
    grades, scores = [], []
    misses = []
    for path, t, r in zip(files, transcripts, reports):
        import json

        raw = json.loads(path.read_text())
        flagged = {d["turn"] for d in r["dismissals"]}
        gold_dismissive = set()
        for number, (turn, raw_turn) in enumerate(zip(t.turns, raw["turns"]), start=1):
            if turn.speaker != "learner":
                continue
            label = raw_turn["label"]
            predicted = next(x for x in r["turns"] if x["turn"] == number)["topic"]
            total += 1
            right += predicted == label["topic"]
            if predicted != label["topic"]:
                confusions[(label["topic"], predicted)] += 1
            if label.get("dismissive"):
                gold_dismissive.add(number)
        tp += len(flagged & gold_dismissive)
        fp += len(flagged - gold_dismissive)
        fn += len(gold_dismissive - flagged)
        for n in flagged - gold_dismissive:
            misses.append(f"  false alarm {path.stem} turn {n}: {t.turns[n - 1].text!r}")
        for n in gold_dismissive - flagged:
            misses.append(f"  missed      {path.stem} turn {n}: {t.turns[n - 1].text!r}")
        kind = raw.get("kind")
        if kind == "dismissive":
            per_transcript["dismissive"] += 1
            per_transcript["dismissive_caught"] += bool(flagged)
        else:
            per_transcript["other"] += 1
            per_transcript["other_flagged"] += bool(flagged)
        grades.append(raw["grade"])
        scores.append(r["overall"])
        if verbose:
            print(f"  {path.stem:20s} grade {raw['grade']:3d}  overall {r['overall']:3d}  dismissals {len(flagged)}")

    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"validation set: {len(files)} hand-labelled transcripts, {total} learner turns (tests/data/scoring/)")
    print(f"  turn-topic accuracy:            {right / total:.3f}   (target >= 0.90)")
    print(f"  dismissal per turn:             precision {precision:.3f}  recall {recall:.3f}  "
          f"(tp {tp}, fp {fp}, fn {fn}; target >= 0.90 each)")
    print(f"  dismissive transcripts caught:  {per_transcript['dismissive_caught']}/{per_transcript['dismissive']}"
          f"   other transcripts flagged: {per_transcript['other_flagged']}/{per_transcript['other']}")
    print(f"  Spearman(overall, grade):       {spearman(scores, grades):.3f}   (target >= 0.85)")
    if confusions:
        print("  most confused topics (gold -> predicted):",
              ", ".join(f"{g}->{p} x{n}" for (g, p), n in confusions.most_common(6)))
    if misses:
        print("\n".join(misses[:12]))


def one_turn_reports(texts: List[str]) -> List[dict]:
    """Each text scored as a transcript of one learner turn."""
    from bot.scoring import score_many
    from bot.transcripts import parse_transcript

    return score_many([parse_transcript({"turns": [{"speaker": "learner", "text": text}]}, "case") for text in texts])


def dev_sentences() -> None:
    """The dev sentences (tuned on, never trained on) as one-turn transcripts."""
    if not DEV_SENTENCES.exists():
        return
    items = yaml.safe_load(DEV_SENTENCES.read_text())
    flagged = [bool(r["dismissals"]) for r in one_turn_reports([x["text"] for x in items])]
    positives = [f for x, f in zip(items, flagged) if x["label"] != "ok"]
    false_alarms = sum(f for x, f in zip(items, flagged) if x["label"] == "ok")
    print(f"\ndev dismissal sentences ({DEV_SENTENCES.name}, tuned on): recall {sum(positives)}/{len(positives)}"
          f"  false alarms {false_alarms}/{len(items) - len(positives)}")


def dismissal_cases() -> None:
    if not DISMISSAL_CASES.exists():
        return
    data = yaml.safe_load(DISMISSAL_CASES.read_text())
    cases = [(c["text"], c.get("kind")) for c in data.get("positives", [])] + \
            [(c["text"], None) for c in data.get("negatives", [])]
    reports = one_turn_reports([text for text, _ in cases])
    tp = fp = fn = kind_right = 0
    wrong = []
    for (text, kind), r in zip(cases, reports):
        flagged = r["dismissals"]
        if kind and flagged:
            tp += 1
            kind_right += any(d["kind"] == kind for d in flagged)
        elif kind:
            fn += 1
            wrong.append(f"  missed ({kind}): {text!r}")
        elif flagged:
            fp += 1
            wrong.append(f"  false alarm ({flagged[0]['kind']}): {text!r}")
    n_pos = sum(1 for _, k in cases if k)
    print(f"\nheld-out dismissal sentences (tests/data/dismissal_cases.yml): {n_pos} dismissive, {len(cases) - n_pos} not")
    print(f"  precision {tp / (tp + fp) if tp + fp else 1:.3f}  recall {tp / n_pos:.3f}  "
          f"kind correct when caught {kind_right / tp if tp else 0:.3f}")
    print("\n".join(wrong[:15]))


def speed(n: int, turns: int) -> None:
    """Twice: turns drawn from the old set's lines (lines repeat, as greetings and common
    questions do in a cohort), then with every text made distinct (nothing is remembered
    between texts: the worst case)."""
    from bot.scoring import score_many
    from bot.scoring.classifier import shared_classifier
    from bot.settings import settings
    from bot.transcripts import load_transcript_file, parse_transcript

    pool = [load_transcript_file(p) for p in sorted(VALIDATION.glob("*.json"))]
    lines = [(t.speaker, t.text) for tr in pool for t in tr.turns]
    learner = [x for s, x in lines if s == "learner"]
    patient = [x for s, x in lines if s == "patient"]
    personas = [tr.persona_id for tr in pool]
    load_started = time.perf_counter()
    shared_classifier()
    load = time.perf_counter() - load_started
    for distinct in (False, True):
        rng = random.Random(7)
        batch = []
        for i in range(n):
            ts = [{"speaker": "learner" if j % 2 == 0 else "patient",
                   "text": rng.choice(learner if j % 2 == 0 else patient) + (f" ok{i}x{j}" if distinct else "")}
                  for j in range(turns)]
            batch.append(parse_transcript({"persona_id": rng.choice(personas), "turns": ts}, f"gen-{i}"))
        score_many(batch[:1])  # every model loaded and warm: the figure is scoring alone
        started = time.perf_counter()
        score_many(batch)
        elapsed = time.perf_counter() - started
        label = "every text distinct" if distinct else "lines drawn from a pool"
        print(f"{'' if distinct else chr(10)}speed ({label}): {n} transcripts x {turns} turns scored in {elapsed:.1f} s "
              f"({1000 * elapsed / n:.1f} ms each; {settings().score_workers} worker(s); model load {load:.1f} s, "
              f"once)   (target <= 10 s)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--speed-n", type=int, default=1000)
    args = ap.parse_args()
    from bench.scoring_corpus import evaluate

    evaluate("dev", args.verbose)
    print()
    evaluate("test", False)
    print()
    validation(args.verbose)
    dev_sentences()
    dismissal_cases()
    speed(args.speed_n, 30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
