"""The HTTP service: ``matcher serve`` runs :func:`create_app`'s FastAPI application.

Routes (OpenAPI at ``/openapi.json``, interactive docs at ``/docs``):

``POST /v1/rank``, ``/v1/rank-many``, ``/v1/reach``, ``/v1/firms/check``; ``GET /v1/programs``,
``/v1/programs/{id}``, ``/v1/municipalities``, ``/v1/municipalities/{id}``,
``/v1/vocabulary``; ``POST /v1/admin/reload``; ``GET /healthz``, ``/readyz``; the
coordinators' page at ``/`` and ``/static/``.
"""

from matcher.service.app import create_app
from matcher.service.settings import Settings

__all__ = ["create_app", "Settings"]
