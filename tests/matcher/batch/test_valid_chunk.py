"""The column checks of a chunk and the per-row path give the same firms and the same errors."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from matcher.batch.chunk import valid_chunk
from matcher.firmio import RowError, valid_firms
from profiles.firmchunk import quick_profiles
from profiles.models import CompanyProfile

_ABSENT = object()
#: Each field's forms: the engine's own, others the per-row path reads, and broken ones.
VARIANTS = {
    "id": ["f1", "firm-000000002", " padded ", "", 17, None, True],
    "name": ["株式会社テスト", "Nippon Machinery Y.K.", "  padded ", "", None, 5],
    "prefecture": ["13", "27", "Tokyo", "東京都", "Tokio", "", 13, "99"],
    "municipality": ["131172", "131113", "272272", None, "Kita", "北区", "Nowhere", "", 131172, "Fuchu", "000000"],
    "industry": ["E24", "E", "I53", "metalworking", "Q99", "", "e24", 24, None],
    "employees": [5, 0, 100_000_000, -1, 100_000_001, "12", 3.0, True, None],
    "capital_jpy": [1_000_000, 0, -5, 10**16, "1,000", 2.5, None],
    "founded": [dt.date(2001, 2, 3), dt.date(1955, 1, 2), "2001-02-03", "2001", 2001, dt.datetime(2001, 2, 3),
                "garbage", None],
    "needs": [["subsidy"], [], ["subsidy", "subsidy"], ("financing", "it_adoption"), ["trade fair", "融資"],
              ["nope"], "subsidy, financing", [1], None],
    "description": ["精密加工を営む中小企業。", "Small machinery business.", " padded ", "", None, 3],
    "environment_conscious": [True, False, None, "yes", 1],
    "seeking_location": [True, False, "no"],
    "address": ["東京都北区王子1-2-3", ""],
    "postal_code": ["114-0002"],
    "applicant_type": ["sme"],
    "unknown_field": [1],
}
#: How often a field is present; the engine's own form is the most common, as in a Parquet file.
PRESENT = {"id": 0.9, "name": 0.8, "prefecture": 0.6, "municipality": 0.7, "industry": 0.8, "employees": 0.7,
           "capital_jpy": 0.6, "founded": 0.6, "needs": 0.7, "description": 0.7, "environment_conscious": 0.3,
           "seeking_location": 0.3, "address": 0.05, "postal_code": 0.03, "applicant_type": 0.03,
           "unknown_field": 0.02}


#: Fields only a broken record has (a plain record is what a Parquet file of the engine's fields holds).
_ONLY_BROKEN = {"prefecture", "address", "postal_code", "applicant_type", "unknown_field"}


def generated_records(n: int, seed: int, broken: float) -> list[tuple[int, dict]]:
    """``n`` records; each field in one of its first two (plain) forms, with probability ``broken`` in any."""
    rng = random.Random(seed)
    out = []
    for row in range(1, n + 1):
        rec = {}
        for field, forms in VARIANTS.items():
            is_broken = rng.random() < broken
            if field in _ONLY_BROKEN and not is_broken or rng.random() >= PRESENT[field] and field != "municipality":
                continue
            value = rng.choice(forms) if is_broken else rng.choice(forms[:2])
            if field == "needs" and isinstance(value, list):
                value = list(value)
            rec[field] = value
        out.append((row, rec))
    out.append((n + 1, RowError(n + 1, "-", None, "cannot be read")))  # a row the reader already rejected
    return out


def per_row(records):
    errors, good = [], []
    for row, rec in records:
        try:
            good.extend(valid_firms([(row, rec)], errors))
        except (ValueError, OverflowError, TypeError) as exc:
            errors.append(RowError(row, "-", None, f"cannot be read: {exc}"))
    return good, errors


@pytest.mark.parametrize("seed,broken", [(1, 0.0), (2, 0.05), (3, 0.3), (4, 1.0)])
def test_a_chunk_gives_the_firms_and_the_error_messages_of_the_per_row_path(seed, broken):
    records = generated_records(1500, seed, broken)
    errors: list = []
    good = valid_chunk(records, errors)
    expected_good, expected_errors = per_row(records)
    assert [r for r, _ in good] == [r for r, _ in expected_good]
    for (_, got), (_, want) in zip(good, expected_good):
        assert got == want
        assert got.model_fields_set == want.model_fields_set
        assert got.model_dump() == want.model_dump()
    assert errors == expected_errors
    assert [str(e) for e in errors] == [str(e) for e in expected_errors]
    if broken == 0.0:
        assert len(errors) == 1 and len(good) == len(records) - 1  # the one the reader rejected
    elif broken == 1.0:
        assert len(errors) > len(records) / 2  # every kind of broken row was there


def test_only_records_in_the_engines_own_form_take_the_column_path():
    recs = [rec for _, rec in generated_records(3000, 5, 0.05) if isinstance(rec, dict)]
    quick = quick_profiles(recs)
    taken = [(rec, firm) for rec, firm in zip(recs, quick) if firm is not None]
    assert len(recs) / 5 < len(taken) < len(recs)  # most rows; never the ones with text numbers or unknown names
    for rec, firm in taken:
        assert firm == CompanyProfile.model_validate(rec)
        assert firm.model_fields_set == CompanyProfile.model_validate(rec).model_fields_set
    assert quick_profiles([{"municipality": "131172", "employees": "12"}]) == [None]
    assert quick_profiles([{"municipality": "Nowhere"}, {"municipality": "Nowhere"}]) == [None, None]
    assert quick_profiles([{"municipality": "131172", "address": "東京都北区王子1-2-3"}]) == [None]


def test_each_distinct_value_is_resolved_once(monkeypatch):
    import profiles.firmchunk as fc

    calls = []
    real = fc.resolve_location
    monkeypatch.setattr(fc, "resolve_location", lambda p, m: calls.append((p, m)) or real(p, m))
    recs = [{"municipality": m, "industry": "E24", "needs": ["subsidy"]} for m in ["131172", "131113"] * 500]
    assert all(f is not None for f in quick_profiles(recs))
    assert sorted(calls) == [(None, "131113"), (None, "131172")]
