"""The published bands of the overall score: what a number means to a student
(docs/scoring.md, "Bands"). Cut points fitted on the dev half of tests/data/scoring_2.
"""
from __future__ import annotations

from typing import Dict, List, Mapping, Tuple

#: (band, lowest overall in it), best first. A confident dismissal puts an interview in
#: "dismissive" whatever its overall (which it also caps).
SCALE: List[Tuple[str, int]] = [("excellent", 75), ("good_incomplete", 50), ("biomedical", 0)]
DISMISSIVE = "dismissive"

LABELS: Dict[str, str] = {
    "excellent": "Excellent: a full biopsychosocial history, warmly done",
    "good_incomplete": "Good but incomplete: kind and mostly sound, with clear gaps",
    "biomedical": "Biomedical only, or unsafe: little of the patient's life or perspective, or red flags not checked",
    DISMISSIVE: "Dismissive: the physical symptoms were dismissed",
}


def band_of(overall: int, dismissed: bool) -> str:
    if dismissed:
        return DISMISSIVE
    return next(name for name, floor in SCALE if overall >= floor)


def band_for_report(report: Mapping[str, object]) -> str:
    verdict = report.get("verdict") or {}
    dismissed = bool(verdict.get("dismissed_physical")) if isinstance(verdict, Mapping) else False
    overall = report.get("overall")
    return band_of(int(overall) if isinstance(overall, (int, float)) else 0, dismissed)
