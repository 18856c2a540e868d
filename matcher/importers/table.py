"""The ``table`` format: a city's own CSV or Excel list of programs with a column-mapping file.

The mapping (YAML, or the same as a dict) says which column holds what; only ``name_ja`` (or
``name``) is required::

    id_prefix: kita                  # ids are kita-<hash of the key columns>
    key: [番号]                      # columns that identify a row (default: the name and url columns)
    sheet: 一覧                      # Excel sheet (default: the first)
    provider: {id: kita-city, name_ja: 北区 産業振興課, kind: municipality, municipality: 北区}
    defaults: {kind: subsidy, prefecture: Tokyo, municipality: 北区}
    columns:
      name_ja: 事業名
      description: 概要
      summary: 目的
      applicants: 対象者             # read for applicant types, size, places, industries
      costs: 対象経費
      rate: 補助率                   # 1/2, 2/3, 都1/2・区1/2
      max_amount: {header: 上限額, unit: 千円}
      budget: {header: 予算額, unit: 千円}
      url: URL
      start: 募集開始
      deadline: 締切
      contact: 担当課
      phone: 電話番号
      kind: 種別
      needs: 支援分野
      industry: 業種
      municipality: 対象地域
      fiscal_year: 年度

Cells are read with :mod:`profiles.values` (amounts, dates and eras, industry and needs words) and
:func:`profiles.addresses.parse_municipality`; a cell that does not read is counted in the report
and the row is kept.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from matcher.importers.build import Record
from matcher.importers.errors import ImportFormatError, MappingError
from matcher.importers.text import csv_rows, normalize
from profiles.columns import column_table, normalize_header
from profiles.errors import InputError
from profiles.models import PROGRAM_KINDS, PROVIDER_KINDS

__all__ = ["read_table", "read_mapping", "COLUMN_KEYS"]

#: The keys of a mapping's ``columns``.
COLUMN_KEYS = ("name_ja", "name", "description", "summary", "applicants", "costs", "rate", "max_amount", "budget",
               "url", "start", "deadline", "contact", "phone", "kind", "needs", "industry", "municipality",
               "fiscal_year")
_TOP_KEYS = ("id_prefix", "key", "sheet", "provider", "defaults", "columns", "format")
_KIND_WORDS = {"補助金": "subsidy", "助成金": "subsidy", "補助": "subsidy", "助成": "subsidy", "融資": "loan",
               "貸付": "loan", "利子補給": "interest_subsidy", "相談": "consulting", "専門家派遣": "expert_dispatch",
               "セミナー": "seminar", "講座": "seminar", "研修": "training", "税制": "tax_incentive",
               "マッチング": "matching", "交流": "networking"}


def read_mapping(mapping: Any) -> tuple[dict[str, Any], str]:
    """The mapping as a dict, and the name errors cite (the file, or ``mapping``)."""
    if isinstance(mapping, Mapping):
        data, where = dict(mapping), "mapping"
    else:
        path = Path(mapping)
        where = path.name
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise MappingError(f"{path}: cannot read the column mapping: {' '.join(str(exc).split())}") from None
        if not isinstance(data, dict):
            raise MappingError(f"{path}: a column mapping is a YAML mapping with a 'columns' key, "
                               f"got {type(data).__name__}")
    for key in data:
        if key not in _TOP_KEYS:
            close = difflib.get_close_matches(str(key), _TOP_KEYS, n=3)
            raise MappingError(f"{where}: unknown key {key!r}, expected one of {', '.join(_TOP_KEYS)}"
                               + (f" (did you mean {', '.join(close)}?)" if close else ""))
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise MappingError(f"{where}: 'columns' must map program fields to headers (name_ja: 事業名), got {columns!r}")
    for key in columns:
        if key not in COLUMN_KEYS:
            close = difflib.get_close_matches(str(key), COLUMN_KEYS, n=3)
            raise MappingError(f"{where}: columns.{key}: unknown field, expected one of {', '.join(COLUMN_KEYS)}"
                               + (f" (did you mean {', '.join(close)}?)" if close else ""))
    if "name_ja" not in columns and "name" not in columns:
        raise MappingError(f"{where}: columns must name the column of name_ja (or name)")
    provider = data.get("provider")
    if provider is not None and (not isinstance(provider, dict) or provider.get("kind") not in PROVIDER_KINDS):
        raise MappingError(f"{where}: provider must be a mapping with kind one of {', '.join(PROVIDER_KINDS)}, "
                           f"got {provider!r}")
    return data, where


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(path: Path, sheet: str | None) -> list[list[str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            import openpyxl
        except ImportError:
            raise ImportFormatError(f"{path.name}: reading Excel files needs openpyxl (pip install openpyxl)") from None
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            if sheet is not None and sheet not in book.sheetnames:
                raise MappingError(f"{path.name}: no sheet {sheet!r}, the sheets are {', '.join(book.sheetnames)}")
            ws = book[sheet] if sheet is not None else book.worksheets[0]
            return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        finally:
            book.close()
    return csv_rows(path)


def _header_index(spec: Any, headers: list[str], where: str, key: str) -> tuple[int, dict]:
    options: dict = {}
    if isinstance(spec, Mapping):
        options = {k: v for k, v in spec.items() if k != "header"}
        spec = spec.get("header")
    if not isinstance(spec, (str, int)):
        raise MappingError(f"{where}: columns.{key}: give the column's header, got {spec!r}")
    norm = [normalize_header(h) for h in headers]
    for i, h in enumerate(headers):
        if h == str(spec) or norm[i] == normalize_header(spec):
            if "unit" not in options and key in ("max_amount", "budget"):
                m = re.search(r"\(([^()]+)\)$|(千円|万円|百万円|億円)$", norm[i])
                unit = column_table().units.get((m.group(1) or m.group(2)) if m else "")
                if unit:
                    options["unit"] = unit
            if "unit" in options and not isinstance(options["unit"], int):
                unit = column_table().units.get(normalize_header(options["unit"]))
                if unit is None:
                    raise MappingError(f"{where}: columns.{key}.unit: unknown unit {options['unit']!r}, "
                                       f"expected one of {', '.join(column_table().units)}")
                options["unit"] = unit
            return i, options
    close = difflib.get_close_matches(str(spec), headers, n=3, cutoff=0.4)
    raise MappingError(f"{where}: columns.{key}: no column has the header {spec!r}"
                       + (f" (did you mean {', '.join(close)}?)" if close else f"; the headers are {', '.join(headers[:12])}"))


def read_table(path: Path, mapping: Any, skipped: list) -> tuple[str, Iterator[Record]]:
    """(id prefix, records) of a table; bad rows go to ``skipped``."""
    data, where = read_mapping(mapping)
    rows = _rows(path, data.get("sheet"))
    while rows and not any(c.strip() for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise ImportFormatError(f"{path.name}: the file has no header row")
    headers = [h.strip() for h in rows[0]]
    cols = {k: _header_index(v, headers, where, k) for k, v in data["columns"].items() if v is not None}
    key_cols = data.get("key") or [data["columns"].get(k) for k in ("name_ja", "name", "url") if k in cols]
    key_idx = [_header_index(k, headers, where, "key")[0] for k in (key_cols if isinstance(key_cols, list) else [key_cols])]
    prefix = str(data.get("id_prefix") or re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "table")
    return prefix, _records(path, rows, headers, cols, key_idx, data, skipped)


def _records(path: Path, rows: list[list[str]], headers: list[str], cols: dict, key_idx: list[int],
             data: dict, skipped: list) -> Iterator[Record]:
    defaults = data.get("defaults") or {}
    seen: dict[str, int] = {}
    for row, cells in enumerate(rows[1:], start=1):
        cells = [c.strip() for c in cells] + [""] * (len(headers) - len(cells))
        if not any(cells):
            skipped.append((row, "empty row"))
            continue
        values = {k: (cells[i], headers[i], opts) for k, (i, opts) in cols.items() if cells[i]}
        if "name_ja" not in values and "name" not in values:
            need = " or ".join(headers[cols[k][0]] for k in ("name_ja", "name") if k in cols)
            skipped.append((row, f"no program name in column {need}"))
            continue
        key = "|".join(normalize(cells[i]) for i in key_idx)
        seen[key] = seen.get(key, 0) + 1
        rec = Record(file=path.name, key=key if seen[key] == 1 else f"{key}|{seen[key]}", row=row)
        _fill(rec, values, data, defaults)
        yield rec


def _given(rec: Record, path: str, value: Any, cell: tuple[str, str, dict]) -> None:
    rec.given[path] = (value, cell[1], cell[0])


def _fill(rec: Record, values: dict, data: dict, defaults: dict) -> None:
    from profiles.addresses import parse_municipality
    from profiles.values import parse_amount_jpy, parse_date, parse_industry_words, parse_needs_words

    for key in ("name_ja", "name", "description", "summary", "url"):
        if key in values:
            _given(rec, key, values[key][0], values[key])
    if "name_ja" in values:
        rec.text("name", values["name_ja"][1], values["name_ja"][0])
    if "summary" in values:
        rec.text("purpose", values["summary"][1], values["summary"][0])
    for key, role in (("applicants", "applicants"), ("costs", "costs"), ("rate", "shares"), ("description", "other")):
        if key in values:
            rec.text(role, values[key][1], values[key][0])
    if data.get("provider"):
        rec.given["provider"] = (dict(data["provider"]), "(mapping)", "provider")
    contact = {k: values[c][0] for k, c in (("name", "contact"), ("phone", "phone")) if c in values}
    if contact:
        fields = tuple(values[c][1] for c in ("contact", "phone") if c in values)
        rec.given["contact"] = (contact, fields, tuple(contact.values()))
    readers = {
        "max_amount": ("benefit.max_amount_jpy", lambda v, o: parse_amount_jpy(v, "max_amount", o.get("unit", 1))),
        "budget": ("benefit.budget_jpy", lambda v, o: parse_amount_jpy(v, "budget", o.get("unit", 1))),
        "start": ("application_start", lambda v, o: parse_date(v, "start")),
        "deadline": ("application_deadline", lambda v, o: parse_date(v, "deadline")),
        "needs": ("needs", lambda v, o: list(parse_needs_words(v, "needs", free_text=True))),
        "industry": ("eligibility.industries", lambda v, o: [parse_industry_words(v, "industry")]),
        "municipality": ("eligibility.municipalities",
                         lambda v, o: [parse_municipality(v, prefecture=_pref(defaults)).code]),
        "fiscal_year": ("fiscal_year", lambda v, o: _year(v)),
        "kind": ("kind", lambda v, o: _kind(v)),
    }
    for key, (path, read) in readers.items():
        if key not in values:
            continue
        text, header, opts = values[key]
        try:
            value = read(text, opts)
        except (InputError, ValueError) as exc:
            rec.texts.setdefault("_unread", []).append((header, f"{text} ({exc})"))
            continue
        if value is not None:
            rec.given[path] = (value, header, text)
            if path == "eligibility.industries":
                rec.given["industries"] = (value, header, text)
    if defaults.get("kind"):
        rec.kind = _kind(str(defaults["kind"]))
    pref = _pref(defaults)
    if pref:
        rec.defaults["eligibility.prefectures"] = ([pref], "(mapping)", f"defaults: prefecture {defaults['prefecture']}")
    if defaults.get("municipality") and "eligibility.municipalities" not in rec.given:
        code = parse_municipality(defaults["municipality"], prefecture=pref).code
        rec.defaults["eligibility.municipalities"] = ([code], "(mapping)", f"defaults: municipality {defaults['municipality']}")


def _pref(defaults: dict) -> str | None:
    if not defaults.get("prefecture"):
        return None
    from profiles.geography import gazetteer

    return gazetteer().prefecture(str(defaults["prefecture"])).code


def _year(text: str) -> int:
    from profiles.values import parse_date

    m = re.fullmatch(r"(\d{4})(?:年度?)?", normalize(text))
    if m:
        return int(m.group(1))
    return parse_date(re.sub(r"年度$", "年", normalize(text)), "fiscal_year").year


def _kind(text: str) -> str:
    t = normalize(text).lower()
    if t in PROGRAM_KINDS:
        return t
    for word, kind in _KIND_WORDS.items():
        if word in t:
            return kind
    raise ValueError(f"unknown kind {text!r}, expected one of {', '.join(PROGRAM_KINDS)} or 補助金/融資/相談/...")
