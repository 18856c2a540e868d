"""Schemathesis against the service's own OpenAPI schema: whatever it generates from the
schema (valid and invalid firms, odd dates, huge numbers, unknown ids), the service never
answers with a server error, and every answer conforms to the schema (status code,
content type, headers, body).

Fixed seed and a bounded number of examples per operation, so the run is repeatable and
short. The reload route is left out: it rebuilds the engine, and is tested in
``test_service.py``.
"""

from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, seed, settings

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from matcher import MatchEngine
    from matcher.service import Settings, create_app

#: The engine and the application, built once when this module is collected.
APP = create_app(Settings(admin_token="schema-test"), engine=MatchEngine().fit())
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).exclude(path="/v1/admin/reload")

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@schema.parametrize()
@seed(20261121)
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_service_never_fails_and_always_answers_as_its_schema_says(case):
    case.call_and_validate(checks=CHECKS)
