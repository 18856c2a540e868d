"""Write the sample register of Kita City and Hamura City firms, as a desk's Excel list would be.

Run from the repository root: ``python examples/make_register.py``. It writes

- ``examples/register-kita-hamura.csv``: Shift_JIS (CP932) with CRLF line ends, what
  Japanese Excel's "CSV (comma delimited)" saves;
- ``examples/register-kita-hamura.xlsx``: the same rows as a workbook (numbers as numbers),
  a bold frozen header row and wrapped text columns.

Every firm, person and telephone number is fictional; the addresses are real street
areas with made-up numbers, and each postal code is the area's own (the reader checks
that address and postal code agree).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from profiles.tablewrite import write_xlsx  # noqa: E402

HEADER = ["No.", "会社名", "フリガナ", "郵便番号", "所在地", "電話番号", "担当者", "業種", "従業員数", "資本金（千円）",
          "設立年月日", "事業内容", "相談内容", "備考"]

# No., name, kana, postal code, address, phone, contact, industry, employees, capital (thousand yen), founded,
# business, consultation, notes. Forms vary as they do in real registers.
FIRMS = [
    [1, "王子精密プレス株式会社", "オウジセイミツプレス", "114-0002", "東京都北区王子5-2-11", "03-0000-0101", "山田",
     "金属製品製造業", "25名", 10000, "昭和53年4月1日", "精密プレス加工、金型設計", "展示会出展、販路開拓", ""],
    [2, "赤羽樹脂工業株式会社", "アカバネジュシコウギョウ", "115-0045", "東京都北区赤羽2-14-3", "03-0000-0102", "佐藤",
     "プラスチック製品製造業", "約30人", 30000, "S45.10.1", "射出成形による樹脂部品", "運転資金", "代表者交代予定"],
    [3, "十条ソフトウェア合同会社", "ジュウジョウソフトウェア", "114-0034", "東京都北区上十条3-8-5", "03-0000-0103", "鈴木",
     "ソフトウェア業", "8", 3000, "平成13年", "小売店向け業務ソフトの開発", "IT導入、ホームページ", ""],
    [4, "田端印刷株式会社", "タバタインサツ", "114-0014", "東京都北区田端6-1-9", "03-0000-0104", "高橋",
     "15", "42名", 20000, "1968年6月", "商業印刷、製本", "設備投資の補助金", ""],
    [5, "滝野川食品有限会社", "タキノガワショクヒン", "114-0023", "東京都北区滝野川7-4-2", "03-0000-0105", "田中",
     "食料品製造業", "15人", 5000, "昭和62年2月", "和菓子の製造・卸", "販路開拓、商談会", "HACCP対応済"],
    [6, "浮間電子株式会社", "ウキマデンシ", "115-0051", "1-6-12 Ukima, Kita-ku, Tokyo", "03-0000-0106", "伊藤",
     "電子部品・デバイス・電子回路製造業", "60名", 48000, "1991-04-01", "電子基板の実装", "人材育成、研修", ""],
    [7, "東十条カフェ", "ヒガシジュウジョウカフェ", "114-0001", "東京都北区東十条4-10-7", "03-0000-0107", "渡辺",
     "飲食店", "5名", None, "令和2年7月1日", "喫茶店", "運転資金", "個人事業"],
    [8, "羽村精機株式会社", "ハムラセイキ", "205-0023", "東京都羽村市神明台2-5-3", "042-000-0108", "小林",
     "生産用機械器具製造業", "120名", 90000, "昭和41年", "自動組立装置の設計・製造", "海外展開、展示会", ""],
    [9, "小作台金属有限会社", "オザクダイキンゾク", "205-0001", "〒205-0001 東京都羽村市小作台1-9-14", "042-000-0109", "加藤",
     "24", "18名", 10000, "H3.5.1", "板金・溶接", "設備投資、省エネ", ""],
    [10, "羽村グリーン物流株式会社", "ハムラグリーンブツリュウ", "205-0002", "東京都羽村市栄町3-2-1", "042-000-0110", "吉田",
     "道路貨物運送業", "75名", 50000, "平成20年10月1日", "地域配送、倉庫", "人材確保", "環境配慮型車両を導入"],
    [11, "緑ヶ丘デザイン事務所", "ミドリガオカデザイン", "205-0003", "東京都羽村市緑ヶ丘5-2-1", "042-000-0111", "山本",
     "広告業", "3人", 1000, "2016年4月", "商品パッケージのデザイン", "ホームページ、販路開拓", ""],
    [12, "五ノ神工業株式会社", "ゴノカミコウギョウ", "205-0011", "東京都羽村市五ノ神4-15-8", "042-000-0112", "中村",
     "輸送用機械器具製造業", "210名", 300000, "昭和35年3月", "自動車部品の切削加工", "産学連携、技術相談", ""],
]


def write_csv(path: Path) -> None:
    with open(path, "w", encoding="cp932", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(HEADER)
        for firm in FIRMS:
            writer.writerow(["" if v is None else v for v in firm])


def main() -> None:
    write_csv(HERE / "register-kita-hamura.csv")
    write_xlsx(HERE / "register-kita-hamura.xlsx", HEADER, FIRMS, sheet="企業名簿",
               wrap_columns=("事業内容", "相談内容", "備考"), overwrite=True)
    print(f"wrote {len(FIRMS)} firms to examples/register-kita-hamura.csv and .xlsx")


if __name__ == "__main__":
    main()
