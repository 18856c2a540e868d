"""Firm lists written the way Japanese Excel writes them, for the reader's tests.

Excel's "CSV (comma delimited)" on a Japanese Windows is CP932 with CRLF line ends and
quotes only where a cell needs them; "CSV UTF-8" adds a BOM; "Unicode text" is UTF-16
with a BOM and tabs.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

#: A city desk's register: Japanese headers, a merged address column, contact columns.
HEADER = ["会社名", "所在地", "資本金", "従業員数", "設立年月日", "業種", "相談内容", "電話番号", "担当者"]
ROWS = [
    ["王子精密プレス株式会社", "東京都北区王子1-11-1", "1,000万円", "25名", "昭和53年4月1日", "金属製品製造業",
     "展示会、販路開拓", "03-3908-0000", "山田"],
    ["赤羽樹脂工業株式会社", "〒115-0045 東京都北区赤羽2-1-1", "３億円", "約30人", "S53.4.1", "24",
     "運転資金", "03-3901-0000", "佐藤"],
    ["羽村ソフト合同会社", "東京都羽村市緑ヶ丘5-2-1", "10,000千円", "8", "平成13年", "ソフトウェア業",
     "IT導入", "042-555-0000", "鈴木"],
    ["十条食堂", "1-11-1 Oji, Kita-ku, Tokyo", "", "5人", "1978年4月", "飲食店", "", "", ""],
]


def csv_text(header, rows, delimiter=",") -> str:
    """The text Excel writes: CRLF line ends, minimal quoting ("" inside a quoted cell)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_register(path: Path, header=HEADER, rows=ROWS, encoding="cp932", delimiter=",") -> Path:
    """Write a register as Excel would (``encoding="utf-8-sig"`` is "CSV UTF-8", ``"utf-16"`` "Unicode text")."""
    path.write_bytes(csv_text(header, rows, delimiter).encode(encoding))
    return path


def write_xlsx_register(path: Path, header=HEADER, rows=ROWS, sheet="名簿", title_rows=()) -> Path:
    """Write a register as an .xlsx workbook (title rows above the header, as desks often have)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for title in title_rows:
        ws.append(list(title))
    ws.append(list(header))
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    wb.create_sheet("メモ").append(["この名簿は架空の企業です"])
    wb.save(path)
    return path
