"""Assessors: the conversation list, exports, the cohort view, one conversation with its score,
overrides, answers to reflections and teaching packs."""
from __future__ import annotations

import json
import logging
import time

from aiohttp import web

from bot.accounts.reflections import ReflectionError
from bot.teaching_pack import PACK_HTML, PACK_JSON
from bot.web import listing, packs
from bot.web.access import cid_of, read_json
from bot.web.handlers.common import attachment, conversation_detail, reflection_payload
from bot.web.keys import RECORDS, REFLECTIONS, REGISTRY, SERVICE, run
from bot.web.security import json_error, require_user
from bot.web.service import iso

logger = logging.getLogger(__name__)

ASSESSOR = ("assessor",)
MAX_COMMENT_CHARS = 2000


async def assessor_list(request: web.Request) -> web.Response:
    await require_user(request, ASSESSOR)
    f = listing.Filters.parse(request.query)
    rows = await run(request.app, request.app[SERVICE].rows)
    return web.json_response(listing.page(f.apply(rows), f))


async def assessor_export(request: web.Request) -> web.Response:
    await require_user(request, ASSESSOR)
    fmt = request.query.get("format", "csv")
    if fmt not in ("csv", "json"):
        return json_error(400, "format must be csv or json")
    f = listing.Filters.parse(request.query)
    rows = f.apply(await run(request.app, request.app[SERVICE].rows))
    stamp = time.strftime("%Y%m%d-%H%M", time.gmtime())
    if fmt == "csv":
        return attachment(f"conversations-{stamp}.csv", listing.to_csv(rows), "text/csv")
    body = json.dumps([listing.public_row(r) for r in rows], indent=2, ensure_ascii=False) + "\n"
    return attachment(f"conversations-{stamp}.json", body, "application/json")


async def assessor_cohort(request: web.Request) -> web.Response:
    await require_user(request, ASSESSOR)
    f = listing.Filters.parse(request.query)
    rows = f.apply(await run(request.app, request.app[SERVICE].rows))
    return web.json_response(listing.cohort(rows))


async def assessor_conversation(request: web.Request) -> web.Response:
    await require_user(request, ASSESSOR)
    cid = cid_of(request)
    app = request.app
    rec = await run(app, app[RECORDS].conversation, cid)
    detail = await run(app, conversation_detail, app[SERVICE], cid, rec)
    if detail is None:
        return json_error(404, "no such conversation")
    report, problem, history = await run(app, app[SERVICE].report_for, cid)
    detail["report"] = report
    detail["report_problem"] = problem.message if problem else None
    detail["overrides"] = [dict(h, created_at=iso(h["created_at"])) for h in history]
    return web.json_response(detail)


async def assessor_override(request: web.Request) -> web.Response:
    user = await require_user(request, ASSESSOR)
    cid = cid_of(request)
    data = await read_json(request)
    domain_id, score, comment = data.get("domain_id"), data.get("score"), data.get("comment")
    if not isinstance(comment, str) or not comment.strip():
        return json_error(400, "a comment is required: say why the score changes")
    if len(comment) > MAX_COMMENT_CHARS:
        return json_error(400, f"comments are at most {MAX_COMMENT_CHARS} characters")
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 5:
        return json_error(400, "score must be a number from 0 to 5")
    report, problem, _ = await run(request.app, request.app[SERVICE].report_for, cid)
    if report is None:
        return json_error(409, problem.message if problem else "this conversation has no score to override")
    domains = {d.get("id"): d for d in report.get("domains") or []}
    if domain_id not in domains:
        return json_error(400, "unknown domain", available=sorted(k for k in domains if k))
    original = domains[domain_id].get("original_score")
    saved = await run(request.app, request.app[RECORDS].add_override, cid, domain_id, original,
                      float(score), comment.strip(), user)
    saved["created_at"] = iso(saved["created_at"])
    return web.json_response(saved, status=201)


async def answer_reflection(request: web.Request) -> web.Response:
    user = await require_user(request, ASSESSOR)
    cid = cid_of(request)
    data = await read_json(request)
    app = request.app
    rec = await run(app, app[RECORDS].conversation, cid)
    if rec is None:
        return json_error(404, "no such conversation")
    try:
        await run(app, app[REFLECTIONS].answer, cid, user, data.get("text"))
    except ReflectionError as exc:
        return json_error(exc.status, str(exc), field=exc.field)
    thread = await run(app, app[REFLECTIONS].thread, cid)
    return web.json_response(dict(reflection_payload(user, rec, thread), conversation_id=cid), status=201)


async def assessor_teaching_pack(request: web.Request) -> web.Response:
    """An anonymised teaching pack (pack.html and pack.json) of the selected conversations."""
    user = await require_user(request, ASSESSOR)
    data = await read_json(request)
    try:
        html_text, pack, json_text = await run(request.app, packs.teaching_pack, request.app[SERVICE],
                                               request.app[REGISTRY], data.get("ids"))
    except packs.PackError as exc:
        return json_error(exc.status, str(exc))
    logger.info("teaching pack of %d conversation(s) exported by user %s", len(pack["transcripts"]), user.id)
    return web.json_response({"count": len(pack["transcripts"]), "created": pack["created"],
                              "files": {PACK_HTML: html_text, PACK_JSON: json_text}})
