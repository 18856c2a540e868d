"""The service's routes, one module per resource; each module's ``router(...)`` builds its :class:`fastapi.APIRouter`.

:mod:`~matcher.service.routers.ranking` (``/v1/rank``, ``/v1/rank-many``, ``/v1/reach``),
:mod:`~matcher.service.routers.catalog` (``/v1/programs``, ``/v1/municipalities``,
``/v1/vocabulary``), :mod:`~matcher.service.routers.firms` (``/v1/firms/check``), :mod:`~matcher.service.routers.admin` (``/v1/admin/reload``) and
:mod:`~matcher.service.routers.health` (``/healthz``, ``/readyz``, ``/``). A new route
goes in the module of its resource, or in a new module included by
:func:`matcher.service.app.create_app`.
"""
