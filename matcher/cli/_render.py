"""How ``matcher`` prints results as text: table rows, wrapped reasons, money; and ``--json``."""

from __future__ import annotations

import json
import shutil
import textwrap
from typing import Any

import click

__all__ = ["echo_json", "money", "print_ranking", "width", "wrap"]


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def width() -> int:
    return max(60, min(shutil.get_terminal_size((110, 20)).columns, 140))


def wrap(text: str, indent: int) -> str:
    return textwrap.fill(text, width=width(), initial_indent=" " * indent, subsequent_indent=" " * (indent + 2))


def money(benefit: dict | None) -> str:
    if not benefit:
        return ""
    parts = []
    if benefit.get("max_amount_jpy") is not None:
        parts.append(f"up to ¥{benefit['max_amount_jpy']:,}")
    if benefit.get("rate") is not None:
        parts.append(f"{benefit['rate']:.0%}")
    if benefit.get("free_of_charge"):
        parts.append("free")
    return ", ".join(parts)


def print_ranking(r: dict[str, Any]) -> None:
    c = r["company"]
    who = c.get("name") or c.get("id") or "firm"
    facts = [c.get("location", ""), c.get("industry", "") and f"{c['industry']} {c.get('industry_name', '')}",
             c.get("employees") is not None and f"{c['employees']:,} employees",
             c.get("capital_jpy") is not None and f"capital ¥{c['capital_jpy']:,}",
             c.get("needs") and "needs: " + ", ".join(c["needs"])]
    click.echo(f"{who}: " + "; ".join(f for f in facts if f) + f"  (as of {r['as_of']})")
    click.echo("")
    if r["schemes"]:
        click.echo(f"{'#':>2}  {'score':>5}  {'program':<48} {'provider':<26} {'kind':<16} benefit")
        for n, s in enumerate(r["schemes"], 1):
            click.echo(f"{n:>2}  {s['score']:>5.3f}  {s['name'][:48]:<48} {s['provider']['name'][:26]:<26} "
                       f"{s['kind'][:16]:<16} {money(s.get('benefit'))}")
            click.echo(wrap("; ".join(s["reasons"][:3]), 9))
            for cond in s.get("eligibility") or []:
                click.echo(wrap(f"[{cond['outcome']}] {cond['text']}", 11))
    else:
        click.echo("No program in the catalog is open to this firm on this date.")
    if r["possible"]:
        click.echo("")
        click.echo("Possible if you provide the missing facts:")
        for p in r["possible"]:
            click.echo(f"    {p['score']:>5.3f}  {p['name'][:48]:<48} missing: {', '.join(p['missing']) or '-'}")
            click.echo(wrap("; ".join(p["reasons"][:2]), 11))
    if r["municipalities"]:
        click.echo("")
        click.echo("Municipalities where the firm would be well supported:")
        for m in r["municipalities"]:
            click.echo(f"    {m['score']:>5.3f}  {m['name']} ({m['name_ja']}), {m['prefecture']}")
            click.echo(wrap("; ".join(m["reasons"][:3]), 11))
    if r.get("excluded") is not None:
        click.echo("")
        click.echo(f"Excluded ({len(r['excluded'])}):")
        for e in r["excluded"]:
            click.echo(wrap(f"{e['name']}: {'; '.join(e['failed'])}", 4))
