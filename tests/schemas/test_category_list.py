"""The category list: its rows dumped on the plain path (PlainRows) must be, byte for byte, what marshmallow's
CategoryOut gives, and the list's statement must count what the detail's statement counts."""
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot.cache.backend import JsonSerializer
from chatbot.schemas.category import CategoryOut, category_list_out
from chatbot.services import categories
from tests import factories

UTC = dt.timezone.utc
ODD_NAMES = ('Clients "VIP"', "l'équipe d'été", "Zürich ☕ 客户", "back\\slash", "tab\there", "emoji 🎉👩‍👩‍👧",
             "</script><b>", "line\u2028separator", "  spaced  ")
NOW = dt.datetime(2026, 1, 15, 12, 0, 0, 123456, tzinfo=UTC)


def marshmallow_bytes(rows):
    """The list as marshmallow's own per-field dump of CategoryOut serialises it (the reference)."""
    return JsonSerializer().dumps({"items": CategoryOut(many=True).dump(rows)})


def served_bytes(rows):
    """The list as the service dumps and the cache stores and serves it."""
    return JsonSerializer().dumps(category_list_out.dump({"items": rows}))


def row(i, name, description=None, count=0, created=NOW, updated=NOW):
    return {"id": i, "name": name, "description": description, "contact_count": count, "created_at": created,
            "updated_at": updated}


def test_odd_names_counts_and_times_dump_as_marshmallow_does():
    rows = [row(i, name, description=None if i % 2 else f'say "{name}"', count=i * 1000 if i % 3 else 0,
                created=NOW.replace(microsecond=0) if i % 2 else NOW, updated=NOW + dt.timedelta(days=i))
            for i, name in enumerate(ODD_NAMES, 1)]
    assert served_bytes(rows) == marshmallow_bytes(rows)
    assert served_bytes([]) == marshmallow_bytes([]) == b'{"items":[]}'
    items = category_list_out.dump({"items": rows})["items"]
    assert list(items[0]) == list(CategoryOut().dump_fields)
    assert (items[1]["created_at"], items[1]["contact_count"]) == ("2026-01-15T12:00:00.123456Z", 2000)
    assert (items[2]["created_at"], items[2]["contact_count"], items[2]["description"]) == (
        "2026-01-15T12:00:00Z", 0, None)


times = st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(9999, 12, 31), timezones=st.just(UTC))
rows_strategy = st.lists(st.fixed_dictionaries({
    "id": st.integers(1, 2**31 - 1), "name": st.text(min_size=1, max_size=100),
    "description": st.none() | st.text(max_size=500), "contact_count": st.integers(0, 2**63 - 1),
    "created_at": times, "updated_at": times}), max_size=60)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_strategy)
def test_any_rows_dump_as_marshmallow_does(rows):
    assert served_bytes(rows) == marshmallow_bytes(rows)


def test_the_served_list_is_the_marshmallow_dump_of_each_category(client, clock):
    """Through the database: the list's statement (deltas grouped, joined) and its plain dump give what the
    detail's (a correlated sum, marshmallow's dump) gives, with and without contacts."""
    empty = factories.category(name=ODD_NAMES[0], description="with \"quotes\" and ☕")
    clock.advance(seconds=1.5)  # a time with microseconds
    crowded = factories.category(name=ODD_NAMES[2])
    odd = factories.category(name=ODD_NAMES[1])
    for _ in range(3):
        factories.contact(category_ids=[crowded["id"]])
    factories.contact(category_ids=[crowded["id"], odd["id"]])
    response = client.get("/api/categories")
    assert response.headers["X-Cache"] == "MISS"
    details = [categories._compute_detail(c["id"]) for c in (empty, odd, crowded)]  # sorted by lower(name)
    assert [d["contact_count"] for d in details] == [0, 1, 4]
    assert response.data == JsonSerializer().dumps({"items": details})
    assert client.get("/api/categories").data == response.data  # the stored bytes, served on a hit
