"""Column types and helpers shared by the models."""
import datetime as dt

from sqlalchemy import BigInteger, DateTime, Integer
from sqlalchemy.types import TypeDecorator


def sql_in(column, values):
    """`column IN ('a', 'b')`: a CHECK constraint or index predicate written from the tuple the code uses."""
    literals = (str(v) if isinstance(v, int) else "'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({', '.join(literals)})"


# 64-bit ids on PostgreSQL (a million messages a campaign adds up); SQLite needs INTEGER for autoincrement.
BigId = BigInteger().with_variant(Integer, "sqlite")


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out: `timestamptz` on PostgreSQL, naive UTC text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Store UTC; SQLite keeps no zone, so it gets naive UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        """Always hand back aware UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)
