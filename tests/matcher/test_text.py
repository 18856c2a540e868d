"""The text vectors: the fast transform equals scikit-learn's, and Japanese works."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import pytest

from matcher.kernel import available as kernel_available
from matcher.text import TextVectorizer, _char_hits, matching_terms, program_document
from profiles import load_catalog

PROGRAMS = load_catalog().programs
TV = TextVectorizer().fit([program_document(p) for p in PROGRAMS])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcdeftrairxhibi 展示会出展融資ソフトウェア、。", max_size=60), min_size=1, max_size=4))
def test_the_fast_transform_equals_scikit_learns(docs):
    fast, ref = TV.transform(docs), TV.transform_reference(docs)
    assert fast.shape == ref.shape
    assert np.allclose(fast.toarray(), ref.toarray(), atol=1e-6)


def test_a_japanese_description_shares_character_ngrams_with_a_japanese_program():
    X = TV.transform(["展示会に出展したい"])
    P = TV.transform([program_document(p) for p in PROGRAMS])
    j = next(k for k, p in enumerate(PROGRAMS) if p.id == "kita-trade-fair-subsidy")
    assert (X @ P.T).toarray()[0, j] > 0
    assert "展示会" in matching_terms(TV, X.toarray()[0], P, j)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet="abcdeftrairxhibi 展示会出展融資ソフトウェア、。\t\n", max_size=40), min_size=2, max_size=70),
       st.integers(1, 69))
def test_a_documents_vector_never_depends_on_the_other_documents_of_its_list(docs, cut):
    whole = TV.transform(docs)
    pieces = [TV.transform(docs[:cut]), TV.transform(docs[cut:])] if cut < len(docs) else [whole]
    import scipy.sparse as sp
    assert (sp.vstack(pieces).tocsr() != whole).nnz == 0


def test_words_and_character_ngrams_outside_the_vocabulary_give_an_empty_row():
    X = TV.transform(["", "   ", "qqqq zzzz"])
    assert X.shape == (3, len(TV.feature_names_)) and X[:2].nnz == 0


@pytest.mark.skipif(not kernel_available(), reason="numba is not installed")
@settings(max_examples=60, deadline=None)
@given(docs=st.lists(st.text(alphabet=st.sampled_from(list("ab cdefg\t\n展示会出 🚀x")), max_size=30), max_size=8))
def test_the_compiled_character_pass_finds_the_same_ngrams_as_the_numpy_one(docs):
    TV.transform(["warm"])  # builds the lookup tables
    low = [d.lower() for d in docs + ["trade fair", "展示会に出展したい", "", "   "]]
    compiled = _char_hits(low, TV._tables, compiled=True)
    plain = _char_hits(low, TV._tables, compiled=False)
    assert len(plain[0]) > 10
    for a, b in zip(compiled, plain):
        np.testing.assert_array_equal(a, b)


def _matching_terms_one_by_one(vectorizer, firm_dense, program_rows, j, limit=5):
    """matching_terms as it was before it was computed for many programs at once."""
    b0, b1 = program_rows.indptr[j], program_rows.indptr[j + 1]
    cols = program_rows.indices[b0:b1]
    contrib = program_rows.data[b0:b1] * firm_dense[cols]
    hit = (contrib > 0) & vectorizer.readable_[cols]
    if not hit.any():
        return []
    cols, contrib = cols[hit], contrib[hit]
    order = np.argsort(-contrib, kind="stable")[: 4 * limit]
    out: list[str] = []
    for col in cols[order].tolist():
        term = vectorizer.feature_list_[col]
        if any(term in t for t in out):
            continue
        out = [t for t in out if t not in term]
        out.append(term)
        if len(out) >= limit:
            break
    return out


@pytest.mark.parametrize("text", ["terms", "ngrams"])
@pytest.mark.parametrize("limit", [1, 2, 5])
def test_shared_terms_of_many_programs_at_once_are_those_of_each_alone(text, limit):
    from matcher import MatchEngine
    from matcher.text import matching_terms_many

    engine = MatchEngine(text=text).fit()
    firms = ["Metal press work; we want to exhibit at a trade fair", "展示会に出展したい。金属プレス加工",
             "software development, IT adoption, DX, website", "飲食店の開業資金の融資", "tourism and export", ""]
    X = engine.text_.transform(firms)
    rows = engine.program_text_
    programs = list(range(engine.n_programs_))
    shared = 0
    for i in range(len(firms)):
        dense = np.zeros(X.shape[1], np.float32)
        dense[X[i].indices] = X[i].data
        expected = [_matching_terms_one_by_one(engine.text_, dense, rows, j, limit) for j in programs]
        assert matching_terms_many(engine.text_, dense, rows, programs, limit) == expected
        shuffled = programs[::-3] + [0, 0]
        assert matching_terms_many(engine.text_, dense, rows, shuffled, limit) == [expected[j] for j in shuffled]
        assert matching_terms(engine.text_, dense, rows, 5, limit) == expected[5]
        shared += sum(map(len, expected))
    assert shared > 20  # the firms do share terms with programs
