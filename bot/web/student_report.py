"""The student's report as one self-contained HTML file (docs/web.md, "Feedback for the
student"): readable on screen, and printable to PDF from any browser.

Input: the report payload the JSON download carries (conversation id, student, persona,
the scorer's report with assessors' overrides applied) and the transcript's turns. Output
speaks to the student in plain words (bot/web/plain_feedback.py): no topic ids and no
confidences. No script, no external file: styles are inline, every text is escaped.
"""
from __future__ import annotations

import time
from html import escape
from typing import Any, Dict, Iterable, List, Optional

from bot.web.plain_feedback import dismissal_words, plain_feedback

VERDICTS = (
    ("explored_psychosocial", "Explored the psychosocial context", "Did not explore the psychosocial context", True),
    ("dismissed_physical", "Dismissed the physical symptoms", "Did not dismiss the physical symptoms", False),
    ("balanced", "Balanced physical and psychosocial", "Not yet balanced", True),
    ("psychosocial_before_physical", "Asked about life and feelings before the body", "Asked about the body first", None),
)

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 1.5rem 1rem 3rem; color: #1b1f24; background: #fff;
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .25rem; }
p { margin: 0 0 .6rem; } .muted { color: #4a5360; } .small { font-size: .9rem; }
a { color: #1d4ed8; }
.overall { font-size: 2.4rem; font-weight: 800; }
.badges { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem; }
.badge { border: 1px solid; border-radius: 999px; padding: .1rem .55rem; font-size: .85rem; font-weight: 600; }
.yes { color: #166534; background: #e7f6ec; } .no { color: #b91c1c; background: #fdecec; }
.neutral { color: #4a5360; background: #eef1f5; }
.domain { border-top: 1px solid #c9ced6; padding: .6rem 0; break-inside: avoid; page-break-inside: avoid; }
.domain-head { display: flex; flex-wrap: wrap; justify-content: space-between; gap: .25rem 1rem; }
.domain-head h3 { margin: 0; }
.bar { height: .7rem; background: #eef1f5; border: 1px solid #9aa3af; border-radius: 4px; margin: .3rem 0 .45rem; }
.bar span { display: block; height: 100%; background: #1d4ed8; border-radius: 3px;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
ul, ol { padding-left: 1.2rem; margin: .25rem 0 .6rem; } li { margin-bottom: .2rem; }
q { font-style: italic; }
.turns { list-style: none; padding: 0; }
.turn { border-left: 4px solid #c9ced6; padding: .25rem .6rem; margin-bottom: .4rem; break-inside: avoid; }
.turn.you { border-left-color: #1d4ed8; background: #f5f8ff; }
.who { font-weight: 700; font-size: .85rem; color: #4a5360; }
.turn p { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top;
  border-bottom: 1px solid #c9ced6; padding: .35rem .4rem; } th { background: #eef1f5; }
.note { border: 1px solid #1d4ed8; background: #e8efff; padding: .5rem .75rem; border-radius: 6px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .no-print { display: none; }
}
@page { margin: 16mm 14mm; }
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _score(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    try:
        return f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return _e(value)


def _turn_ref(turn: Any) -> str:
    return f'<a href="#turn-{_e(turn)}">turn {_e(turn)}</a>'


def _quote_items(items: Iterable[Dict[str, Any]], extra=None) -> str:
    lines = []
    for item in items:
        tail = extra(item) if extra else ""
        lines.append(f"<li><q>{_e(item.get('quote'))}</q> ({_turn_ref(item.get('turn'))}){tail}</li>")
    return "<ul>" + "".join(lines) + "</ul>" if lines else ""


def _verdict(verdict: Optional[Dict[str, Any]]) -> str:
    badges = []
    for key, yes, no, good in VERDICTS:
        if not verdict or verdict.get(key) is None:
            continue
        value = bool(verdict[key])
        kind = "neutral" if good is None else ("yes" if value == good else "no")
        badges.append(f'<li class="badge {kind}">{_e(yes if value else no)}</li>')
    return f'<ul class="badges" aria-label="Verdict">{"".join(badges)}</ul>' if badges else ""


def _domains(report: Dict[str, Any]) -> str:
    out = []
    for d in plain_feedback(report)["domains"]:
        score = d["score"] if isinstance(d["score"], (int, float)) else 0
        top = d["max"] or 5
        width = max(0.0, min(100.0, 100.0 * float(score) / float(top)))
        adjusted = ""
        if d.get("overridden"):
            adjusted = (f'<p class="small">Adjusted by an assessor from {_score(d.get("original_score"), 1)}: '
                        f'{_e(d["overridden"].get("comment"))}</p>')
        out.append(
            f'<section class="domain" aria-labelledby="d-{_e(d["id"])}"><div class="domain-head">'
            f'<h3 id="d-{_e(d["id"])}">{_e(d["label"])}</h3>'
            f'<p><strong>{_score(d["score"], 1)} of {_e(top)}</strong> · {_e(d["band"])}</p></div>'
            f'<div class="bar" role="img" aria-label="{_score(d["score"], 1)} of {_e(top)}">'
            f'<span style="width:{width:.0f}%"></span></div>'
            f'<p>{_e(d["summary"])}</p>{adjusted}'
            + (f'<p class="small muted">What counted:</p>{_quote_items(d["evidence"])}' if d["evidence"] else "")
            + "</section>")
    return "".join(out)


def _patient_view(pe: Optional[Dict[str, Any]], name: str) -> str:
    if not pe or not pe.get("items"):
        return ""
    top = pe.get("max") or len(pe["items"]) * 5
    rows = "".join(
        f'<tr><th scope="row">{_e(i.get("label") or i.get("id"))}</th><td>{_e(i.get("score"))} of 5</td>'
        f'<td>{_e(i.get("comment"))}{_quote_items(i.get("evidence") or [])}</td></tr>' for i in pe["items"])
    note = pe.get("note") or ("A simulated patient's view of the encounter, derived from the transcript; "
                              "not a validated CARE score.")
    return (f'<h2 id="patient-view">The patient\'s view</h2><p class="note"><strong>Simulated:</strong> {_e(note)}</p>'
            f'<p>{_e(name)}\'s total: <strong>{_e(pe.get("total"))}</strong> of {_e(top)}.</p>'
            f'<table><caption class="muted small">How {_e(name)} rated the encounter, theme by theme</caption>'
            f'<thead><tr><th scope="col">Theme</th><th scope="col">Rating</th><th scope="col">What they said</th>'
            f'</tr></thead><tbody>{rows}</tbody></table>')


def _moments(report: Dict[str, Any], name: str) -> str:
    parts = []
    advice = report.get("advice") or []
    if advice:
        parts.append("<h2>Try next time</h2><ol>" + "".join(f"<li>{_e(a)}</li>" for a in advice) + "</ol>")
    cues = report.get("missed_cues") or []
    parts.append("<h2>Missed cues</h2>")
    if cues:
        parts.append('<p class="muted">Moments where the patient hinted at feelings or worries that were not picked up.</p><ul>'
                     + "".join(f"<li>{_e(name)} said <q>{_e(c.get('quote'))}</q> ({_turn_ref(c.get('turn'))})."
                               + (f"<br><strong>You could have said:</strong> <q>{_e(c['suggestion'])}</q>"
                                  if c.get("suggestion") else "") + "</li>" for c in cues) + "</ul>")
    else:
        parts.append("<p>No missed cues. Well done.</p>")
    parts.append("<h2>Key moments</h2><h3>Empathy</h3>")
    parts.append(_quote_items(report.get("empathy") or []) or "<p>No empathic statements were found.</p>")
    parts.append("<h3>Dismissals</h3>")
    parts.append(_quote_items(report.get("dismissals") or [], lambda d: f" ({_e(dismissal_words(d.get('kind')))})")
                 or "<p>No dismissals. Good.</p>")
    return "".join(parts)


def _transcript(turns: List[Dict[str, Any]], name: str) -> str:
    items = []
    for t in turns:
        you = t.get("speaker") == "learner"
        items.append(f'<li class="turn {"you" if you else "patient"}" id="turn-{_e(t.get("turn"))}">'
                     f'<span class="who">{"You" if you else _e(name)} · turn {_e(t.get("turn"))}</span>'
                     f'<p>{_e(t.get("text"))}</p></li>')
    return '<h2 id="transcript">Transcript</h2><ol class="turns">' + "".join(items) + "</ol>"


def render_student_report(payload: Dict[str, Any], turns: List[Dict[str, Any]],
                          generated: Optional[float] = None) -> str:
    """The whole HTML document for ``payload`` (the report.json body) and ``turns``
    ({turn, speaker, text}, numbered as the report's turns)."""
    report = payload.get("report") or {}
    persona = payload.get("persona") or {}
    name = persona.get("name") or "The patient"
    stamp = time.strftime("%d %B %Y, %H:%M UTC", time.gmtime(generated if generated is not None else time.time()))
    adjusted = ""
    if report.get("original_overall") is not None:
        adjusted = (f'<p class="small">An assessor reviewed some scores; the automatic score was '
                    f'{_score(report["original_overall"])}.</p>')
    who = f"{_e(payload.get('student'))} · " if payload.get("student") else ""
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>SP Trainer feedback: interview with {_e(name)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f'<header><h1>Feedback: your interview with {_e(name)}</h1>'
        f'<p class="muted small">{who}SP Trainer · made {_e(stamp)} · conversation {_e(payload.get("conversation_id"))}</p>'
        '<p class="no-print small">To keep it as a PDF, print this page and choose “Save as PDF”.</p></header>\n<main>\n'
        f'<h2>Overall</h2><p><span class="overall">{_score(report.get("overall"))}</span> out of 100</p>{adjusted}'
        f"{_verdict(report.get('verdict'))}"
        f"<h2>Scores by part of the interview</h2>{_domains(report)}"
        f"{_patient_view(report.get('patient_experience'), name)}"
        f"{_moments(report, name)}"
        f"{_transcript(turns, name)}"
        "\n</main>\n</body>\n</html>\n")
