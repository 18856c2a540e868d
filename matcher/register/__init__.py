"""The coordinator's register: firms, catalog versions, matches, outcomes and alerts on a database.

SQLite is the embedded default (a file in the user's data directory, or ``--db PATH``);
PostgreSQL serves a desk of several coordinators (``--db postgresql+psycopg://...`` or
``MATCHER_DB``). The schema is created and upgraded by the Alembic migrations shipped in
the package.

>>> import tempfile, os
>>> from matcher.register import Register
>>> reg = Register.create(os.path.join(tempfile.mkdtemp(), "desk.db"), actor="aoki")
>>> reg.count_firms()
0
"""

from matcher.register.errors import AuthError, ConflictError, NotInitializedError, RegisterError, UnknownFirmError
from matcher.register.schema import STATUSES
from matcher.register.store import Coordinator, FirmInput, FirmRecord, Outcome, Register, UpsertReport

__all__ = ["AuthError", "ConflictError", "Coordinator", "FirmInput", "FirmRecord", "NotInitializedError", "Outcome",
           "Register", "RegisterError", "STATUSES", "UnknownFirmError", "UpsertReport"]
