"""The service's OpenAPI schema: problem responses as ``application/problem+json``, and real examples."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from matcher.service.problems import PROBLEM_JSON
from matcher.service.schemas import KITA_PRESS
from matcher.service.state import EngineSlot

__all__ = ["openapi_schema", "result_examples"]

logger = logging.getLogger("matcher.service")


def openapi_schema(app: FastAPI, slot: EngineSlot) -> dict[str, Any]:
    """The schema, with problem responses as ``application/problem+json`` and real examples
    of every result model (computed once, from the engine serving)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, summary=app.summary, description=app.description,
                         routes=app.routes)
    for path in schema.get("paths", {}).values():
        for op in path.values():
            for status, resp in op.get("responses", {}).items():
                content = resp.get("content", {})
                if str(status)[0] in "45" and "application/json" in content:
                    resp["content"] = {PROBLEM_JSON: content.pop("application/json")}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    text = json.dumps(schema["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):  # every 422 is a Problem
        if f"#/components/schemas/{unused}" not in text:
            components.pop(unused, None)
    for name, example in result_examples(slot).items():
        if name in components and "examples" not in components[name]:
            components[name]["examples"] = [example]
    app.openapi_schema = schema
    return schema


def result_examples(slot: EngineSlot) -> dict[str, Any]:
    """Examples of the library's result models, from a real ranking of the README's firm."""
    loaded = slot.current
    if loaded is None:  # pragma: no cover
        return {}
    engine = loaded.engine
    try:
        ranking = engine.rank(KITA_PRESS, as_of="2026-11-21", top=2, explain=True).to_dict()
        program = next((p for p in engine.programs_ if p.id == "kita-trade-fair-subsidy"), engine.programs_[0])
        hits = [h.to_dict() for h in engine.reach(program.id, [KITA_PRESS], top=1, as_of="2026-11-21")]
    except Exception:  # pragma: no cover - a catalog unlike the default one
        logger.exception("cannot compute the OpenAPI examples")
        return {}
    short = {**ranking, "excluded": ranking["excluded"][:1]}
    out: dict[str, Any] = {"Ranking": short, "RankManyResponse": {"as_of": ranking["as_of"], "results": [short]},
                           "ReachResponse": {"program": program.id, "firms": 1, "hits": hits}}
    scheme = next(iter(ranking["schemes"]), None)
    if scheme:
        out["Scheme"] = scheme
        out["ProviderRef"] = scheme["provider"]
        if scheme.get("eligibility"):
            out["Condition"] = scheme["eligibility"][0]
    if ranking["possible"]:
        out["Possible"] = ranking["possible"][0]
    if ranking["municipalities"]:
        out["MunicipalityMatch"] = ranking["municipalities"][0]
    if ranking["excluded"]:
        out["Excluded"] = ranking["excluded"][0]
    if hits:
        out["ReachHit"] = hits[0]
        out["KeptReachHit"] = hits[0] | {"kept": {"電話番号": "03-0000-0101", "担当者": "山田"}}
    dump = program.model_dump(mode="json")
    out["SupportProgram"] = out["SupportProgram-Output"] = dump
    out["Provider"] = dump["provider"]
    out["Eligibility"] = dump["eligibility"]
    out["Range"] = {"min": None, "max": 300.0}
    out["Source"] = dump["source"][0]
    if dump.get("benefit"):
        out["Benefit"] = dump["benefit"]
    if dump.get("contact"):
        out["Contact"] = dump["contact"]
    return out
