"""``matcher register alerts``: what is new for each firm since the last catalog version (see
:func:`matcher.register.queries.alerts`)."""

from __future__ import annotations

from collections import Counter

import click

from matcher.cli.register_common import as_of_option, echo_json, json_option, open_register

__all__ = ["alerts"]


@click.command()
@click.option("--catalog", "catalog_dir", type=click.Path(), default=None,
              help="Import this catalog directory as the newest version first.")
@click.option("--since", default=None, help="Compare with this catalog version (id, hash or YYYY-MM-DD).")
@click.option("--closing-within", type=int, default=None, help="Also programs whose deadline is within DAYS.")
@click.option("--per-firm", type=click.IntRange(min=0), default=10, show_default=True,
              help="Each firm's best alerts by score, and a count of the rest (0: all of them).")
@as_of_option
@json_option
@click.pass_context
def alerts(ctx: click.Context, catalog_dir: str | None, since: str | None, closing_within: int | None,
           per_firm: int, as_of: str | None, as_json: bool) -> None:
    """What is new for each firm: programs newly eligible or open, changed, or closing soon.

    Programs a firm was already contacted about are left out. Each firm shows its
    --per-firm best alerts by score, most pressing first, and how many more it has of each
    kind: a brand-new catalog makes hundreds of programs "new" for every firm.

    Example:

        matcher register alerts --catalog catalogs/2026-12 --closing-within 30
    """
    from matcher.register.catalogs import ensure_catalog
    from matcher.register.queries import alerts as alerts_

    reg = open_register(ctx)
    version = ensure_catalog(reg, catalog_dir) if catalog_dir else None
    cur, base, found = alerts_(reg, since=since, closing_within=closing_within, as_of=as_of, version=version,
                               per_firm=per_firm or None)
    shown = sum(len(f.alerts) for f in found)
    total = shown + sum(f.more for f in found)
    if as_json:
        echo_json({"catalog_version": cur.id, "since_version": base.id if base else None, "alerts": total,
                   "shown": shown, "firms": [f.to_dict() for f in found]})
        return
    if base is None:
        click.echo(f"catalog version {cur.id} is the first: nothing to compare with"
                   + ("; closing programs only" if closing_within is not None else ""), err=True)
    lines = []
    for f in found:
        lines.append(f"{f.firm_id}  {f.name or ''}")
        lines.extend(f"  {a.kind:<14} {a.program_id}  {a.name}: {a.detail}" for a in f.alerts)
        if f.more:
            lines.append(f"  ... and {f.more} more: " + ", ".join(f"{n} {k}" for k, n in f.more_by_kind.items()))
    if lines:
        click.echo("\n".join(lines))
    kinds = Counter()
    for f in found:
        kinds.update(a.kind for a in f.alerts)
        kinds.update(f.more_by_kind)
    words = ", ".join(f"{kinds[k]} {k}" for k in sorted(kinds, key=lambda k: (-kinds[k], k)))
    click.echo(f"{total} alerts for {len(found)} firms" + (f", {shown} shown ({words})" if total else "")
               + f"; catalog version {cur.id}" + (f" since version {base.id}" if base else ""), err=True)
