"""Why a conversation has no report is a kind (bot.web.service.ProblemKind), stored with the
cached report, and the HTTP status follows the kind, never the message's wording."""
from __future__ import annotations

import json

from bot.accounts import AppDB, Records
from bot.web.handlers.common import no_report
from bot.web.service import ProblemKind, ReportProblem, stored_problem


def test_the_status_follows_the_kind_whatever_the_message_says():
    missing = no_report(ReportProblem(ProblemKind.SCORER_UNAVAILABLE, "feedback is switched off here"))
    failed = no_report(ReportProblem(ProblemKind.SCORING_FAILED, "the scorer choked on turn 3"))
    assert missing.status == 503 and json.loads(missing.text)["error"] == "feedback is switched off here"
    assert failed.status == 409 and json.loads(failed.text)["error"] == "the scorer choked on turn 3"
    assert no_report(ReportProblem(ProblemKind.NOT_STARTED, "not yet")).status == 409
    assert no_report(ReportProblem(ProblemKind.NOTHING_TO_SCORE, "no turns")).status == 409


def test_the_kind_is_stored_with_the_cached_report(tmp_path):
    records = Records(AppDB(tmp_path / "app.db"))
    records.store_report("c-x", "1|none", persona_id="priya-shah", started_at=None, turns=2, learner_turns=1,
                         report=None, error="bot.scoring is not installed", error_kind=ProblemKind.SCORER_UNAVAILABLE.value)
    problem = stored_problem(records.cached_report("c-x"))
    assert problem == ReportProblem(ProblemKind.SCORER_UNAVAILABLE, "bot.scoring is not installed")
    # A row without a kind (written by other code) is a scoring failure, never guessed from its words.
    records.store_report("c-y", "1|k", persona_id=None, started_at=None, turns=1, learner_turns=1,
                         report=None, error="the scorer is missing")
    assert stored_problem(records.cached_report("c-y")).kind is ProblemKind.SCORING_FAILED
