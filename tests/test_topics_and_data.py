"""The topic list is the one source of truth: domain, rules, NLU data and test data agree."""
from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from bench.nlu import load_examples
from bot import rasa_files, topics
from bot.settings import REPO_ROOT as ROOT

NLU_FILES = sorted((ROOT / "data" / "nlu").glob("*.yml"))
HELDOUT_FILES = sorted((ROOT / "tests" / "data").glob("nlu_heldout*.yml"))


def training_examples():
    return [pair for path in NLU_FILES for pair in load_examples(path)]


def test_topic_copy_has_the_46_contract_ids_in_five_categories():
    loaded = topics.load_topics()
    assert len(loaded) == 46
    assert {t.category for t in loaded.values()} == set(topics.CATEGORIES)
    for topic_id in loaded:
        assert re.fullmatch(r"[a-z_]+", topic_id)


SHARED_TOPICS = ROOT.parent / "shared" / "spec" / "topics.yml"


@pytest.mark.skipif(not SHARED_TOPICS.exists(), reason="no shared/spec next to the repository")
def test_shared_contract_matches_our_copy_when_present():
    shared = SHARED_TOPICS
    theirs = yaml.safe_load(shared.read_text())
    assert [t for c in theirs.values() for t in c] == topics.topic_ids()


def test_generated_domain_and_rules_are_in_sync_with_topics():
    for path, expected in rasa_files.generated_files().items():
        assert path.read_text(encoding="utf-8") == expected, f"{path} is stale: run `sptrainer dev sync`"


def test_every_intent_has_at_least_40_distinct_training_examples():
    counts = Counter(label for _, label in training_examples())
    assert set(counts) == set(topics.topic_ids()) | set(topics.EXTRA_INTENTS)
    thin = {label: n for label, n in counts.items() if n < 40}
    assert not thin, f"intents with fewer than 40 examples: {thin}"


def test_no_training_example_is_labelled_twice():
    by_text = {}
    clashes = []
    for text, label in training_examples():
        key = text.lower().strip(" .?!")
        if key in by_text and by_text[key] != label:
            clashes.append((text, by_text[key], label))
        by_text[key] = label
    assert not clashes, clashes[:10]


def test_heldout_set_is_separate_and_covers_every_intent():
    heldout = [pair for path in HELDOUT_FILES for pair in load_examples(path)]
    counts = Counter(label for _, label in heldout)
    assert set(counts) == set(topics.topic_ids())
    assert min(counts.values()) >= 8
    trained = {text.lower().strip(" .?!") for text, _ in training_examples()}
    leaked = [text for text, _ in heldout if text.lower().strip(" .?!") in trained]
    assert not leaked, f"held-out utterances also in training data: {leaked}"


SHARED_CONTRACTS = ROOT.parent / "shared" / "spec" / "contracts.md"


@pytest.mark.skipif(not SHARED_CONTRACTS.exists(), reason="no shared/spec next to the repository")
def test_our_copy_of_the_contracts_matches_the_shared_file_when_present():
    ours = (ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")
    assert ours.split("-->\n\n", 1)[1] == SHARED_CONTRACTS.read_text(encoding="utf-8")
