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

from profiles.firmchunk import quick_profiles
from profiles.models import CompanyProfile
from profiles.needs import NEEDS
from rules.kleene import TRUE, UNKNOWN
from matcher.batch.files import OUTPUT_COLUMNS, Layout, encode_part
from matcher.firmio import RowError, valid_firms
from matcher.locations import recommend
from matcher.topk import top_k
from matcher.weights import COMPONENTS

if TYPE_CHECKING:  # pragma: no cover - a chunk is scored with an engine, it never builds one
    from matcher.engine import MatchEngine

__all__ = ["ChunkScorer", "batch_rows", "score_chunk", "encode_chunk", "Encoded", "valid_chunk"]

_NEED_LABEL = {n.id: n.label_en for n in NEEDS}

#: What a backend yields per chunk: ``(k, part bytes, errors bytes, (firms, scored, errors, rows))``.
Encoded = tuple[int, bytes, bytes, tuple[int, int, int, int]]


class ChunkScorer(Protocol):
    """A batch backend: scores ``(k, records)`` chunks and yields their encoded parts as they complete.

    Backends are context managers (entering starts workers, leaving stops them) with
    this one method; :func:`matcher.batch.run.run_batch` writes what they yield.
    """

    def score(self, chunks: Iterable[tuple[int, list]], as_of: dt.date, top: int, possible: int,
              municipalities: int, fmt: str, layout: Layout | None = None) -> Iterator[Encoded]:
        ...  # pragma: no cover


def _reason_text(engine: MatchEngine, needs_mask: int, industry: str | None, loc: float) -> str:
    parts = []
    matched = [n.id for b, n in enumerate(NEEDS) if needs_mask >> b & 1]
    if matched:
        parts.append("needs: " + ", ".join(_NEED_LABEL[n] for n in matched))
    if industry:
        parts.append(f"industry {industry} targeted")
    parts.append("own municipality" if loc >= 1 else "in the prefecture" if loc >= 0.7
                 else "national" if loc >= 0.5 else "elsewhere")
    return "; ".join(parts)


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
    prog_needs = engine.program_need_masks_
    for status, fi, pj, rank, pick_scores, pick_comps in picks:
        type_order = 0 if status == "eligible" else 1
        if not len(fi):
            continue
        ind = pick_comps["industry"] >= 0.75 - 1e-6
        loc = np.round(pick_comps["locality"].astype(np.float64), 4)
        needs = facts.needs[fi] & prog_needs[pj]
        ind_code = np.where(ind, (facts.major_group[fi].astype(np.int64) + 1) * 32 + facts.division[fi] + 1, 0)
        # one int64 per pick: needs matched (bits 30+), industry code (bits 16-29), locality x 10,000 (bits 0-15)
        key = (needs << 30) | (ind_code << 16) | np.round(loc * 10000).astype(np.int64)
        uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        texts = np.array([_reason_text(engine, int(u >> 30), firms[int(fi[f])].industry if (u >> 16) & 0x3FFF else None,
                                       int(u & 0xFFFF) / 10000) for u, f in zip(uniq.tolist(), first.tolist())], object)
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


def valid_chunk(records: list, errors: list[RowError]) -> list[tuple[int, CompanyProfile]]:
    """``(row, profile)`` of a chunk's valid records; each bad one appended to ``errors``.

    The column checks of :func:`profiles.firmchunk.quick_profiles` first (one lookup per
    distinct municipality, industry and needs); only the records they flag are validated
    one at a time by :func:`matcher.firmio.valid_firms`, so an error reads as it always has.
    The same profiles and errors as validating every record one at a time.
    """
    good = []
    quick = quick_profiles([rec for _, rec in records])
    for (row, rec), firm in zip(records, quick):
        if firm is not None:
            good.append((row, firm if firm.id is not None else firm.model_copy(update={"id": f"row-{row}"})))
            continue
        try:  # one firm at a time: an exception in one firm's validation is its error row
            good.extend(valid_firms([(row, rec)], errors))
        except (ValueError, OverflowError, TypeError) as exc:
            errors.append(RowError(row, "-", None, f"cannot be read: {exc}"))
    return good


def score_chunk(engine: MatchEngine, records: list, as_of: dt.date, top: int, possible: int,
                municipalities: int, layout: Layout | None = None) -> tuple[dict[str, np.ndarray], list[RowError], int]:
    """Validate and score one chunk of input records; pure, so it runs anywhere (a thread, a Dask worker).

    Parameters
    ----------
    engine : MatchEngine
        A fitted engine.
    records : list of (int, dict or RowError)
        ``(row number, fields)`` as :func:`matcher.batch.files.iter_input` yields them.
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
                 fmt: str, layout: Layout | None = None) -> tuple[bytes, bytes, tuple[int, int, int, int]]:
    """:func:`score_chunk`, encoded: ``(part bytes, errors bytes, (firms, scored, errors, rows))``; pure."""
    columns, errors, scored = score_chunk(engine, records, as_of, top, possible, municipalities, layout)
    errors.sort(key=lambda e: e.row)
    data, err, n_rows = encode_part(columns, errors, "parquet" if fmt == "xlsx" else fmt, layout)
    return data, err, (len(records), scored, len(errors), n_rows)
