"""``matcher firms``: how a firm list reads, before anything is scored."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from matcher.cli._render import echo_json

__all__ = ["firms"]


@click.group()
def firms() -> None:
    """Firm lists: how each row reads.

    Example:

        matcher firms check examples/register-kita-hamura.csv
    """


@firms.command("check")
@click.argument("file", type=click.Path())
@click.option("-o", "--output", default=None, type=click.Path(),
              help="Also write the table to a file: .csv or .xlsx (one row per input row).")
@click.option("--encoding", default=None, metavar="NAME",
              help="The text file's encoding, e.g. cp932 (default: detected).")
@click.option("--sheet", default=None, metavar="NAME", help="The Excel sheet (default: the first).")
@click.option("--columns", "columns", type=click.Path(), default=None, metavar="MAP.yaml",
              help="A YAML file mapping firm fields to the list's headers.")
@click.option("--prefecture", default=None, metavar="NAME", help="The prefecture of addresses that do not name one.")
@click.option("--excel-csv", is_flag=True, help="A CSV output with a BOM, so that Excel opens it in Japanese.")
@click.option("--force", is_flag=True, help="Overwrite an existing output.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts: the summary and every row's reading.")
def check(file, output, encoding, sheet, columns, prefecture, excel_csv, force, as_json) -> None:
    """Show how every row of a firm list was read: location, industry, size, capital,
    founding date and needs, what each came from, and each row's problems.

    Exit code 0 when every row reads, 1 when some rows have problems (all are
    still listed), 2 when the file cannot be opened.

    Example:

        matcher firms check examples/register-kita-hamura.csv -o reading.xlsx
    """
    from profiles.firmcheck import CHECK_COLUMNS, check_firms
    from profiles.tablewrite import OutputExistsError, write_csv, write_xlsx
    from matcher.batch.run import check_outputs

    if output:
        out = Path(output)
        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise click.BadParameter(f"expected a .csv or .xlsx file, got {output!r}", param_hint="-o")
        check_outputs([out], [Path(file), *([Path(columns)] if columns else [])])
        if out.exists() and not force:
            raise OutputExistsError(str(out), None, "the file exists; give --force to overwrite it")
    result = check_firms(file, encoding=encoding, sheet=sheet, columns=columns, prefecture=prefecture)
    rows = list(result.to_rows())
    if output:
        if output.lower().endswith(".xlsx"):
            write_xlsx(output, CHECK_COLUMNS, rows, wrap_columns=("problems", "sources", "notes"), sheet="check",
                       overwrite=True)
        else:
            write_csv(output, CHECK_COLUMNS, rows, excel=excel_csv, overwrite=True)
    if as_json:
        echo_json(result.to_dict())
    else:
        for r in rows:
            place = r["municipality"] or r["prefecture"] or "-"
            mark = "!" if r["problems"] else " "
            click.echo(f"{mark} row {r['row']:>4}  {(r['name'] or '-')[:24]:<24}  {place[:20]:<20}  "
                       f"{r['industry'] or '-':<12}  {r['employees'] if r['employees'] is not None else '-':>6}")
            if r["problems"]:
                click.echo(f"      problems: {r['problems']}")
        click.echo(str(result.summary), err=True)
    sys.exit(result.exit_code)
