"""Settings of the HTTP service, read from ``MATCHER_…`` environment variables.

>>> s = Settings(catalog=None, max_top=50)
>>> (s.max_body_bytes, s.max_top, s.max_firms)
(1048576, 50, 1000)
>>> Settings(max_top=0)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings
max_top
  Input should be greater than or equal to 1 ...
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """How the service starts and what it accepts.

    Every field can be set by an environment variable named ``MATCHER_`` and the
    field's name in capitals (``MATCHER_CATALOG``, ``MATCHER_API_KEY``, …);
    ``matcher serve`` sets the ones given on its command line.

    Parameters
    ----------
    catalog : Path, optional
        Catalog directory to fit the engine on (default: the built-in catalog).
    engine : Path, optional
        A fitted engine saved by ``matcher fit`` (trusted files only); excludes ``catalog``.
    weights : Path, optional
        A weights file (``matcher register learn`` writes one): the score weights served,
        applied to the fitted or loaded engine at start and at every reload.
    db : str, optional
        The coordinators' register (``MATCHER_DB``: a SQLite file or a SQLAlchemy URL such as
        ``postgresql+psycopg://desk@db/register``). When set, ``/v1/register/...`` is served,
        every route of it behind a coordinator's key (``matcher register coordinator key``).
    host, port, workers
        Where ``matcher serve`` listens, and how many processes it runs.
    api_key : str, optional
        When set, every ``/v1`` route requires it in ``X-API-Key`` (or
        ``Authorization: Bearer``).
    admin_token : str, optional
        Token of ``POST /v1/admin/reload`` (header ``X-Admin-Token``); the route is
        refused while it is unset.
    max_body_bytes : int, default 1 MiB
        Largest request body accepted; a larger one gets 413 before it is parsed.
    max_top : int, default 100
        Largest ``top`` of a rank or reach request.
    max_firms : int, default 1000
        Most firms in one ``rank-many`` or ``reach`` request.
    max_page_size : int, default 200
        Largest ``limit`` of a paginated list.
    max_results : int, default 10000
        Most rankings in one ``rank-many`` request (firms x top).
    max_explain_firms : int, default 20
        Most firms in one ``rank-many`` request with ``explain``.
    max_batches : int, default 2
        ``rank-many`` and ``reach`` requests served at once by one process; one more is
        answered 503 with ``Retry-After`` instead of waiting in a queue.
    inline_body_bytes : int, default 64 KiB
        A ``rank`` body up to this size is ranked on the event loop; a larger one (a long
        description) in the thread pool, so the loop keeps answering.
    """

    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore", frozen=True,
                                      env_ignore_empty=True)

    catalog: Path | None = None
    engine: Path | None = None
    weights: Path | None = None
    db: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    api_key: SecretStr | None = None
    admin_token: SecretStr | None = None
    max_body_bytes: int = Field(default=1 << 20, ge=1024)
    max_top: int = Field(default=100, ge=1, le=10_000)
    max_firms: int = Field(default=1000, ge=1, le=100_000)
    max_page_size: int = Field(default=200, ge=1, le=10_000)
    max_results: int = Field(default=10_000, ge=1, le=10_000_000)
    max_explain_firms: int = Field(default=20, ge=1, le=100_000)
    max_batches: int = Field(default=2, ge=1, le=1024)
    inline_body_bytes: int = Field(default=64 * 1024, ge=0)

    @field_validator("api_key", "admin_token")
    @classmethod
    def _ascii(cls, v: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        """HTTP headers carry ASCII: a key with other characters could never match."""
        if v is not None:
            text = v.get_secret_value()
            if not text or not all(" " < ch < "\x7f" for ch in text):
                raise ValueError("must be printable ASCII without spaces (HTTP headers carry ASCII only, "
                                 "so no client could ever send this one): choose another")
        return v

    @model_validator(mode="after")
    def _one_source(self) -> "Settings":
        if self.catalog is not None and self.engine is not None:
            raise ValueError(f"give a catalog or an engine file, not both, got catalog={str(self.catalog)!r} "
                             f"and engine={str(self.engine)!r}")
        return self
