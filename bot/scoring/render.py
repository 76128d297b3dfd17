"""Score reports as text (a terminal) and as one self-contained HTML file (offline review).

The HTML embeds its CSS and draws the domain bars with plain HTML, so it opens anywhere
without a network; every value from a transcript is escaped.
"""
from __future__ import annotations

import html
from typing import Dict, List, Optional

from bot.transcripts import Transcript


def _kind(kind: str) -> str:
    return kind.replace("_", " ")


def to_text(report: Dict, transcript: Optional[Transcript] = None) -> str:
    lines: List[str] = []
    source = report.get("source") or (transcript.source if transcript else "")
    v = report["verdict"]
    lines.append(f"SP Trainer score: {report['overall']}/100   {source}".rstrip())
    lines.append(f"persona: {report.get('persona_id') or 'unknown'}   "
                 f"explored psychosocial: {'yes' if v['explored_psychosocial'] else 'no'}   "
                 f"dismissed physical: {'YES' if v['dismissed_physical'] else 'no'}   "
                 f"balanced: {'yes' if v['balanced'] else 'no'}"
                 + ("   (psychosocial questions came before any symptom characterisation)"
                    if v.get("psychosocial_before_physical") else ""))
    lines.append("")
    lines.append("Domains (0-5):")
    for d in report["domains"]:
        bar = "#" * d["score"] + "." * (5 - d["score"])
        lines.append(f"  {bar} {d['score']}  {d['label']}: {d['rationale']}")
        for e in d["evidence"][:3]:
            lines.append(f"          turn {e['turn']}: \"{e['quote']}\"")
    if report["dismissals"]:
        lines.append("")
        lines.append("Dismissive statements:")
        for d in report["dismissals"]:
            lines.append(f"  turn {d['turn']} ({_kind(d['kind'])}): \"{d['quote']}\"")
    if report["missed_cues"]:
        lines.append("")
        lines.append("Missed emotional cues:")
        for m in report["missed_cues"]:
            lines.append(f"  turn {m['turn']}: patient said \"{m['quote']}\"")
            lines.append(f"      you could say: \"{m['suggestion']}\"")
    if report["empathy"]:
        lines.append("")
        lines.append("Empathic moments:")
        for e in report["empathy"][:6]:
            lines.append(f"  turn {e['turn']}: \"{e['quote']}\"")
    pe = report.get("patient_experience")
    if pe:
        lines.append("")
        lines.append(f"The patient's view (CARE themes, 1-5): {pe['total']}/50   "
                     "(a simulated patient's view, not a validated CARE score)")
        for item in pe["items"]:
            lines.append(f"  {item['score']}  {item['label']}: {item['comment']}")
    lines.append("")
    lines.append("Try next time:")
    for a in report["advice"]:
        lines.append(f"  - {a}")
    return "\n".join(lines)


_CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin-top:1.6rem}
.score{font-size:2.6rem;font-weight:700;color:#174ea6}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:14px 18px;margin:12px 0}
.verdict span{display:inline-block;margin:2px 8px 2px 0;padding:2px 10px;border-radius:12px;background:#e7f0fe}
.verdict .bad{background:#fde7e9;color:#8a1020}
table{border-collapse:collapse;width:100%}td,th{padding:6px 8px;border-bottom:1px solid #eaeef2;vertical-align:top;text-align:left}
.bar{background:#eaeef2;border-radius:4px;height:12px;width:140px}.bar i{display:block;height:12px;border-radius:4px;background:#2f6fd6}
.turn{padding:8px 12px;margin:6px 0;border-radius:8px;max-width:80%}
.learner{background:#e7f0fe;margin-left:auto}.patient{background:#fff;border:1px solid #d0d7de}
.who{font-size:.8rem;color:#57606a}.tag{font-size:.75rem;background:#eef;border-radius:8px;padding:1px 6px;margin-left:6px}
.dismissive{outline:3px solid #d1242f}.empathic{outline:3px solid #1a7f37}.cue{outline:3px dashed #bf8700}
q{font-style:italic}a{color:#0b57d0}
"""


def to_html(report: Dict, transcript: Optional[Transcript] = None) -> str:
    e = html.escape
    v = report["verdict"]
    title = f"SP Trainer report: {report.get('persona_id') or 'interview'}"
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'><title>{e(title)}</title>"
             f"<style>{_CSS}</style></head><body><main>"]
    parts.append(f"<h1>{e(title)}</h1><div class='card'><div class='score' aria-label='overall score'>"
                 f"{report['overall']}<small>/100</small></div><div class='verdict'>")
    for key, label, bad_when in (("explored_psychosocial", "explored psychosocial", False),
                                 ("dismissed_physical", "dismissed physical symptoms", True),
                                 ("balanced", "balanced", False),
                                 ("psychosocial_before_physical", "psychosocial before physical", True)):
        value = bool(v.get(key))
        cls = "bad" if value == bad_when else ""
        parts.append(f"<span class='{cls}'>{e(label)}: {'yes' if value else 'no'}</span>")
    parts.append("</div></div>")

    parts.append("<h2>Domains</h2><div class='card'><table><tr><th>Domain</th><th>Score</th><th>Why</th><th>Evidence</th></tr>")
    for d in report["domains"]:
        evidence = "<br>".join(f"<a href='#turn-{x['turn']}'>turn {x['turn']}</a>: <q>{e(x['quote'])}</q>" for x in d["evidence"][:3])
        parts.append(f"<tr><td>{e(d['label'])}<br><small>{e(d.get('instrument', ''))}</small></td>"
                     f"<td><div class='bar' role='img' aria-label='{d['score']} of 5'><i style='width:{d['score'] * 20}%'></i></div>{d['score']}/5</td>"
                     f"<td>{e(d['rationale'])}</td><td>{evidence}</td></tr>")
    parts.append("</table></div>")

    if report["dismissals"]:
        parts.append("<h2>Dismissive statements</h2><div class='card'><ul>")
        for d in report["dismissals"]:
            parts.append(f"<li><a href='#turn-{d['turn']}'>turn {d['turn']}</a> ({e(_kind(d['kind']))}): <q>{e(d['quote'])}</q></li>")
        parts.append("</ul></div>")
    if report["missed_cues"]:
        parts.append("<h2>Missed emotional cues</h2><div class='card'><ul>")
        for m in report["missed_cues"]:
            parts.append(f"<li><a href='#turn-{m['turn']}'>turn {m['turn']}</a>: the patient said <q>{e(m['quote'])}</q>"
                         f"<br>You could say: <q>{e(m['suggestion'])}</q></li>")
        parts.append("</ul></div>")
    pe = report.get("patient_experience")
    if pe:
        parts.append(f"<h2>The patient's view: {pe['total']}/50</h2><div class='card'><p><small>"
                     f"{e(pe.get('note', ''))}</small></p><table><tr><th>CARE theme</th><th>Rating</th><th>The patient says</th></tr>")
        for item in pe["items"]:
            cited = " ".join(f"<a href='#turn-{x['turn']}'>turn {x['turn']}</a>" for x in item["evidence"])
            parts.append(f"<tr><td>{e(item['label'])}</td><td><div class='bar' role='img' aria-label='{item['score']} of 5'>"
                         f"<i style='width:{item['score'] * 20}%'></i></div>{item['score']}/5</td>"
                         f"<td>{e(item['comment'])}<br><small>{cited}</small></td></tr>")
        parts.append("</table></div>")
    parts.append("<h2>Try next time</h2><div class='card'><ol>" + "".join(f"<li>{e(a)}</li>" for a in report["advice"]) + "</ol></div>")

    if transcript is not None:
        flags = {t["turn"]: t for t in report["turns"]}
        dismissive = {d["turn"] for d in report["dismissals"]}
        empathic = {x["turn"] for x in report["empathy"]}
        parts.append("<h2>Transcript</h2><div class='card'>")
        for turn in transcript.turns:
            info = flags.get(turn.number, {})
            classes = [turn.speaker]
            if turn.number in dismissive:
                classes.append("dismissive")
            elif turn.number in empathic:
                classes.append("empathic")
            if info.get("cue"):
                classes.append("cue")
            tag = f"<span class='tag'>{e(info['topic'])}</span>" if info.get("topic") else ""
            parts.append(f"<div class='turn {' '.join(classes)}' id='turn-{turn.number}'><div class='who'>"
                         f"{turn.number}. {e(turn.speaker)}{tag}</div>{e(turn.text)}</div>")
        parts.append("</div>")
    parts.append("<p><small>Generated by SP Trainer. The score is an automatic estimate for practice; "
                 "an assessor's review takes precedence.</small></p></main></body></html>")
    return "".join(parts)
