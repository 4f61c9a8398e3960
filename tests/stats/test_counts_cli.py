"""`flask stats verify` prints the drift an operator's SQL made and exits 1; `flask stats rebuild` repairs it and
the next read (cached before) shows the repaired value."""
import json

from sqlalchemy import text

from chatbot.extensions import db
from tests import factories


def drift_by_hand(category_id):
    """Counts changed behind the triggers' back, as a bad manual fix would."""
    db.session.execute(text("INSERT INTO stat_counts (key, n) VALUES ('messages.sent', 5), ('contacts', -1)"))
    db.session.execute(text("INSERT INTO category_counts (category_id, n) VALUES (:id, 2)"), {"id": category_id})
    db.session.commit()


def test_stats_alone_still_prints_the_json(runner):
    factories.contact()
    result = runner.invoke(args=["stats"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["contacts"] == {"total": 1, "opted_out": 0}


def test_verify_passes_on_exact_counts(runner):
    category = factories.category()
    factories.contact([category["id"]])
    result = runner.invoke(args=["stats", "verify"])
    assert (result.exit_code, result.output) == (0, "maintained counts match a full recount\n")


def test_verify_prints_each_drift_and_exits_1(runner):
    category = factories.category()
    factories.contact([category["id"]])
    drift_by_hand(category["id"])
    result = runner.invoke(args=["stats", "verify"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "contacts: maintained 0, counted 1 (-1)",
        "messages.sent: maintained 5, counted 0 (+5)",
        f"category {category['id']}: maintained 3, counted 1 (+2)",
    ]


def test_rebuild_repairs_the_drift_and_the_cached_reads_follow(runner, client):
    category = factories.category()
    factories.contact([category["id"]])
    drift_by_hand(category["id"])
    assert client.get("/api/messages/stats").get_json()["messages"]["sent"] == 5  # wrong, and now cached
    assert client.get(f"/api/categories/{category['id']}").get_json()["contact_count"] == 3
    result = runner.invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "rebuilt: 3 keys repaired"
    assert runner.invoke(args=["stats", "verify"]).exit_code == 0
    stats = client.get("/api/messages/stats")
    assert stats.headers["X-Cache"] == "MISS"
    assert (stats.get_json()["messages"]["sent"], stats.get_json()["contacts"]["total"]) == (0, 1)
    assert client.get(f"/api/categories/{category['id']}").get_json()["contact_count"] == 1
    assert runner.invoke(args=["stats", "rebuild"]).output.splitlines() == ["rebuilt: 0 keys repaired"]
