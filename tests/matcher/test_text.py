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
