"""The commands of ``matcher``: rank, explain, reach, batch, fit and catalog; each a thin layer over the library.

Every command prints a readable table by default and exactly the library's JSON with
``--json``. The heavy modules are imported inside each command, so that
``matcher --help`` starts quickly.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from profiles.errors import CatalogError
from matcher.cli._group import remember_lang
from matcher.cli._render import echo_json, print_explanation, print_program, print_ranking

__all__ = ["batch", "catalog", "explain", "fit", "rank", "reach", "show"]


def _engine(catalog: str | None, engine_file: str | None, weights_file: str | None = None, **params: Any):
    from matcher.engine import MatchEngine

    if catalog and engine_file:
        raise click.UsageError("give --catalog or --engine, not both")
    if weights_file:  # a weights file, e.g. written by `matcher register learn`
        from matcher.weights import load_weights

        params["weights"] = load_weights(weights_file).as_dict()
    if engine_file:
        engine = MatchEngine.load(engine_file)
        return engine.set_params(**{k: v for k, v in params.items() if v is not None})
    params = {k: v for k, v in params.items() if v is not None}
    if catalog:  # a catalog directory is fitted once and then read from the cache (matcher.cache)
        from matcher.cache import fitted_engine

        return fitted_engine(catalog, **params)
    return MatchEngine(**params).fit(catalog)


_catalog_opt = click.option("--catalog", "catalog", type=click.Path(), default=None,
                            help="Catalog directory (default: the built-in catalog).")
_engine_opt = click.option("--engine", "engine_file", type=click.Path(), default=None,
                           help="A fitted engine saved by `matcher fit` (trusted files only).")
_as_of_opt = click.option("--as-of", "as_of", default=None, metavar="DATE",
                          help="Evaluate validity windows at this date, YYYY-MM-DD (default: today).")
_weights_opt = click.option("--weights", "weights_file", type=click.Path(), default=None, metavar="FILE",
                            help="Score weights from a weights file (e.g. from `matcher register learn`).")
_json_opt = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
_encoding_opt = click.option("--encoding", default=None, metavar="NAME",
                             help="The text file's encoding, e.g. cp932 (default: detected: UTF-8, UTF-8 with BOM, "
                                  "UTF-16, CP932/Shift_JIS).")
_sheet_opt = click.option("--sheet", default=None, metavar="NAME", help="The Excel sheet (default: the first).")
_columns_opt = click.option("--columns", "columns", type=click.Path(), default=None, metavar="MAP.yaml",
                            help="A YAML file mapping firm fields to the list's headers, for headers the synonym "
                                 "table does not know (e.g. `address: 本店`).")
_prefecture_opt = click.option("--prefecture", default=None, metavar="NAME",
                               help="The prefecture of addresses that do not name one (e.g. 東京都 or Tokyo).")


def _reading_opts(f):
    for opt in (_prefecture_opt, _columns_opt, _sheet_opt, _encoding_opt):
        f = opt(f)
    return f


_lang_opt = click.option("--lang", type=click.Choice(["en", "ja"]), default="en", show_default=True,
                         callback=remember_lang, help="Language of the output: names, headings, reasons and conditions.")
_stale_opt = click.option("--stale-after", "stale_after", type=click.FloatRange(min=0), default=None, metavar="YEARS",
                          help="Mark programs whose newest source is older than this (default 5 years).")


@click.command()
@click.argument("firm", type=str)
@_catalog_opt
@_engine_opt
@_as_of_opt
@click.option("--top", type=int, default=None, help="How many eligible programs to show (default 10).")
@click.option("--possible", "possible_top", type=int, default=None, help="How many 'possible' programs (default 10).")
@click.option("--municipalities", "municipalities_top", type=int, default=None,
              help="How many municipalities to recommend (default 5).")
@click.option("--max-distance", "max_distance_km", type=float, default=None, metavar="KM",
              help="Recommend only municipalities within this distance.")
@click.option("--distance-scale", "distance_scale_km", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="KM", help="Distance decay of municipality recommendations, exp(-d/KM) (default 20).")
@_json_opt
@click.option("--explain", is_flag=True, help="Show every condition, and the excluded programs.")
@_lang_opt
@_stale_opt
@_weights_opt
def rank(firm: str, catalog, engine_file, as_of, top, possible_top, municipalities_top, max_distance_km,
         distance_scale_km, as_json, explain, lang, stale_after, weights_file) -> None:
    """Rank the programs a firm can use, with reasons.

    FIRM is a YAML or JSON file of the firm's profile, or - for standard input.

    Example:

        matcher rank examples/kita-metal-press.yaml --top 5 --as-of 2026-11-21

        matcher rank examples/kita-metal-press-ja.yaml --lang ja
    """
    from matcher.firmio import read_firm

    data = read_firm(firm)
    engine = _engine(catalog, engine_file, weights_file, possible_top=possible_top,
                     municipalities_top=municipalities_top, max_distance_km=max_distance_km)
    if stale_after is not None:
        engine.explainer_.stale_after_years = stale_after
    if distance_scale_km is not None:
        engine.locations_.scale_km = distance_scale_km
    result = engine.rank(data, as_of=as_of, top=top, explain=explain, lang=lang).to_dict()
    if as_json:
        echo_json(result)
    else:
        print_ranking(result, lang)


@click.command()
@click.argument("firm", type=str)
@click.argument("program_id", type=str)
@_catalog_opt
@_engine_opt
@_as_of_opt
@_json_opt
@_lang_opt
def explain(firm: str, program_id: str, catalog, engine_file, as_of, as_json, lang) -> None:
    """Explain, condition by condition, whether a program is for a firm.

    Example:

        matcher explain examples/hamura-no-size.yaml hamura-interest-subsidy

        matcher explain examples/kita-metal-press-ja.yaml kita-trade-fair-subsidy --lang ja
    """
    from matcher.firmio import read_firm

    data = read_firm(firm)
    result = _engine(catalog, engine_file).explain(data, program_id, as_of=as_of, lang=lang).to_dict()
    if as_json:
        echo_json(result)
    else:
        print_explanation(result, lang)


@click.command()
@click.argument("program_id", type=str)
@_catalog_opt
@_as_of_opt
@_json_opt
@_lang_opt
@_stale_opt
def show(program_id: str, catalog, as_of, as_json, lang, stale_after) -> None:
    """Show one program's details: description, benefit, window, who delivers it, contact, link and sources.

    Example:

        matcher show hamura-interest-subsidy

        matcher show kita-trade-fair-subsidy --lang ja --json
    """
    from matcher.explain import described_on, is_stale
    from profiles.validation import parse_as_of
    from rules import load_checked_catalog

    cat = load_checked_catalog(catalog)
    program = cat.program(program_id)
    day = parse_as_of(as_of)
    data = program.model_dump(mode="json", exclude_none=True)
    described = described_on(program)
    data.update(open=program.status(day)[0], as_of=day.isoformat(),
                described_on=described.isoformat() if described else None,
                stale=is_stale(described, day, stale_after))
    if as_json:
        echo_json(data)
    else:
        print_program(data, lang)


@click.command()
@click.argument("program_id", type=str)
@click.argument("firms", type=str)
@_catalog_opt
@_engine_opt
@_as_of_opt
@click.option("--top", type=int, default=20, show_default=True, help="How many firms to list.")
@click.option("--eligible-only", is_flag=True, help="Leave out firms that might be eligible once they give a fact.")
@_reading_opts
@click.option("-o", "--output", default=None, type=click.Path(),
              help="Also write the list to a file: .csv or .xlsx (errors to OUTPUT.errors.jsonl).")
@click.option("--excel-csv", is_flag=True, help="A CSV output with a BOM, so that Excel opens it in Japanese.")
@click.option("--force", is_flag=True, help="Overwrite an existing output.")
@_json_opt
@_lang_opt
def reach(program_id: str, firms: str, catalog, engine_file, as_of, top, eligible_only, encoding, sheet, columns,
          prefecture, output, excel_csv, force, as_json, lang) -> None:
    """Which firms should hear about a program first, and why.

    FIRMS is a firm list: CSV (any encoding Excel writes), TSV, Excel, JSON Lines,
    JSON, Parquet or YAML, with English or Japanese headers; columns the engine does
    not use are kept beside each firm. Bad rows are reported on stderr by row number
    and skipped; every other row is scored. Exits 1 when no row could be read.

    Example:

        matcher reach kita-trade-fair-subsidy examples/register-kita-hamura.csv --top 10 -o calls.xlsx
    """
    from matcher.batch.files import InputRows
    from matcher.cli._reach import reach_output, split_kept
    from matcher.firmio import valid_firms

    engine = _engine(catalog, engine_file)
    engine.program(program_id)
    errors: list = []
    with InputRows(firms, encoding=encoding, sheet=sheet, columns=columns, prefecture=prefecture) as rows:
        records, kept = split_kept(rows)
        good = list(valid_firms(records, errors))
        summary, kept_names = rows.summary, rows.kept
    hits = engine.reach(program_id, [f for _, f in good], top=top, as_of=as_of, include_possible=not eligible_only,
                        lang=lang)
    rows = [r for r, _ in good]
    hits = [h.model_copy(update={"row": rows[h.row - 1]}) for h in hits]
    for e in errors:
        click.echo(f"skipped {e}", err=True)
    if output:
        reach_output(engine, program_id, hits, kept, kept_names, output, lang=lang, excel_csv=excel_csv, force=force,
                     reads=[firms, catalog, engine_file, columns], errors=errors)
    if as_json:
        echo_json({"program": program_id, "firms": len(good) + len(errors), "errors": [e.to_dict() for e in errors],
                    "kept": list(kept_names), "hits": [{**h.to_dict(), **({"kept": kept.get(h.row, {})} if kept_names
                                                                          else {})} for h in hits]})
        if not good:
            sys.exit(1)
        return
    from matcher.cli._render import say, width
    from matcher.cli._table import table
    from matcher.reasons import fact_label

    sep = "；" if lang == "ja" else "; "
    cols = [("#", ">", 3, 0), (say("score", lang), ">", 5, 0), (say("status", lang), "<", 6, 0),
            (say("firm", lang), "<", 12, 1.0), (say("row", lang), ">", 3, 0), (say("why", lang), "<", 20, 2.5)]
    rows = []
    for h in hits:
        missing = say("sep", lang).join(fact_label(m, lang) if lang == "ja" else m for m in h.missing)
        why = (f"{say('missing', lang)}: {missing}{sep}" if h.missing else "") + sep.join(h.reasons[:2])
        status = say("possible_status" if h.status == "possible" else h.status, lang)
        rows.append([str(h.rank), f"{h.score:.3f}", status, h.firm_name or h.firm_id or "", str(h.row), why])
    if rows:
        click.echo(table(rows, cols, width()))
    click.echo(say("scored", lang, n=len(good), skipped=len(errors))
               + (f"; read: {summary}" if summary is not None else ""), err=True)
    if not good:
        click.echo(f"error: no row of {firms} could be read; see the rows above, or `matcher firms check {firms}`",
                   err=True)
        sys.exit(1)


@click.command()
@click.argument("firms", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(),
              help="Output file: .csv, .jsonl, .parquet or .xlsx (errors go to OUTPUT.errors.jsonl).")
@_catalog_opt
@_engine_opt
@_as_of_opt
@click.option("--top", type=int, default=10, show_default=True, help="Eligible programs per firm.")
@click.option("--possible", type=int, default=0, show_default=True,
              help="Programs per firm that need a missing fact (status 'possible').")
@click.option("--municipalities", type=int, default=0, show_default=True, help="Municipalities per firm.")
@click.option("--jobs", type=int, default=1, show_default=True, help="Worker processes scoring chunks at once (each gets the engine once).")
@click.option("--chunk-size", type=int, default=4096, show_default=True, help="Firms per chunk.")
@click.option("--resume", is_flag=True, help="Continue an interrupted run of the same job.")
@click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Score chunks in this process, or on a Dask cluster (pip install 'shien-matcher[dask]').")
@click.option("--scheduler", default=None, metavar="ADDR",
              help="With --backend dask: the scheduler, e.g. tcp://host:8786 (default: a local cluster).")
@click.option("--workers", type=int, default=None,
              help="With --backend dask and no --scheduler: worker processes of the local cluster (default: CPUs).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@_reading_opts
@click.option("--excel-csv", is_flag=True, help="A CSV output with a BOM, so that Excel opens it in Japanese.")
@click.option("--force", is_flag=True, help="Overwrite an existing output.")
@click.option("--lang", type=click.Choice(["en", "ja"]), default="en", show_default=True,
              callback=remember_lang, help="Language of the output's column headers and status words.")
@_json_opt
@_weights_opt
def batch(firms, output, catalog, engine_file, as_of, top, possible, municipalities, jobs, chunk_size, resume,
          backend, scheduler, workers, progress, encoding, sheet, columns, prefecture, excel_csv, force, lang,
          as_json, weights_file) -> None:
    """Score a file of firms: one output row per firm and rank.

    FIRMS is a firm list: CSV (any encoding Excel writes), TSV, Excel, JSON Lines,
    JSON, Parquet or YAML, with English or Japanese headers (see `matcher firms
    check`); columns the engine does not use travel to the output beside the firm.
    A broken row never stops the run: it goes to OUTPUT.errors.jsonl with its row
    number, column, reason and original cells. Exits 1 when no firm was scored.
    The output is written atomically; --resume continues a run that was
    interrupted (even by kill -9) and gives the same bytes as an uninterrupted run.
    With --backend dask the chunks are scored on the workers of a Dask cluster and
    the output is the same bytes.

    Example:

        matcher batch firms.csv -o ranked.csv --top 5 --as-of 2026-11-21

        matcher batch firms.parquet -o ranked.parquet --backend dask --scheduler tcp://10.0.0.5:8786

        matcher batch examples/register-kita-hamura.xlsx -o calls.xlsx --lang ja
    """
    from matcher.batch import run_batch
    from matcher.batch.files import count_records

    engine = _engine(catalog, engine_file, weights_file)
    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=count_records(firms), unit=" firms", unit_scale=True, file=sys.stderr, desc="scoring")
    try:
        summary = run_batch(engine, firms, output, top=top, as_of=as_of, possible=possible,
                            municipalities=municipalities, jobs=jobs, chunk_size=chunk_size, resume=resume,
                            progress=bar.update if bar else None, backend=backend, scheduler=scheduler,
                            workers=workers, encoding=encoding, sheet=sheet, columns=columns, prefecture=prefecture,
                            lang=lang, excel_csv=excel_csv, force=force, reads=(catalog, engine_file))
    finally:
        if bar:
            bar.close()
    if as_json:
        echo_json(summary.to_dict())
    else:
        click.echo(summary.line(), err=True)
    if summary.firms_scored == 0:
        click.echo(f"error: no firm of {firms} was scored; see {summary.errors_file or 'the errors'}, or "
                   f"`matcher firms check {firms}`", err=True)
        sys.exit(1)


@click.command()
@_catalog_opt
@click.option("-o", "--output", required=True, type=click.Path(), help="Where to write the engine (e.g. engine.pkl).")
def fit(catalog, output) -> None:
    """Fit an engine on a catalog and save it, for fast start-up with --engine.

    Example:

        matcher fit -o engine.pkl && matcher rank firm.yaml --engine engine.pkl
    """
    from matcher.engine import MatchEngine

    engine = MatchEngine().fit(catalog)
    path = engine.save(output)
    click.echo(f"fitted {engine.n_programs_} programs (catalog {engine.catalog_hash_}) -> {path}")


@click.group()
def catalog() -> None:
    """Check and list catalogs.

    Example:

        matcher catalog validate my-catalog/
    """


@catalog.command("validate")
@click.argument("directory", type=click.Path())
def catalog_validate(directory: str) -> None:
    """Validate a catalog directory, reporting every problem at once.

    Each problem names the file, the entry id and the field path. Exit code 0 when
    the catalog is valid, 2 when it is not.

    Example:

        matcher catalog validate ./catalog
    """
    from rules import load_checked_catalog

    try:
        cat = load_checked_catalog(directory)
    except CatalogError as exc:
        for p in exc.problems:
            click.echo(str(p), err=True)
        click.echo(f"{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} in {directory}", err=True)
        sys.exit(2)
    click.echo(f"ok: {len(cat.programs)} programs, {len(cat.municipalities)} municipalities, "
               f"{len(cat.clusters)} clusters (hash {cat.hash})")


@catalog.command("import")
@click.argument("format", type=click.Choice(["tokyo-subsidies", "jgrants", "table"]))
@click.argument("input", type=click.Path())
@click.option("-o", "--output", "output_dir", required=True, type=click.Path(),
              help="The catalog directory to write (created; an import never overwrites its input).")
@click.option("--mapping", type=click.Path(), default=None,
              help="For the table format: a YAML file naming the column of each field.")
@_json_opt
def catalog_import(format: str, input: str, output_dir: str, mapping, as_json) -> None:
    """Import a real catalog into a catalog directory, and print what was read from it.

    FORMAT is tokyo-subsidies (the Tokyo Metropolitan Government's open-data subsidy list),
    jgrants (responses of the jGrants API, list and detail) or table (a city's own CSV or
    Excel list, with --mapping). The report gives, per field, how many rows got a value
    extracted from the text, given by the source, or nothing, and the rows skipped.

    Example:

        matcher catalog import tokyo-subsidies ../shared/data/tokyo-subsidies-fy2024.csv -o tokyo/
    """
    from matcher.importers import import_catalog

    report = import_catalog(format, input, output_dir, mapping=mapping)
    if as_json:
        echo_json(report.to_dict())
    else:
        click.echo(report.to_text())


@catalog.command("list")
@_catalog_opt
@_as_of_opt
@_json_opt
@_lang_opt
def catalog_list(catalog, as_of, as_json, lang) -> None:
    """List a catalog's programs and whether each is open at a date.

    Example:

        matcher catalog list --as-of 2014-06-01
    """
    from profiles.validation import parse_as_of
    from rules import load_checked_catalog

    cat = load_checked_catalog(catalog)
    day = parse_as_of(as_of)
    rows = [{"id": p.id, "name": p.name, "name_ja": p.name_ja, "provider": p.provider.name, "kind": p.kind,
             "open": p.status(day)[0]} for p in cat.programs]
    if as_json:
        echo_json(rows)
        return
    from matcher.cli._render import say, width
    from matcher.cli._table import table
    from matcher.reasons import kind_label

    ja = lang == "ja"
    # an id is never broken (one too wide for its column stands on its own line); names wrap between words
    cols = [(say("id", lang), "<", 16, 1.0), (say("program", lang), "<", 16, 1.5), (say("kind", lang), "<", 8, 0.7),
            (say("status", lang), "<", 4, 0), (say("provider", lang), "<", 10, 1.0)]
    body = [[r["id"], (r["name_ja"] or r["name"]) if ja else r["name"], kind_label(r["kind"], lang),
             say("open" if r["open"] else "closed", lang), (p.provider.name_ja or p.provider.name) if ja else r["provider"]]
            for r, p in zip(rows, cat.programs)]
    click.echo(table(body, cols, width(), whole=0))
