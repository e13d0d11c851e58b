"""Column types and constraint helpers shared by the models."""

from collections.abc import Iterable
from datetime import UTC
from datetime import datetime

import sqlalchemy as sa


class UTCDateTime(sa.types.TypeDecorator):
    """An aware datetime, stored in UTC.

    PostgreSQL keeps the zone (timestamptz); SQLite keeps none, so values are written as
    naive UTC there and made aware again on the way out. Naive datetimes are refused:
    they are the bug this type exists to prevent.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: tracker stores aware times only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def one_of(column: str, values: Iterable[str]) -> sa.CheckConstraint:
    """A CHECK constraint, named after the column, that keeps it to a fixed vocabulary."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_known")
