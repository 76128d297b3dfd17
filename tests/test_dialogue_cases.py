"""The patient on the held-out dialogue cases (``make bench-dialogue`` prints them per kind).

The issue's target is 0.90 in every kind; the floors below sit a little under what this
version reaches (docs/testing.md has the figures), so a change that makes the patient follow
the conversation worse fails here.
"""
from __future__ import annotations

from bench.dialogue import SETS, load_cases, load_personas, run

FLOORS = {"dev": 0.88, "dev2": 0.85, "dev3": 0.85, "dev5": 0.83, "dev6": 0.90, "test": 0.77, "test7": 0.88, "test8": 0.84}


def test_dialogue_cases_do_not_fall_below_their_floors(model_path):
    from bot.nlu.parser import NluParser

    parser = NluParser(model_path)
    personas = load_personas()
    for name, floor in FLOORS.items():
        outcomes = run(load_cases([SETS[name]]), personas, parser.parse_many)
        rate = sum(o.passed for o in outcomes) / len(outcomes)
        assert rate >= floor, f"{name} set: {rate:.2f} < {floor}"
    parser.close()
