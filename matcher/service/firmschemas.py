"""Response models of ``POST /v1/firms/check`` (for the docs: the route answers these fields as JSON)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SourceOut", "RowProblemOut", "RowReadingOut", "ReadingSummaryOut", "FirmsCheckResponse"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


_SOURCE = {"column": "所在地", "text": "東京都北区王子5-2-11"}
_PROBLEM = {"row": 5, "line": 6, "column": "従業員数", "field": "employees", "value": "たくさん",
            "reason": "not a headcount: give a whole number of people, as 25, 25名 or 約30人", "candidates": [],
            "message": "従業員数: not a headcount: give a whole number of people, as 25, 25名 or 約30人, got 'たくさん'"}
_SUMMARY = {"path": "register-kita-hamura.csv", "format": "csv", "encoding": "cp932", "sheet": None,
            "header_line": 1, "rows": 12, "readable": 11, "with_problems": 1, "with_notes": 0, "blank_rows": 0,
            "columns": {"name": "会社名", "address": "所在地", "employees": "従業員数"}, "kept": ["電話番号"],
            "problems_by_field": {"employees": 1}, "ok": False, "lang": "en",
            "text": "12 rows: 11 readable, 1 with problems; name ← 会社名, address ← 所在地, employees ← 従業員数; "
                    "kept: 電話番号"}


class SourceOut(_Out):
    """Where a value came from."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SOURCE]})

    column: str = Field(description="The column's header, as written (所在地), or two joined (所在地 + 郵便番号).")
    text: str = Field(description="The original cell.")


class RowProblemOut(_Out):
    """Why one value of a row could not be read."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PROBLEM]})

    row: int
    line: int | None = Field(description="Where the record is in the file (line of a CSV, sheet row of a workbook).")
    column: str | None = Field(description="The column (null: the whole row).")
    field: str | None = Field(description="The firm field the column feeds.")
    value: Any = Field(description="The original value.")
    reason: str = Field(description="What was expected (English).")
    candidates: list[str] = Field(description="What the value may have meant.")
    message: str = Field(description="Column, reason, value and candidates, in the language asked for.")


_ROW = {
        "row": 1, "line": 2, "ok": True, "name": "王子精密プレス株式会社", "prefecture_code": "13",
        "prefecture": "東京都", "prefecture_en": "Tokyo", "municipality_code": "131172", "municipality": "東京都北区",
        "municipality_en": "Kita City, Tokyo", "industry": "E24", "industry_name": "金属製品製造業",
        "industry_name_en": "fabricated metal products", "employees": 25, "capital_jpy": 10000000,
        "founded": "1978-04-01", "needs": ["trade_fair", "marketing"],
        "sources": {"municipality": {"column": "所在地", "text": "東京都北区王子5-2-11"},
                    "employees": {"column": "従業員数", "text": "25名"}},
        "kept": {"電話番号": "03-0000-0101"}, "problems": [], "notes": [],
        "firm": {"name": "王子精密プレス株式会社", "prefecture": "13", "municipality": "131172", "industry": "E24",
                 "employees": 25}}


class RowReadingOut(_Out):
    """How one input row was read (one per input row, in file order)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_ROW]})

    row: int = Field(description="The record's number after the header, as `matcher firms check` numbers it.")
    line: int | None
    ok: bool = Field(description="True when the row has no problem.")
    name: str | None
    prefecture_code: str | None
    prefecture: str | None = Field(description="Japanese name.")
    prefecture_en: str | None
    municipality_code: str | None
    municipality: str | None = Field(description="Prefecture and Japanese name: 東京都北区.")
    municipality_en: str | None
    industry: str | None = Field(description="JSIC division or major group code.")
    industry_name: str | None
    industry_name_en: str | None
    employees: int | None
    capital_jpy: int | None
    founded: str | None
    needs: list[str] = Field(description="Need ids (GET /v1/vocabulary).")
    sources: dict[str, SourceOut] = Field(description="For each field read, its column and original text.")
    kept: dict[str, str] = Field(description="The columns the engine does not use, by header, as written.")
    problems: list[RowProblemOut]
    notes: list[RowProblemOut] = Field(description="What was read past without stopping the row.")
    cells: dict[str, Any] | None = Field(default=None, description="A row with problems: every original cell.")
    firm: dict[str, Any] | None = Field(description="A row that reads: the firm, as POST /v1/reach takes it.")


class ReadingSummaryOut(_Out):
    """What was read."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SUMMARY]})

    path: str = Field(description="The list's name as sent.")
    format: str
    encoding: str | None = Field(description="The text encoding read (detected or given).")
    sheet: str | None
    header_line: int | None
    rows: int
    readable: int
    with_problems: int
    with_notes: int
    blank_rows: int
    columns: dict[str, str] = Field(description="Field → the header that feeds it.")
    kept: list[str] = Field(description="Headers of the columns kept beside each firm.")
    problems_by_field: dict[str, int]
    ok: bool = Field(description="True when every row reads (`matcher firms check` exit 0).")
    lang: str
    text: str = Field(description="The summary line, in the language asked for.")


class FirmsCheckResponse(_Out):
    """How every row of a firm list reads: rows = readable + with_problems."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"summary": _SUMMARY, "rows": [_ROW]}]})

    summary: ReadingSummaryOut
    rows: list[RowReadingOut]
