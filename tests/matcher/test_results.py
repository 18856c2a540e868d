"""The results' fast constructor builds exactly what pydantic's ``model_construct`` builds."""

from __future__ import annotations

import datetime as dt

import pytest

from matcher import results
from matcher.results import construct

PROVIDER = results.ProviderRef(id="kita", name="Kita City", name_ja="北区", kind="municipality")
COND = results.Condition(condition="sme", outcome="unknown", text="employees not given", missing=["employees"])
VALUES = {
    "id": "p1", "name": "Trade fair subsidy", "name_ja": "展示会補助", "kind": "subsidy", "description": "d",
    "provider": PROVIDER, "score": 0.5, "rank": 3, "components": {"text": 0.25}, "reasons": ["why"],
    "missing": ["employees"], "failed": ["closed"], "summary": "s", "benefit": {"max_amount_jpy": 200000},
    "url": "https://example.org", "valid_until": None, "application_start": None, "application_deadline": None,
    "contact": {"tel": "03"}, "delivered_by": None, "described_on": dt.date(2016, 4, 12),
    "valid_from": dt.date(2024, 4, 1), "source": [{"file": "a.txt"}], "eligibility": [COND], "stale": True,
    "condition": "sme", "outcome": "eligible", "text": "t", "code": "131172", "prefecture": "Tokyo",
    "distance_km": 1.5, "as_of": dt.date(2026, 11, 21), "company": {"employees": 25}, "schemes": [],
    "possible": [], "municipalities": [], "excluded": None, "firm_id": "f1", "row": 2, "status": "eligible", "program": PROVIDER,
    "conditions": [COND],
}


def value(name: str):
    return VALUES.get(name, f"the {name}")


MODELS = [getattr(results, name) for name in results.__all__ if name != "construct"]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("given", ["all", "required", "some", "extra"])
def test_construct_builds_what_model_construct_builds(model, given):
    fields = model.model_fields
    if given == "all":
        values = {k: value(k) for k in fields}
    elif given == "required":
        values = {k: value(k) for k, f in fields.items() if f.is_required()}
    elif given == "some":  # a required field left out, as model_construct allows
        values = {k: value(k) for k in list(fields)[1::2]}
    else:  # a key that is no field is ignored by both
        values = {**{k: value(k) for k in fields}, "not_a_field": 1}
    a, b = model.model_construct(**dict(values)), construct(model, **dict(values))
    assert type(a) is type(b) and a == b
    assert list(a.__dict__) == list(b.__dict__) and a.model_fields_set == b.model_fields_set
    if given != "some":
        assert a.model_dump(mode="json") == b.model_dump(mode="json")
    for name, f in fields.items():  # mutable defaults are copies, never the class's own object
        if name not in values and not f.is_required() and isinstance(f.default, (list, dict)):
            assert getattr(b, name) is not f.default
