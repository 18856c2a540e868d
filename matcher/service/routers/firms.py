"""``POST /v1/firms/check``: how every row of an uploaded firm list reads, before anything is scored.

The same reading as ``matcher firms check FILE --json`` (:func:`profiles.firmcheck.check_firms`,
the same rows and row numbers), for a list sent as a multipart ``file`` or as the raw
body: one entry per input row with the resolved location, industry, size, capital,
founding date and needs, what each came from, the columns kept beside the firm, the
row's problems (in Japanese with ``lang=ja`` or ``Accept-Language: ja``) and, for a row
that reads, the firm as ``POST /v1/reach`` takes it.
"""

# No ``from __future__ import annotations``: FastAPI reads the route's annotations.

import tempfile
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from matcher.service.deps import json_response, problems
from matcher.service.gate import BatchGate
from matcher.service.i18n import candidates_of, translate
from matcher.service.problems import INVALID_INPUT, FieldError, ProblemError, request_lang
from matcher.service.firmschemas import FirmsCheckResponse
from matcher.service.settings import Settings
from matcher.service.uploads import UNZIPPED_FACTOR, Upload, charset_of, check_unpacked_size, upload_format
from profiles.errors import InputError
from profiles.firmcheck import check_firms, check_row
from profiles.firmrows import RowProblem, RowReading
from profiles.geography import gazetteer
from profiles.industries import DIVISIONS, MAJOR_GROUPS
from profiles.tabular import cell_text

__all__ = ["router", "reading_json", "problem_json", "summary_text"]

_UPLOAD_DOC = {
    "requestBody": {"required": True, "description": (
        "The firm list: a multipart form with the file in `file` (and optionally `encoding`, `sheet`, "
        "`prefecture`, `format`), or the file itself as the body, its format from `filename`, `format` or "
        "the Content-Type. CSV/TSV in any of UTF-8, UTF-8 with BOM, UTF-16 or CP932/Shift_JIS (detected), "
        "JSON Lines, JSON, Parquet or Excel .xlsx."),
        "content": {
            "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"}, "encoding": {"type": "string"},
                "sheet": {"type": "string"}, "prefecture": {"type": "string"}, "format": {"type": "string"}}}},
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        }}}


def _industry_names(code: str | None) -> tuple[str | None, str | None]:
    names = (DIVISIONS.get(code) or MAJOR_GROUPS.get(code)) if code else None
    return (names[0], names[1]) if names else (None, None)


def problem_json(p: RowProblem, lang: str) -> dict[str, Any]:
    """One problem of a row, its ``message`` in ``lang`` (the CLI's problems column in English)."""
    out = p.to_dict()
    if lang != "ja":
        out["message"] = p.message
        return out
    text = f"{p.column}: " if p.column else (f"{p.field}: " if p.field else "")
    text += translate(p.reason, "ja")
    if p.value not in (None, ""):
        text += f"（入力値: 「{cell_text(p.value)}」）"
    if p.candidates:
        places = candidates_of(InputError(p.field or "-", p.value, p.reason, list(p.candidates)))
        names = [f"{c['label_ja']}（{c['code']}）" for c in places] if places else list(p.candidates)
        text += "（候補: " + "、".join(names[:8]) + "）"
    out["message"] = text
    return out


def reading_json(reading: RowReading, lang: str = "en") -> dict[str, Any]:
    """One row's reading: the CLI's table row (resolved values), where each came from, kept columns,
    problems and notes, the original cells of a row with problems, and the firm of a row that reads."""
    flat = check_row(reading)
    f = reading.fields
    gov = gazetteer().get(f["municipality"]) if "municipality" in f else None
    industry_en, industry_ja = _industry_names(f.get("industry"))
    out: dict[str, Any] = {
        "row": reading.row, "line": reading.line, "ok": reading.ok, "name": flat["name"],
        "prefecture_code": f.get("prefecture"), "prefecture": flat["prefecture"],
        "prefecture_en": gazetteer().prefectures[int(f["prefecture"]) - 1].name_en if "prefecture" in f else None,
        "municipality_code": flat["municipality_code"], "municipality": flat["municipality"],
        "municipality_en": gov.label if gov else None,
        "industry": f.get("industry"), "industry_name": industry_ja, "industry_name_en": industry_en,
        "employees": flat["employees"], "capital_jpy": flat["capital_jpy"], "founded": flat["founded"],
        "needs": list(f.get("needs") or ()),
        "sources": {k: s.to_dict() for k, s in reading.provenance.items()},
        "kept": {k: cell_text(v) for k, v in reading.kept.items()},
        "problems": [problem_json(p, lang) for p in reading.problems],
        "notes": [problem_json(p, lang) for p in reading.notes],
        "firm": reading.profile() if reading.firm is not None else None,
    }
    if reading.problems:
        out["cells"] = {k: v if isinstance(v, str) else cell_text(v) for k, v in reading.cells.items()}
    return out


def summary_text(s: dict[str, Any], lang: str) -> str:
    """The summary line, as ``matcher firms check`` prints it (in Japanese for ``ja``)."""
    if lang == "ja":
        used = "、".join(f"{f} ← {h}" for f, h in s["columns"].items()) or "項目として読める列がありません"
        text = f"{s['rows']}行：読めた行 {s['readable']}、問題のある行 {s['with_problems']}。{used}"
        return text + (f"。そのまま残す列：{'、'.join(s['kept'])}" if s["kept"] else "")
    used = ", ".join(f"{f} ← {h}" for f, h in s["columns"].items()) or "no column feeds a field"
    text = f"{s['rows']} rows: {s['readable']} readable, {s['with_problems']} with problems; {used}"
    return text + (f"; kept: {', '.join(s['kept'])}" if s["kept"] else "")


async def _read_upload(request: Request, filename: str | None, format: str | None,
                       options: dict[str, str | None]) -> Upload:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=8)
        try:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise ProblemError(422, "body.file: this field is required: send the list as the form's file field",
                                   type=INVALID_INPUT, title="Invalid input", errors=[FieldError(
                                       field="body.file", message="this field is required")])
            for key in options:
                given = form.get(key)
                if isinstance(given, str) and given.strip() and options[key] is None:
                    options[key] = given.strip()
            data = await file.read()
            name = file.filename or filename or "upload"
            fmt = upload_format(name, file.content_type, format or options.pop("format", None))
            return Upload(data, name, fmt, "body.file", charset_of(file.content_type))
        finally:
            await form.close()
    data = await request.body()
    fmt = upload_format(filename, content_type, format or options.pop("format", None))
    return Upload(data, filename or f"upload.{fmt}", fmt, "body", charset_of(content_type))


def _bad(field: str, message: str, value: Any = None, status: int = 422) -> ProblemError:
    return ProblemError(status, f"{field}: {message}", type=INVALID_INPUT, title="Invalid input",
                        errors=[FieldError(field=field, message=message, value=value)])


def router(settings: Settings, gate: BatchGate | None = None) -> APIRouter:
    """The firm-list routes, bounded by the service's body limit and ``settings.max_firms`` rows."""
    router = APIRouter()
    gate = gate if gate is not None else BatchGate(settings.max_batches)
    max_rows = settings.max_firms
    max_unpacked = settings.max_body_bytes * UNZIPPED_FACTOR

    @router.post("/firms/check", response_model=FirmsCheckResponse, tags=["firms"],
                 responses=problems(400, 413, 415, 422, 503), openapi_extra=_UPLOAD_DOC,
                 summary="How every row of a firm list reads, before anything is scored")
    async def firms_check(
        request: Request,
        filename: str | None = Query(None, max_length=255, description="The list's file name (its extension "
                                     "gives the format) when the body is the file itself."),
        format: Literal["csv", "tsv", "jsonl", "json", "parquet", "xlsx"] | None = Query(
            None, description="The format, when neither the name nor the Content-Type tells it."),
        encoding: str | None = Query(None, max_length=40, description="A text file's encoding, e.g. cp932 "
                                     "(default: detected: UTF-8, UTF-8 with BOM, UTF-16, CP932/Shift_JIS)."),
        sheet: str | None = Query(None, max_length=200, description="The Excel sheet (default: the first)."),
        prefecture: str | None = Query(None, max_length=40, description="The prefecture of addresses that do "
                                       "not name one (a city desk's own list: 北区… read as 東京都北区)."),
        lang: Literal["en", "ja"] | None = Query(None, description="The language of the problems."),
    ) -> Response:
        """One entry per input row, numbered as ``matcher firms check`` numbers them (``row``: the N-th
        record after the header; ``line``: where it is in the file), with the resolved ``prefecture``,
        ``municipality_code``, ``municipality``, ``industry``, ``employees``, ``capital_jpy``, ``founded``
        and ``needs``, what each came from (``sources``: column and original text), the columns the engine
        does not use (``kept``), the row's ``problems``, and for a row that reads its ``firm`` as
        ``POST /v1/reach`` takes it. Input rows = readable + with problems. At most MATCHER_MAX_FIRMS rows
        and MATCHER_MAX_BODY_BYTES bytes (413 beyond)."""
        lang_ = lang or request_lang(request)
        options: dict[str, str | None] = {"encoding": encoding, "sheet": sheet, "prefecture": prefecture,
                                          "format": None}
        upload = await _read_upload(request, filename, format, options)
        if not upload.data:
            raise _bad(upload.where, "the list is empty: send the file's bytes", upload.name)
        check_unpacked_size(upload, max_unpacked)
        if options["prefecture"] is not None:
            try:
                gazetteer().prefecture(options["prefecture"])
            except InputError as exc:
                raise _bad("query.prefecture", exc.message, options["prefecture"]) from None
        text_format = upload.format in ("csv", "tsv", "jsonl", "json")
        enc = options["encoding"] or (upload.charset if text_format else None)

        def work() -> Response:
            with tempfile.TemporaryDirectory(prefix="matcher-upload-") as tmp:
                path = Path(tmp) / f"upload{upload.suffix}"
                path.write_bytes(upload.data)
                try:
                    check = check_firms(path, encoding=enc, sheet=options["sheet"], format=upload.format,
                                        prefecture=options["prefecture"])
                except InputError as exc:
                    raise _opening_problem(exc, str(path), upload, enc, options["sheet"]) from None
                rows = []
                with check.rows:
                    for reading in check:
                        if len(rows) >= max_rows:
                            raise ProblemError(413, f"the list has more than {max_rows} rows (MATCHER_MAX_FIRMS): "
                                                    "check it in parts, or with `matcher firms check FILE`")
                        rows.append(reading_json(reading, lang_))
                summary = check.summary.to_dict()
            summary.update(path=upload.name, ok=summary["with_problems"] == 0, lang=lang_)
            summary["text"] = summary_text(summary, lang_)
            return json_response({"summary": summary, "rows": rows})

        async with gate:
            return await run_in_threadpool(work)

    return router


def _opening_problem(exc: InputError, tmp: str, upload: Upload, encoding: str | None,
                     sheet: str | None) -> ProblemError:
    """The problem of a list that cannot be opened, naming the upload (never the service's own file)."""
    message = exc.message.replace(tmp, upload.name).replace(
        "give it with --encoding (for example --encoding euc_jp)", "give it as encoding (for example ?encoding=euc_jp)")
    inner = str(exc.field)
    if inner.startswith(tmp + ": "):  # a header of the list: "its header: what is wrong"
        message = f"{inner[len(tmp) + 2:]}: {message}"
    field = upload.where
    if encoding is not None and exc.value == encoding:
        field = "query.encoding"
    elif sheet is not None and exc.value == sheet:
        field = "query.sheet"
    value = exc.value if field != upload.where else upload.name
    hints = [str(c) for c in exc.candidates] or None
    err = FieldError(field=field, message=message, value=value, hints=hints)
    detail = f"{field}: {message}"
    return ProblemError(422, detail, type=INVALID_INPUT, title="Invalid input", errors=[err])

