"""``matcher register``: the coordinator's register on the command line, a thin layer over
:mod:`matcher.register`.

Every command takes ``--db`` (a SQLite file or a SQLAlchemy URL; default ``MATCHER_DB``,
else ``register.db`` in the user's data directory) and ``--as NAME`` (the coordinator who
acts, written to the audit log; default ``MATCHER_COORDINATOR``, else the login name).
Tables are readable by default and ``--json`` prints what the library returns. Bad input
prints one line on stderr and exits with code 2.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import click

from matcher.cli._group import OneLineErrorGroup, remember_lang
from matcher.cli.register_common import as_of_option, echo_json, json_option, open_register

__all__ = ["register"]


class _Group(OneLineErrorGroup):
    """The project's errors as one line and exit code 2, and an unreachable database too."""

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import OperationalError

        try:
            return super().invoke(ctx)
        except OperationalError as exc:
            click.echo(f"error: database: {' '.join(str(exc.orig).split())}", err=True)
            ctx.exit(2)


_reg, _echo_json, _json_opt, _as_of_opt = open_register, echo_json, json_option, as_of_option


def _phone(kept: dict[str, Any]) -> str:
    for k, v in kept.items():
        low = k.lower()
        if any(w in low for w in ("phone", "tel", "電話")):
            return str(v)
    return ""


@click.group(cls=_Group)
@click.option("--db", envvar="MATCHER_DB", default=None,
              help="The register: a SQLite file or a SQLAlchemy URL (postgresql+psycopg://...). [env: MATCHER_DB]")
@click.option("--as", "actor", envvar="MATCHER_COORDINATOR", default=None,
              help="The coordinator who acts (default: the login name). [env: MATCHER_COORDINATOR]")
@click.option("--weights", type=click.Path(dir_okay=False), envvar="MATCHER_WEIGHTS", default=None, metavar="FILE",
              help="Score matches, call lists and alerts with a weights file (e.g. from `register learn`); "
                   "matches are kept per weights. [env: MATCHER_WEIGHTS]")
@click.pass_context
def register(ctx: click.Context, db: str | None, actor: str | None, weights: str | None) -> None:
    """The coordinator's register: firms, outcomes, call lists and alerts on a database.

    Example:

        matcher register init && matcher register import examples/kita-register.csv
    """
    ctx.ensure_object(dict)
    ctx.obj.update(db=db, actor=actor, weights=weights)


@register.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the register (or upgrade it to this version's schema).

    Example:

        matcher register --db desk.db init
    """
    from matcher.register import Register

    reg = Register.create(ctx.obj["db"], actor=ctx.obj["actor"])
    from matcher.register.db import current_revision

    click.echo(f"register ready at {reg.engine.url.render_as_string(hide_password=True)} "
               f"(schema {current_revision(reg.engine)})")
    reg.close()


@register.command("import")
@click.argument("file", type=click.Path())
@click.option("--batch-size", type=int, default=500, show_default=True, help="Firms written per transaction.")
@click.option("--encoding", default=None, metavar="NAME", help="The text file's encoding (default: detected).")
@click.option("--sheet", default=None, metavar="NAME", help="The Excel sheet (default: the first).")
@click.option("--columns", "columns", type=click.Path(), default=None, metavar="MAP.yaml",
              help="A YAML file mapping firm fields to the list's headers (e.g. `id: No.`).")
@click.option("--prefecture", default=None, metavar="NAME", help="The prefecture of addresses that do not name one.")
@_json_opt
@click.pass_context
def import_(ctx: click.Context, file: str, batch_size: int, encoding, sheet, columns, prefecture,
            as_json: bool) -> None:
    """Add the firms of a list to the register, or update them, by firm id.

    FILE is a firm list (CSV in any encoding Excel writes, TSV, Excel, JSON Lines,
    JSON, Parquet, YAML; English or Japanese headers) with an id column; columns the
    engine does not use (phone, contact person, ...) are kept with each firm. Bad rows are
    reported by row number and skipped. Each batch is one transaction: an import stopped
    halfway keeps whole batches only.

    Example:

        matcher register import examples/kita-register.csv
    """
    from matcher.register.importer import import_firms

    rep = import_firms(_reg(ctx), file, batch_size=batch_size, encoding=encoding, sheet=sheet, columns=columns,
                       prefecture=prefecture)
    if as_json:
        _echo_json(rep.to_dict())
        return
    for e in rep.errors:
        click.echo(f"skipped {e}", err=True)
    click.echo(f"{file}: {rep.rows} rows: {rep.added} added, {rep.updated} updated, {rep.unchanged} unchanged, "
               f"{len(rep.errors)} errors")


@register.command("list")
@click.option("--search", "-s", default=None, help="Only firms whose id or name contains this.")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--offset", type=int, default=0, show_default=True)
@_json_opt
@click.pass_context
def list_(ctx: click.Context, search: str | None, limit: int, offset: int, as_json: bool) -> None:
    """List the register's firms.

    Example:

        matcher register list --search press
    """
    if limit < 1:
        raise ValueError(f"limit must be an integer >= 1, got {limit!r}")
    reg = _reg(ctx)
    firms = reg.firms(search, limit=limit, offset=offset)
    total = reg.count_firms(search)
    if as_json:
        _echo_json({"total": total, "offset": offset, "firms": [f.to_dict() for f in firms]})
        return
    click.echo(f"{'id':<16} {'name':<32} {'municipality':<12} {'phone':<14} ver  updated by")
    for f in firms:
        click.echo(f"{f.firm_id[:16]:<16} {(f.name or '')[:32]:<32} {(f.profile.get('municipality') or ''):<12} "
                   f"{_phone(f.kept)[:14]:<14} {f.version:>3}  {f.updated_by}")
    click.echo(f"{len(firms)} of {total} firms", err=True)


@register.command()
@click.argument("firm_id")
@click.option("--top", type=int, default=10, show_default=True, help="How many of its best programs to list.")
@_json_opt
@click.pass_context
def show(ctx: click.Context, firm_id: str, top: int, as_json: bool) -> None:
    """Show a firm: its profile, kept columns, best programs and contact history.

    Example:

        matcher register show k01
    """
    from matcher.register.queries import firm_matches

    reg = _reg(ctx)
    firm = reg.firm(firm_id)
    history = reg.history(firm_id)
    best = firm_matches(reg, firm, top)
    version = best[0]["catalog_version"] if best else None
    if as_json:
        _echo_json({**firm.to_dict(), "catalog_version": version, "matches": best,
                    "history": [o.to_dict() for o in history]})
        return
    click.echo(f"{firm.firm_id}  {firm.name or ''}  (version {firm.version}; added by {firm.added_by} "
               f"{firm.added_at:%Y-%m-%d}, updated by {firm.updated_by} {firm.updated_at:%Y-%m-%d})")
    for k, val in firm.profile.items():
        click.echo(f"  {k}: {val}")
    for k, val in firm.kept.items():
        click.echo(f"  {k} (kept): {val}")
    if best:
        click.echo(f"programs (catalog version {version}):")
        for b in best:
            score = f"{b['score']:.3f}" if b["score"] is not None else "  -  "
            click.echo(f"  {score}  {b['status']:<9} {b['program_id']}  {b['name']}")
    click.echo("history:" if history else "history: no contact yet")
    for o in history:
        click.echo(f"  {o.date}  {o.status:<12} {o.program_id}  by {o.recorded_by}" + (f": {o.note}" if o.note else ""))


@register.command()
@click.argument("firm_id")
@click.argument("changes", nargs=-1, required=True)
@click.option("--version", "expected", type=int, required=True, help="The firm's version you read (see show).")
@click.pass_context
def edit(ctx: click.Context, firm_id: str, changes: tuple[str, ...], expected: int) -> None:
    """Change a firm's fields: FIELD=VALUE ... (FIELD= removes one); fails if it changed since --version.

    Example:

        matcher register edit k01 employees=30 phone=03-1234-5678 --version 1
    """
    parsed: dict[str, Any] = {}
    for c in changes:
        if "=" not in c:
            raise ValueError(f"expected FIELD=VALUE, got {c!r}")
        k, _, val = c.partition("=")
        parsed[k.strip()] = (val.split(";") if k.strip() == "needs" else val) if val != "" else None
    firm = _reg(ctx).update_firm(firm_id, parsed, expected_version=expected)
    click.echo(f"{firm.firm_id}: now version {firm.version}")


@register.command()
@click.argument("firm_id")
@click.argument("program_id")
@click.argument("status")
@click.option("--note", default=None, help="What was said.")
@click.option("--date", default=None, help="When (YYYY-MM-DD; default today).")
@click.pass_context
def outcome(ctx: click.Context, firm_id: str, program_id: str, status: str, note: str | None, date: str | None) -> None:
    """Record a contact: STATUS is contacted, interested, applied, awarded, declined or not_relevant.

    Example:

        matcher register outcome k01 kita-trade-fair-subsidy interested --note "wants the form" --date 2026-11-20
    """
    from matcher.register.catalogs import ensure_catalog, program_ids

    reg = _reg(ctx)
    ensure_catalog(reg)
    o = reg.add_outcome(firm_id, program_id, status, note=note, date=date, known_programs=program_ids(reg))
    click.echo(f"{o.firm_id}: {o.status} about {o.program_id} on {o.date} (by {o.recorded_by})")


@register.command()
@click.argument("program_id")
@click.option("--top", type=int, default=20, show_default=True, help="How many firms to list.")
@click.option("--eligible-only", is_flag=True, help="Leave out firms that might be eligible once they give a fact.")
@click.option("--skip-contacted", is_flag=True, help="Leave out firms already contacted about this program.")
@click.option("--lang", type=click.Choice(["en", "ja"]), default="en", show_default=True, callback=remember_lang,
              help="The reasons' language.")
@_as_of_opt
@_json_opt
@click.pass_context
def reach(ctx: click.Context, program_id: str, top: int, eligible_only: bool, skip_contacted: bool, lang: str,
          as_of: str | None, as_json: bool) -> None:
    """The call list of a program: which registered firms to call first, why, and their last contact.

    Example:

        matcher register reach kita-trade-fair-subsidy --top 10
    """
    from matcher.register.queries import reach as reach_

    hits = reach_(_reg(ctx), program_id, top=top, as_of=as_of, include_possible=not eligible_only,
                  skip_contacted=skip_contacted, lang=lang)
    if as_json:
        _echo_json({"program": program_id, "hits": [h.to_dict() for h in hits]})
        return
    click.echo(f"{'#':>3}  {'score':>5}  {'status':<9} {'firm':<16} {'name':<24} {'phone':<14} {'last contact':<24} why")
    for h in hits:
        lc = h.last_contact_program or h.last_contact
        last = f"{lc['date']} {lc['status']}" if lc else "-"
        why = ("missing: " + ", ".join(h.missing) + "; " if h.missing else "") + "; ".join(h.reasons[:2])
        click.echo(f"{h.rank:>3}  {h.score:>5.3f}  {h.status:<9} {h.firm_id[:16]:<16} {(h.name or '')[:24]:<24} "
                   f"{_phone(h.kept)[:14]:<14} {last[:24]:<24} {why}")
    click.echo(f"{len(hits)} firms", err=True)


@register.command()
@click.option("--by", type=click.Choice(["program", "coordinator"]), default="program", show_default=True)
@click.option("-o", "--output", type=click.Path(), default=None, help="Write a .csv or .xlsx file (never overwritten).")
@click.option("--since", default=None, help="Only outcomes on or after this day.")
@click.option("--until", default=None, help="Only outcomes on or before this day.")
@_json_opt
@click.pass_context
def report(ctx: click.Context, by: str, output: str | None, since: str | None, until: str | None, as_json: bool) -> None:
    """Firms contacted, interested, applied and awarded, per program or per coordinator.

    Example:

        matcher register report --by coordinator -o report-2026.xlsx
    """
    from matcher.register.queries import REPORT_COLUMNS, report as report_

    rows = report_(_reg(ctx), by=by, since=since, until=until)
    header = [by, *(["name"] if by == "program" else []), *REPORT_COLUMNS]
    if output:
        _write_table(Path(output), header, rows)
        click.echo(f"{len(rows)} rows written to {output}", err=True)
        return
    if as_json:
        _echo_json(rows)
        return
    click.echo(f"{by:<32} " + " ".join(f"{c:>12}" for c in REPORT_COLUMNS))
    for r in rows:
        click.echo(f"{str(r[by])[:32]:<32} " + " ".join(f"{r[c]:>12}" for c in REPORT_COLUMNS))


def _write_table(path: Path, header: list[str], rows: list[dict[str, Any]]) -> None:
    if path.exists():
        raise FileExistsError(17, "output file exists (never overwritten)", str(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("x", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel opens Japanese names right
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows([[r.get(h) for h in header] for r in rows])
    elif suffix == ".xlsx":
        try:
            from openpyxl import Workbook
        except ModuleNotFoundError:
            raise ModuleNotFoundError("writing .xlsx needs openpyxl (pip install openpyxl); or write a .csv") from None
        wb = Workbook()
        ws = wb.active
        ws.title = "report"
        ws.append(header)
        for r in rows:
            ws.append([r.get(h) for h in header])
        wb.save(path)
    else:
        raise ValueError(f"output must end in .csv or .xlsx, got {path.name!r}")


@register.command()
@click.argument("output", type=click.Path())
@click.pass_context
def backup(ctx: click.Context, output: str) -> None:
    """Copy the whole register into a new SQLite file (from SQLite or PostgreSQL).

    The backup is a register itself: open it with --db OUTPUT. OUTPUT must not exist.

    Example:

        matcher register backup backups/register-2026-11-21.db
    """
    from matcher.register.backup import backup as backup_

    reg = _reg(ctx)
    counts = backup_(reg.engine, output)
    click.echo(f"backup written to {output}: " + ", ".join(f"{n} {k}" for k, n in counts.items() if n))


@register.command()
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def restore(ctx: click.Context, backup_file: str) -> None:
    """Restore a backup into an empty register (--db names the target, created if needed).

    Example:

        matcher register --db postgresql+psycopg://desk@db/register restore register-2026-11-21.db
    """
    from matcher.register.backup import copy_register
    from matcher.register.db import create_db_engine, database_url

    source = create_db_engine(database_url(backup_file))
    target = create_db_engine(database_url(ctx.obj["db"]), create_dir=True)
    try:
        counts = copy_register(source, target)
    finally:
        source.dispose()
        target.dispose()
    click.echo("restored: " + ", ".join(f"{n} {k}" for k, n in counts.items() if n))


@register.command()
@_as_of_opt
@click.pass_context
def match(ctx: click.Context, as_of: str | None) -> None:
    """Compute the matches of new and changed firms against the newest catalog version now.

    reach, alerts and show do this themselves when needed; run it after a large import.

    Example:

        matcher register match
    """
    from matcher.register.catalogs import ensure_catalog, refresh_matches

    reg = _reg(ctx)
    v = ensure_catalog(reg)
    n = refresh_matches(reg, v, as_of=as_of)
    click.echo(f"{n} firms matched against catalog version {v.id}")


@register.command()
@click.option("--firm", "firm_id", default=None, help="Only the changes of this firm.")
@click.option("--limit", type=int, default=50, show_default=True)
@_json_opt
@click.pass_context
def log(ctx: click.Context, firm_id: str | None, limit: int, as_json: bool) -> None:
    """Who changed what, and when: the audit log, newest first.

    Example:

        matcher register log --firm k01
    """
    rows = _reg(ctx).audit_log("firm" if firm_id else None, firm_id, limit=limit)
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['at']:%Y-%m-%d %H:%M:%S}  {r['actor']:<12} {r['action']:<10} {r['entity']:<12} "
                   f"{r['entity_id'] or '':<16} {json.dumps(r['detail'], ensure_ascii=False)[:80]}")


@register.group()
def catalog() -> None:
    """Catalog versions held by the register.

    Example:

        matcher register catalog import my-catalog/
    """


@catalog.command("import")
@click.argument("directory", type=click.Path(), required=False)
@click.pass_context
def catalog_import(ctx: click.Context, directory: str | None) -> None:
    """Import a catalog directory (default: the built-in catalog) as a new version.

    The version's engine is fitted and kept in the user's cache as well, so that the
    alerts and call lists that follow begin at once.

    Example:

        matcher register catalog import catalogs/tokyo-2026-12
    """
    from matcher.register.catalogs import add_catalog, engine_of, load_checked

    reg = _reg(ctx)
    v = add_catalog(reg, load_checked(directory))
    engine_of(reg, v.id)
    click.echo(f"catalog version {v.id} ({v.content_hash}, {v.n_programs} programs)"
               + ("" if v.new else ": already in the register"))


@catalog.command("list")
@_json_opt
@click.pass_context
def catalog_list(ctx: click.Context, as_json: bool) -> None:
    """List the catalog versions, oldest first.

    Example:

        matcher register catalog list
    """
    from matcher.register.catalogs import versions

    vs = versions(_reg(ctx))
    if as_json:
        _echo_json([v.to_dict() for v in vs])
        return
    for v in vs:
        click.echo(f"{v.id:>3}  {v.content_hash}  {v.n_programs:>5} programs  {v.imported_at:%Y-%m-%d %H:%M}  "
                   f"{v.imported_by}  {v.origin or ''}")


@register.group()
def coordinator() -> None:
    """Coordinators and their API keys (only a hash of each key is stored).

    Example:

        matcher register coordinator add suzuki
    """


@coordinator.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["coordinator", "admin"]), default="coordinator", show_default=True)
@click.pass_context
def coordinator_add(ctx: click.Context, name: str, role: str) -> None:
    """Add a coordinator and print their API key (shown once).

    Example:

        matcher register coordinator add suzuki --role coordinator
    """
    key = _reg(ctx).add_coordinator(name, role)
    click.echo(key)
    click.echo(f"coordinator {name} added ({role}); keep the key above, it is not shown again", err=True)


@coordinator.command("key")
@click.argument("name")
@click.pass_context
def coordinator_key(ctx: click.Context, name: str) -> None:
    """Issue another API key for a coordinator.

    Example:

        matcher register coordinator key suzuki
    """
    click.echo(_reg(ctx).issue_key(name))


@coordinator.command("revoke")
@click.argument("prefix")
@click.pass_context
def coordinator_revoke(ctx: click.Context, prefix: str) -> None:
    """Revoke the API keys starting with PREFIX (the first 8 or more characters).

    Example:

        matcher register coordinator revoke shm_Ab12Cd
    """
    n = _reg(ctx).revoke_key(prefix)
    click.echo(f"{n} keys revoked")


@coordinator.command("list")
@_json_opt
@click.pass_context
def coordinator_list(ctx: click.Context, as_json: bool) -> None:
    """List the coordinators and how many live keys each has.

    Example:

        matcher register coordinator list
    """
    rows = _reg(ctx).coordinators()
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['name']:<20} {r['role']:<12} {'active' if r['active'] else 'inactive':<9} {r['keys']} keys")


if __name__ == "__main__":  # pragma: no cover
    register(sys.argv[1:])


from matcher.cli.register_alerts import alerts  # noqa: E402  (modules of their own: this one stays under 600 lines)
from matcher.cli.register_learn import learn  # noqa: E402

register.add_command(alerts)
register.add_command(learn)
