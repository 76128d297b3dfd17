"""Teaching packs from the assessor's conversation list: the selected
conversations, scored (cached), anonymised by bot.teaching_pack.build_pack, which is given
every selected student's name and every conversation id to mask."""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Tuple

from bot.teaching_pack import build_pack
from bot.web.service import ConversationService

MAX_PACK = 50
_CID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


class PackError(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def selected_ids(raw: Any) -> List[str]:
    if not isinstance(raw, list) or not raw:
        raise PackError(400, "select at least one conversation for the teaching pack")
    if len(raw) > MAX_PACK:
        raise PackError(400, f"a teaching pack holds at most {MAX_PACK} conversations; {len(raw)} were selected")
    ids: List[str] = []
    for cid in raw:
        if not isinstance(cid, str) or not _CID.match(cid):
            raise PackError(400, "conversation ids must be strings like c-…")
        if cid not in ids:
            ids.append(cid)
    return ids


def teaching_pack(service: ConversationService, registry, raw_ids: Any) -> Tuple[str, Dict[str, Any], str]:
    """(pack.html, the pack as a dict, pack.json's text) for the selected conversations, in order."""
    ids = selected_ids(raw_ids)
    entries, names, missing, unscored = [], [], [], []
    for cid in ids:
        events = service.events(cid)
        if not events:
            missing.append(cid)
            continue
        report, problem, _ = service.report_for(cid)
        rec = service.records.conversation(cid)
        who = (rec or {}).get("student")
        if who:
            names.append(who)
        if report is None:
            unscored.append(f"{who or cid} ({problem or 'no score'})")
            continue
        entries.append((service.transcript_of(cid, events), report))
    if missing:
        raise PackError(404, f"no such conversation: {', '.join(missing)}")
    if unscored:
        raise PackError(409, "these conversations have no score yet, so they cannot go in a pack: "
                             + "; ".join(unscored))
    # Names go in twice: as names (their words are masked) and as identities (ids like
    # "s1234567" or "Sam 0042" are masked whole and by their digits).
    page, pack = build_pack(entries, student_names=names, identities=[*names, *ids], registry=registry)
    return page, pack, json.dumps(pack, indent=2, ensure_ascii=False) + "\n"

