"""The import report: programs written, how each field was obtained, text not read, rows skipped.

>>> from matcher.importers.draft import Draft
>>> d = Draft("list.csv", row=1)
>>> d.put("name_ja", "補助金", "given", "補助金名", "補助金")
>>> d.mark_unread("cost shares", "概要", "負担割合：経費により個別に定める")
>>> r = ImportReport("tokyo-subsidies", "list.csv", "out")
>>> r.add(d)
>>> r.to_dict()["fields"]["name_ja"]
{'extracted': 0, 'given': 1, 'default': 0, 'none': 0}
>>> r.to_dict()["unread"]
{'cost shares': 1}
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from matcher.importers.draft import DEFAULT, EXTRACTED, GIVEN, Draft

__all__ = ["ImportReport", "FIELDS"]

#: The program fields the report counts, in the order it prints them.
FIELDS = (
    "name_ja", "name", "summary", "description", "kind", "fiscal_year", "needs", "industries", "target_groups",
    "provider", "delivered_by", "url", "contact", "application_start", "application_deadline",
    "eligibility.applicant_types", "eligibility.rule_sets", "eligibility.prefectures", "eligibility.regions",
    "eligibility.municipalities", "eligibility.industries", "eligibility.employees", "eligibility.capital_jpy",
    "eligibility.years_in_business", "eligibility.target_groups",
    "benefit.shares", "benefit.rate", "benefit.max_amount_jpy", "benefit.budget_jpy", "benefit.eligible_costs",
)
_HOW = (EXTRACTED, GIVEN, DEFAULT, "none")


@dataclass
class ImportReport:
    """What an import did. ``fields[path]`` counts programs by how the field was obtained:
    ``extracted`` (read from the text), ``given`` (a field of the source), ``default`` (the
    format's value for every record) or ``none``."""

    format: str
    input: str
    output_dir: str
    programs: int = 0
    catalog_file: str | None = None
    fields: dict[str, Counter] = field(default_factory=lambda: {f: Counter() for f in FIELDS})
    unread: Counter = field(default_factory=Counter)
    unread_examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    skipped: list[tuple[int | str | None, str]] = field(default_factory=list)
    notes: list[tuple[int | str | None, str]] = field(default_factory=list)

    def add(self, draft: Draft) -> None:
        """Count one written program."""
        self.programs += 1
        for path in FIELDS:
            self.fields[path][draft.status.get(path, "none")] += 1
        for what in dict.fromkeys(w for w, _, _ in draft.unread):
            self.unread[what] += 1
        for what, f, quote in draft.unread:
            examples = self.unread_examples.setdefault(what, [])
            if len(examples) < 5:
                examples.append({"row": draft.row, "record": draft.record, "field": f, "quote": quote[:120]})

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {
            "format": self.format, "input": self.input, "output_dir": self.output_dir,
            "catalog_file": self.catalog_file, "programs": self.programs,
            "fields": {f: {h: self.fields[f][h] for h in _HOW} for f in FIELDS},
            "unread": dict(sorted(self.unread.items())),
            "unread_examples": {k: v for k, v in sorted(self.unread_examples.items())},
            "skipped": [{"row": r, "reason": why} for r, why in self.skipped],
            "notes": [{"row": r, "note": why} for r, why in self.notes],
        }

    def to_text(self) -> str:
        """A readable table: one line per field, then text not read and rows skipped."""
        lines = [f"{self.format}: {self.input} -> {self.catalog_file or self.output_dir}",
                 f"programs written: {self.programs}", "",
                 f"{'field':<32}{'extracted':>10}{'given':>8}{'default':>9}{'none':>7}"]
        for f in FIELDS:
            c = self.fields[f]
            if not self.programs or c["none"] != self.programs or f in ("name_ja",):
                lines.append(f"{f:<32}{c[EXTRACTED]:>10}{c[GIVEN]:>8}{c[DEFAULT]:>9}{c['none']:>7}")
        empty = [f for f in FIELDS if self.programs and self.fields[f]["none"] == self.programs]
        if empty:
            lines.append(f"no value in any program: {', '.join(empty)}")
        lines.append("")
        if self.unread:
            lines.append("text not read (programs; no rule added):")
            for what, n in sorted(self.unread.items()):
                ex = self.unread_examples.get(what, [{}])[0]
                where = f"row {ex.get('row')}" if ex.get("row") is not None else f"record {ex.get('record')}"
                lines.append(f"  {what}: {n}   e.g. {where}: {ex.get('quote', '')[:60]!r}")
        else:
            lines.append("text not read: none")
        lines.append(f"rows skipped: {len(self.skipped)}")
        for row, why in self.skipped[:20]:
            lines.append(f"  row {row}: {why}")
        if len(self.skipped) > 20:
            lines.append(f"  ... and {len(self.skipped) - 20} more")
        for row, why in self.notes[:20]:
            lines.append(f"  note, row {row}: {why}")
        return "\n".join(lines)
