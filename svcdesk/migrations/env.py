"""Alembic environment: runs on the connection svcdesk hands it (see svcdesk/schema.py)."""

from alembic import context
from sqlmodel import SQLModel

from svcdesk.models import all_models

all_models()  # (every table on the metadata, for autogenerate)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTERs via table copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
