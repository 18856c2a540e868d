"""Importers: real support-program catalogs into the catalog format, each fact with its source.

:func:`import_catalog` reads an input of one of :data:`FORMATS` and writes a catalog directory
that :func:`profiles.catalog.load_catalog` accepts, returning an :class:`ImportReport`:

- ``tokyo-subsidies``: the Tokyo Metropolitan Government's open-data subsidy list (CSV);
- ``jgrants``: responses of the jGrants public API, list and detail (JSON, one file or a directory);
- ``table``: a CSV or Excel list with a YAML column-mapping file (``mapping=``).

Every program has a stable id, the same bytes on every re-import, and ``source`` entries citing the
file, the row (or API record), the column and the exact quote of each fact. Eligibility, needs and
kind are read from the Japanese text (:mod:`matcher.importers.applicants`, ``limits``, ``money``);
text that no reading understands adds no rule and is counted in the report.

Example
-------
>>> import tempfile, pathlib
>>> src = pathlib.Path(tempfile.mkdtemp()) / "list.csv"
>>> _ = src.write_text("事業名,補助対象者,上限額\\n展示会出展補助,都内の中小企業者,50万円\\n", encoding="utf-8")
>>> mapping = {"columns": {"name_ja": "事業名", "applicants": "補助対象者", "max_amount": "上限額"}}
>>> report = import_catalog("table", src, src.parent / "out", mapping=mapping)
>>> report.programs, report.fields["eligibility.rule_sets"]["extracted"], report.fields["benefit.max_amount_jpy"]["given"]
(1, 1, 1)
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from matcher.importers.build import SkipRecord, build_program
from matcher.importers.errors import ImporterError, ImportFormatError, MappingError
from matcher.importers.report import FIELDS, ImportReport
from matcher.importers.writer import program_dict, stable_ids, write_catalog

__all__ = ["import_catalog", "ImportReport", "FORMATS", "FIELDS", "ImporterError", "ImportFormatError",
           "MappingError"]

#: The formats :func:`import_catalog` reads.
FORMATS = ("tokyo-subsidies", "jgrants", "table")


def _records(format: str, path: Path, mapping: Any, skipped: list):
    if format == "tokyo-subsidies":
        from matcher.importers.tokyo import read_tokyo

        return "tokyo", read_tokyo(path, skipped)
    if format == "jgrants":
        from matcher.importers.jgrants import read_jgrants

        return "jgrants", read_jgrants(path, skipped)
    from matcher.importers.table import read_table

    prefix, records = read_table(path, mapping, skipped)
    return prefix, records


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def import_catalog(format: str, input: str | Path, output_dir: str | Path, *, mapping: Any = None) -> ImportReport:
    """Import a catalog; returns the report (``to_text()`` to print, ``to_dict()`` for JSON).

    Parameters
    ----------
    format : {"tokyo-subsidies", "jgrants", "table"}
    input : path
        The input file (a directory of JSON files for ``jgrants``).
    output_dir : path
        Where ``programs.yaml`` is written (created if needed; see
        :func:`matcher.importers.writer.write_catalog` for what it refuses to overwrite).
    mapping : path or mapping, optional
        For ``table``: the column-mapping file (or its content); see :mod:`matcher.importers.table`.

    Raises
    ------
    ImportFormatError
        An unknown format, a missing input, or an input that is not of the format.
    MappingError
        A bad column mapping (``table``).
    """
    if format not in FORMATS:
        raise ImportFormatError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    path, out = Path(input), Path(output_dir)
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file or directory")
    if format == "table" and mapping is None:
        raise MappingError("the table format needs a column mapping (mapping=FILE): which column holds "
                           "name_ja, description, url, deadline, ...")
    if format != "table" and mapping is not None:
        raise MappingError(f"a column mapping is for the table format only, got one for {format!r}")
    report = ImportReport(format, path.name, str(out))
    prefix, records = _records(format, path, mapping, report.skipped)
    drafts, keys = [], []
    for rec in records:
        try:
            draft = build_program(rec)
        except SkipRecord as why:
            report.skipped.append((rec.row if rec.row is not None else rec.record, str(why)))
            continue
        drafts.append(draft)
        keys.append(rec.key)
    ids = stable_ids(prefix, keys)
    programs = []
    for pid, draft in zip(ids, drafts):
        programs.append(program_dict(pid, draft))
        report.add(draft)
    header = [f"format: {format}", f"input: {path.name} (sha256 {_digest(path)})", f"programs: {len(programs)}"]
    target = write_catalog(out, programs, header, inputs=(path,))
    report.catalog_file = str(target)
    return report
