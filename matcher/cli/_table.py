"""Text that fits a terminal: display width (Japanese takes two cells), word wrapping, tables.

Widths are measured with :func:`wcwidth.wcswidth`, so a table of Japanese names lines up
and a wrapped line never runs past the terminal. Latin text breaks between words; Japanese,
which has no spaces, breaks between characters (never before 、。）and the like).

>>> cells("羽村市 Hamura")
13
>>> wrap_cells("Hamura City Interest Subsidy for SME Loans", 20)
['Hamura City Interest', 'Subsidy for SME', 'Loans']
>>> wrap_cells("羽村市中小企業融資利子補給", 10)
['羽村市中小', '企業融資利', '子補給']
>>> print(table([["1", "羽村市"], ["22", "Kita City"]], [("#", ">", 2, 0), ("name", "<", 6, 1)], 10))
 #  name
 1  羽村市
22  Kita
    City
"""

from __future__ import annotations

import os
import re
import shutil

from wcwidth import wcswidth, wcwidth

__all__ = ["cells", "pad", "table", "table_blocks", "terminal_width", "wrap_cells"]

_NO_START = set("、。，．,.)）」』】〕・ー：:；;！!？?%％")
_TOKEN = re.compile(r"\s+|[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+")


def terminal_width(default: int = 100) -> int:
    """The terminal's columns: ``COLUMNS`` when set, else the terminal's, else ``default`` (at least 40)."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return max(40, int(env))
    return max(40, shutil.get_terminal_size((default, 24)).columns)


def cells(text: str) -> int:
    """The number of terminal cells ``text`` takes (a control character counts as one)."""
    n = wcswidth(text)
    return n if n >= 0 else sum(max(wcwidth(ch), 1) for ch in text)


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` cells (``align``: ``<`` or ``>``)."""
    gap = " " * max(0, width - cells(text))
    return gap + text if align == ">" else text + gap


def _cut(token: str, width: int) -> list[str]:
    """A token longer than ``width`` cells, in pieces of at most ``width`` cells."""
    out, cur = [], ""
    for ch in token:
        if cur and cells(cur + ch) > width:
            out.append(cur)
            cur = ""
        cur += ch
    return out + ([cur] if cur else [])


def wrap_cells(text: str, width: int, rest: int | None = None) -> list[str]:
    """``text`` in lines of at most ``width`` cells (``rest``: of the lines after the first),
    broken between words or CJK characters; a closing mark (、。）) never starts a line."""
    limits = [max(1, width), max(1, width if rest is None else rest)]
    lines: list[str] = []
    cur = ""
    for tok in _TOKEN.findall(text.replace("\n", " ")):
        limit = limits[bool(lines)]
        if tok.isspace():
            if cur:
                cur += " "
            continue
        if cells(cur + tok) <= limit:
            cur += tok
            continue
        if tok[0] in _NO_START and len(cur.rstrip()) > 1 and cur == cur.rstrip():
            cur, tok = cur[:-1], cur[-1] + tok  # the mark takes the character before it along
        if cur.strip():
            lines.append(cur.rstrip())
        limit = limits[1]
        pieces = _cut(tok, limit) if cells(tok) > limit else [tok]
        lines.extend(pieces[:-1])
        cur = pieces[-1]
    if cur.strip():
        lines.append(cur.rstrip())
    return lines or [""]


def table(rows: list[list[str]], columns: list[tuple[str, str, int, bool]], width: int, indent: int = 0,
          whole: int | None = None) -> str:
    """Rows under a header, fitted to ``width`` cells (see :func:`table_blocks`).

    >>> print(table([["kita-trade-fair-subsidy", "Trade fair subsidy"], ["ota-x", "Loan"]],
    ...             [("id", "<", 8, 1), ("name", "<", 8, 1)], 24, whole=0))
    id           name
    kita-trade-fair-subsidy
                 Trade fair
                 subsidy
    ota-x        Loan
    """
    head, blocks = table_blocks(rows, columns, width, indent, whole)
    return "\n".join([head, *blocks])


def table_blocks(rows: list[list[str]], columns: list[tuple[str, str, int, bool]], width: int,
                 indent: int = 0, whole: int | None = None) -> tuple[str, list[str]]:
    """The header and each row's lines, fitted to ``width`` cells, for printing text between rows.

    ``columns`` are ``(header, align, min_width, weight)``; each column takes the width of
    its widest cell, then those of weight > 0 shrink (the one widest for its weight first,
    down to its minimum) until the table fits, and their cells wrap on word boundaries.
    Column ``whole`` (the first, for an id) is never broken: a cell wider than the column
    stands on a line of its own and the rest of its row starts on the next line.
    """
    heads = [c[0] for c in columns]
    widths = [max([cells(h)] + [cells(r[k]) for r in rows]) for k, h in enumerate(heads)]
    budget = width - indent - 2 * (len(columns) - 1)
    flex = [k for k, c in enumerate(columns) if c[3]]
    while sum(widths) > budget:
        k = max((k for k in flex if widths[k] > columns[k][2]), key=lambda k: widths[k] / columns[k][3], default=None)
        if k is None:
            break
        widths[k] -= 1

    def block(row: list[str]) -> str:
        parts = [wrap_cells(cell, widths[k]) if columns[k][3] and k != whole else [cell] for k, cell in enumerate(row)]
        lines = []
        if whole == 0 and cells(row[0]) > widths[0]:
            lines.append(" " * indent + row[0])
            parts[0] = [""]
        for n in range(max(len(p) for p in parts)):
            cols = [pad(p[n] if n < len(p) else "", widths[k], columns[k][1]) for k, p in enumerate(parts)]
            lines.append((" " * indent + "  ".join(cols)).rstrip())
        return "\n".join(lines)

    return block(heads), [block(r) for r in rows]
