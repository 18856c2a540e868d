"""English <-> Japanese: English firms find Japanese terms, unknown words add no noise."""

import pytest

from matcher.crosslingual import (Glossary, JMdictBridge, detect_language, english_words, glossary,
                                  translate_terms)


def terms(text, **kw):
    return dict(translate_terms(text, **kw))


def test_precision_machining_subsidy_gives_precision_machining_and_subsidy():
    t = terms("precision machining subsidy")
    assert t["精密加工"] == 1.0 and t["補助金"] == 1.0
    assert "助成金" in t and t["助成金"] < 1.0  # synonyms weigh less than the usual word


def test_an_unknown_word_yields_nothing_rather_than_noise():
    assert translate_terms("xylophone") == []
    assert terms("xylophone subsidy").keys() == terms("subsidy").keys()


def test_english_stop_words_and_numbers_yield_nothing():
    assert translate_terms("we are the 3 of them") == []


def test_phrases_match_longest_first():
    t = terms("interest subsidy for a trade fair")
    assert "利子補給" in t and "展示会" in t
    assert "補助金" not in t  # "interest subsidy" is one phrase, not "interest" + "subsidy"


def test_plurals_hyphens_and_case_are_normalized():
    assert english_words("Subsidies for SMEs and Start-up firms") == ["subsidy", "for", "sme", "and", "start", "up",
                                                                      "firm"]
    assert terms("Subsidies for SMEs and Start-up firms").keys() >= {"補助金", "中小企業", "創業"}


def test_tokyo_place_names_come_from_the_gazetteer():
    t = terms("a factory in Ota")
    assert "大田区" in t and "工場" in t


def test_japanese_text_gives_english_words_and_needs_no_japanese_bridge():
    en = terms("展示会に出展したい", lang="en")
    assert {"trade", "fair", "exhibit"} <= en.keys()
    assert translate_terms("展示会に出展したい", lang="ja") == []
    assert translate_terms("trade fair", lang="en") == []


def test_a_bad_language_is_a_clear_error():
    with pytest.raises(ValueError, match="lang must be 'ja' or 'en', got 'fr'"):
        translate_terms("subsidy", lang="fr")


def test_language_detection_by_script():
    assert detect_language("大田区で精密加工を営む") == "ja"
    assert detect_language("IoTとDXの導入") == "ja"
    assert detect_language("Precision machining in Ota") == "en"
    assert detect_language("We sell 和菓子 online to customers across Japan") == "en"
    assert detect_language("") == "und" and detect_language("2024-04-01") == "und"


def test_a_glossary_from_given_entries():
    g = Glossary([{"en": ["widget"], "ja": ["部品", "パーツ"]}])
    assert g.to_japanese("widgets") == {"部品": 1.0, "パーツ": 0.5}
    assert g.to_english("部品の製造") == {"widget": 1.0}


def test_the_packaged_glossary_has_several_hundred_entries():
    assert len(glossary()) > 500


def test_an_english_match_names_the_phrase_it_came_from():
    src = glossary().sources("We want a subsidy for precision machining")
    assert src["精密加工"] == "precision machining" and src["補助金"] == "subsidy"


def test_jmdict_fallback_gives_only_catalog_terms():
    pytest.importorskip("jamdict_data")
    bridge = JMdictBridge().fit(["溶接", "補助金"])
    assert [t for t, _ in bridge.lookup("welding")] == ["溶接"]
    assert bridge.lookup("xylophone") == []
    # a word the glossary lacks, translated only through the catalog's own terms
    g = Glossary([{"en": ["subsidy"], "ja": ["補助金"]}])
    assert g.to_japanese("welding subsidy", bridge).keys() >= {"溶接", "補助金"}
    assert g.to_japanese("welding subsidy").keys() == {"補助金", "補助"}


def test_an_engine_meets_an_english_word_the_glossary_lacks_through_jmdict_by_default():
    # 灯台 (lighthouse) is in no glossary entry: only JMdict, restricted to the catalog's terms, bridges it
    from matcher import MatchEngine
    from matcher.crosslingual import jmdict_available
    from matcher.terms import TermVectorizer

    assert jmdict_available()  # a dependency, not an extra
    assert "灯台" not in glossary().to_japanese("lighthouse")
    docs = ["灯台の整備を補助する", "店舗の改装を補助する"]
    on = TermVectorizer(jmdict=True).fit(docs)
    off = TermVectorizer(jmdict=False).fit(docs)
    firm = "We run boat tours and want to restore an old lighthouse"
    assert (on.transform([firm]) @ on.transform(docs).T).toarray()[0, 0] > 0
    assert (off.transform([firm]) @ off.transform(docs).T).toarray()[0, 0] == 0
    assert MatchEngine().fit().text_.jmdict is True
