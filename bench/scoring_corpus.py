"""The scorer on the blind corpus (tests/data/scoring_2): dismissals, grades, bands, cues.

Labels follow tests/data/scoring_2/README.md: a turn both labellers agreed on counts; an
ambiguous one (only one labeller) counts neither as a hit nor as a miss. Details (which
turn was missed) are printed for the dev half only: the test half is for reporting.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "scoring_2"


@dataclass
class Gold:
    band: str
    grade: float
    dismissive: Set[int] = field(default_factory=set)
    ambiguous_dismissive: Set[int] = field(default_factory=set)
    traps: Set[int] = field(default_factory=set)
    missed_cues: Set[int] = field(default_factory=set)
    taken_cues: Set[int] = field(default_factory=set)
    ambiguous_cues: Set[int] = field(default_factory=set)
    learner: Set[int] = field(default_factory=set)
    patient: Set[int] = field(default_factory=set)


def gold_of(raw: Dict) -> Gold:
    g = Gold(raw["band"], float(raw["grade"]))
    for number, turn in enumerate(raw["turns"], start=1):
        if turn["speaker"] == "learner":
            g.learner.add(number)
            label = turn.get("label") or {}
            if label.get("dismissive"):
                g.dismissive.add(number)
            if label.get("dismissive_ambiguous"):
                g.ambiguous_dismissive.add(number)
            if label.get("trap"):
                g.traps.add(number)
            continue
        g.patient.add(number)
        cue = turn.get("cue")
        if turn.get("cue_ambiguous") or (cue and cue.get("missed") is None):
            g.ambiguous_cues.add(number)
        elif cue and cue["missed"]:
            g.missed_cues.add(number)
        elif cue:
            g.taken_cues.add(number)
    return g


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, predicted: Set[int], gold: Set[int], ignore: Set[int]) -> Tuple[Set[int], Set[int]]:
        predicted = predicted - ignore
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)
        return predicted - gold, gold - predicted


def band_of(overall: float, bands: Optional[List[Tuple[str, int]]]) -> Optional[str]:
    """The scorer's published band for an overall score (bot/scoring/bands.py), if any."""
    if bands is None:
        return None
    for name, floor in bands:
        if overall >= floor:
            return name
    return bands[-1][0]


def evaluate(half: str, verbose: bool) -> Dict[str, float]:
    from bot.scoring import score_many
    from bot.transcripts import load_transcript_file

    try:
        from bot.scoring.bands import SCALE, band_for_report
    except ImportError:  # before the anchored scale existed
        SCALE, band_for_report = None, None
    files = sorted((CORPUS / half).glob("*.json"))
    transcripts = [load_transcript_file(p) for p in files]
    reports = score_many(transcripts)
    dismissal, cues = Tally(), Tally()
    flagged_clean = caught = n_dismissive = n_clean = band_right = traps_hit = traps = 0
    grades, overalls, lines = [], [], []
    for path, report in zip(files, reports):
        raw = json.loads(path.read_text(encoding="utf-8"))
        gold = gold_of(raw)
        flagged = {d["turn"] for d in report["dismissals"]}
        false_alarms, missed = dismissal.add(flagged, gold.dismissive, gold.ambiguous_dismissive)
        traps += len(gold.traps)
        traps_hit += len(flagged & gold.traps)
        if gold.band == "dismissive":
            n_dismissive += 1
            caught += bool(flagged - gold.ambiguous_dismissive)
        else:
            n_clean += 1
            flagged_clean += bool(flagged - gold.ambiguous_dismissive)
        reported_missed = {c["turn"] for c in report["missed_cues"]}
        cue_fp, cue_fn = cues.add(reported_missed, gold.missed_cues, gold.ambiguous_cues)
        grades.append(gold.grade)
        overalls.append(report["overall"])
        band = band_for_report(report) if band_for_report else None
        band_right += band == gold.band
        if verbose:
            turns = raw["turns"]
            lines.append(f"  {path.stem:45s} grade {gold.grade:5.1f} overall {report['overall']:3d} "
                         f"band {band or '-':16s} gold {gold.band}")
            lines += [f"    false alarm t{n} ({next(d['kind'] for d in report['dismissals'] if d['turn'] == n)}): "
                      f"{turns[n - 1]['text'][:150]!r}" for n in sorted(false_alarms)]
            lines += [f"    missed t{n} ({turns[n - 1]['label']['dismissive']['kind']}): "
                      f"{turns[n - 1]['label']['dismissive']['quote'][:150]!r}" for n in sorted(missed)]
    figures = {
        "precision": dismissal.precision(), "recall": dismissal.recall(),
        "clean_flagged": flagged_clean, "clean": n_clean, "caught": caught, "dismissive": n_dismissive,
        "spearman": float(spearmanr(overalls, grades).correlation),
        "cue_recall": cues.recall(), "cue_precision": cues.precision(),
        "band_agreement": band_right / len(files) if SCALE else float("nan"),
        "traps_flagged": traps_hit, "traps": traps,
    }
    print(f"corpus 2, {half} half: {len(files)} blind transcripts (tests/data/scoring_2/{half})")
    print(f"  dismissal per turn:            precision {figures['precision']:.3f}  recall {figures['recall']:.3f}"
          f"  (tp {dismissal.tp}, fp {dismissal.fp}, fn {dismissal.fn}; target >= 0.95 / 0.90)")
    print(f"  non-dismissive flagged:        {flagged_clean}/{n_clean} (target 0)   "
          f"dismissive caught: {caught}/{n_dismissive} (target all)")
    print(f"  planted traps flagged:         {traps_hit}/{traps}")
    print(f"  Spearman(overall, grade):      {figures['spearman']:.3f}   (target >= 0.92)")
    print(f"  band agreement:                {figures['band_agreement']:.3f}   (target >= 0.80)")
    print(f"  missed cues:                   recall {figures['cue_recall']:.3f}  precision "
          f"{figures['cue_precision']:.3f}  (tp {cues.tp}, fp {cues.fp}, fn {cues.fn}; target >= 0.80 / 0.85)")
    if lines:
        print("\n".join(lines))
    return figures
