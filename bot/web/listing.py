"""The assessor's conversation list: filters, sorting, pagination, cohort statistics and
CSV/JSON export, all over the rows from ConversationService.rows()."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, List, Mapping, Optional

from bot import topics
from bot.web.service import VERDICT_KEYS

SORT_KEYS = {
    "started_at": lambda r: r["started_ts"] or 0,
    "overall": lambda r: (r["overall"] is not None, r["overall"] or 0),
    "student": lambda r: ((r["student"] or "").casefold(), r["started_ts"] or 0),
    "persona": lambda r: ((r["persona_name"] or "").casefold(), r["started_ts"] or 0),
    "turns": lambda r: r["turns"],
}
STATUSES = ("ended", "in progress", "unknown")
REFLECTIONS = ("none", "awaiting", "answered")
MAX_PER_PAGE = 100
#: A domain counts as "missed" in the cohort view when its (effective) score is at most this.
MISSED_DOMAIN_SCORE = 2


class FilterError(ValueError):
    pass


@dataclass
class Filters:
    student: str = ""
    persona: str = ""
    date_from: Optional[date] = None
    date_to: Optional[date] = None
    min_score: Optional[float] = None
    max_score: Optional[float] = None
    verdict: str = ""
    status: str = ""
    reflection: str = ""
    sort: str = "started_at"
    order: str = "desc"
    page: int = 1
    per_page: int = 20

    @classmethod
    def parse(cls, q: Mapping[str, str]) -> "Filters":
        f = cls()
        f.student = (q.get("student") or "").strip()[:80]
        f.persona = (q.get("persona") or "").strip()[:80]
        f.date_from = _date(q.get("from"), "from")
        f.date_to = _date(q.get("to"), "to")
        f.min_score = _number(q.get("min_score"), "min_score")
        f.max_score = _number(q.get("max_score"), "max_score")
        verdict = (q.get("verdict") or "").strip()
        if verdict and verdict.lstrip("!") not in VERDICT_KEYS:
            raise FilterError(f"verdict must be one of {', '.join(VERDICT_KEYS)} (prefix ! for 'not')")
        f.verdict = verdict
        status = (q.get("status") or "").strip()
        if status and status not in STATUSES:
            raise FilterError(f"status must be one of {', '.join(STATUSES)}")
        f.status = status
        reflection = (q.get("reflection") or "").strip()
        if reflection and reflection not in REFLECTIONS:
            raise FilterError(f"reflection must be one of {', '.join(REFLECTIONS)}")
        f.reflection = reflection
        f.sort = q.get("sort") or "started_at"
        if f.sort not in SORT_KEYS:
            raise FilterError(f"sort must be one of {', '.join(SORT_KEYS)}")
        f.order = q.get("order") or ("asc" if f.sort in ("student", "persona") else "desc")
        if f.order not in ("asc", "desc"):
            raise FilterError("order must be asc or desc")
        f.page = int(_number(q.get("page"), "page") or 1)
        f.per_page = int(_number(q.get("per_page"), "per_page") or 20)
        if f.page < 1 or not 1 <= f.per_page <= MAX_PER_PAGE:
            raise FilterError(f"page must be >= 1 and per_page between 1 and {MAX_PER_PAGE}")
        return f

    def match(self, row: Dict[str, Any]) -> bool:
        if self.student and self.student.casefold() not in (row["student"] or "").casefold():
            return False
        if self.persona and row["persona_id"] != self.persona:
            return False
        started = row["started_ts"]
        if self.date_from and (started is None or started < _ts(self.date_from)):
            return False
        if self.date_to and (started is None or started >= _ts(self.date_to + timedelta(days=1))):
            return False
        if self.min_score is not None and (row["overall"] is None or row["overall"] < self.min_score):
            return False
        if self.max_score is not None and (row["overall"] is None or row["overall"] > self.max_score):
            return False
        if self.verdict:
            want = not self.verdict.startswith("!")
            if row["verdict"] is None or bool(row["verdict"].get(self.verdict.lstrip("!"))) != want:
                return False
        if self.status and row["status"] != self.status:
            return False
        if self.reflection and row.get("reflection", "none") != self.reflection:
            return False
        return True

    def apply(self, rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        chosen = [r for r in rows if self.match(r)]
        chosen.sort(key=lambda r: r["id"])  # stable tie-break
        chosen.sort(key=SORT_KEYS[self.sort], reverse=self.order == "desc")
        if self.sort == "overall":  # "not scored" has no place on the scale: last either way
            chosen = [r for r in chosen if r["overall"] is not None] + [r for r in chosen if r["overall"] is None]
        return chosen


def _date(raw: Optional[str], name: str) -> Optional[date]:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise FilterError(f"{name} must be a date like 2025-01-31") from None


def _number(raw: Optional[str], name: str) -> Optional[float]:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise FilterError(f"{name} must be a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise FilterError(f"{name} must be a number")
    return value


def _ts(d: date) -> float:
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp()


def public_row(row: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("started_ts", "domain_labels")}


def page(rows: List[Dict[str, Any]], f: Filters) -> Dict[str, Any]:
    total = len(rows)
    pages = max(1, -(-total // f.per_page))
    start = (f.page - 1) * f.per_page
    return {"items": [public_row(r) for r in rows[start:start + f.per_page]], "total": total,
            "page": f.page, "per_page": f.per_page, "pages": pages}


def domain_columns(rows: List[Dict[str, Any]]) -> List[tuple]:
    seen: Dict[str, str] = {}
    for r in rows:
        for d, label in r.get("domain_labels", {}).items():
            seen.setdefault(d, label)
    return list(seen.items())


_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")


def _cell(value: Any) -> str:
    """A CSV cell that spreadsheets will not run as a formula (names are user input) and that
    the csv module can write: a NUL from a chat message (`/start_interview{"persona_id":
    "a\u0000b"}`) made Python 3.10's writer fail, and with it the whole cohort's export."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).translate(_CONTROL)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def to_csv(rows: List[Dict[str, Any]]) -> str:
    domains = domain_columns(rows)
    head = ["id", "student", "persona_id", "persona_name", "started_at", "ended_at", "status", "turns",
            "learner_turns", "overall", *VERDICT_KEYS, *[f"domain:{d}" for d, _ in domains], "overridden",
            "score_problem", "reflection"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(head)
    for r in rows:
        verdict = r["verdict"] or {}
        w.writerow([_cell(x) for x in [
            r["id"], r["student"], r["persona_id"], r["persona_name"], r["started_at"], r["ended_at"], r["status"],
            r["turns"], r["learner_turns"], r["overall"], *[verdict.get(k) for k in VERDICT_KEYS],
            *[r["domains"].get(d) for d, _ in domains], r["overridden"], r["score_problem"],
            r.get("reflection", "none")]])
    return buf.getvalue()


def cohort(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Which domains score low and which psychosocial topics go unasked, most often first."""
    scored = [r for r in rows if r["overall"] is not None]
    n = len(scored)
    domains: List[Dict[str, Any]] = []
    for d, label in domain_columns(scored):
        scores = [r["domains"][d] for r in scored if r["domains"].get(d) is not None]
        missed = sum(1 for s in scores if s <= MISSED_DOMAIN_SCORE)
        domains.append({"id": d, "label": label, "interviews": len(scores), "missed": missed,
                        "missed_pct": round(100 * missed / len(scores), 1) if scores else 0.0,
                        "mean": round(sum(scores) / len(scores), 2) if scores else None})
    domains.sort(key=lambda x: (-x["missed_pct"], x["mean"] if x["mean"] is not None else 99, x["id"]))
    topic_rows: List[Dict[str, Any]] = []
    for t in topics.ids_in("psychosocial"):
        missed = sum(1 for r in scored if t not in r["topics_covered"])
        topic_rows.append({"id": t, "label": _topic_label(t), "interviews": n, "missed": missed,
                           "missed_pct": round(100 * missed / n, 1) if n else 0.0})
    topic_rows.sort(key=lambda x: (-x["missed_pct"], x["id"]))
    return {"interviews": len(rows), "scored": n, "missed_domain_score": MISSED_DOMAIN_SCORE,
            "domains": domains, "topics": topic_rows}


def _topic_label(topic_id: str) -> str:
    words = topic_id.removeprefix("ask_").replace("_", " ")
    return words[:1].upper() + words[1:]
