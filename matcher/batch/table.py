"""A chunk that arrives as an Arrow table: columns in, columns out, no Python object per firm.

The common path of ``matcher batch`` on a Parquet file of the engine's fields, for the
top eligible programs (the fused kernel). :func:`score_table` checks the chunk's columns
(:func:`profiles.firmcolumns.firm_columns`), prepares the rows that pass straight from
them (:meth:`MatchEngine.prepare_columns <matcher.engine.MatchEngine.prepare_columns>`),
sends only the flagged rows through the per-row validation of
:func:`matcher.batch.chunk.valid_chunk` (so a bad row's error reads exactly as
before), matches them all in input order, and builds the output rows as Arrow arrays
(gathers of the input's and the catalog's columns, one reason text per distinct
pattern). The result is the same table, row for row and byte for byte once encoded,
as the per-record path of :func:`matcher.batch.chunk.score_chunk`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

from profiles.firmcolumns import firm_columns, table_records
from matcher.batch.files import FirmTable, Layout, output_schema
from matcher.batch.reasons import short_reasons
from matcher.batch.validation import valid_chunk
from matcher.firmio import RowError
from matcher.scored import PreparedFirms
from matcher.weights import COMPONENTS

if TYPE_CHECKING:  # pragma: no cover - a chunk is scored with an engine, it never builds one
    from matcher.engine import MatchEngine

__all__ = ["score_table", "SMALL_CHUNK"]

#: A chunk with at most this many valid firms is scored by the per-record path instead
#: (tiny chunks gain nothing from columns, and one or two firms take the rules' scalar path).
SMALL_CHUNK = 16


def _pa():
    import pyarrow as pa

    return pa


def score_table(engine: MatchEngine, chunk: FirmTable, as_of: dt.date, top: int, layout: Layout | None = None,
                ) -> tuple[Any, list[RowError], int] | None:
    """The output rows of a chunk held as a table, its bad rows and how many firms were scored.

    Returns ``(pyarrow.Table, errors, scored)``, or None when the chunk is better scored by the
    per-record path (:data:`SMALL_CHUNK`); the caller then does so. The table has the columns of
    :func:`~matcher.batch.files.output_schema`, its text columns dictionary-encoded.
    """
    pa = _pa()
    layout = layout or Layout()
    cols = firm_columns(chunk.table)
    plain = np.flatnonzero(cols.plain)
    errors: list[RowError] = []
    flagged = valid_chunk(table_records(chunk.table, np.flatnonzero(~cols.plain), chunk.first_row), errors)
    if len(plain) + len(flagged) <= SMALL_CHUNK:
        return None
    prepared = engine.prepare_columns(cols, as_of, plain)
    ids = _filled_ids(cols.id.take(plain), chunk.first_row + plain)
    names = _nulled(cols.name.take(plain))
    industry_codes = list(cols.industries)
    industry = cols.industry_code[plain].astype(np.int64)
    rows = chunk.first_row + plain
    if flagged:  # the rows only the per-row path could read, merged back in input order
        profiles = [f for _, f in flagged]
        prepared = PreparedFirms.concat([prepared, engine.prepare(profiles, as_of)])
        ids = pa.concat_arrays([ids, pa.array([f.id for f in profiles], pa.string())])
        names = pa.concat_arrays([names, pa.array([f.name for f in profiles], pa.string())])
        extra = {c: i for i, c in enumerate(industry_codes)}
        industry = np.concatenate([industry, [extra.setdefault(f.industry, len(extra)) if f.industry else -1
                                              for f in profiles]]).astype(np.int64)
        industry_codes = list(extra)
        rows = np.concatenate([rows, [r for r, _ in flagged]])
        order = np.argsort(rows, kind="stable")
        prepared, rows, industry = prepared.take(order), rows[order], industry[order]
        ids, names = ids.take(pa.array(order)), names.take(pa.array(order))
    idx, scores, comps = engine.fused_matcher().match(prepared, top)
    table = _output(engine, prepared, ids, names, industry, industry_codes, rows, idx, scores, comps, layout)
    return table, errors, len(rows)


def _filled_ids(ids: Any, rows: np.ndarray) -> Any:
    """The ids as given, ``row-N`` where a row gives none (as :func:`matcher.firmio.valid_firms` does)."""
    pa = _pa()
    import pyarrow.compute as pc

    missing = np.asarray(pc.or_kleene(ids.is_null(), pc.equal(pc.utf8_length(ids), 0)).to_numpy(zero_copy_only=False), bool)
    if not missing.any():
        return ids
    filled = pa.array([f"row-{r}" for r in rows[missing].tolist()], pa.string())
    return pc.replace_with_mask(ids, pa.array(missing), filled)


def _nulled(texts: Any) -> Any:
    """Empty texts as nulls (a record leaves an empty cell out)."""
    import pyarrow.compute as pc

    empty = pc.equal(pc.utf8_length(texts), 0)
    return pc.if_else(empty, _pa().scalar(None, texts.type), texts) if pc.any(empty).as_py() else texts


_PROGRAM_COLUMNS: dict[tuple[int, str], tuple[Any, dict[str, Any]]] = {}


def _program_columns(programs: tuple, lang: str) -> dict[str, Any]:
    """The programs' id, name, name_ja and provider columns as Arrow arrays, built once per catalog."""
    key = (id(programs), lang)
    found = _PROGRAM_COLUMNS.get(key)
    if found is None or found[0] is not programs:  # (the catalog itself is kept with them: its id stays its own)
        pa = _pa()
        provider = [(p.provider.name_ja or p.provider.name) if lang == "ja" else p.provider.name for p in programs]
        columns = {"id": [p.id for p in programs], "name": [p.name for p in programs],
                   "name_ja": [p.name_ja for p in programs], "provider": provider}
        if len(_PROGRAM_COLUMNS) > 8:
            _PROGRAM_COLUMNS.clear()
        found = _PROGRAM_COLUMNS[key] = (programs, {c: pa.array(v, pa.string()) for c, v in columns.items()})
    return found[1]


def _round6(x: np.ndarray) -> np.ndarray:
    """``np.round(x.astype(np.float64), 6)``, the same bits (numpy rounds by these three steps),
    in place in the one float64 copy.

    >>> bool((_round6(np.float32([0.1234567, 2.5e-7])) == np.round(np.float32([0.1234567, 2.5e-7]).astype(float), 6)).all())
    True
    """
    y = x.astype(np.float64)
    np.multiply(y, 1e6, out=y)
    np.rint(y, out=y)
    np.divide(y, 1e6, out=y)
    return y


def _output(engine: MatchEngine, prepared: PreparedFirms, ids: Any, names: Any, industry: np.ndarray,
            industry_codes: list[str], rows: np.ndarray, idx: np.ndarray, scores: np.ndarray, comps: np.ndarray,
            layout: Layout) -> Any:
    """The output table of the fused kernel's picks, firm by firm, best first: the output's
    columns, its text ones dictionary-encoded (:func:`matcher.batch.files.encode_part` takes them so)."""
    pa = _pa()
    fi, k = np.nonzero(idx >= 0)
    pj = idx[fi, k].astype(np.intp)
    n = len(fi)
    comp = {c: comps[fi, k, i] for i, c in enumerate(COMPONENTS)}
    texts, inverse = short_reasons(engine, prepared.facts, fi, pj, comp["industry"], comp["locality"],
                                   lambda f: industry_codes[industry[f]] if industry[f] >= 0 else None)
    program = _program_columns(engine.programs_, layout.lang)
    f32, p32 = pa.array(fi.astype(np.int32)), pa.array(pj.astype(np.int32))
    zeros = pa.array(np.zeros(n, np.int32))

    def coded(indices: Any, values: Any) -> Any:  # text columns as dictionaries: no string copied per row
        return pa.DictionaryArray.from_arrays(indices, values if isinstance(values, pa.Array) else pa.array(values,
                                                                                                          pa.string()))

    values = {
        "firm_id": coded(f32, ids), "firm_name": coded(f32, names), "row": rows[fi].astype(np.int64),
        "rank": (k + 1).astype(np.int64), "type": coded(zeros, [layout.word("program")]),
        **{c: coded(p32, program[c]) for c in ("id", "name", "name_ja", "provider")},
        "status": coded(zeros, [layout.word("eligible")]),
        "score": _round6(scores[fi, k]),
        **{c: _round6(comp[c]) for c in COMPONENTS},
        "missing": pa.nulls(n, pa.string()),
        "reasons": coded(pa.array(inverse.astype(np.int32)), texts),
    }
    schema = output_schema(layout)
    arrays = [pa.array(values[c], type=f.type) if c in values and isinstance(values[c], np.ndarray)
              else values[c] if c in values else pa.nulls(n, f.type) for c, f in zip(layout.columns, schema)]
    return pa.Table.from_arrays(arrays, names=schema.names)
