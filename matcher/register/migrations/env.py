"""Alembic's environment for the register: run on the connection :mod:`matcher.register.db` passes in
``config.attributes["connection"]``, or on ``sqlalchemy.url`` when the ``alembic`` command is used
with an ini file of one's own. Imported outside Alembic (pytest's doctest collection), it does nothing."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from matcher.register.schema import metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def main(config) -> None:
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


if getattr(context, "config", None) is not None:
    main(context.config)
