"""Alembic migrations of the register, shipped inside the package (see :mod:`matcher.register.db`)."""
