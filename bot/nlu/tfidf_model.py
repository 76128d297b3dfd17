"""The learner-act model itself: TF-IDF word and character n-grams with multinomial
logistic regression, free of Rasa so the scorer loads it in a fraction of a second.

Why this model and not DIET: bot/nlu/tfidf_intent_classifier.py (the Rasa component that
trains and serves it). The trained model is stored as plain arrays (npz + json), not
pickles, so loading a model file never executes code.
"""
from __future__ import annotations

import io
import json
import logging
import re
import tarfile
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

import numpy as np
from scipy import sparse

from bot.nlu import lexicon
from bot.nlu.reading import Reading, read_turn
from bot.nlu.segments import reading_text, segments

logger = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")


@lru_cache(maxsize=65536)
def normalise(text: str, medicines: FrozenSet[str] = frozenset()) -> str:
    """Lower-case, unify apostrophes, expand texting spellings and shorthand, and turn doses and medicine
    names into one token each (bot/nlu/lexicon.py). Remembered: the act and dismissal
    models read the same turns."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = lexicon.DOSE_RE.sub(f" {lexicon.DOSE} ", text)
    tokens = [lexicon.READ_AS.get(tok, tok) for tok in _TOKEN_RE.findall(text)]
    return " ".join(lexicon.tag_medicines(tokens, medicines))


_WORD_TOKEN = re.compile(r"(?u)\b\w[\w']*\b")
#: Distinct pieces of text whose n-gram columns a space remembers (a few MB at most).
_WORD_CACHE_LIMIT = 200_000


_INTERNED: Dict[FrozenSet[str], FrozenSet[str]] = {}


def _interned(medicines: FrozenSet[str]) -> FrozenSet[str]:
    """One object per medicine list, so ``normalise``'s memory compares keys by identity
    rather than word by word."""
    return _INTERNED.setdefault(medicines, medicines)


def smoothed_idf(n_texts: int, df: np.ndarray) -> np.ndarray:
    """scikit-learn's smoothed IDF: one home for the feature space and for rare words."""
    return np.log((1 + n_texts) / (1 + df)) + 1.0


class TfidfSpace:
    """Word 1-2-grams and char_wb 2-5-grams, sublinear TF, IDF, L2 normalised.

    The vocabularies are fitted with scikit-learn's CountVectorizer; counting is done here,
    with the same n-grams (tests/test_tfidf_model.py checks it against CountVectorizer), but
    each distinct word's character n-grams looked up once, which makes scoring a thousand
    transcripts several times faster (docs/scoring.md, "Speed")."""

    def __init__(self, word_vocab: Dict[str, int], char_vocab: Dict[str, int], idf: np.ndarray) -> None:
        self.word_vocab = dict(word_vocab)
        self.char_vocab = dict(char_vocab)
        self.idf = idf
        self._n_word = len(self.word_vocab)
        self._n_features = self._n_word + len(self.char_vocab)
        self._chunks: Dict[str, Tuple[List[int], List[str]]] = {}

    @classmethod
    def fit(cls, texts: List[str], min_df: int = 1) -> "TfidfSpace":
        # Imported here: scikit-learn is needed to train only, and loading it costs
        # `sptrainer score` half a second.
        from sklearn.feature_extraction.text import CountVectorizer

        word = CountVectorizer(ngram_range=(1, 2), min_df=min_df, token_pattern=_WORD_TOKEN.pattern).fit(texts)
        char = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=min_df).fit(texts)
        space = cls(word.vocabulary_, char.vocabulary_, np.ones(0))
        counts = space._counts(texts)
        space.idf = smoothed_idf(len(texts), np.bincount(counts.indices, minlength=counts.shape[1]))
        return space

    def _chunk(self, chunk: str) -> Tuple[List[int], List[str]]:
        """One whitespace-separated piece of a lower-cased text: the columns of its word
        tokens and of its char_wb n-grams (CountVectorizer's rule: the piece padded with a
        space each side; a piece shorter than n counts once, whole), and its word tokens for
        the bigrams. Remembered: most pieces recur in every transcript."""
        known = self._chunks.get(chunk)
        if known is not None:
            return known
        tokens = _WORD_TOKEN.findall(chunk)
        words = self.word_vocab
        columns = [words[t] for t in tokens if t in words]
        padded = " " + chunk + " "
        length = len(padded)
        vocab, offset_columns = self.char_vocab, self._n_word
        for n in range(2, 6):
            offset = 0
            grams = [padded[0:n]]
            while offset + n < length:
                offset += 1
                grams.append(padded[offset: offset + n])
            columns.extend(vocab[g] + offset_columns for g in grams if g in vocab)
            if offset == 0:
                break
        if len(self._chunks) >= _WORD_CACHE_LIMIT:
            self._chunks = {}
        entry = (columns, tokens)
        self._chunks[chunk] = entry
        return entry

    def _counts(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Raw n-gram counts, word columns first, then character columns. Word tokens never
        span whitespace, so each piece's unigrams and n-grams are looked up once."""
        indices: List[int] = []
        indptr = [0]
        words = self.word_vocab
        chunk_of = self._chunk
        for text in texts:
            tokens: List[str] = []
            for chunk in text.lower().split():
                columns, chunk_tokens = chunk_of(chunk)
                indices.extend(columns)
                tokens.extend(chunk_tokens)
            if len(tokens) > 1:
                bigrams = [a + " " + b for a, b in zip(tokens, tokens[1:])]
                indices.extend(words[g] for g in bigrams if g in words)
            indptr.append(len(indices))
        counts = sparse.csr_matrix((np.ones(len(indices), dtype=np.int64), np.array(indices, dtype=np.int64),
                                    np.array(indptr, dtype=np.int64)), shape=(len(texts), self._n_features))
        counts.sum_duplicates()
        return counts

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        x = self._counts(texts).astype(np.float64)
        x.data = (1.0 + np.log(x.data)) * self.idf[x.indices]
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        x.data /= np.repeat(norms, np.diff(x.indptr))
        return x


WEIGHTS, META = "weights.npz", "meta.json"
#: A word this rare in the learner examples (IDF; the rarest score about 8.8) or never seen
#: is a specific reference: "your cousin", "the landing light" (docs/intent-guide.md, "Follow-ups").
RARE_WORD_IDF = 7.0
#: Examples of these acts do not make a word common: questions about pets or the journey in
#: (uncovered_question) would otherwise make "weekends" or "drink" too ordinary to be picked up.
NOT_FOR_RARITY = frozenset({"uncovered_question", "out_of_scope"})


def common_words(texts: Sequence[str]) -> FrozenSet[str]:
    """The words of ``texts`` (normalised) too common to be a specific reference: IDF below
    RARE_WORD_IDF, smoothed as the feature space's IDF is."""
    df = Counter(word for text in texts for word in set(_WORD_TOKEN.findall(text)))
    return frozenset(w for w, d in df.items() if smoothed_idf(len(texts), np.array(d)) < RARE_WORD_IDF)


class TfidfModel:
    """Classes, weights and the feature space of one trained model."""

    def __init__(self, space: TfidfSpace, classes: List[str], coef: np.ndarray, intercept: np.ndarray,
                 medicines: FrozenSet[str], common: Optional[FrozenSet[str]] = None) -> None:
        self.space = space
        #: Words too common in the case questions to be a specific reference (rare_words);
        #: None: rarity by the feature space's IDF.
        self.common = common
        self.classes = classes
        self.coef = coef
        self.intercept = intercept
        self.medicines = _interned(medicines)
        self._coef_t = np.ascontiguousarray(coef.T)  # features x classes: sparse @ dense is then fast

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str], c: float, max_iter: int) -> "TfidfModel":
        medicines = lexicon.medicine_words()
        normalised = [normalise(t, medicines) for t in texts]
        space = TfidfSpace.fit(normalised)
        from sklearn.linear_model import LogisticRegression  # training only (see TfidfSpace.fit)

        model = LogisticRegression(C=c, max_iter=max_iter, random_state=0)
        model.fit(space.transform(normalised), list(labels))
        coef, intercept = model.coef_, model.intercept_
        if coef.shape[0] == 1:  # two classes: one weight row for the second; softmax([0, z]) is its sigmoid
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.array([0.0, float(intercept[0])])
        common = common_words([t for t, label in zip(normalised, labels) if label not in NOT_FOR_RARITY])
        return cls(space, [str(k) for k in model.classes_], coef, intercept, medicines, common)

    def vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The texts in the model's feature space (unit length: a dot product is a cosine)."""
        return self.space.transform([normalise(t, self.medicines) for t in texts])

    def rare_words(self, text: str) -> List[str]:
        """The turn's words the model has rarely or never met in learner examples, in order:
        what a follow-up picks up from the patient's last reply ("your cousin, what was it?")."""
        out: List[str] = []
        vocab, idf = self.space.word_vocab, self.space.idf
        for word in _WORD_TOKEN.findall(normalise(text, self.medicines)):
            if not (len(word) >= 3 and word.isalpha()) or word in out:
                continue
            if self.common is not None:
                rare = word not in self.common
            else:
                column = vocab.get(word)
                rare = column is None or idf[column] >= RARE_WORD_IDF
            if rare:
                out.append(word)
        return out

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities, one row per text (multinomial softmax)."""
        return self.predict_vectors(self.vectors(texts))

    def predict_vectors(self, x: sparse.csr_matrix) -> np.ndarray:
        """Class probabilities of texts already in the feature space (``vectors``)."""
        scores = np.asarray(x @ self._coef_t) + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        return probs / probs.sum(axis=1, keepdims=True)

    def read(self, texts: Sequence[str]) -> Tuple[List[Reading], np.ndarray]:
        """Each turn read as acts (bot/nlu/reading.py), and the whole turns' probabilities:
        whole turns and their clauses are classified in one batch."""
        split = [segments(t) if t else [] for t in texts]
        batch = [reading_text(t) for t in texts] + [s.text for parts in split if len(parts) > 1 for s in parts]
        probs = self.predict(batch) if batch else np.zeros((0, len(self.classes)))
        out, cursor = [], len(texts)
        for index, (text, parts) in enumerate(zip(texts, split)):
            row = probs[index]
            top = np.argsort(-row)[:3]
            ranking = [(self.classes[i], float(row[i])) for i in top]
            clauses = []
            if len(parts) > 1:
                for part in parts:
                    part_row = probs[cursor]
                    cursor += 1
                    best = int(np.argmax(part_row))
                    clauses.append((part.start, part.end, self.classes[best], float(part_row[best])))
            out.append(read_turn(text, ranking, clauses))
        return out, probs[: len(texts)]

    def save(self, directory: Path) -> None:
        np.savez(directory / WEIGHTS, coef=self.coef, intercept=self.intercept, idf=self.space.idf)
        meta = {"classes": self.classes,
                "word_vocab": {k: int(v) for k, v in self.space.word_vocab.items()},
                "char_vocab": {k: int(v) for k, v in self.space.char_vocab.items()},
                "medicines": sorted(self.medicines)}
        if self.common is not None:
            meta["common_words"] = sorted(self.common)
        (directory / META).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def from_files(cls, weights: io.BytesIO | Path, meta_text: str) -> "TfidfModel":
        arrays = np.load(weights, allow_pickle=False)
        meta = json.loads(meta_text)
        space = TfidfSpace(meta["word_vocab"], meta["char_vocab"], arrays["idf"])
        common = frozenset(meta["common_words"]) if "common_words" in meta else None
        return cls(space, meta["classes"], arrays["coef"], arrays["intercept"], frozenset(meta.get("medicines", ())),
                   common)

    @classmethod
    def load(cls, directory: Path) -> Optional["TfidfModel"]:
        """The model a Rasa component persisted in ``directory``; None when there is none."""
        if not (directory / WEIGHTS).exists():
            return None
        return cls.from_files(directory / WEIGHTS, (directory / META).read_text(encoding="utf-8"))

    @classmethod
    def from_archive(cls, archive: Path) -> "TfidfModel":
        """The model inside a trained Rasa model file, read without starting Rasa (the scorer
        needs only this, and importing Rasa's engine takes seconds)."""
        found: Dict[str, bytes] = {}
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                name = member.name.rsplit("/", 1)[-1]
                if "TfidfIntentClassifier" in member.name and name in (WEIGHTS, META) and member.isfile():
                    handle = tar.extractfile(member)
                    if handle is not None:
                        found[name] = handle.read()
        if set(found) != {WEIGHTS, META}:
            raise FileNotFoundError(f"{archive} holds no trained TfidfIntentClassifier")
        return cls.from_files(io.BytesIO(found[WEIGHTS]), found[META].decode("utf-8"))
