"""Generated Arrow tables of firms, with broken rows of every kind a typed column can hold.

Each column is of one Arrow type per table (as in a Parquet file): mostly the engine's own
type, sometimes another (employees as text, founded as a timestamp, needs as one string);
each row's value is plain, broken in its type (padded text, unknown municipality,
out-of-range number, unknown need, null element) or missing.
"""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

#: Per field: (Arrow type, plain values, other values) of each column type it may have; the first is the engine's own.
FORMS = {
    "id": [(pa.string(), ["f1", "firm-000000002"], [" padded ", "", "ｆ３", "f\u3000"]),
           (pa.int64(), [17, 18], [-1])],
    "name": [(pa.string(), ["株式会社テスト", "Nippon Machinery Y.K."], ["  padded ", "", "x\x1c"]),
             (pa.large_string(), ["大きい名前"], [""])],
    "prefecture": [(pa.string(), ["13", "27"], ["Tokyo", "東京都", "Tokio", "", "99", " 13"]),
                   (pa.int64(), [13], [99])],
    "municipality": [(pa.string(), ["131172", "131113", "272272"],
                      ["Kita", "北区", "Nowhere", "", "Fuchu", "000000", "131172 "]),
                     (pa.int64(), [131172], [0])],
    "industry": [(pa.string(), ["E24", "E", "I53"], ["metalworking", "Q99", "", "e24", " E24"]),
                 (pa.int64(), [24], [0])],
    "employees": [(pa.int64(), [5, 0, 100_000_000], [-1, 100_000_001]), (pa.int32(), [7], [-3]),
                  (pa.uint64(), [9], [2 ** 63]), (pa.string(), ["12"], ["x", ""]), (pa.float64(), [3.0], [2.5]),
                  (pa.bool_(), [True], [False])],
    "capital_jpy": [(pa.int64(), [1_000_000, 0], [-5, 10 ** 18 + 1, 10 ** 16]), (pa.string(), ["1,000"], [""]),
                    (pa.float64(), [2.5e6], [1.5])],
    "founded": [(pa.date32(), [dt.date(2001, 2, 3), dt.date(1955, 1, 2)], [dt.date(2030, 1, 1), dt.date(1, 1, 1)]),
                (pa.string(), ["2001-02-03"], ["2001", "garbage", ""]), (pa.int64(), [2001], [20010203]),
                (pa.timestamp("s"), [dt.datetime(2001, 2, 3)], [dt.datetime(1999, 1, 1, 12)])],
    "needs": [(pa.list_(pa.string()), [["subsidy"], [], ["financing", "it_adoption"], ["subsidy", "subsidy"]],
               [["trade fair", "融資"], ["nope"], [None], ["Subsidy "], [""], ["financing", "nope"]]),
              (pa.string(), ["subsidy, financing"], ["nope"]), (pa.list_(pa.int64()), [[1]], [[]])],
    "description": [(pa.string(), ["精密加工を営む中小企業。", "Small machinery business. We need a loan."],
                     [" padded ", "", "\u3000全角の空白", "trailing\n", "展示会に出展したい"]),
                    (pa.int64(), [3], [4])],
    "environment_conscious": [(pa.bool_(), [True, False], []), (pa.string(), ["yes"], ["maybe"]), (pa.int64(), [1], [2])],
    "seeking_location": [(pa.bool_(), [True, False], []), (pa.string(), ["no"], [""])],
    "address": [(pa.string(), ["東京都北区王子1-2-3"], [""])],
    "postal_code": [(pa.string(), ["114-0002"], ["999-9999"])],
    "applicant_type": [(pa.string(), ["corporation", "sole_proprietor"], ["nobody"])],
    "attributes": [(pa.list_(pa.string()), [["startup"]], [[], ["nobody"]])],
    "unknown_field": [(pa.int64(), [1], [2])],
}
#: Fields a plain table has (the rest only in some tables, as a broken file would).
PLAIN = ("id", "name", "prefecture", "municipality", "industry", "employees", "capital_jpy", "founded", "needs",
         "description", "environment_conscious", "seeking_location")
#: How often a row has a value in a column (the location: a municipality nearly always).
PRESENT = {"prefecture": 0.3, "municipality": 0.95, "environment_conscious": 0.4, "seeking_location": 0.4,
           **{k: 0.08 for k in FORMS if k not in PLAIN}}


def generated_table(n: int, seed: int, broken: float, other_types: float = 0.0, extra: float = 0.0) -> pa.Table:
    """``n`` rows; each value broken with probability ``broken``; each column of another type than
    the engine's with probability ``other_types``; each non-engine column present with ``extra``."""
    rng = random.Random(seed)
    columns = {}
    for field, forms in FORMS.items():
        if field not in PLAIN and rng.random() >= extra:
            continue
        kind, plain, other = forms[0] if rng.random() >= other_types or len(forms) == 1 else rng.choice(forms[1:])
        values = []
        for _ in range(n):
            if rng.random() >= PRESENT.get(field, 0.8):
                values.append(None)
            elif other and rng.random() < broken:
                values.append(rng.choice(other))
            else:
                values.append(rng.choice(plain))
        columns[field] = pa.array(values, kind)
    return pa.table(columns)
