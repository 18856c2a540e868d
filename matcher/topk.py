"""Top-k selection: per row of a matrix of keys, the columns of the ``k`` smallest.

Ranking asks it for eligible programs (``-score`` where eligible, ``inf`` elsewhere),
"possible" programs and municipalities; ties are broken by column (catalog) order, as
the fused kernel (:mod:`matcher.kernel`) does too.
"""

from __future__ import annotations

import numpy as np

__all__ = ["top_k"]


def top_k(keys: np.ndarray, k: int) -> list[np.ndarray]:
    """Per row, the indices of the ``k`` smallest finite keys, ties by column order.

    Vectorized over rows: one ``argpartition`` picks ``k`` columns per row and one
    comparison counts the keys at or below the ``k``-th; only a row with a tie at that
    boundary (the partition may have picked any of the tied columns) is settled alone.

    >>> [a.tolist() for a in top_k(np.array([[3, 1, np.inf, 1], [np.inf, np.inf, 0, 2]], np.float32), 2)]
    [[1, 3], [2, 3]]
    """
    n, m = keys.shape
    if m == 0 or k == 0:
        return [np.empty(0, np.intp)] * n
    k = min(k, m)
    if n <= 2:  # one firm (``rank``): a stable sort of its finite keys is quickest
        out = []
        for row in keys:
            cand = np.flatnonzero(np.isfinite(row))
            out.append(cand[np.argsort(row[cand], kind="stable")][:k])
        return out
    if k < m:
        part = np.argpartition(keys, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(keys, part, axis=1)
        kth = vals.max(axis=1)
        tied = ((keys <= kth[:, None]).sum(axis=1) > k) & np.isfinite(kth)
    else:
        part = np.broadcast_to(np.arange(m), (n, m))
        vals = keys
        tied = np.zeros(n, bool)
    order = np.lexsort((part, vals), axis=1)  # by key, then column
    cols = np.take_along_axis(part, order, axis=1)
    counts = np.isfinite(np.take_along_axis(vals, order, axis=1)).sum(axis=1)
    out = list(cols) if counts.min() == k and not tied.any() else [cols[i, :c] for i, c in enumerate(counts.tolist())]
    for i in np.flatnonzero(tied).tolist():
        row = keys[i]
        cand = np.flatnonzero(row <= row[cols[i, k - 1]])
        out[i] = cand[np.argsort(row[cand], kind="stable")][:k]
    return out
