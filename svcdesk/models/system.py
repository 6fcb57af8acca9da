"""Document-number sequences and shop settings."""

from sqlmodel import Field, SQLModel

from svcdesk.models import base  # noqa: F401 (every table module: the mapper listener)


class Sequence(SQLModel, table=True):
    name: str = Field(primary_key=True)  # "SO", "INV", "Q", "AG"
    next_value: int = 1


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str
