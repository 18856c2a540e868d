"""The Japanese analyzer: real words, never particles, the same terms everywhere."""

import multiprocessing as mp
import pickle
import threading

import pytest

from matcher.japanese import JapaneseAnalyzer, analyze, stopwords

PARTICLES = {"は", "が", "を", "に", "へ", "と", "で", "の", "も", "や", "から", "まで", "より", "など", "て", "た",
             "ます", "です", "だ", "ない", "する", "した", "為る"}

TEXTS = [
    "都内の中小企業者が展示会に出展する費用の一部を補助します。",
    "補助対象経費：専門家の派遣に要する経費（上限500万円、補助率1/2以内）",
    "令和6年4月1日から同年12月27日まで申請を受け付けます",
    "商店街振興組合が行うイベント事業を支援し、地域の活性化を図る",
    "介護事業者の人材確保と職員の研修を支援する",
]


def test_particles_auxiliaries_and_numbers_never_become_terms():
    ja = JapaneseAnalyzer()
    for text in TEXTS:
        terms = ja(text)
        assert terms, text
        assert not PARTICLES & set(terms), (text, terms)
        assert not [t for t in terms if t.isdigit() or t in "、。：（）/%"], (text, terms)


def test_a_small_enterprise_applicant_gives_the_compound_and_its_parts():
    terms = JapaneseAnalyzer()("中小企業者")
    assert "中小企業者" in terms and "中小企業" in terms and "企業" in terms
    assert "者" not in terms


def test_a_cost_heading_gives_its_compound_but_not_its_stop_words_alone():
    terms = JapaneseAnalyzer()("補助対象経費")
    assert "補助対象経費" in terms
    assert "対象" not in terms and "経費" not in terms  # no terms alone: every program text has them


def test_the_stop_list_is_data():
    breaks, words, affixes = stopwords()
    assert "こと" in breaks and "対象" in words and "御" in affixes
    assert "こと" not in analyze("相談することができます")


def test_verbs_and_inflections_give_dictionary_forms():
    assert "出展" in analyze("展示会に出展したい")
    assert analyze("新製品を開発しています") == ["新製品", "製品", "開発"]


def test_honorific_prefixes_and_etc_suffixes_are_dropped():
    assert analyze("ご相談ください") == ["相談"]
    assert "事業者" in analyze("小規模事業者等") and not any("等" in t for t in analyze("小規模事業者等"))


def test_english_and_acronyms_are_lower_case_words():
    assert analyze("precision machining of metal parts") == ["precision", "machining", "metal", "parts"]
    assert {"dx", "iot"} <= set(analyze("ＤＸとIoTの導入"))


def test_empty_and_symbol_only_texts_have_no_terms():
    assert analyze("") == [] and analyze("。、・（）") == [] and analyze("12345") == []


def test_the_same_text_gives_the_same_terms_in_threads_and_after_pickling():
    ja = JapaneseAnalyzer(cache_size=0)
    expected = [ja(t) for t in TEXTS]
    got = {}

    def run(k):
        got[k] = [ja(t) for t in TEXTS * 20][: len(TEXTS)]
    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(v == expected for v in got.values())
    clone = pickle.loads(pickle.dumps(JapaneseAnalyzer()))
    assert [clone(t) for t in TEXTS] == expected


def _child(q):
    q.put([analyze(t) for t in TEXTS])


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="needs fork")
def test_a_worker_forked_after_loading_gives_the_same_terms():
    expected = [analyze(t) for t in TEXTS]  # loads the dictionary in this process
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(q,))
    p.start()
    assert q.get(timeout=60) == expected
    p.join(timeout=60)


def test_repeated_texts_come_from_the_cache():
    ja = JapaneseAnalyzer()
    first = ja.terms(TEXTS[0])
    assert ja.terms(TEXTS[0]) is first


def test_a_bad_max_run_is_a_clear_error():
    with pytest.raises(ValueError, match="max_run must be an integer >= 1, got 0"):
        JapaneseAnalyzer(max_run=0)("テスト")


def test_the_english_stop_words_kept_as_data_are_scikit_learns():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from matcher.japanese import english_stop_words

    assert english_stop_words() == frozenset(ENGLISH_STOP_WORDS)
