"""The ``jgrants`` format: responses of the jGrants public API (Japan's subsidy portal), saved as JSON.

Both endpoints are read: the list (``GET /subsidies``: ``{"metadata": ..., "result": [{...}, ...]}``,
the summary fields of each subsidy) and the detail (``GET /subsidies/id/{id}``: ``{"result": [{...}]}``,
with ``detail`` HTML, ``use_purpose``, ``industry``, ...). The input is one such file or a directory
of them; a subsidy found in several files is merged, the detail's fields first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

from matcher.importers.build import Record
from matcher.importers.errors import ImportFormatError
from matcher.importers.text import data, html_to_text, normalize

__all__ = ["read_jgrants", "jst_date"]

_JST = dt.timezone(dt.timedelta(hours=9))
_MULTI = re.compile(r"\s*/\s*|、")
_APPLICANT_LINE = re.compile(r"対象者|対象事業者|申請者|申請対象|申請できる|補助対象となる|対象となる(?:方|者|事業者)")
_FIELDS = ("id", "name", "title", "subsidy_catch_phrase", "detail", "use_purpose", "industry",
           "target_area_search", "target_area_detail", "target_number_of_employees", "subsidy_rate",
           "subsidy_max_limit", "acceptance_start_datetime", "acceptance_end_datetime", "institution_name",
           "front_subsidy_detail_page_url")


def jst_date(text: str | None, end: bool = False) -> dt.date | None:
    """The Japan date of an API datetime; an end at 00:00 JST means the day before.

    >>> jst_date("2024-04-01T00:00:00.000Z"), jst_date("2024-05-31T15:00:00Z", end=True)
    (datetime.date(2024, 4, 1), datetime.date(2024, 5, 31))
    """
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    local = moment.astimezone(_JST)
    if end and local.time() == dt.time(0, 0):
        return (local - dt.timedelta(days=1)).date()
    return local.date()


def _load(path: Path) -> list[tuple[str, dict]]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*.json") if p.is_file())
    if not files:
        raise ImportFormatError(f"{path}: no .json files")
    out = []
    for f in files:
        try:
            doc = json.loads(f.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ImportFormatError(f"{f.name}: not JSON: {exc}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("result"), list):
            raise ImportFormatError(f"{f.name}: not a jGrants response: expected an object with a 'result' list, "
                                    f"got {type(doc).__name__}" + (f" with keys {sorted(doc)[:6]}" if isinstance(doc, dict) else ""))
        for item in doc["result"]:
            out.append((f.name, item))
    return out


def read_jgrants(path: Path, skipped: list) -> Iterator[Record]:
    """Records of the responses, one per subsidy id, in the order first seen."""
    merged: dict[str, tuple[str, dict]] = {}
    for i, (fname, item) in enumerate(_load(path), start=1):
        if not isinstance(item, dict) or not item.get("id"):
            skipped.append((f"{fname} result[{i}]", "no subsidy id"))
            continue
        sid = str(item["id"])
        if sid in merged:
            old_file, old = merged[sid]
            detail_first = "detail" in item and "detail" not in old
            both = {**old, **item} if detail_first else {**item, **old}
            merged[sid] = (fname if detail_first else old_file, both)
        else:
            merged[sid] = (fname, dict(item))
    for sid, (fname, item) in merged.items():
        yield _record(fname, sid, item, skipped)


def _provider(name: str | None) -> dict:
    if not name:
        return {"id": "jgrants", "name": "jGrants (Digital Agency)", "name_ja": "jGrants", "kind": "national"}
    n = normalize(name)
    if n.endswith(("省", "庁")) or "省" in n or "庁" in n:
        kind = "national"
    elif re.search(r"(都|道|府|県)$", n):
        kind = "prefecture"
    elif re.search(r"(市|区|町|村)$", n):
        kind = "municipality"
    else:
        kind = "agency"
    return {"id": "jgrants-" + hashlib.sha256(n.encode()).hexdigest()[:8], "name_ja": name, "kind": kind}


def _record(fname: str, sid: str, item: dict, skipped: list) -> Record:
    from profiles.errors import InputError
    from profiles.geography import gazetteer
    from profiles.values import parse_industry_words

    rec = Record(file=fname, key=sid, record=sid)
    title = (item.get("title") or "").strip()
    if title:
        rec.given["name_ja"] = (title, "title", title)
        rec.text("name", "title", title)
    catch = (item.get("subsidy_catch_phrase") or "").strip()
    if catch:
        rec.given["summary"] = (catch, "subsidy_catch_phrase", catch)
        rec.text("purpose", "subsidy_catch_phrase", catch)
    detail = html_to_text(item.get("detail"))
    if detail:
        rec.given["description"] = (detail, "detail", detail.splitlines()[0])
        lines = detail.splitlines()
        for i, line in enumerate(lines):
            if _APPLICANT_LINE.search(line):
                rec.text("applicants", "detail", line)
                if i + 1 < len(lines) and len(line) < 12:  # a heading: its text is the next line
                    rec.text("applicants", "detail", lines[i + 1])
        rec.text("other", "detail", detail)
    if item.get("institution_name"):
        rec.given["provider"] = (_provider(item["institution_name"]), "institution_name", item["institution_name"])
    else:
        rec.defaults["provider"] = (_provider(None), "institution_name", None)
    url = item.get("front_subsidy_detail_page_url")
    if url:
        rec.given["url"] = (url, "front_subsidy_detail_page_url", url)
    purposes = [p for p in _MULTI.split(item.get("use_purpose") or "") if p]
    table = data("kinds")["jgrants_purposes"]
    needs = [n for p in purposes for n in table.get(p, [])]
    if needs:
        rec.given["needs"] = (list(dict.fromkeys(needs)), "use_purpose", item["use_purpose"])
    industries, unread = [], []
    for word in (w for w in _MULTI.split(item.get("industry") or "") if w):
        try:
            code = parse_industry_words(word, "industry")
        except InputError:
            unread.append(word)
            continue
        if code and code not in industries:
            industries.append(code)
    if industries and not unread:
        rec.given["eligibility.industries"] = (industries, "industry", item["industry"])
        rec.given["industries"] = (industries, "industry", item["industry"])
    elif unread:
        rec.texts.setdefault("_unread", []).append(("industry", item["industry"]))
    area = (item.get("target_area_search") or "").strip()
    prefs = []
    for word in (w for w in _MULTI.split(area) if w and w != "全国"):
        try:
            prefs.append(gazetteer().prefecture(word).code)
        except InputError:
            rec.texts.setdefault("_unread", []).append(("target_area_search", area))
            prefs = []
            break
    if prefs:
        rec.given["eligibility.prefectures"] = (prefs, "target_area_search", area)
    _area_detail(rec, item, prefs)
    band = normalize(item.get("target_number_of_employees") or "")
    m = re.fullmatch(r"(\d+)(?:名|人)以下", band)
    if m:
        rec.given["eligibility.employees"] = ({"max": int(m.group(1))}, "target_number_of_employees",
                                              item["target_number_of_employees"])
    elif band and band not in ("従業員の制約なし", "制約なし"):
        rec.texts.setdefault("_unread", []).append(("target_number_of_employees", band))
    if item.get("subsidy_rate"):
        rec.text("shares", "subsidy_rate", str(item["subsidy_rate"]))
    limit = item.get("subsidy_max_limit")
    if isinstance(limit, (int, float)) and not isinstance(limit, bool) and limit > 0:
        rec.given["benefit.max_amount_jpy"] = (int(limit), "subsidy_max_limit", str(limit))
    start = jst_date(item.get("acceptance_start_datetime"))
    end = jst_date(item.get("acceptance_end_datetime"), end=True)
    if start:
        rec.given["application_start"] = (start, "acceptance_start_datetime", item["acceptance_start_datetime"])
    if end:
        rec.given["application_deadline"] = (end, "acceptance_end_datetime", item["acceptance_end_datetime"])
    rec.kind = "subsidy"
    return rec


def _area_detail(rec: Record, item: dict, prefs: list[str]) -> None:
    from profiles.addresses import parse_municipality
    from profiles.errors import InputError

    detail = (item.get("target_area_detail") or "").strip()
    if not detail or normalize(detail) in ("全国", "日本全国") or len(prefs) != 1:
        return
    codes = []
    for word in (w for w in re.split(r"[、,/／・\s]+", normalize(detail)) if w):
        if word in ("全域", "内") or gazetteer_pref(word) == prefs[0]:
            continue
        try:
            codes.append(parse_municipality(word, prefecture=prefs[0]).code)
        except (InputError, AttributeError):
            rec.texts.setdefault("_unread", []).append(("target_area_detail", detail))
            return
    if codes:
        rec.given["eligibility.municipalities"] = (codes, "target_area_detail", detail)


def gazetteer_pref(word: str) -> str | None:
    from profiles.errors import InputError
    from profiles.geography import gazetteer

    try:
        return gazetteer().prefecture(word.removesuffix("全域")).code
    except InputError:
        return None
