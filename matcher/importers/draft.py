"""A program being imported: its fields, how each was obtained, and the quotes behind them.

>>> d = Draft("list.csv", row=3)
>>> d.put("name_ja", "展示会出展補助金", "given", "補助金名", "展示会出展補助金")
>>> d.put("eligibility.rule_sets", ["sme"], "extracted", "概要", "補助対象者：中小企業者")
>>> d.status["eligibility.rule_sets"], d.data["eligibility"]
('extracted', {'rule_sets': ['sme']})
>>> [s["facts"] for s in d.sources()]
[['name_ja'], ['eligibility.rule_sets']]
"""

from __future__ import annotations

from typing import Any

__all__ = ["Draft", "GIVEN", "EXTRACTED", "DEFAULT"]

#: The value is a field of the source (a column, an API field) read as it is.
GIVEN = "given"
#: The value was read from the source's text by an extractor.
EXTRACTED = "extracted"
#: The value is the format's default for every record (a Tokyo program is for Tokyo).
DEFAULT = "default"
_RANK = {DEFAULT: 0, GIVEN: 1, EXTRACTED: 2}
_QUOTE_MAX = 400


class Draft:
    """Fields of one program with their provenance.

    Parameters
    ----------
    file : str
        The input file's name, cited by every source entry.
    row : int, optional
        The 1-based data-record index in the file (header excluded).
    record : str, optional
        The record's id in the source (an API id).
    """

    def __init__(self, file: str, row: int | None = None, record: str | None = None) -> None:
        self.file, self.row, self.record = file, row, record
        self.data: dict[str, Any] = {}
        self.status: dict[str, str] = {}
        self._cites: dict[tuple[str, str], list[str]] = {}
        self.unread: list[tuple[str, str, str]] = []

    def put(self, path: str, value: Any, how: str, field: str | None = None, quote: str | None = None) -> None:
        """Set the field at a dotted ``path``; a list value extends the list already there."""
        node = self.data
        *parents, last = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        if isinstance(value, list):
            current = node.setdefault(last, [])
            current.extend(v for v in value if v not in current)
        else:
            node[last] = value
        if _RANK[how] >= _RANK.get(self.status.get(path, DEFAULT), 0) or path not in self.status:
            self.status[path] = how
        if field is not None and quote is not None:
            self.cite(path, field, quote)

    def get(self, path: str, default: Any = None) -> Any:
        node: Any = self.data
        for key in path.split("."):
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return node

    def drop(self, path: str) -> None:
        """Remove a field (and its status), e.g. a value a later reading showed wrong."""
        *parents, last = path.split(".")
        node = self.data
        for key in parents:
            node = node.get(key, {})
        node.pop(last, None)
        self.status.pop(path, None)
        for facts in self._cites.values():
            if path in facts:
                facts.remove(path)

    def cite(self, path: str, field: str, quote: str) -> None:
        """Record that ``quote`` (exact text of ``field``) supports the field at ``path``."""
        quote = quote.strip()
        if len(quote) > _QUOTE_MAX:
            quote = quote[:_QUOTE_MAX]
        facts = self._cites.setdefault((field, quote), [])
        if path not in facts:
            facts.append(path)

    def mark_unread(self, what: str, field: str, quote: str) -> None:
        """Text meant to say ``what`` that no reading understood: no rule is added."""
        self.unread.append((what, field, quote.strip()))

    def sources(self) -> list[dict[str, Any]]:
        """The program's ``source`` entries: one per quote, naming the facts it supports."""
        out = []
        for (field, quote), facts in self._cites.items():
            if not facts:
                continue
            entry: dict[str, Any] = {"file": self.file}
            if self.row is not None:
                entry["row"] = self.row
            if self.record is not None:
                entry["record"] = self.record
            entry.update(field=field, quote=quote, facts=list(facts))
            out.append(entry)
        if not out:  # a program always cites its record
            entry = {"file": self.file}
            if self.row is not None:
                entry["row"] = self.row
            if self.record is not None:
                entry["record"] = self.record
            entry.update(quote=self.record or f"row {self.row}", facts=[])
            out.append(entry)
        return out
