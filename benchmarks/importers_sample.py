"""Check the tokyo-subsidies importer's readings by hand, and against the judged applicants table.

Imports the Tokyo list into a temporary directory, then prints

1. the import report (programs, per field extracted / given / default / none, text not read);
2. a random sample of rows (``--sample 30``, ``--seed``): the applicant text and cost share as
   written, beside what the importer read (applicant types, size rules, target groups,
   delivered_by, location, shares, rate, ceiling), for a reader to mark right or wrong;
3. with ``--applicants`` (default: benchmarks/quality/tokyo/applicants.csv, read by hand for
   every row), agreement tables: "open to some firm" and "through an intermediary" and area.

Example:

    python benchmarks/importers_sample.py --sample 30 --seed 11
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from matcher.importers import import_catalog

HERE = Path(__file__).resolve().parent
TOKYO = HERE.parent / ".." / "shared" / "data" / "tokyo-subsidies-fy2024.csv"
GOLD = HERE / "quality" / "tokyo" / "applicants.csv"
FIRM_CLASSES = {"sme", "small_enterprise", "business", "sole_proprietor", "corporation"}


def open_to_firms(p: dict) -> bool:
    """Open to a business of any kind: no applicant type, or a corporation or sole proprietor
    among them, and no target group required (the judged table's sme / business / corporation)."""
    e = p.get("eligibility", {})
    types = e.get("applicant_types", [])
    return (not types or bool({"corporation", "sole_proprietor"} & set(types))) and not e.get("target_groups")


def area(p: dict) -> str:
    e = p.get("eligibility", {})
    if e.get("regions"):
        return ";".join(e["regions"])
    if e.get("municipalities"):
        return "municipalities"
    return "tokyo" if e.get("prefectures") == ["13"] else "-"


def show(row: int, cells: dict, p: dict) -> str:
    e, b = p.get("eligibility", {}), p.get("benefit", {})
    lines = [f"--- row {row}: {p['name_ja']}  [{cells['補助対象者']}]"]
    for s in p["source"]:
        if s.get("field") == "補助金の概要" and any(f.startswith(("eligibility.applicant", "eligibility.rule",
                                                                    "benefit.shares", "delivered_by")) for f in s["facts"]):
            lines.append(f"    text: {s['quote'][:110]!r}")
    lines.append(f"    read: types={e.get('applicant_types', 'any firm' if 'eligibility.applicant_types' else '-')} "
                 f"rules={e.get('rule_sets', [])} groups={e.get('target_groups', [])} "
                 f"through={(p.get('delivered_by') or {}).get('name_ja')}")
    lines.append(f"    where: {area(p)} {e.get('municipalities', '')}   shares={[s.get('text') for s in b.get('shares', [])]} "
                 f"rate={b.get('rate')} max={b.get('max_amount_jpy')} budget={b.get('budget_jpy')}")
    return "\n".join(lines)


def agreement(progs: dict[int, dict], gold_path: Path) -> str:
    gold = {int(r["row"]): r for r in csv.DictReader(gold_path.open(encoding="utf-8"))}
    firm, through, where = Counter(), Counter(), Counter()
    for row, p in progs.items():
        g = gold.get(row)
        if g is None:
            continue
        g_firm = bool(FIRM_CLASSES & set(g["applicants"].split(";")))
        firm[(g_firm, open_to_firms(p))] += 1
        through[(bool(g["through"].strip()), "delivered_by" in p)] += 1
        g_area = g["area"].replace("islands", "tokyo_islands")
        where[(g_area in ("tokyo", "tama", "tokyo_islands"), g_area == area(p))] += 1

    def table(title: str, c: Counter) -> list[str]:
        tp, fp, fn, tn = c[(True, True)], c[(False, True)], c[(True, False)], c[(False, False)]
        prec = tp / (tp + fp) if tp + fp else float("nan")
        rec = tp / (tp + fn) if tp + fn else float("nan")
        return [f"{title}: judged yes & read yes {tp}, judged no & read yes {fp}, judged yes & read no {fn}, "
                f"judged no & read no {tn}; precision {prec:.2f}, recall {rec:.2f}, "
                f"agreement {(tp + tn) / max(1, sum(c.values())):.2f}"]

    out = ["", f"against {gold_path.name} (read by hand, every row):"]
    out += table("open to a business (sme/business/corporation/sole proprietor)", firm)
    out += table("through an intermediary", through)
    simple = where[(True, True)] + where[(True, False)]
    out.append(f"area (rows judged tokyo / tama / islands: {simple}): read the same {where[(True, True)]} "
               f"({where[(True, True)] / max(1, simple):.2f})")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, default=TOKYO)
    ap.add_argument("--sample", type=int, default=30)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--applicants", type=Path, default=GOLD)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = import_catalog("tokyo-subsidies", args.input, Path(tmp) / "catalog")
        progs = {p["source"][0]["row"]: p for p in
                 yaml.safe_load((Path(tmp) / "catalog" / "programs.yaml").read_text(encoding="utf-8"))["programs"]}
    print(report.to_text())
    rows = list(csv.DictReader(args.input.open(encoding="utf-8-sig")))
    picked = sorted(random.Random(args.seed).sample(sorted(progs), min(args.sample, len(progs))))
    print(f"\nsample of {len(picked)} rows (seed {args.seed}):")
    for row in picked:
        print(show(row, rows[row - 1], progs[row]))
    if args.applicants and args.applicants.exists():
        print(agreement(progs, args.applicants))


if __name__ == "__main__":
    main()
