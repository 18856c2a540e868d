"""Speed of reading and normalizing a firm list: ``profiles.tabular`` and ``profiles.firmcheck``.

Run: ``python benchmarks/bench_reader.py`` (``--rows N`` for another size, ``--quick`` for 20,000 rows).

It writes a register the way Japanese Excel does (CP932, CRLF, Japanese headers, a merged
address column with distinct street numbers, capitals in 万円/千円/億円, 和暦 dates, JSIC
words, needs words, phone and contact columns) and prints rows per second, side by side:

- ``csv.DictReader``: the standard library alone on the same file (decoding and splitting);
- ``open_table``: the reader (encoding detection over the whole file, header matching,
  line numbers, stray-quote checks), cells only;
- ``read_firms (no model)``: every cell parsed into firm fields with provenance, kept columns;
- ``read_firms``: the same and each row validated as a ``CompanyProfile``, what a batch run needs;
- the same 20,000 rows as ``.xlsx`` through ``open_table`` (python-calamine) and through
  openpyxl's read-only mode, the alternative.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from profiles.firmcheck import read_firms  # noqa: E402
from profiles.tabular import open_table  # noqa: E402

HEADER = ["No.", "会社名", "郵便番号", "所在地", "資本金", "従業員数", "設立年月日", "業種", "相談内容", "電話番号", "担当者"]
PLACES = [("東京都北区", "王子", "114"), ("東京都北区", "赤羽", "115"), ("東京都羽村市", "緑ヶ丘", "205"),
          ("東京都大田区", "蒲田", "144"), ("東京都八王子市", "明神町", "192"), ("東京都足立区", "千住", "120"),
          ("大阪府東大阪市", "高井田", "577"), ("北海道札幌市中央区", "北1条西", "060"), ("埼玉県川口市", "本町", "332")]
INDUSTRIES = ["金属製品製造業", "24", "ソフトウェア業", "飲食店", "建設業", "プラスチック製品製造業", "E29", "卸売業", "印刷業"]
NEEDS = ["展示会、販路開拓", "運転資金", "IT導入", "人材育成", "設備投資", "", "展示会・商談会", "事業承継"]
ERAS = [("昭和", 1925), ("平成", 1988), ("令和", 2018)]


def register_rows(n: int, seed: int = 12):
    rng = random.Random(seed)
    for i in range(1, n + 1):
        pref_city, town, _ = rng.choice(PLACES)
        address = f"{pref_city}{town}{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
        man = rng.choice([300, 500, 1000, 2000, 3000, 5000, 10000, 30000])
        capital = rng.choice([f"{man:,}万円", f"{man * 10:,}千円", f"{man * 10_000:,}", f"{man // 10000}億円" if man >= 10000
                              else f"{man}万円"])
        era, base = rng.choice(ERAS)
        year = rng.randint(2, 30 if era != "令和" else 6)
        founded = rng.choice([f"{era}{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日", f"{base + year}年4月",
                              f"{base + year}/04/01", f"{'SHR'[ERAS.index((era, base))]}{year}.4.1"])
        yield [str(i), f"架空工業{i}株式会社", "", address, capital, f"{rng.randint(1, 300)}名", founded,
               rng.choice(INDUSTRIES), rng.choice(NEEDS), f"03-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
               rng.choice(["山田", "佐藤", "鈴木", ""])]


def write_csv(path: Path, n: int, seed: int = 12) -> None:
    with open(path, "w", encoding="cp932", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(HEADER)
        w.writerows(register_rows(n, seed))


def timed(fn) -> tuple[float, int]:
    start = time.perf_counter()
    n = fn()
    return time.perf_counter() - start, n


def demo(tmp: Path, n: int, batch: bool) -> None:
    """The README's demo firms (synthetic, canonical fields, Parquet): today's reader against this one."""
    import subprocess

    from matcher.batch.files import InputRows
    from matcher.firmio import valid_firms
    from matcher.synth import write_firms

    path = tmp / "firms.parquet"
    write_firms(str(path), n, "mixed", 1)  # `matcher synth firms --n N --seed 1 -o firms.parquet`

    def today():  # what `matcher batch` reads it with (its columnar fast path for canonical Parquet)
        errors: list = []
        with InputRows(path) as rows:
            count = sum(1 for _ in valid_firms(rows, errors))
        return count + len(errors)

    def new():
        with read_firms(path) as rows:
            return sum(1 for r in rows if r.firm is not None or r.problems)

    runs = [(timed(today), timed(new)) for _ in range(3)]  # interleaved, best of three: the machine may be busy
    old_s, old_n = min(r[0] for r in runs)
    new_s, new_n = min(r[1] for r in runs)
    print(f"\n# the README's demo: {n:,} synthetic firms, Parquet, canonical fields, each validated as a CompanyProfile")
    print(f"{'reader':28} {'seconds':>9} {'rows/s':>10} {'× today':>13}")
    print(f"{'matcher batch (today)':28} {old_s:9.2f} {old_n / old_s:10,.0f} {1:13.2f}")
    print(f"{'read_firms':28} {new_s:9.2f} {new_n / new_s:10,.0f} {new_s / old_s:13.2f}")
    if batch:
        out = tmp / "ranked.parquet"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "matcher", "batch", str(path), "-o", str(out), "--top", "10"],
                       check=True, capture_output=True)
        whole = time.perf_counter() - start
        print(f"matcher batch on the same file (today's reader): {whole:.1f} s; this reader in its place would add "
              f"{new_s - old_s:+.2f} s ({(new_s - old_s) / whole:+.1%})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--xlsx-rows", type=int, default=20_000)
    ap.add_argument("--batch", action="store_true", help="also time `matcher batch` on the demo file, for the ratio")
    args = ap.parse_args()
    n = 20_000 if args.quick else args.rows
    tmp = Path(tempfile.mkdtemp())
    path = tmp / "register.csv"
    write_csv(path, n)
    size = path.stat().st_size

    def dictreader():
        with open(path, encoding="cp932", newline="") as fh:
            return sum(1 for _ in csv.DictReader(fh))

    def table_only():
        with open_table(path) as t:
            return sum(1 for _ in t)

    def firms(validate, seed):
        # a register of its own for each run: its addresses are new to the parsers' caches, as in a real list
        other = tmp / f"register-{seed}.csv"
        write_csv(other, n, seed)

        def run():
            with read_firms(other, validate=validate) as rows:
                count = 0
                for r in rows:
                    count += 1
                s = rows.summary
                assert s.rows == n, (s.rows, n)
                return count
        return run

    small = tmp / "warm.csv"
    write_csv(small, 200, 99)
    setup, _ = timed(lambda: sum(1 for _ in read_firms(small)))  # gazetteer, address index, Japan Post's data
    print(f"# one-time setup (gazetteer, address index, postal data) on a 200-row file: {setup:.2f} s")
    results = [("csv.DictReader", *timed(dictreader)), ("open_table", *timed(table_only)),
               ("read_firms (no model)", *timed(firms(False, 13))), ("read_firms", *timed(firms(True, 14)))]
    with read_firms(path) as rows:
        bad = sum(1 for r in rows if r.problems)
    print(f"# {n:,} rows, {size / 1e6:.1f} MB CP932 CSV ({bad:,} rows with problems)")
    print(f"{'reader':28} {'seconds':>9} {'rows/s':>10} {'× DictReader':>13}")
    base = results[0][1]
    for name, sec, count in results:
        print(f"{name:28} {sec:9.2f} {count / sec:10,.0f} {sec / base:13.1f}")

    demo(tmp, n, args.batch)

    m = min(args.xlsx_rows, n)
    from openpyxl import Workbook, load_workbook

    xlsx = tmp / "register.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("名簿")
    ws.append(HEADER)
    for row in register_rows(m):
        ws.append(row)
    wb.save(xlsx)

    def calamine():
        with open_table(xlsx) as t:
            return sum(1 for _ in t)

    def openpyxl_ro():
        book = load_workbook(xlsx, read_only=True, data_only=True)
        count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
        book.close()
        return count

    x = [("open_table (python-calamine)", *timed(calamine)), ("openpyxl read-only", *timed(openpyxl_ro))]
    print(f"\n# {m:,} rows as .xlsx")
    print(f"{'reader':28} {'seconds':>9} {'rows/s':>10} {'× calamine':>13}")
    for name, sec, count in x:
        print(f"{name:28} {sec:9.2f} {count / sec:10,.0f} {sec / x[0][1]:13.1f}")


if __name__ == "__main__":
    main()
