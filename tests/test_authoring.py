"""Persona authoring (docs/authoring.md): schema, validate, new, lint, show, chat, optional fields, docs.

The commands run for real (in-process through ``bot.cli.main`` or as subprocesses);
``sptrainer chat`` talks to a real Rasa server started by the ``stack`` fixture.
"""
from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import List, Tuple

import pytest
import yaml

from bot import topics
from bot.cli import chat as chat_cli
from bot.cli import main as cli_main
from bot.patient import defaults, respond
from bot.patient.rapport import CUE_ACKNOWLEDGED_BONUS, GUARDED_AFTER_DISMISSAL, RAPPORT_DELTA
from bot.personas import PersonaFileError, PersonaRegistry, load_persona_file, parse_persona_text
from bot.personas.lint import echoed_example
from bot.personas.loader import SCHEMA_FILE, SCHEMA_LINE_PREFIX, schema
from bot.personas.scaffold import COMPLAINTS, template
from bot.personas.show import topics_markdown
from bot.settings import REPO_ROOT as ROOT
from tests.test_persona_files import MINIMAL

BUNDLED = sorted((ROOT / "personas").glob("*.yml"))
HISTORY = topics.ids_in("process", "physical", "psychosocial", "perspective")


def run_cli(capsys, *argv: str) -> Tuple[int, str, str]:
    code = cli_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def subprocess_cli(*argv: str, env: dict = None, stdin: str = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *argv], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, input=stdin, timeout=timeout)


def write(folder: Path, text: str, name: str = "ruth-okafor") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def persona_of(text: str, name: str = "ruth-okafor"):
    return parse_persona_text(text, Path(f"{name}.yml"))


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle`` (so tests do not hard-code numbers)."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def flat(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- 1. the JSON Schema

def _undescribed(node, path="") -> List[str]:
    out = []
    if isinstance(node, dict):
        for key, sub in (node.get("properties") or {}).items():
            if "description" not in sub:
                out.append(f"{path}.{key}")
            out += _undescribed(sub, f"{path}.{key}")
        if isinstance(node.get("items"), dict):
            if "description" not in node["items"]:
                out.append(f"{path}[]")
            out += _undescribed(node["items"], f"{path}[]")
        for key, sub in (node.get("$defs") or {}).items():
            if "description" not in sub:
                out.append(f"$defs.{key}")
            out += _undescribed(sub, f"$defs.{key}")
        for key in ("anyOf", "oneOf"):
            for i, sub in enumerate(node.get(key) or []):
                out += _undescribed(sub, f"{path}.{key}[{i}]")
    return out


def test_schema_describes_every_field_and_nested_field():
    assert _undescribed(schema()) == []


def test_schema_topic_keys_and_descriptions_come_from_topics_yml():
    props = schema()["properties"]
    assert props["answers"]["propertyNames"]["enum"] == topics.topic_ids()
    assert list(props["answers"]["properties"]) == topics.topic_ids()
    reaction_ids = topics.ids_in(*topics.REACTION_CATEGORIES)
    assert sorted(props["reactions"]["propertyNames"]["enum"]) == sorted(reaction_ids)
    assert sorted(props["reactions"]["properties"]) == sorted(reaction_ids)
    for topic in topics.load_topics().values():
        assert topic.desc in props["answers"]["properties"][topic.id]["description"]
    # Only the contract fields are required (docs/contracts.md, section 2: never more).
    assert sorted(schema()["required"]) == sorted(
        ["id", "name", "age", "sex", "occupation", "complaint", "chief_complaint", "opening", "answers"])


def test_validator_enforces_the_schema_file():
    """A constraint that exists only in persona.schema.json (age maximum) is enforced."""
    with pytest.raises(PersonaFileError) as info:
        persona_of(MINIMAL.replace("age: 58", "age: 130"))
    assert any(re.search(r"ruth-okafor\.yml:3:6: age: 130 is greater than the maximum of 120", str(p))
               for p in info.value.problems), info.value.problems


def _schema_target(path: Path) -> Path:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(SCHEMA_LINE_PREFIX), first
    return (path.parent / first[len(SCHEMA_LINE_PREFIX):]).resolve()


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_persona_schema_line_points_at_the_schema(path: Path):
    assert _schema_target(path) == SCHEMA_FILE.resolve()


# ---------------------------------------------------------------- 2. validate

def _set(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


ONSET = '"About eight months ago, around when the library cuts started."'
VALIDATE_CASES = [
    ("unknown topic, did you mean", _set(MINIMAL, "ask_onset:", "ask_onst:"),
     r":10:3: answers: unknown topic id 'ask_onst' \(did you mean 'ask_onset'\?\)"),
    ("unknown reaction topic, did you mean", _set(MINIMAL, "  dismiss:", "  dismis:"),
     r":16:3: reactions: 'dismis' is not a process or communication topic \(did you mean 'dismiss'\?\)"),
    ("id not the file name", _set(MINIMAL, "id: ruth-okafor", "id: ruth"),
     r":1:5: id 'ruth' must equal the file name 'ruth-okafor'"),
    ("answers missing", MINIMAL.split("answers:")[0], r":1:1: required field 'answers' is missing"),
    ("answers empty", MINIMAL.split("answers:")[0] + "answers: {}\n", r":9:10: answers: at least one answer is needed"),
    ("answers null", MINIMAL.split("answers:")[0] + "answers:\n", r":9:1: answers: is empty"),
    ("empty answer string", _set(MINIMAL, ONSET, '""'), r":10:14: answers.ask_onset: must not be empty"),
    ("empty answer null", _set(MINIMAL, ONSET, ""), r":10:3: answers.ask_onset: empty answer"),
    ("empty answer list", _set(MINIMAL, ONSET, "[]"), r":10:14: answers.ask_onset: empty list"),
    ("empty variant", _set(MINIMAL, ONSET, '["Months ago.", "  "]'), r":10:30: answers.ask_onset\[1\]: must not be empty"),
    ("empty open", _set(MINIMAL, 'open: "Honestly, I might lose my job in June."', 'open: ""'),
     r":13:11: answers.ask_stress.open: must not be empty"),
    ("guarded on a physical topic", _set(MINIMAL, f"  ask_onset: {ONSET}", "  ask_onset:\n    guarded: a\n    open: b"),
     r":11:5: answers.ask_onset: 'guarded' is only for psychosocial and perspective topics \('ask_onset' is physical\)"),
    ("guarded without open", _set(MINIMAL, '    open: "Honestly, I might lose my job in June."\n', ""),
     r":12:5: answers.ask_stress: 'guarded' needs an 'open' answer too"),
    ("cue in a reaction", _set(MINIMAL, '  dismiss: "So you think I\'m imagining it?"', '  dismiss:\n    text: "No."\n    cue: true'),
     r":17:5: reactions.dismiss: a reaction is a string or a list of strings \('cue', 'guarded' and 'open' belong"),
    ("cue as a reaction key", MINIMAL + "  cue: true\n", r":18:3: reactions: 'cue' is not a process or communication topic"),
    ("escalation without cue", _set(MINIMAL, "    cue: true", "    escalation: \"I keep thinking about June.\""),
     r":14:5: answers.ask_stress: 'escalation' only applies to a cue"),
    ("cue not a boolean", _set(MINIMAL, "cue: true", "cue: yes please"), r":14:10: answers.ask_stress.cue: 'yes please' is not of type 'boolean'"),
    ("misspelt answer field", _set(MINIMAL, "cue: true", "cues: true"),
     r":14:5: answers.ask_stress: unknown field 'cues' \(did you mean 'cue'\?\)"),
    ("misspelt top-level field", MINIMAL + "demeanor: shy\n", r":18:1: unknown field 'demeanor' \(did you mean 'demeanour'\?\)"),
    ("YAML: unclosed bracket", _set(MINIMAL, "name: Ruth Okafor", "name: [Ruth"), r":\d+:\d+: YAML syntax error"),
    ("YAML: tab", _set(MINIMAL, "name: Ruth", "\tname: Ruth"), r":2:1: YAML syntax error: found character '\\t'"),
    ("YAML: duplicate key", _set(MINIMAL, "reactions:", '  ask_onset: "again"\nreactions:'),
     r":15:3: YAML syntax error: duplicate key: ask_onset"),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in VALIDATE_CASES], ids=[c[0] for c in VALIDATE_CASES])
def test_validate_reports_file_line_col_and_fails(tmp_path: Path, capsys, text: str, expected: str):
    path = write(tmp_path, text)
    code, out, err = run_cli(capsys, "persona", "validate", str(path))
    assert code == 1, (out, err)
    assert re.search(r"ruth-okafor\.yml" + expected, err), err
    assert "0 persona file(s) valid, 1 with errors" in err


def test_validate_passes_the_contract_minimum_even_with_topics_missing(tmp_path: Path, capsys):
    """A missing topic is a lint warning, never a validation error (docs/contracts.md, section 2)."""
    code, out, err = run_cli(capsys, "persona", "validate", str(write(tmp_path, MINIMAL)))
    assert code == 0, err
    assert "1 persona file(s) valid, 0 with errors" in out


def test_validate_reports_duplicate_ids_with_both_files_and_lines(tmp_path: Path, capsys):
    a = write(tmp_path / "a", MINIMAL)
    b = write(tmp_path / "b", "# a comment first\n" + MINIMAL)
    code, out, err = run_cli(capsys, "persona", "validate", str(tmp_path / "a"), str(tmp_path / "b"))
    assert code == 1
    a_at, b_at = f"{a}:1:5", f"{b}:2:5"
    assert f"{b_at}: duplicate id 'ruth-okafor': also defined at {a_at}" in err, err
    assert f"{a_at}: duplicate id 'ruth-okafor': also defined at {b_at}" in err, err


def test_validate_same_file_twice_is_not_a_duplicate(tmp_path: Path, capsys):
    path = write(tmp_path, MINIMAL)
    code, out, err = run_cli(capsys, "persona", "validate", str(path), str(tmp_path))
    assert code == 0, err


def test_validate_every_bundled_persona_as_a_command_and_in_ci():
    run = subprocess_cli("persona", "validate")  # default: the personas folder
    assert run.returncode == 0, run.stderr
    assert f"{len(BUNDLED)} persona file(s) valid, 0 with errors" in run.stdout
    makefile = (ROOT / "Makefile").read_text()
    assert "persona validate personas" in makefile and re.search(r"^test:.*\bvalidate\b", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_one_broken_file_in_a_folder_leaves_the_others_working(tmp_path: Path, capsys, caplog):
    for path in BUNDLED:
        shutil.copy(path, tmp_path / path.name)
    bad = write(tmp_path, MINIMAL.replace("ruth-okafor", "zz-bad").replace("complaint: gut", "complaint: gutt"), "zz-bad")
    code, out, err = run_cli(capsys, "persona", "validate", str(tmp_path))
    assert code == 1
    assert f"{bad}:6:12: complaint: 'gutt' is not one of: chronic_pain, gut, sleep" in err, err
    assert f"{len(BUNDLED)} persona file(s) valid, 1 with errors" in err
    with caplog.at_level(logging.ERROR, logger="bot.personas.registry"):
        registry = PersonaRegistry(tmp_path)
        assert registry.ids() == sorted(p.stem for p in BUNDLED)
    assert any("zz-bad.yml:6:12: complaint" in r.getMessage() for r in caplog.records), caplog.text


# ---------------------------------------------------------------- 3a. persona new

@pytest.mark.parametrize("complaint", COMPLAINTS)
def test_persona_new_writes_a_commented_template_that_validates(tmp_path: Path, capsys, complaint: str):
    code, out, err = run_cli(capsys, "persona", "new", "sam-new", "--complaint", complaint, "--dir", str(tmp_path))
    assert code == 0, err
    path = tmp_path / "sam-new.yml"
    text = path.read_text(encoding="utf-8")
    assert _schema_target(path) == SCHEMA_FILE.resolve()
    persona = load_persona_file(path)  # it validates
    assert persona.complaint == complaint
    assert run_cli(capsys, "persona", "validate", str(path))[0] == 0
    doc = yaml.safe_load(text)
    assert list(doc["answers"]) == HISTORY, "every process/physical/psychosocial/perspective topic is stubbed"
    for topic_id in topics.ids_in("psychosocial", "perspective"):
        assert set(doc["answers"][topic_id]) >= {"guarded", "open"}
        assert persona.answers[topic_id].has_disclosure_levels
    for topic_id in HISTORY + topics.ids_in("communication"):
        assert re.search(rf"^\s*# {topic_id}: ", text, re.M), f"{topic_id} has no explanatory comment"
    assert list(doc["reactions"]) == topics.ids_in("communication")
    assert 2 <= len([t for t, a in persona.answers.items() if a.cue]) <= 4


def test_persona_new_guidance_is_specific_to_the_complaint():
    texts = {c: template("x", c) for c in COMPLAINTS}
    red_flag = {"chronic_pain": "saddle anaesthesia", "gut": "black tarry stool", "sleep": "snoring with pauses"}
    for complaint, needle in red_flag.items():
        block = re.search(r"# ask_red_flags:(.*?)\n  ask_red_flags: ", texts[complaint], re.S).group(1)
        assert needle in flat(block.replace("#", " ")), complaint
        for other in COMPLAINTS:
            if other != complaint:
                assert needle not in flat(texts[other].replace("#", " "))


def test_persona_new_refuses_to_overwrite(tmp_path: Path, capsys):
    path = write(tmp_path, "my own work\n", "sam-new")
    code, out, err = run_cli(capsys, "persona", "new", "sam-new", "--complaint", "gut", "--dir", str(tmp_path))
    assert code == 1
    assert "already exists" in err
    assert path.read_text() == "my own work\n"


@pytest.mark.parametrize("bad_id", ["Sam-New", "sam_new", "sam-", "sam--new", "../sam", "sam.yml", ""])
def test_persona_new_refuses_an_invalid_slug(tmp_path: Path, capsys, bad_id: str):
    code, out, err = run_cli(capsys, "persona", "new", bad_id, "--complaint", "gut", "--dir", str(tmp_path))
    assert code == 1
    assert "invalid id" in err
    assert list(tmp_path.iterdir()) == []


def test_persona_new_defaults_to_the_personas_folder_and_unknown_complaint_is_refused(tmp_path: Path):
    run = subprocess_cli("persona", "new", "sam-new", "--complaint", "sleep",
                         env={"SPTRAINER_PERSONAS_DIR": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "sam-new.yml").is_file()
    bad = subprocess_cli("persona", "new", "sam-two", "--complaint", "back", env={"SPTRAINER_PERSONAS_DIR": str(tmp_path)})
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    assert not (tmp_path / "sam-two.yml").exists()


# ---------------------------------------------------------------- 3b. persona lint

def lint(capsys, *paths: str, strict: bool = False) -> Tuple[int, str, str]:
    return run_cli(capsys, "persona", "lint", *paths, *(["--strict"] if strict else []))


def warnings_of(out: str) -> List[str]:
    return [line for line in out.splitlines() if ": warning: " in line]


def test_lint_bundled_personas_full_coverage_and_no_warnings(capsys):
    code, out, err = lint(capsys, str(ROOT / "personas"), strict=True)
    assert code == 0, out + err
    n = {c: len(topics.ids_in(c)) for c in topics.CATEGORIES}
    history = sum(n[c] for c in ("process", "physical", "psychosocial", "perspective"))
    assert out.count(f"topics answered: {history}/{history} (process {n['process']}/{n['process']}, "
                     f"physical {n['physical']}/{n['physical']}, psychosocial {n['psychosocial']}/{n['psychosocial']}, "
                     f"perspective {n['perspective']}/{n['perspective']})") == len(BUNDLED)
    pairs = n["psychosocial"] + n["perspective"]
    assert out.count(f"guarded/open pairs: {pairs} (psychosocial {n['psychosocial']}/{n['psychosocial']}, "
                     f"perspective {n['perspective']}/{n['perspective']})") == len(BUNDLED)
    assert out.count(f"reactions: communication {n['communication']}/{n['communication']}") == len(BUNDLED)
    assert warnings_of(out) == []
    assert f"lint: {len(BUNDLED)} file(s), 0 with errors, 0 warning(s)" in out


def test_lint_coverage_of_the_contract_minimum(tmp_path: Path, capsys):
    path = write(tmp_path, MINIMAL)
    code, out, err = lint(capsys, str(path))
    assert code == 0
    n = {c: len(topics.ids_in(c)) for c in topics.CATEGORIES}
    assert (f"topics answered: 2/{len(HISTORY)} (process 0/{n['process']}, physical 1/{n['physical']}, "
            f"psychosocial 1/{n['psychosocial']}, perspective 0/{n['perspective']})") in out
    assert "cues: 1 (ask_stress)" in out
    assert f"guarded/open pairs: 1 (psychosocial 1/{n['psychosocial']}, perspective 0/{n['perspective']})" in out
    missing = [t for t in topics.ids_in("communication") if t not in ("dismiss", "empathize")]
    assert (f"reactions: communication 2/{n['communication']} (missing: {', '.join(missing)})") in out
    # Missing topics are warnings, one per category, at the answers key.
    assert f"{path}:9:1: warning: no answer for {n['physical'] - 1} physical topic(s): ask_location," in out
    assert f"{path}:9:1: warning: no answer for {n['process']} process topic(s)" in out
    assert f"{path}:1:1: warning: no '# yaml-language-server: $schema=...' first line" in out
    assert f"{path}:11:3: warning: only 1 cue (ask_stress)" in out


def test_lint_strict_and_errors_set_the_exit_code(tmp_path: Path, capsys):
    path = write(tmp_path, MINIMAL)
    assert lint(capsys, str(path))[0] == 0
    assert lint(capsys, str(path), strict=True)[0] == 1
    broken = write(tmp_path / "broken", MINIMAL.replace("age: 58", "age: old"))
    code, out, err = lint(capsys, str(broken))
    assert code == 1 and f"{broken}:3:6: age: 'old' is not of type 'integer'" in err


def _with(answers_extra: str = "", top: str = "", replace: Tuple[Tuple[str, str], ...] = ()) -> str:
    text = SCHEMA_LINE_PREFIX + "../x.json\n" + MINIMAL
    for old, new in replace:
        text = _set(text, old, new)
    text = _set(text, "reactions:", answers_extra + "reactions:")
    return text + top


LONG = "It started slowly. " * 25  # 475 characters
LINT_CASES = [
    ("long answer", _with(f'  ask_character: "{LONG.strip()}"\n'), "ask_character:",
     r"answers\.ask_character: 474 characters; over 400"),
    ("identical variants", _with('  ask_severity: ["About a six.", "A seven.", "about a  six."]\n'), "ask_severity:",
     r"answers\.ask_severity: variant 3 is identical to variant 1"),
    ("guarded identical to open", _with('  ask_mood:\n    guarded: "Fine."\n    open: ["Low.", "Fine."]\n'),
     "guarded: \"Fine.\"", r"answers\.ask_mood: guarded is identical to open"),
    ("no cue", _with(replace=(("    cue: true\n", ""),)), "answers:", r"no answer has 'cue: true'"),
    ("fewer than 2 cues", _with(), "ask_stress:", r"only 1 cue \(ask_stress\)"),
    ("more than 4 cues", _with("".join(f'  {t}:\n    guarded: "No."\n    open: "Yes, {t}."\n    cue: true\n'
                                       for t in ("ask_mood", "ask_anxiety", "ask_work", "ask_support"))),
     "  ask_support:", r"5 cues \(ask_stress, ask_mood, ask_anxiety, ask_work, ask_support\); more than 4"),
    ("answer echoes the question", _with(replace=((ONSET, '"When did this first start? Last year."'),)), "ask_onset:",
     r"answers\.ask_onset: the answer largely repeats the question \(\"When did this first start\?\""),
    ("psychosocial without guarded/open", _with('  ask_mood: "Low, to be honest."\n'), "ask_mood:",
     r"answers\.ask_mood: psychosocial topic without guarded/open"),
    ("missing dismiss reaction", _with(replace=(('  dismiss: "So you think I\'m imagining it?"\n', ""),)),
     "reactions:", r"no reaction for 'dismiss'"),
    ("missing empathize reaction", _with(replace=(('  empathize: "Thank you. It has been hard."\n', ""),)),
     "reactions:", r"no reaction for 'empathize'"),
    ("volunteers repeat a direct_only fact",
     _with('  ask_family_history:\n    text: "My father died of bowel cancer at sixty."\n    direct_only: true\n',
           top='volunteers:\n  - "My father died of bowel cancer at sixty, you know."\n'),
     "  - \"My father", r"volunteers\[0\]: volunteers the fact in answers\.ask_family_history, which is marked direct_only"),
    ("escalation on a direct_only cue", _with(replace=(("    cue: true\n", "    cue: true\n    direct_only: true\n"
                                                        "    escalation: \"June, June.\"\n"),)),
     "escalation:", r"answers\.ask_stress: escalation is never said"),
    ("repeat identical to the answer", _with('  ask_timing:\n    text: "Every evening."\n    repeat: "Every evening."\n'),
     "repeat:", r"answers\.ask_timing: repeat is identical to the answer"),
    ("placeholder left", _with(replace=(("name: Ruth Okafor", 'name: "TODO Firstname Lastname"'),)), "name:",
     r"name: placeholder still to be written \(TODO\)"),
    ("answer shadowed by a reaction", _with('  dismiss: "Never said."\n'), "  dismiss: \"Never said",
     r"answers\.dismiss is never used: reactions\.dismiss takes precedence"),
    ("schema line points nowhere", _with(), "yaml-language-server", r"the schema line points to '\.\./x\.json'"),
    ("non-English without own generic lines", _with(top="language: de\n"), "language:",
     r"language is 'de' but fallback and unknown are not set"),
]


@pytest.mark.parametrize("text, anchor, expected", [c[1:] for c in LINT_CASES], ids=[c[0] for c in LINT_CASES])
def test_lint_warns_with_file_line_col(tmp_path: Path, capsys, text: str, anchor: str, expected: str):
    path = write(tmp_path, text)
    code, out, err = lint(capsys, str(path))
    assert code == 0, err  # warnings alone never fail without --strict
    line = line_of(text, anchor)
    found = [w for w in warnings_of(out) if re.search(expected, w)]
    assert found, warnings_of(out)
    assert re.match(rf"{re.escape(str(path))}:{line}:\d+: warning: ", found[0]), found


def test_lint_clean_answers_are_not_flagged_as_echoes():
    persona = load_persona_file(BUNDLED[0])
    for topic_id, answer in persona.answers.items():
        for text in answer.open + answer.guarded:
            assert echoed_example(text, topics.load_topics()[topic_id].examples) is None, (topic_id, text)
    assert echoed_example("Is it sharp or more of an ache? Sharp.", topics.load_topics()["ask_character"].examples)


@pytest.mark.parametrize("complaint", COMPLAINTS)
def test_lint_scaffold_reports_only_placeholders_and_no_errors(tmp_path: Path, capsys, complaint: str):
    run_cli(capsys, "persona", "new", "sam-new", "--complaint", complaint, "--dir", str(tmp_path))
    code, out, err = lint(capsys, str(tmp_path / "sam-new.yml"))
    assert code == 0 and err == ""
    assert f"topics answered: {len(HISTORY)}/{len(HISTORY)}" in out
    warns = warnings_of(out)
    assert warns and all("placeholder still to be written (TODO)" in w for w in warns), warns


# ---------------------------------------------------------------- 3c. persona show

def test_show_prints_every_answer_at_the_chosen_rapport(tmp_path: Path, capsys):
    path = write(tmp_path, MINIMAL)
    code, low, _ = run_cli(capsys, "persona", "show", str(path), "--rapport", "low")
    assert code == 0
    assert "Stress? Everyone has stress." in low and "I might lose my job" not in low
    code, high, _ = run_cli(capsys, "persona", "show", str(path), "--rapport", "high")
    assert "Honestly, I might lose my job in June." in high and "Everyone has stress" not in high
    for out in (low, high):
        assert "It's my stomach. It's been cramping on and off for months." in out  # the opening
        assert "About eight months ago, around when the library cuts started." in out
        assert "So you think I'm imagining it?" in out and "Thank you. It has been hard." in out  # reactions
        assert "ask_family_history  [no answer]" in out  # what the patient says to an unanswered topic
        assert any(line in out for line in defaults.unknown_lines(persona_of(MINIMAL)))


@pytest.mark.parametrize("rapport", ["low", "high"])
def test_show_agrees_with_the_engine_for_every_topic(capsys, rapport: str):
    """Whatever the engine says on a first question at that rapport is in show's output."""
    registry = PersonaRegistry(ROOT / "personas")
    for pid in registry.ids():
        persona = registry.get(pid)
        code, out, _ = run_cli(capsys, "persona", "show", pid, "--rapport", rapport)
        assert code == 0
        shown = flat(out)
        start = persona.open_at if rapport == "high" else persona.open_at - 1
        at = dataclasses.replace(persona, rapport_start=start)
        for topic_id in HISTORY + topics.ids_in("communication"):
            for cid in ("a", "b", "c"):
                said = respond(at, cid, ["start_interview", topic_id])
                text = said.text
                hedge = next((h for h in defaults.vague_recall_lines(persona) if text.startswith(h + " ")), None)
                if hedge:  # vague recall: show lists the hedges once, beside the answer
                    assert persona.recall == "vague" and flat(hedge) in shown, (pid, topic_id, said)
                    text = text[len(hedge) + 1:]
                assert flat(text) in shown, (pid, topic_id, said)
                if topic_id in topics.ids_in("psychosocial"):
                    assert said.level == ("open" if rapport == "high" else "guarded")


def test_show_by_id_unknown_id_and_broken_file(tmp_path: Path):
    write(tmp_path, MINIMAL)
    write(tmp_path, "id: broken\nname: [x\n", "broken")
    env = {"SPTRAINER_PERSONAS_DIR": str(tmp_path)}
    ok = subprocess_cli("persona", "show", "ruth-okafor", env=env)
    assert ok.returncode == 0 and "guarded: Stress? Everyone has stress." in ok.stdout
    assert "open: Honestly, I might lose my job in June." in ok.stdout  # no --rapport: both levels
    missing = subprocess_cli("persona", "show", "nobody", env=env)
    assert missing.returncode == 1 and "no persona 'nobody'" in missing.stderr and "ruth-okafor" in missing.stderr
    broken = subprocess_cli("persona", "show", "broken", env=env)
    assert broken.returncode == 1 and re.search(r"broken\.yml:3:1: YAML syntax error", broken.stderr), broken.stderr


@pytest.mark.parametrize("pid", [p.stem for p in BUNDLED] + ["ruth-okafor"])
def test_the_same_reaction_twice_in_a_row_is_never_the_identical_line(pid: str):
    """A persona with one empathize line goes on to the built-in lines instead of repeating itself
    (the worked example in docs/authoring.md showed the repeat before the engine was fixed)."""
    persona = persona_of(MINIMAL) if pid == "ruth-okafor" else load_persona_file(ROOT / "personas" / f"{pid}.yml")
    for act in topics.ids_in("communication"):
        for cid in ("a", "b", "c", "d"):
            said = [respond(persona, cid, ["start_interview", *[act] * n]).text for n in range(1, 5)]
            assert all(x != y for x, y in zip(said, said[1:])), (act, cid, said)


# ---------------------------------------------------------------- 3d. chat against the running bot

def chat(stack, persona_id: str, lines: str, url: str = None) -> subprocess.CompletedProcess:
    return subprocess_cli("chat", persona_id, "--url", url or stack.rasa_url, "--sender", f"chat-{uuid.uuid4().hex[:8]}",
                          stdin=lines)


def patient_lines(out: str) -> List[str]:
    return [line[len("patient> "):] for line in out.splitlines() if line.startswith("patient> ")]


def test_chat_runs_an_interview_against_the_running_bot(stack, personas_dir: Path):
    persona = load_persona_file(personas_dir / "priya-shah.yml")
    run = chat(stack, persona.id, "How long has it been going on?\nDo you smoke?\n/quit\nWhat brings you in today?\n")
    assert run.returncode == 0, run.stderr
    replies = patient_lines(run.stdout)
    assert len(replies) == 3, run.stdout  # opening + two answers; nothing sent after /quit
    assert replies[0] in persona.opening or any(replies[0].startswith(o) for o in persona.opening)
    assert replies[1] in persona.answers["ask_onset"].open
    assert replies[2] in persona.answers["ask_substances"].guarded
    assert "you> How long has it been going on?" in run.stdout


def test_chat_ends_at_end_of_input(stack, personas_dir: Path):
    persona = load_persona_file(personas_dir / "wei-chen.yml")
    run = chat(stack, persona.id, "Does anything help?")  # no /quit, no trailing newline
    assert run.returncode == 0, run.stderr
    replies = patient_lines(run.stdout)
    assert len(replies) == 2 and replies[1] in persona.answers["ask_relief"].open


def test_chat_reports_a_refused_line_and_goes_on(stack, personas_dir: Path):
    """A line the bot refuses (over the channel's size limit) is reported with the bot's own
    reason, and the interview goes on with the next line."""
    persona = load_persona_file(personas_dir / "daniel-osei.yml")
    lines = ["Do you smoke?", "x" * 5000, "How long has it been going on?"]
    run = chat(stack, persona.id, "\n".join(lines) + "\n")
    assert run.returncode == 0, run.stderr
    replies = patient_lines(run.stdout)
    assert len(replies) == 3, run.stdout + run.stderr
    assert replies[1] in persona.answers["ask_substances"].guarded
    assert replies[2] in persona.answers["ask_onset"].open
    assert "error: the bot refused that message:" in run.stderr and "5000" in run.stderr


class _RateLimitedBot(BaseHTTPRequestHandler):
    """The REST channel's protocol when a sender is over its limit: HTTP 429 with
    {"error": ...} for the first two messages, then replies. Stands in for a bot started with
    a strict SPTRAINER_RATE_LIMIT, which the shared test server is not."""

    seen: List[str] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append(body["message"])
        if len(type(self).seen) <= 2:
            status, payload = 429, {"error": "You are sending messages too fast."}
        else:
            status, payload = 200, [{"recipient_id": body["sender"], "text": f"reply to {body['message']}"}]
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 429:
            self.send_header("Retry-After", "0.2")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def test_chat_waits_out_a_rate_limit_instead_of_failing():
    _RateLimitedBot.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RateLimitedBot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        out, err = io.StringIO(), io.StringIO()
        code = chat_cli.run("daniel-osei", url, "s1", io.StringIO("Do you smoke?\n"), out, err)
    finally:
        server.shutdown()
    assert code == 0, err.getvalue()
    start = chat_cli.start_message("daniel-osei")
    assert _RateLimitedBot.seen == [start, start, start, "Do you smoke?"]
    assert patient_lines(out.getvalue()) == [f"reply to {start}", "reply to Do you smoke?"]


def test_chat_unknown_persona_is_a_clear_error(stack, personas_dir: Path):
    run = chat(stack, "nobody-here", "hello\n")
    assert run.returncode == 1
    assert "There is no patient with the id 'nobody-here'" in run.stderr
    assert "priya-shah" in run.stderr  # the available ids are listed
    assert patient_lines(run.stdout) == []


def test_chat_unreachable_bot_is_a_clear_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = subprocess_cli("chat", "priya-shah", "--url", f"http://127.0.0.1:{port}", stdin="hi\n", timeout=60)
    assert run.returncode == 2
    assert f"cannot reach the bot at http://127.0.0.1:{port}" in run.stderr and "make run" in run.stderr


# ---------------------------------------------------------------- 4. optional fields, end to end through respond

def say(persona, *acts: str, cid: str = "c1"):
    return respond(persona, cid, ["start_interview", *acts])


def test_optional_fields_default_when_absent():
    p = persona_of(MINIMAL)
    assert (p.demeanour, p.rapport_start, p.open_at, p.volunteers, p.proxy, p.language) == \
        ("neutral", 0.0, 1.0, (), None, "en")
    assert not any(a.direct_only for a in p.answers.values())


def test_demeanour_shapes_the_generic_replies():
    neutral = persona_of(MINIMAL)
    irritable = persona_of(MINIMAL + "demeanour: irritable\n")
    for act, lines in (("nlu_fallback", defaults._FALLBACK), ("ask_family_history", defaults._UNKNOWN)):
        for cid in ("a", "b", "c", "d"):
            assert say(irritable, act, cid=cid).text in lines["irritable"]
            assert say(neutral, act, cid=cid).text in lines["neutral"]
    assert set(defaults._FALLBACK["irritable"]).isdisjoint(defaults._FALLBACK["neutral"])


def test_rapport_start_and_open_at():
    default = persona_of(MINIMAL)
    assert say(default, "ask_stress").level == "guarded"
    warm = persona_of(MINIMAL + "rapport: {start: 1}\n")
    assert say(warm, "ask_stress").text == "Honestly, I might lose my job in June."
    wary = persona_of(MINIMAL + "rapport: {open_at: 3}\n")
    assert say(wary, "empathize", "empathize", "ask_stress").level == "guarded"
    assert say(wary, "empathize", "empathize", "empathize", "ask_stress").level == "open"
    with pytest.raises(PersonaFileError):
        persona_of(MINIMAL + "rapport: {start: 9}\n")


DIRECT = MINIMAL.replace("    cue: true\n", "    cue: true\n    direct_only: true\n")


def test_direct_only_is_told_when_asked_but_never_volunteered_or_escalated():
    plain, direct = persona_of(MINIMAL), persona_of(DIRECT)
    assert direct.answers["ask_stress"].direct_only
    secret = "I might lose my job"
    assert secret not in say(direct).text  # not in the opening
    told = say(direct, "empathize", "ask_stress")
    assert secret in told.text and told.cue
    # Ignored: the plain persona brings the cue back; the direct_only one never does.
    ignore = ("empathize", "ask_stress", "ask_onset", "ask_location", "ask_timing", "ask_severity", "ask_sleep")
    plain_later = [say(plain, *ignore[:i]).text for i in range(3, len(ignore) + 1)]
    direct_later = [say(direct, *ignore[:i]).text for i in range(3, len(ignore) + 1)]
    assert any(secret in t for t in plain_later), plain_later
    assert not any(secret in t for t in direct_later), direct_later
    with_escalation = persona_of(DIRECT.replace("    direct_only: true\n", "    direct_only: true\n"
                                                "    escalation: \"June. I keep thinking about June.\"\n"))
    assert not any("June" in say(with_escalation, *ignore[:i]).text for i in range(3, len(ignore) + 1))


def test_volunteers_follow_the_opening():
    p = persona_of(MINIMAL + 'volunteers:\n  - "I have also lost some weight."\n  - "And I am tired."\n')
    assert say(p).text == ("It's my stomach. It's been cramping on and off for months. "
                           "I have also lost some weight. And I am tired.")
    assert say(p, "ask_onset").text.startswith("About eight months ago")


def test_proxy_switches_the_voice_of_generic_lines():
    self_ = persona_of(MINIMAL.replace('  dismiss: "So you think I\'m imagining it?"\n', ""))
    proxy = persona_of(MINIMAL.replace('  dismiss: "So you think I\'m imagining it?"\n', "")
                       + "proxy: {speaker: Tunde Okafor, relation: son}\n")
    assert proxy.proxy.speaker == "Tunde Okafor"
    assert "Ruth" in say(proxy, "nlu_fallback").text
    assert "Ruth" in say(proxy, "ask_family_history").text
    assert say(proxy, "dismiss").text in ("So you think Ruth is imagining it?", "It's real, though. Ruth isn't making it up.")
    assert say(self_, "dismiss").text in defaults._REACTIONS["dismiss"]
    assert "Ruth" not in say(self_, "nlu_fallback").text


def test_language_tag_is_kept_checked_and_own_generic_lines_are_used():
    p = persona_of(MINIMAL + 'language: de\nfallback: "Wie bitte?"\nunknown: "Das weiß ich nicht."\n')
    assert p.language == "de"
    assert say(p, "nlu_fallback").text == "Wie bitte?"
    assert say(p, "ask_family_history").text == "Das weiß ich nicht."
    with pytest.raises(PersonaFileError) as info:
        persona_of(MINIMAL + "language: German\n")
    assert any("language" in str(p) for p in info.value.problems)


# ---------------------------------------------------------------- 5. docs/authoring.md

DOC = ROOT / "docs" / "authoring.md"


def test_authoring_guide_topic_table_is_generated_from_topics_yml():
    assert topics_markdown() in DOC.read_text(encoding="utf-8")


def test_authoring_guide_numbers_match_the_engine():
    text = DOC.read_text(encoding="utf-8")
    for act, delta in RAPPORT_DELTA.items():
        assert f"| `{act}` | {delta:+g} |" in text, act
    assert f"{GUARDED_AFTER_DISMISSAL} learner turns" in text
    assert f"{CUE_ACKNOWLEDGED_BONUS:+g}" in text


def test_authoring_guide_walks_through_every_command():
    text = DOC.read_text(encoding="utf-8")
    for command in ("sptrainer persona new", "sptrainer persona validate", "sptrainer persona lint",
                    "sptrainer persona show", "sptrainer chat"):
        assert command in text, command


@pytest.mark.parametrize("doc, name", [("persona-format.md", "ruth-okafor"), ("authoring.md", "ellen-marsh")])
def test_the_persona_examples_in_the_docs_validate(doc: str, name: str):
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(id: .*?)```", text, re.S) or re.search(r"```yaml\n(# yaml-language-server.*?)```", text, re.S)
    persona = persona_of(example.group(1), name)
    assert persona.id == name


def test_follow_up_details_are_shown_linted_and_templated(tmp_path: Path, capsys):
    text = MINIMAL.replace('  ask_onset: "About eight months ago, around when the library cuts started."',
                           '  ask_onset:\n    text: "About eight months ago."\n'
                           '    follow_up: ["It was a Tuesday, after the budget meeting.", "It has never gone fully."]')
    assert "follow_up" in text, "the minimal example changed: update this test"
    path = write(tmp_path, text)
    code, out, err = run_cli(capsys, "persona", "show", str(path))
    assert code == 0, err
    assert "followed up (one at a time):" in out and "It was a Tuesday, after the budget meeting." in out
    code, out, err = lint(capsys, str(path))
    assert "follow-up details: 1 topic(s)" in out
    template_path = tmp_path / "new"
    template_path.mkdir()
    code, out, err = run_cli(capsys, "persona", "new", "sam-new", "--complaint", "gut", "--dir", str(template_path))
    assert code == 0, err
    assert "follow_up" in (template_path / "sam-new.yml").read_text()
