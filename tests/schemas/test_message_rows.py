"""The message list's rows: dumped on a fast path that must give exactly marshmallow's dump of MessageRow."""
import datetime as dt

from marshmallow import Schema, fields

from chatbot.schemas.fields import UTC
from chatbot.schemas.message import MessageRow, PlainRows, message_page_out

NOW = dt.datetime(2026, 1, 15, 12, 0, 0, 123456, tzinfo=dt.timezone.utc)


def rows(count):
    return [{"id": i, "campaign_id": None if i % 3 else 7, "contact_id": i, "contact_name": f"Ann {i}", "step": 1,
             "status": "sent", "sent_at": None if i % 2 else NOW, "created_at": NOW, "extra": "not in the shape"}
            for i in range(1, count + 1)]


def test_a_page_is_marshmallows_dump_of_message_row():
    page = message_page_out.dump({"items": rows(5), "next_cursor": "abc"})
    assert page == {"items": MessageRow(many=True).dump(rows(5)), "next_cursor": "abc"}
    assert list(page["items"][0]) == list(MessageRow().dump_fields)
    assert page["items"][1]["sent_at"] == "2026-01-15T12:00:00.123456Z" and page["items"][0]["sent_at"] is None


def test_a_schema_that_is_not_flat_takes_marshmallows_way():
    class Renamed(Schema):
        when = UTC(data_key="at")
        n = fields.Float()

    class Page(Schema):
        items = PlainRows(fields.Nested(Renamed))

    dumped = Page().dump({"items": [{"when": NOW, "n": 1}]})
    assert dumped == {"items": [{"at": "2026-01-15T12:00:00.123456Z", "n": 1.0}]}
