"""Persona files: the bundled library is valid, and broken files are refused precisely."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import topics
from bot.personas import PersonaFileError, PersonaRegistry, load_persona_file, parse_persona_text
from bot.settings import REPO_ROOT as ROOT

MINIMAL = """\
id: ruth-okafor
name: Ruth Okafor
age: 58
sex: female
occupation: school librarian
complaint: gut
chief_complaint: cramping belly pain and bloating
opening: "It's my stomach. It's been cramping on and off for months."
answers:
  ask_onset: "About eight months ago, around when the library cuts started."
  ask_stress:
    guarded: "Stress? Everyone has stress."
    open: "Honestly, I might lose my job in June."
    cue: true
reactions:
  dismiss: "So you think I'm imagining it?"
  empathize: "Thank you. It has been hard."
"""


def problems_of(text: str, name: str = "ruth-okafor.yml") -> list:
    with pytest.raises(PersonaFileError) as info:
        parse_persona_text(text, Path(name))
    return [str(p) for p in info.value.problems]


def test_contract_minimal_persona_is_valid():
    persona = parse_persona_text(MINIMAL, Path("ruth-okafor.yml"))
    assert persona.answers["ask_stress"].cue
    assert persona.answers["ask_stress"].guarded == ("Stress? Everyone has stress.",)
    assert persona.reactions["dismiss"] == ("So you think I'm imagining it?",)


@pytest.mark.parametrize("path", sorted((ROOT / "personas").glob("*.yml")), ids=lambda p: p.stem)
def test_bundled_persona_is_complete(path: Path):
    persona = load_persona_file(path)
    from bot.personas.lint import coverage_of

    missing = [t for ids in coverage_of(persona).missing.values() for t in ids]
    assert not missing, f"every history topic needs an answer (or, for process acts, a reaction): {missing}"
    for topic_id in topics.ids_in("psychosocial"):
        answer = persona.answers[topic_id]
        assert answer.has_disclosure_levels, f"{topic_id} needs guarded and open variants"
    cues = [t for t, a in persona.answers.items() if a.cue]
    assert 2 <= len(cues) <= 4, cues
    missing_reactions = [t for t in topics.ids_in("communication") if t not in persona.reactions]
    assert not missing_reactions
    assert path.read_text().startswith("# yaml-language-server: $schema=")


def test_bundled_library_covers_three_complaints_and_differs_in_age_and_sex():
    personas = PersonaRegistry(ROOT / "personas").personas().values()
    assert {p.complaint for p in personas} >= {"chronic_pain", "gut", "sleep"}
    assert len({p.sex for p in personas}) >= 2
    ages = sorted(p.age for p in personas)
    assert ages[-1] - ages[0] >= 30


@pytest.mark.parametrize("broken, expected", [
    (MINIMAL.replace("complaint: gut", "complaint: gutt"), r"ruth-okafor\.yml:6:\d+: complaint: 'gutt' is not one of"),
    (MINIMAL.replace("ask_onset:", "ask_onst:"), r":10:3: answers: unknown topic id 'ask_onst' \(did you mean 'ask_onset'\?\)"),
    (MINIMAL.replace("id: ruth-okafor", "id: ruth"), r":1:5: id 'ruth' must equal the file name 'ruth-okafor'"),
    (MINIMAL.replace("age: 58\n", ""), r":1:1: required field 'age' is missing"),
    (MINIMAL.replace('"About eight months ago, around when the library cuts started."', '""'), r":10:14: answers.ask_onset: must not be empty"),
    (MINIMAL.replace('  ask_onset: "About', '  ask_onset:\n    guarded: "x"\n    open: "About'),
     r"answers.ask_onset: 'guarded' is only for psychosocial and perspective topics"),
    (MINIMAL + "  cue: true\n", r"reactions: 'cue' is not a process or communication topic"),
    (MINIMAL.replace("name: Ruth Okafor", "name: [Ruth"), r":\d+:\d+: YAML syntax error"),
    (MINIMAL + "id: again\n", r":\d+:\d+: YAML syntax error: duplicate key: id"),
])
def test_broken_persona_is_refused_with_file_line_and_reason(broken: str, expected: str):
    found = problems_of(broken)
    assert any(re.search(expected, p) for p in found), found


def test_registry_skips_a_broken_file_and_keeps_the_others(tmp_path: Path):
    for path in (ROOT / "personas").glob("*.yml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "broken-one.yml").write_text(MINIMAL.replace("ruth-okafor", "broken-one").replace("age: 58", "age: old"))
    registry = PersonaRegistry(tmp_path)
    assert "broken-one" not in registry.ids()
    assert len(registry.ids()) == len(list((ROOT / "personas").glob("*.yml")))
    problems = registry.problems()["broken-one.yml"]
    assert any(":3:6: age: 'old' is not of type 'integer'" in str(p) for p in problems), problems


def test_validate_command_reports_errors_and_exit_code(tmp_path: Path):
    bad = tmp_path / "ruth-okafor.yml"
    bad.write_text(MINIMAL.replace("sex: female", "sex: ''"))
    good = tmp_path / "good" / "ruth-okafor.yml"
    good.parent.mkdir()
    good.write_text(MINIMAL)
    run = lambda *a: subprocess.run([sys.executable, "-m", "bot.cli", "persona", "validate", *a],
                                    capture_output=True, text=True, cwd=ROOT)
    failed = run(str(bad))
    assert failed.returncode == 1
    assert re.search(r"ruth-okafor\.yml:4:6: sex: must not be empty", failed.stderr), failed.stderr
    passed = run(str(good.parent))
    assert passed.returncode == 0, passed.stderr
