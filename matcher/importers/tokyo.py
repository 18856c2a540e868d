"""The ``tokyo-subsidies`` format: the Tokyo Metropolitan Government's open-data subsidy list.

Columns (UTF-8 with BOM): 年度, 所管局№, 所管局, 施策分野№, 施策分野, 事業名, 補助金名, 補助金の概要
(目的, 補助対象者, 補助対象経費, 負担割合 as ``ラベル：…`` lines), 補助対象者№, 補助対象者 (the
recipient type), 令和６年度予算額（千円）, 所管部署, 問い合わせ先, 各局HPリンク.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from matcher.importers.build import Record
from matcher.importers.errors import ImportFormatError
from matcher.importers.text import csv_rows, data, labelled_sections, normalize, section_body
from profiles.errors import InputError
from profiles.values import parse_amount_jpy

__all__ = ["read_tokyo", "REQUIRED"]

REQUIRED = ("年度", "所管局", "補助金名", "補助金の概要", "補助対象者")
_SECTIONS = ("補助金の目的", "補助対象者", "補助対象経費", "負担割合", "補助対象事業")
_BUDGET = re.compile(r"予算額")


def _open(path: Path) -> list[list[str]]:
    return csv_rows(path)


def _key(cells: dict[str, str]) -> str:
    return "|".join(normalize(cells.get(c, "")) for c in ("年度", "所管局№", "事業名", "補助金名"))


def read_tokyo(path: Path, skipped: list[tuple[int | None, str]]) -> Iterator[Record]:
    """Records of the list; a row that cannot give a program is added to ``skipped``."""
    rows = _open(path)
    if not rows:
        raise ImportFormatError(f"{path.name}: the file is empty")
    header = [h.strip() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFormatError(f"{path.name}: not the Tokyo subsidy list: no column {', '.join(missing)} "
                                f"(columns: {', '.join(header[:14])})")
    budget_col = next((h for h in header if _BUDGET.search(h)), None)
    # 補助対象者 is both a label of the overview and the recipient-type column (after 補助対象者№)
    bureaus = data("bureaus")["bureaus"]
    seen: dict[str, int] = {}
    for row, cells_list in enumerate(rows[1:], start=1):
        if not any(c.strip() for c in cells_list):
            skipped.append((row, "empty row"))
            continue
        if len(cells_list) != len(header):
            skipped.append((row, f"{len(cells_list)} cells, the header has {len(header)}"))
            continue
        cells = dict(zip(header, cells_list))
        name = cells["補助金名"].strip() or cells.get("事業名", "").strip()
        if not name:
            skipped.append((row, "no 補助金名 or 事業名"))
            continue
        key = _key(cells)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}|{seen[key]}"
        rec = Record(file=path.name, key=key, row=row)
        _given(rec, cells, name, budget_col, bureaus, skipped)
        overview = cells["補助金の概要"]
        parts = labelled_sections(overview, _SECTIONS)
        rec.text("name", "補助金名", cells["補助金名"])
        if cells.get("事業名", "").strip() and cells["事業名"].strip() != cells["補助金名"].strip():
            rec.text("name", "事業名", cells["事業名"])
        rec.text("purpose", "補助金の概要", parts.get("補助金の目的"))
        rec.text("applicants", "補助金の概要", parts.get("補助対象者"))
        rec.text("costs", "補助金の概要", parts.get("補助対象経費") or parts.get("補助対象事業"))
        rec.text("shares", "補助金の概要", parts.get("負担割合"))
        if not parts:
            rec.text("other", "補助金の概要", overview)
        yield rec


def _given(rec: Record, cells: dict[str, str], name: str, budget_col: str | None,
           bureaus: dict[str, str], skipped: list) -> None:
    field = "補助金名" if cells["補助金名"].strip() else "事業名"
    rec.given["name_ja"] = (name, field, name)
    year = cells.get("年度", "").strip()
    if re.fullmatch(r"\d{4}", normalize(year)):
        rec.given["fiscal_year"] = (int(normalize(year)), "年度", year)
    bureau = cells.get("所管局", "").strip()
    code = normalize(cells.get("所管局№", "")).strip() or hashlib.sha1(bureau.encode()).hexdigest()[:4]
    provider = {"id": f"tokyo-bureau-{code}", "name": None, "name_ja": f"東京都 {bureau}".strip(),
                "kind": "prefecture", "prefecture": "13"}
    if bureau in bureaus:
        provider["name"] = f"Tokyo Metropolitan Government, {bureaus[bureau]}"
    rec.given["provider"] = ({k: v for k, v in provider.items() if v is not None}, "所管局", bureau or "東京都")
    overview = cells.get("補助金の概要", "").strip()
    if overview:
        rec.given["description"] = (overview, "補助金の概要", overview.splitlines()[0])
        purpose = labelled_sections(overview, _SECTIONS).get("補助金の目的")
        if purpose and section_body(purpose).strip():
            rec.given["summary"] = (section_body(purpose).strip(), "補助金の概要", purpose)
    if budget_col and cells.get(budget_col, "").strip():
        try:
            amount = parse_amount_jpy(cells[budget_col], field=budget_col, unit=1000)
            rec.given["benefit.budget_jpy"] = (amount, budget_col, cells[budget_col].strip())
        except InputError as exc:
            skipped.append((rec.row, f"budget not read, the program is kept: {exc}"))
    recipient = cells.get("補助対象者", "").strip()
    if recipient:
        table = data("applicants")["tokyo_recipient_column"]
        rec.given["eligibility.applicant_types"] = (list(table.get(recipient, [])), "補助対象者", recipient)
    url = cells.get("各局HPリンク", "").strip()
    if url.startswith(("http://", "https://")):
        rec.given["url"] = (url, "各局HPリンク", url)
    contact = {k: v for k, v in (("name", cells.get("所管部署", "").strip()),
                                  ("phone", cells.get("問い合わせ先", "").strip())) if v}
    if contact:
        fields = tuple(f for f, k in (("所管部署", "name"), ("問い合わせ先", "phone")) if k in contact)
        rec.given["contact"] = (contact, fields, tuple(contact.values()))
    rec.defaults["eligibility.prefectures"] = (["13"], "所管局", bureau or "東京都")
    rec.kind = "subsidy"
