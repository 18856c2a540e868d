"""TermVectorizer: its cache of rows never changes a row."""

from __future__ import annotations

import pickle

import numpy as np

from matcher.terms import TermVectorizer

PROGRAMS = ["精密加工の設備投資を補助します", "商店街のイベントを支援", "展示会への出展費用を補助", "IT導入の補助金",
            "loans for restaurants and shops"]
FIRMS = ["precision machining of metal parts", "展示会に出展したい", "", "展示会に出展したい", "IT導入・情報化",
         "restaurant loan 融資", "precision machining of metal parts", "nothing in common"]


def _rows_by_hand(tv: TermVectorizer, docs: list[str]) -> list[tuple[list[int], np.ndarray]]:
    """What a row is, computed from document_terms without the cache."""
    out = []
    for doc in docs:
        row = sorted((tv.vocabulary_[t], w) for t, w in tv.document_terms(doc).items() if t in tv.vocabulary_)
        cols = [c for c, _ in row]
        vals = np.array([w for _, w in row]) * tv.idf_[cols] if row else np.empty(0)
        if row:
            vals /= np.sqrt(np.dot(vals, vals))
        out.append((cols, vals.astype(np.float32)))
    return out


def test_cached_rows_equal_the_rows_computed_by_hand_bit_for_bit():
    tv = TermVectorizer().fit(PROGRAMS)
    for _ in range(2):  # the second pass is served from the cache
        X = tv.transform(FIRMS)
        assert X.dtype == np.float32 and X.indices.dtype == np.int32 and X.shape == (len(FIRMS), len(tv.vocabulary_))
        for i, (cols, vals) in enumerate(_rows_by_hand(tv, FIRMS)):
            assert X[i].indices.tolist() == cols
            assert X[i].data.tobytes() == vals.tobytes()
    uncached = TermVectorizer(cache_size=0).fit(PROGRAMS).transform(FIRMS)
    assert (X != uncached).nnz == 0


def test_refitting_or_changing_a_parameter_never_serves_an_old_row():
    tv = TermVectorizer().fit(PROGRAMS)
    before = tv.transform(FIRMS)
    tv.fit(PROGRAMS[:2])
    assert tv.transform(FIRMS).shape[1] == len(tv.vocabulary_) < before.shape[1]
    tv.fit(PROGRAMS)
    assert (tv.transform(FIRMS) != before).nnz == 0
    tv.set_params(bridge=False)
    no_bridge = tv.transform(FIRMS)
    assert [no_bridge[i].indices.tolist() for i in range(len(FIRMS))] == [c for c, _ in _rows_by_hand(tv, FIRMS)]
    assert (no_bridge != before).nnz > 0  # English firms lose their Japanese terms


def test_a_pickled_vectorizer_leaves_its_cache_behind_and_gives_the_same_rows():
    tv = TermVectorizer().fit(PROGRAMS)
    X = tv.transform(FIRMS)
    state = tv.__getstate__()
    assert "_rows" not in state and "_an" not in state
    again = pickle.loads(pickle.dumps(tv))
    assert (again.transform(FIRMS) != X).nnz == 0
    old = pickle.loads(pickle.dumps(tv))
    del old.__dict__["cache_size"]  # an engine saved before the cache existed
    old.__setstate__(dict(old.__dict__))
    assert old.cache_size == 32768 and (old.transform(FIRMS) != X).nnz == 0


def test_rows_of_the_cache_cannot_be_changed_in_place():
    tv = TermVectorizer().fit(PROGRAMS)
    tv.transform(FIRMS)
    cols, vals = tv._row_function()(FIRMS[0])
    assert not cols.flags.writeable and not vals.flags.writeable
