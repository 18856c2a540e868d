"""Scoring one chunk of a batch run: pure, so it runs anywhere (this process, a worker process, a Dask worker).

Every backend imports this module and nothing else of :mod:`matcher.batch`:
:func:`encode_chunk` is what a backend calls per chunk, and :class:`ChunkScorer` is
the one method a backend offers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Protocol

import numpy as np

from rules.kleene import TRUE, UNKNOWN
from matcher.batch.files import OUTPUT_COLUMNS, FirmTable, Layout, encode_part, output_table, part_rows
from matcher.batch.parts import commit_part
from matcher.batch.reasons import short_reasons
from matcher.batch.spans import Span, plan_spans, read_span
from matcher.batch.table import score_table
from matcher.batch.validation import valid_chunk
from matcher.firmio import RowError
from matcher.locations import recommend
from matcher.topk import top_k
from matcher.weights import COMPONENTS

if TYPE_CHECKING:  # pragma: no cover - a chunk is scored with an engine, it never builds one
    from matcher.engine import MatchEngine

__all__ = ["ChunkScorer", "batch_rows", "score_chunk", "encode_chunk", "Encoded", "valid_chunk", "warm_up",
           "score_span", "Span", "plan_spans"]

#: What a backend yields per chunk: ``(k, part bytes, errors bytes, (firms, scored, errors, rows))``, and
#: from a backend in this process a fifth item, the part's rows (:func:`~matcher.batch.files.part_rows`),
#: which the writer of a Parquet output then takes instead of decoding the part.
Encoded = tuple  # (int, bytes, bytes, tuple[int, int, int, int][, pyarrow.Table])


class ChunkScorer(Protocol):
    """A batch backend: scores ``(k, records)`` chunks and yields their encoded parts as they complete.

    Backends are context managers (entering starts workers, leaving stops them) with
    this one method; :func:`matcher.batch.run.run_batch` writes what they yield.
    """

    def score(self, chunks: Iterable[tuple[int, list]], as_of: dt.date, top: int, possible: int,
              municipalities: int, fmt: str, layout: Layout | None = None) -> Iterator[Encoded]:
        ...  # pragma: no cover


def _flat(picks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(firm index, program index, rank) of every pick, firm by firm."""
    lens = np.fromiter((len(p) for p in picks), np.intp, len(picks))
    firm = np.repeat(np.arange(len(picks)), lens)
    prog = np.concatenate(picks).astype(np.intp) if len(firm) else np.empty(0, np.intp)
    starts = np.repeat(np.cumsum(lens) - lens, lens)
    return firm, prog, np.arange(len(firm)) - starts + 1


def _kernel_for(engine: MatchEngine, possible: int, municipalities: int):
    """The engine's fused kernel when the run asks only for top eligible programs, else None."""
    return engine.fused_matcher() if not possible and not municipalities else None


def batch_rows(engine: MatchEngine, firms: list, rows: list[int], as_of: dt.date, top: int, possible: int,
               municipalities: int, kept: list[dict] | None = None, layout: Layout | None = None
               ) -> dict[str, np.ndarray]:
    """The output columns of one chunk of validated firms (``rows``: their input row numbers;
    ``kept``: each firm's kept columns, which ``layout`` names in the output).

    Columnar: scores and components are gathered with numpy, and the short reasons
    are built once per distinct pattern (needs matched, industry, locality).
    """
    all_columns = layout.columns if layout is not None else OUTPUT_COLUMNS
    cols: dict[str, list] = {k: [] for k in all_columns}
    order_keys: list[np.ndarray] = []
    if not firms:
        return {k: np.array([], object) for k in all_columns}
    fused = _kernel_for(engine, possible, municipalities)
    if fused is not None:  # only the top eligible programs: the fused kernel, no (firms, programs) matrices
        prepared = engine.prepare(firms, as_of)
        facts = prepared.facts
        scored = None
        idx, top_scores, top_comps = fused.match(prepared, top)
        fi, k = np.nonzero(idx >= 0)  # firm by firm, best first
        picks = [("eligible", fi, idx[fi, k].astype(np.intp), k + 1, top_scores[fi, k],
                  {c: top_comps[fi, k, n] for n, c in enumerate(COMPONENTS)})]
    else:
        scored = engine.scores(engine.prepare(firms, as_of))
        facts, elig, comps, score = scored.facts, scored.eligibility, scored.components, scored.scores
        inf = np.float32(np.inf)
        picks = []
        for status, value, k in (("eligible", TRUE, top), ("possible", UNKNOWN, possible)):
            if k:
                fi, pj, rank = _flat(top_k(np.where(elig == value, -score, inf), k))
                picks.append((status, fi, pj, rank, score[fi, pj], {c: comps[c][fi, pj] for c in COMPONENTS}))
    ids = np.array([p.id for p in engine.programs_], object)
    names = np.array([p.name for p in engine.programs_], object)
    names_ja = np.array([p.name_ja for p in engine.programs_], object)
    providers = np.array([(p.provider.name_ja or p.provider.name) if layout is not None and layout.lang == "ja"
                          else p.provider.name for p in engine.programs_], object)
    firm_ids = np.array([f.id for f in firms], object)
    firm_names = np.array([f.name for f in firms], object)
    kept_cols = layout.kept_columns if layout is not None else ()
    kept_vals = {c: np.array([(k or {}).get(h) for k in (kept or [None] * len(firms))], object)
                 for c, h in zip(kept_cols, layout.kept if layout is not None else ())}
    row_nums = np.asarray(rows, np.int64)
    for status, fi, pj, rank, pick_scores, pick_comps in picks:
        type_order = 0 if status == "eligible" else 1
        if not len(fi):
            continue
        texts, inverse = short_reasons(engine, facts, fi, pj, pick_comps["industry"], pick_comps["locality"],
                                       lambda f: firms[f].industry)
        texts = np.array(texts, object)
        cols["firm_id"].append(firm_ids[fi])
        cols["firm_name"].append(firm_names[fi])
        for c, v in kept_vals.items():
            cols[c].append(v[fi])
        cols["row"].append(row_nums[fi])
        cols["rank"].append(rank)
        cols["type"].append(np.full(len(fi), "program", object))
        cols["id"].append(ids[pj])
        cols["name"].append(names[pj])
        cols["name_ja"].append(names_ja[pj])
        cols["provider"].append(providers[pj])
        cols["status"].append(np.full(len(fi), status, object))
        cols["score"].append(pick_scores)
        for c in COMPONENTS:
            cols[c].append(pick_comps[c])
        cols["missing"].append(np.array([";".join(engine.explainer_.missing(scored, int(i), int(j))) for i, j in zip(fi, pj)],
                                        object) if status == "possible" else np.full(len(fi), None, object))
        cols["reasons"].append(texts[inverse.ravel()])
        order_keys.append(np.stack([fi, np.full(len(fi), type_order), rank], axis=1))
    if municipalities:
        munis = recommend(engine, scored)
        recs = [(i, r, m) for i in range(len(firms)) for r, m in enumerate(munis[i][:municipalities], start=1)]
        if recs:
            fi = np.array([i for i, _, _ in recs], np.intp)
            cols["firm_id"].append(firm_ids[fi])
            cols["firm_name"].append(firm_names[fi])
            for c, v in kept_vals.items():
                cols[c].append(v[fi])
            cols["row"].append(row_nums[fi])
            cols["rank"].append(np.array([r for _, r, _ in recs], np.int64))
            cols["type"].append(np.full(len(fi), "municipality", object))
            cols["id"].append(np.array([m.code for _, _, m in recs], object))
            cols["name"].append(np.array([m.name for _, _, m in recs], object))
            cols["name_ja"].append(np.full(len(fi), None, object))
            cols["provider"].append(np.full(len(fi), None, object))
            cols["status"].append(np.full(len(fi), "recommended", object))
            cols["score"].append(np.array([m.score for _, _, m in recs]))
            for c in COMPONENTS:
                cols[c].append(np.full(len(fi), np.nan))
            cols["missing"].append(np.full(len(fi), None, object))
            cols["reasons"].append(np.array(["; ".join(m.reasons[:2]) for _, _, m in recs], object))
            order_keys.append(np.stack([fi, np.full(len(fi), 2), cols["rank"][-1]], axis=1))
    if not order_keys:
        return {k: np.array([], object) for k in all_columns}
    keys = np.concatenate(order_keys)
    order = np.lexsort((keys[:, 2], keys[:, 1], keys[:, 0]))
    out = {}
    for k, parts in cols.items():
        joined = np.concatenate([np.asarray(p) if k in _NUMERIC else np.asarray(p, object) for p in parts])
        out[k] = joined[order]
    for c in ("score", *COMPONENTS):
        out[c] = np.round(out[c].astype(np.float64), 6)
    return out


_NUMERIC = {"row", "rank", "score", *COMPONENTS}


def score_chunk(engine: MatchEngine, records: list, as_of: dt.date, top: int, possible: int,
                municipalities: int, layout: Layout | None = None) -> tuple[dict[str, np.ndarray], list[RowError], int]:
    """Validate and score one chunk of input records; pure, so it runs anywhere (a thread, a Dask worker).

    Parameters
    ----------
    engine : MatchEngine
        A fitted engine.
    records : list of (int, dict or RowError), or FirmTable
        ``(row number, fields)`` as :func:`matcher.batch.files.iter_input` yields them, or
        a chunk held as an Arrow table (:class:`~matcher.batch.files.FirmTable`).
    as_of : datetime.date
        The day validity windows are evaluated at.
    top, possible, municipalities : int
        Eligible programs, "possible" programs and municipalities per firm.

    Returns
    -------
    columns : dict of str to numpy.ndarray
        The output columns (:data:`~matcher.batch.files.OUTPUT_COLUMNS`) of the chunk's valid firms.
    errors : list of RowError
        The chunk's bad rows, in input order.
    scored : int
        How many firms were scored (``len(records) == scored + len(errors)``).
    """
    if isinstance(records, FirmTable):
        records = records.records()
    errors: list[RowError] = []
    kept: dict[int, dict] = {}
    plain = []
    for row, rec in records:
        if isinstance(rec, dict) and "_kept" in rec:
            rec = dict(rec)
            kept[row] = rec.pop("_kept")
        plain.append((row, rec))
    good = valid_chunk(plain, errors)
    # score in blocks of about SCORE_CELLS firm-program pairs (matcher.engine), so that the
    # (firms, programs) matrices stay small whatever the catalog's size; a firm's rows never
    # depend on its block
    fused = _kernel_for(engine, possible, municipalities) is not None
    block = max(len(good), 1) if fused else engine.block_size(max(len(good), 1))
    parts = [batch_rows(engine, [f for _, f in good[b:b + block]], [r for r, _ in good[b:b + block]],
                        as_of, top, possible, municipalities,
                        [kept.get(r) for r, _ in good[b:b + block]] if kept else None, layout)
             for b in range(0, len(good), block)]
    parts = [p for p in parts if len(p["row"])]
    if len(parts) == 1:
        return parts[0], errors, len(good)
    if not parts:
        return batch_rows(engine, [], [], as_of, top, possible, municipalities, None, layout), errors, len(good)
    columns = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return columns, errors, len(good)


def encode_chunk(engine: MatchEngine, records: list, as_of: dt.date, top: int, possible: int, municipalities: int,
                 fmt: str, layout: Layout | None = None, *, rows: bool = False) -> tuple:
    """:func:`score_chunk`, encoded: ``(part bytes, errors bytes, (firms, scored, errors, rows))``; pure.

    ``records`` may be a :class:`~matcher.batch.files.FirmTable`: for the top eligible programs
    its columns go the columnar way (:func:`~matcher.batch.table.score_table`), with the same
    bytes as its records would give. With ``rows``, a fourth item: the part's rows as
    :func:`~matcher.batch.files.read_part` would read them back (:func:`~matcher.batch.files.part_rows`),
    for a writer in this process, which then need not decode the part it commits.
    """
    if isinstance(records, FirmTable):
        done = score_table(engine, records, as_of, top, layout) if _kernel_for(engine, possible, municipalities) \
            else None
        if done is not None:
            table, errors, scored = done
            return _encoded(table, errors, fmt, layout, (len(records), scored), rows)
        records = records.records()
    columns, errors, scored = score_chunk(engine, records, as_of, top, possible, municipalities, layout)
    return _encoded(columns, errors, fmt, layout, (len(records), scored), rows)


def _encoded(columns: dict | object, errors: list[RowError], fmt: str, layout: Layout | None,
             counts: tuple[int, int], rows: bool) -> tuple:
    errors.sort(key=lambda e: e.row)
    layout = layout or Layout()
    table = output_table(columns, layout)
    data, err, n_rows = encode_part(table, errors, fmt, layout)
    done = (data, err, (*counts, len(errors), n_rows))
    return (*done, part_rows(table, layout)) if rows else done


def score_span(engine: MatchEngine, span: Span, as_of: dt.date, top: int, possible: int, municipalities: int,
               fmt: str, layout: Layout | None, parts_dir: str, manifest: tuple[str, str]
               ) -> list[tuple[int, tuple[int, int, int, int]]]:
    """Read the chunks of ``span``, score and encode each one (:func:`encode_chunk`) and commit its part
    into ``parts_dir`` (:func:`matcher.batch.parts.commit_part`, while ``manifest`` is the run's);
    returns ``(k, (firms, scored, errors, rows))`` per chunk. What a Dask worker that sees the run's
    files does with a span (:mod:`matcher.batch.spans`).
    """
    done = []
    for k, table in read_span(span):
        data, err, stats = encode_chunk(engine, table, as_of, top, possible, municipalities, fmt, layout)
        done.append((k, commit_part(parts_dir, k, fmt, data, err, stats, manifest)))
    if [k for k, _ in done] != list(range(span.first, span.last + 1)):
        from matcher.errors import MatcherError

        raise MatcherError(f"{span.path} changed during the run: chunks {span.first}-{span.last} were planned, "
                           f"{len(done)} could be read; run again without --resume")
    return done


def warm_up(engine: MatchEngine) -> None:
    """Load what scoring loads on first use: the tokenizer's dictionary, the glossary, the rules'
    tables and the compiled kernel (so that worker processes forked afterwards share them).

    >>> from matcher import MatchEngine
    >>> warm_up(MatchEngine().fit())
    """
    from profiles.geography import gazetteer

    firm = {"municipality": gazetteer().records[0].code, "industry": "E24", "needs": ["subsidy"],
            "description": "Precision machining 精密加工の設備投資"}
    engine.match(engine.prepare([firm], dt.date.today()), 1)
