"""The file ``matcher reach -o`` writes: a call list with each firm's kept columns, in English or Japanese."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from profiles.errors import InputError
from matcher.batch.files import HEADERS_JA, WORDS_JA
from matcher.batch.run import check_outputs

__all__ = ["REACH_COLUMNS", "split_kept", "reach_output"]

#: The columns of a reach output, before the kept columns.
REACH_COLUMNS = ("rank", "firm_id", "firm_name", "row", "status", "score", "id", "name", "name_ja", "provider",
                 "missing", "reasons")


def split_kept(rows: Iterable[tuple[int, Any]]) -> tuple[list[tuple[int, Any]], dict[int, dict[str, Any]]]:
    """The records without their kept columns, and the kept columns by row number."""
    kept: dict[int, dict[str, Any]] = {}
    out = []
    for row, rec in rows:
        if isinstance(rec, dict) and "_kept" in rec:
            rec = dict(rec)
            kept[row] = rec.pop("_kept")
        out.append((row, rec))
    return out, kept


def reach_output(engine: Any, program_id: str, hits: list, kept: dict[int, dict[str, Any]], kept_names: tuple,
                 output: str, *, lang: str, excel_csv: bool, force: bool, reads: list, errors: list) -> None:
    """Write the hits to ``output`` (.csv or .xlsx); bad rows to ``OUTPUT.errors.jsonl`` when there are any."""
    from profiles.tablewrite import OutputExistsError, write_csv, write_xlsx

    out = Path(output)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError("output", output, "unknown file extension, expected .csv or .xlsx")
    errors_out = out.with_name(out.name + ".errors.jsonl")
    check_outputs([out, errors_out], [Path(r) for r in reads if r])
    if out.exists() and not force:
        raise OutputExistsError(str(out), None, "the file exists; give --force to overwrite it")
    program = engine.program(program_id)
    ja = lang == "ja"
    names = [k if k not in REACH_COLUMNS else f"{k} (input)" for k in kept_names]
    header = [*(HEADERS_JA[c] if ja else c for c in REACH_COLUMNS), *names]
    provider = (program.provider.name_ja or program.provider.name) if ja else program.provider.name

    def rows() -> Iterator[list[Any]]:
        for h in hits:
            extra = kept.get(h.row, {})
            yield [h.rank, h.firm_id, h.firm_name, h.row, WORDS_JA.get(h.status, h.status) if ja else h.status,
                   round(h.score, 6), program.id, program.name, program.name_ja, provider, "; ".join(h.missing),
                   "; ".join(h.reasons), *(extra.get(k) for k in kept_names)]

    if suffix == ".xlsx":
        wrap = [header[REACH_COLUMNS.index(c)] for c in ("reasons", "missing")]
        write_xlsx(out, header, rows(), wrap_columns=wrap, sheet="reach", overwrite=True)
    else:
        write_csv(out, header, rows(), excel=excel_csv, overwrite=True)
    if errors:
        errors_out.write_text("".join(json.dumps(e.to_dict(), ensure_ascii=False, default=str) + "\n" for e in errors),
                              encoding="utf-8")
    else:
        errors_out.unlink(missing_ok=True)
