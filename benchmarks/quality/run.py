"""The quality table on the Tokyo FY2024 subsidy list: every system, side by side, in one run.

Systems (each returns an ordered list of catalog rows per firm):

- ``engine``: the engine on the imported catalog (``matcher catalog import tokyo-subsidies``), its
  first screen as a coordinator sees it: the eligible schemes, then the programs it lists as
  possible, in the engine's order;
- ``rules+bm25``: the strongest simple baseline, what a search engine with a filter does: the engine's
  own eligibility removes what the firm certainly cannot use, BM25 (``bm25s``, character bigrams)
  orders the rest;
- ``bm25``: BM25 on character bigrams, no rules (a keyword search of the list);
- ``terms`` / ``terms-nobridge``: the engine's text side alone (analyzer terms, with and without the
  English-to-Japanese glossary), no rules: a diagnostic of the text pipeline;
- ``rules+order``: the engine's eligibility, then catalog order (eligible first, then unknown).

Metrics per firm, then averaged: nDCG@10 (gain 2^grade - 1, ideal from every judged row), P@5 (share of
the top 5 graded 1 or 2), R@10 (share of the firm's positives in the top 10), and the number of programs
in the top 10 the firm is certainly not eligible for (``applicants.csv`` against the firm's ``classes``
and place, see README.md). Overall and by the language of the firm's description. Unjudged rows count
as 0; ``--pool FILE`` writes the rows of every system's top 10 that are not judged yet (without saying
which system returned them), for the blind judging pass.

    python benchmarks/quality/run.py                       # imports the list into a cache, then the table
    python benchmarks/quality/run.py --systems bm25,rules+bm25 --by-firm
    python benchmarks/quality/run.py --pool pool.yaml      # unjudged rows of the pooled top 10s
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA = ROOT.parent / "shared" / "data" / "tokyo-subsidies-fy2024.csv"
K = 10
JA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")


# ---------------------------------------------------------------------------- the judged set
def load_rows(path: Path = DATA) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def load_firms() -> list[dict]:
    return yaml.safe_load((HERE / "tokyo" / "firms.yaml").read_text(encoding="utf-8"))


def load_judgments(pooled: bool = True) -> dict[str, dict]:
    """The judgments written before any system ran, and (``pooled``) the blind judgments of the
    pooled top 10s (``tokyo/pooled-*.yaml``), which never override a first judgment."""
    judg = yaml.safe_load((HERE / "tokyo" / "judgments.yaml").read_text(encoding="utf-8"))
    if pooled:
        for path in sorted((HERE / "tokyo").glob("pooled-*.yaml")):
            for fid, entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
                grades = judg[fid]["grades"]
                for row, g in (entry.get("grades") or {}).items():
                    grades.setdefault(int(row), int(g))
    return judg


def load_applicants() -> dict[int, dict[str, str]]:
    with (HERE / "tokyo" / "applicants.csv").open(encoding="utf-8", newline="") as fh:
        return {int(r["row"]): r for r in csv.DictReader(fh)}


def language(firm: dict) -> str:
    text = " ".join(str(firm.get(k, "")) for k in ("description", "needs", "name"))
    return "ja" if JA.search(text) else "en"


_WARDS = "千代田 中央 港 新宿 文京 台東 墨田 江東 品川 目黒 大田 世田谷 渋谷 中野 杉並 豊島 北 荒川 板橋 練馬 足立 葛飾 江戸川".split()
_ISLANDS = "大島 利島 新島 神津島 三宅 御蔵島 八丈 青ヶ島 小笠原".split()
_EN = {"Ota": "大田", "Sumida": "墨田", "Bunkyo": "文京", "Adachi": "足立", "Shibuya": "渋谷", "Nerima": "練馬",
       "Shinjuku": "新宿", "Taito": "台東", "Edogawa": "江戸川", "Setagaya": "世田谷", "Itabashi": "板橋",
       "Koto": "江東", "Kita": "北", "Toshima": "豊島", "Minato": "港", "Suginami": "杉並", "Shinagawa": "品川",
       "Nakano": "中野", "Chuo": "中央", "Meguro": "目黒", "Arakawa": "荒川", "Chiyoda": "千代田",
       "Katsushika": "葛飾", "Hachioji": "八王子", "Tachikawa": "立川", "Mitaka": "三鷹", "Fuchu": "府中",
       "Machida": "町田", "Hamura": "羽村", "Ome": "青梅", "Musashino": "武蔵野", "Hino": "日野",
       "Hachijo": "八丈", "Oshima": "大島"}


def place_of(firm: dict) -> str:
    """The firm's municipality as a bare Japanese stem (大田, 八王子, 八丈)."""
    m = str(firm.get("municipality", ""))
    for en, ja in _EN.items():
        if m.lower().startswith(en.lower()):
            return ja
    return re.sub(r"(区|市|町|村)$", "", m)


def certainly_ineligible(firm: dict, classes: list[str], applicants: dict[int, dict[str, str]]) -> set[int]:
    """Rows whose applicants share no class with the firm, or whose area excludes its place."""
    place = place_of(firm)
    ward, island = place in _WARDS, place in _ISLANDS
    out = set()
    for row, a in applicants.items():
        who = set(a["applicants"].split(";"))
        if not who & set(classes):
            out.add(row)
            continue
        areas = [x for x in a["area"].split(";") if x]
        if not areas or "tokyo" in areas:
            continue
        ok = False
        for area in areas:
            if area == "tama":
                ok |= not ward and not island
            elif area == "islands":
                ok |= island
            elif area == "特別区":
                ok |= ward
            elif area == "-":
                ok |= False
            else:
                ok |= re.sub(r"(区|市|町|村)$", "", area) == place
        if not ok:
            out.add(row)
    return out


# ---------------------------------------------------------------------------- metrics
def dcg(gains: list[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def metrics(ranked: list[int], grades: dict[int, int], bad: set[int]) -> dict[str, float]:
    top = ranked[:K]
    gain = [2 ** grades.get(r, 0) - 1 for r in top]
    ideal = sorted((2 ** g - 1 for g in grades.values() if g > 0), reverse=True)[:K]
    pos = {r for r, g in grades.items() if g > 0}
    return {"ndcg10": dcg(gain) / dcg(ideal) if ideal else 0.0,
            "p5": sum(grades.get(r, 0) > 0 for r in ranked[:5]) / 5,
            "r10": len(pos & set(top)) / len(pos) if pos else 0.0,
            "inelig10": float(sum(r in bad for r in top))}


# ---------------------------------------------------------------------------- BM25
def bigrams(text: str) -> list[str]:
    t = unicodedata.normalize("NFKC", text).lower()
    t = re.sub(r"\s+", " ", t)
    return [t[i:i + 2] for i in range(len(t) - 1) if " " not in t[i:i + 2]]


class BM25:
    """bm25s over character bigrams of each row's names and overview."""

    def __init__(self, rows: list[dict[str, str]]):
        import bm25s

        docs = [bigrams(" ".join((r["事業名"], r["補助金名"], r["補助金の概要"]))) for r in rows]
        self.retriever = bm25s.BM25()
        self.retriever.index(docs, show_progress=False)
        self.n = len(rows)

    def scores(self, firm: dict) -> np.ndarray:
        q = " ".join([str(firm.get("description", "")), " ".join(map(str, firm.get("needs", []) or []))])
        terms = bigrams(q)
        if not terms:
            return np.zeros(self.n, np.float32)
        return self.retriever.get_scores(terms)


class Terms:
    """The engine's text side alone: cosine of :class:`matcher.terms.TermVectorizer` rows, no rules."""

    def __init__(self, rows: list[dict[str, str]], bridge: bool = True, jmdict: bool = False):
        from matcher.terms import TermVectorizer

        docs = [" ".join((r["事業名"], r["補助金名"], r["補助金の概要"])) for r in rows]
        self.tv = TermVectorizer(bridge=bridge, jmdict=jmdict).fit(docs)
        self.P = self.tv.transform(docs)

    def scores(self, firm: dict) -> np.ndarray:
        q = " ".join([str(firm.get("description", "")), " ".join(map(str, firm.get("needs", []) or []))])
        return (self.P @ self.tv.transform([q]).T).toarray().ravel()


def order_by(scores: np.ndarray, allowed: np.ndarray | None = None) -> list[int]:
    """Row numbers (1-based) by falling score, ties by row; only ``allowed`` rows when given."""
    idx = np.arange(len(scores)) if allowed is None else np.flatnonzero(allowed)
    idx = idx[np.lexsort((idx, -scores[idx]))]
    return [int(i) + 1 for i in idx]


# ---------------------------------------------------------------------------- the engine
def engine_profile(firm: dict) -> dict:
    """The firm as the engine takes it (fields the profile model does not know are dropped)."""
    from profiles import CompanyProfile
    from profiles.errors import UnknownValueError
    from profiles.values import parse_needs_words

    fields = set(CompanyProfile.model_fields)
    out = {k: v for k, v in firm.items() if k in fields}
    words = [str(w) for w in firm.get("needs", []) or []]
    if words:
        # needs as a person writes them: the words the vocabulary knows become needs, and all of
        # them stay in the text (as the firm-list reader treats a free-text 相談内容 column)
        needs: list[str] = []
        for w in words:
            try:
                needs.extend(parse_needs_words(w, free_text=True))
            except UnknownValueError:
                continue  # a need the vocabulary lacks ("capital investment"): it stays as text
        out["needs"] = list(dict.fromkeys(needs))
        out["description"] = " ".join([str(firm.get("description", "")), *words]).strip()
    return out


class Engine:
    """The engine fitted on the imported catalog; program -> catalog row through its source."""

    def __init__(self, catalog: Path, as_of: str):
        from matcher import MatchEngine

        self.engine = MatchEngine().fit(catalog)
        self.as_of = as_of
        self.row_of = np.array([row_of_program(p) for p in self.engine.programs_])

    def eligibility(self, firm: dict) -> np.ndarray:
        """Kleene values per catalog row (0 false, 1 unknown, 2 true); rows the catalog skipped are 0."""
        from rules.kleene import UNKNOWN

        res = self.engine.explain_all(engine_profile(firm), as_of=self.as_of) if hasattr(
            self.engine, "explain_all") else None
        if res is not None:
            return res
        prepared = self.engine.prepare([engine_profile(firm)], self.as_of)
        values = self.engine.eligibility_.evaluate(prepared.facts)[0]
        out = np.zeros(int(self.row_of.max()) if len(self.row_of) else 0, np.uint8)
        out[self.row_of - 1] = values
        assert UNKNOWN == 1
        return out

    def ranked(self, firm: dict) -> list[int]:
        r = self.engine.rank(engine_profile(firm), as_of=self.as_of, top=K)
        ids = [s.id for s in r.in_order()]
        index = {p.id: j for j, p in enumerate(self.engine.programs_)}
        return [int(self.row_of[index[i]]) for i in ids]


def row_of_program(p) -> int:
    for s in p.source:
        row = getattr(s, "row", None)
        if row:
            return int(row)
    raise ValueError(f"program {p.id} names no source row: import the list with `matcher catalog import`")


def import_catalog(out: Path) -> Path:
    if not (out / "programs.yaml").exists() and not any(out.glob("*.yaml")):
        subprocess.run([str(Path(sys.executable).parent / "matcher"), "catalog", "import", "tokyo-subsidies",
                        str(DATA), "-o", str(out)], check=True)
    return out


# ---------------------------------------------------------------------------- the table
def run(systems: list[str], catalog: Path | None, as_of: str, by_firm: bool, pool: Path | None,
        pooled: bool = True) -> None:
    rows = load_rows()
    firms = load_firms()
    judg = load_judgments(pooled)
    appl = load_applicants()
    bm25 = BM25(rows) if {"bm25", "rules+bm25"} & set(systems) else None
    terms = Terms(rows) if {"terms", "rules+terms"} & set(systems) else None
    terms_jm = Terms(rows, jmdict=True) if {"terms+jmdict"} & set(systems) else None
    terms_nb = Terms(rows, bridge=False) if {"terms-nobridge"} & set(systems) else None
    engine = Engine(catalog, as_of) if {"engine", "rules+bm25", "rules+order", "rules+terms"} & set(systems) else None
    makers: dict[str, Callable[[dict], list[int]]] = {
        "bm25": lambda f: order_by(bm25.scores(f)),
        "terms": lambda f: order_by(terms.scores(f)),
        "rules+terms": lambda f: order_by(terms.scores(f), engine.eligibility(f) != 0),
        "terms+jmdict": lambda f: order_by(terms_jm.scores(f)),
        "terms-nobridge": lambda f: order_by(terms_nb.scores(f)),
        "rules+bm25": lambda f: order_by(bm25.scores(f), engine.eligibility(f) != 0),
        "rules+order": lambda f: (order_by(np.zeros(len(rows)), engine.eligibility(f) == 2)
                                  + order_by(np.zeros(len(rows)), engine.eligibility(f) == 1)),
        "engine": lambda f: engine.ranked(f),
    }
    results: dict[str, dict[str, dict[str, float]]] = {s: {} for s in systems}
    tops: dict[str, dict[str, list[int]]] = {s: {} for s in systems}
    seconds = {}
    for s in systems:
        t0 = time.perf_counter()
        for f in firms:
            j = judg[f["id"]]
            grades = {int(k): int(v) for k, v in j["grades"].items()}
            ranked = makers[s](f)
            tops[s][f["id"]] = ranked[:K]
            results[s][f["id"]] = metrics(ranked, grades, certainly_ineligible(f, j["classes"], appl))
        seconds[s] = time.perf_counter() - t0
    langs = {f["id"]: language(f) for f in firms}
    print(f"Tokyo FY2024 list ({len(rows):,} programs), {len(firms)} judged firms "
          f"({sum(v == 'en' for v in langs.values())} described in English), as of {as_of}")
    print()
    print("| system | firms | nDCG@10 | P@5 | R@10 | ineligible in top 10 | s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for s in systems:
        for label, keep in (("all", None), ("English", "en"), ("Japanese", "ja")):
            ms = [m for fid, m in results[s].items() if keep is None or langs[fid] == keep]
            avg = {k: float(np.mean([m[k] for m in ms])) for k in ms[0]}
            print(f"| {s} | {label} ({len(ms)}) | {avg['ndcg10']:.3f} | {avg['p5']:.3f} | {avg['r10']:.3f} | "
                  f"{avg['inelig10']:.2f} | {seconds[s] if keep is None else '':{'.1f' if keep is None else ''}} |")
    if by_firm:
        print()
        print("| firm | lang | " + " | ".join(systems) + " |")
        print("|---|---|" + "---:|" * len(systems))
        for f in firms:
            print(f"| {f['id']} | {langs[f['id']]} | "
                  + " | ".join(f"{results[s][f['id']]['ndcg10']:.2f}" for s in systems) + " |")
    if pool is not None:
        unjudged: dict[str, list[dict]] = {}
        for f in firms:
            judged = {int(k) for k in judg[f["id"]]["grades"]}
            rows_in = sorted({r for s in systems for r in tops[s][f["id"]]} - judged)
            unjudged[f["id"]] = [{"row": r, "name": rows[r - 1]["補助金名"]} for r in rows_in]
        pool.write_text(yaml.safe_dump(unjudged, allow_unicode=True, sort_keys=True), encoding="utf-8")
        print(f"\n{sum(map(len, unjudged.values()))} unjudged rows of the pooled top {K}s written to {pool}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--systems", default="engine,rules+bm25,bm25,rules+order")
    ap.add_argument("--catalog", type=Path, default=None,
                    help="the imported Tokyo catalog (default: import it into a temporary directory)")
    ap.add_argument("--as-of", default="2024-06-01", help="the day eligibility is judged (FY2024)")
    ap.add_argument("--by-firm", action="store_true", help="also print nDCG@10 per firm")
    ap.add_argument("--pool", type=Path, default=None, help="write the unjudged rows of the pooled top 10s here")
    ap.add_argument("--first-judgments-only", action="store_true",
                    help="leave out the blind judgments of pooled rows (tokyo/pooled-*.yaml)")
    args = ap.parse_args(argv)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    needs_catalog = {"engine", "rules+bm25", "rules+order", "rules+terms"} & set(systems)
    with tempfile.TemporaryDirectory() as tmp:
        catalog = args.catalog or (import_catalog(Path(tmp) / "tokyo") if needs_catalog else None)
        run(systems, catalog, args.as_of, args.by_firm, args.pool, pooled=not args.first_judgments_only)


if __name__ == "__main__":
    main()
