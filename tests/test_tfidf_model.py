"""The TF-IDF space counts n-grams itself (for speed); these tests hold it to scikit-learn's
CountVectorizer, whose vocabularies it uses, on real and awkward texts."""
from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
import yaml
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from bot.nlu.tfidf_model import TfidfSpace, normalise

ROOT = Path(__file__).resolve().parents[1]


def _nlu_lines(limit: int) -> List[str]:
    lines: List[str] = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []) or []:
            lines += [ln.strip()[2:] for ln in str(block.get("examples", "")).splitlines() if ln.strip().startswith("- ")]
    return lines[:limit]


AWKWARD = ["", "   ", "a", "I", "ok  so   um\tthe   pain?", "Ça fait mal — très mal", "x y z",
           "it's   the   bloke's   back's", "1 2 3 400mg", "!!!", "antidisestablishmentarianism hurts",
           "HOW'S YOUR SLEEP", "and\nat\nnight?", "naïve café résumé"]


def _reference(space: TfidfSpace, texts: List[str]) -> sparse.csr_matrix:
    word = CountVectorizer(ngram_range=(1, 2), vocabulary=space.word_vocab, token_pattern=r"(?u)\b\w[\w']*\b")
    char = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), vocabulary=space.char_vocab)
    return sparse.hstack([word.transform(texts), char.transform(texts)]).tocsr()


def test_counts_match_count_vectorizer_on_unseen_and_awkward_texts() -> None:
    lines = [normalise(t) for t in _nlu_lines(3000)]
    fitted, unseen = lines[::2], lines[1::2]
    space = TfidfSpace.fit(fitted)
    texts = unseen + AWKWARD + [t.upper() for t in unseen[:50]]
    ours, theirs = space._counts(texts), _reference(space, texts)
    assert ours.shape == theirs.shape
    assert (ours != theirs).nnz == 0
    # The second pass reads the word cache; it must give the same counts.
    assert (space._counts(texts) != theirs).nnz == 0


def test_vectors_are_unit_length_and_empty_text_is_zero() -> None:
    space = TfidfSpace.fit([normalise(t) for t in _nlu_lines(500)])
    x = space.transform(["how is your sleep", "", "zzzz qqqq"])
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    assert abs(norms[0] - 1.0) < 1e-9
    assert norms[1] == 0.0


def test_questions_no_topic_covers_do_not_make_a_word_common() -> None:
    """rare_words counts rarity over the case questions only: "weekends" asked about in many
    uncovered questions (what do you do at weekends?) is still a word a follow-up picks up."""
    from bot.nlu.tfidf_model import TfidfModel
    case = [f"how is your {w} today?" for w in ("sleep", "mood", "back", "tummy", "work", "knee")] * 150
    uncovered = [f"what do you do at weekends, {n}?" for n in ("Sam", "Jo", "Ali", "Kim", "Lee", "Max")] * 100
    texts = case + uncovered + ["is it worse at weekends?"]
    labels = ["ask_open"] * len(case) + ["uncovered_question"] * len(uncovered) + ["ask_timing"]
    model = TfidfModel.fit(texts, labels, c=1.0, max_iter=200)
    assert "weekends" in model.rare_words("and the weekends?")
    assert "sleep" not in model.rare_words("and the sleep?")
    # Rarity over every example would make it common.
    assert model.space.idf[model.space.word_vocab["weekends"]] < 7.0


def test_clinical_shorthand_is_read_as_the_words_it_stands_for() -> None:
    assert normalise("FHx? and PMH?") == "family history ? and past medical history ?"
    assert "weight" in normalise("any wt loss").split()
    # Only whole words: "shx" inside another word stays as it is.
    assert normalise("pharmacy") == "pharmacy"


def test_a_name_the_learner_only_addresses_someone_by_is_no_clause_and_not_read() -> None:
    from bot.nlu.segments import reading_text, segments

    # Names and wording of no data set: the name before the comma asks nothing.
    assert [s.text for s in segments("Priya, how are you getting on at college?")] == \
        ["how are you getting on at college?"]
    assert reading_text("Mrs Adebayo, what are the evenings like?") == "what are the evenings like?"
    # A greeting with the name is an act of its own, and a one-word sentence is no name.
    assert [s.text for s in segments("Hi Priya, how are you?")] == ["Hi Priya", "how are you?"]
    assert [s.text for s in segments("Lovely to meet you. Goodbye.")] == ["Lovely to meet you.", "Goodbye."]
    assert [s.text for s in segments("Mhm... and then?")] == ["Mhm...", "and then?"]
    assert reading_text("Priya?") == "Priya?"
