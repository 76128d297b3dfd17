"""A student's own learning curve: the overall and per-domain scores of each of
their ended, scored interviews, oldest first, with assessors' overrides applied (the
scores the student sees on the feedback page)."""
from __future__ import annotations

from typing import Any, Dict, List

from bot.accounts.users import User
from bot.web.service import ConversationService, iso


def progress(service: ConversationService, user: User) -> Dict[str, Any]:
    records = sorted(service.records.conversations_of(user), key=lambda r: (r["created_at"], r["id"]))
    interviews: List[Dict[str, Any]] = []
    labels: Dict[str, str] = {}
    in_progress = unscored = 0
    for rec in records:
        if not rec.get("ended_at"):
            in_progress += 1
            continue
        report, _problem, _history = service.report_for(rec["id"])
        if report is None:
            unscored += 1
            continue
        domains = report.get("domains") or []
        for d in domains:
            labels.setdefault(d.get("id"), d.get("label") or d.get("id"))
        pe = report.get("patient_experience") or {}
        interviews.append({
            "id": rec["id"],
            "number": len(interviews) + 1,
            "persona": service.persona_info(rec["persona_id"]),
            "started_at": iso(rec["created_at"]),
            "ended_at": iso(rec["ended_at"]),
            "overall": report.get("overall"),
            "domains": {d.get("id"): d.get("score") for d in domains},
            "adjusted": sorted(d.get("id") for d in domains if d.get("overridden")),
            "patient_view": pe.get("total"),
            "feedback_url": f"/feedback/{rec['id']}",
        })
    return {"interviews": interviews, "domains": [{"id": k, "label": v} for k, v in labels.items()],
            "in_progress": in_progress, "unscored": unscored}
