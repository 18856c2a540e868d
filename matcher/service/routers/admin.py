"""``/v1/admin/reload``: rebuild the engine from the catalog and swap it in, guarded by a token."""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations, some of
# them request models built per service (local names that a string annotation could not find).

import hmac
import os
import signal
from typing import Annotated

from fastapi import APIRouter, Security
from starlette.responses import Response

from profiles.errors import CatalogError
from matcher.service.deps import admin_header, json_response, problems
from matcher.service.jsonbody import StrictJSONRoute
from matcher.service.problems import ProblemError
from matcher.service.schemas import Reloaded
from matcher.service.settings import Settings
from matcher.service.state import EngineSlot

__all__ = ["router"]


def router(settings: Settings, slot: EngineSlot) -> APIRouter:
    """The admin routes (disabled unless ``settings.admin_token`` is set)."""
    router = APIRouter(route_class=StrictJSONRoute)

    @router.post("/admin/reload", response_model=Reloaded, tags=["admin"], responses=problems(401, 403, 422),
                 summary="Rebuild the engine from the catalog and swap it in")
    async def reload(token: Annotated[str | None, Security(admin_header)] = None) -> Response:
        """The new engine is built off the event loop; requests in flight finish on the old one. A broken
        catalog leaves the old engine serving and answers 422 with every problem (file: entry: field).
        With several workers, the worker that validated the catalog asks its supervisor to replace the
        others, each of which builds its own new engine."""
        if settings.admin_token is None:
            raise ProblemError(403, "reloading is disabled: start the service with MATCHER_ADMIN_TOKEN set")
        if token is None or not hmac.compare_digest(token.encode("utf-8", "replace"),
                                                    settings.admin_token.get_secret_value().encode("utf-8")):
            raise ProblemError(401, "send the reload token in the X-Admin-Token header")
        try:
            new, old, seconds = await slot.reload()
        except CatalogError:
            raise
        except Exception as exc:
            raise ProblemError(422, f"the new engine could not be built, still serving the previous one: "
                                    f"{' '.join(str(exc).split())}", title="Reload failed") from None
        if settings.workers > 1 and hasattr(signal, "SIGHUP") and os.getppid() > 1:
            os.kill(os.getppid(), signal.SIGHUP)  # uvicorn's supervisor replaces every worker in turn
        facts = new.facts()
        old_hash = old.engine.catalog_hash_ if old else ""
        return json_response({**facts, "previous_catalog_hash": old_hash, "changed": old_hash != facts["catalog_hash"],
                      "seconds": round(seconds, 3)})

    return router
