"""The audit log: one row per write, in the write's transaction, saying who, what, which ids; the campaign's
history from it; GET /api/audit for admins."""
import pytest
from sqlalchemy import func, select

from chatbot.extensions import db
from chatbot.messaging import sweep
from chatbot.models import AuditEntry, Category
from chatbot.services import categories
from chatbot.unit_of_work import writing
from tests import factories
from tests.accounts.conftest import csrf, login, make_account
from tests.sweep import data


def entries():
    """(actor, action, ids) of every audit row, oldest first."""
    query = select(AuditEntry.actor, AuditEntry.action, AuditEntry.ids).order_by(AuditEntry.id)
    result = [tuple(row) for row in db.session.execute(query)]
    db.session.rollback()
    return result


def test_a_write_records_who_what_and_which_ids(client, users):
    login(client, "operator@example.com")
    category = client.post("/api/categories", json={"name": "Sales"}, headers=csrf(client)).get_json()
    body = {"phone": factories.phone(), "name": "Ann", "category_ids": [category["id"]]}
    response = client.post("/api/contacts", json=body, headers=users["operator"].bearer)
    assert response.status_code == 201
    assert entries()[-3:] == [
        ("operator@example.com", "session.started", {"session.started": {"user_id": [users["operator"].id]}}),
        ("operator@example.com", "category.created", {"category.created": {"category_id": [category["id"]]}}),
        ("operator script (operator@example.com)", "contact.created",
         {"contact.created": {"contact_id": [response.get_json()["id"]], "category_ids": [category["id"]]}}),
    ]


def test_a_rolled_back_write_leaves_no_row(app, users):
    before = entries()
    with pytest.raises(RuntimeError):
        with writing() as uow:
            category = Category(name="Doomed")
            db.session.add(category)
            db.session.flush()
            uow.emit("category.created", category_id=category.id)
            raise RuntimeError("the write fails after its audit row could have been added")
    assert entries() == before


def test_the_audit_row_is_in_the_writes_transaction(app, users):
    """An effect after the audit's fails the commit: the write and its audit row go together."""
    from chatbot import unit_of_work

    def fail(events):
        raise RuntimeError("refused")
    unit_of_work.effects(app).before_commit.append(fail)
    before = entries()
    with pytest.raises(RuntimeError):
        categories.create_category({"name": "Never", "description": None})
    unit_of_work.effects(app).before_commit.remove(fail)
    assert entries() == before


def statements(count_statements, client, method, url, **kwargs):
    """SQL statements run by one request."""
    with count_statements() as counter:
        response = client.open(url, method=method, **kwargs)
    assert response.status_code < 300, response.get_json()
    return counter.count


def test_a_write_costs_one_statement_more_and_an_authenticated_read_one_more(app, client, count_statements):
    """Open API (no audit, no lookup) -> API_TOKEN (audit, no lookup) -> personal token (audit and its lookup)."""
    open_write = statements(count_statements, client, "POST", "/api/categories", json={"name": "A"})
    open_read = statements(count_statements, client, "GET", "/api/contacts")
    app.config["API_TOKEN"] = "env-token"
    env = {"Authorization": "Bearer env-token"}
    assert statements(count_statements, client, "POST", "/api/categories", json={"name": "B"}, headers=env) \
        == open_write + 1
    assert statements(count_statements, client, "GET", "/api/contacts", headers=env) == open_read
    bearer = make_account("operator").bearer
    assert statements(count_statements, client, "GET", "/api/contacts", headers=bearer) == open_read + 1
    assert statements(count_statements, client, "POST", "/api/categories", json={"name": "C"}, headers=bearer) \
        == open_write + 2


def test_a_batch_is_one_row_and_the_scheduler_is_system(app, clock, count_statements):
    app.config["SWEEP_BATCH_SIZE"] = 2
    campaign_id, _ = data.launched(contacts=5)
    data.send(campaign_id, clock.now())
    clock.advance(hours=25)
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    db.session.rollback()
    assert sweep.run()["marked"] == 5  # three chunks, then the campaign's completion: four commits
    rows = entries()[before:]
    assert len(rows) == 1 and rows[0][0] == "system" and rows[0][1].startswith("sweep.completed")


def test_campaign_history_says_who_created_launched_and_paused_it(client, users):
    category = factories.category()
    factories.contact([category["id"]])
    operator, admin = users["operator"].bearer, users["admin"].bearer
    campaign = client.post("/api/campaigns", headers=operator, json={
        "name": "Spring", "category_ids": [category["id"]], "first_message": {"text": "Hi"},
        "second_message": {"text": "Thanks"}}).get_json()
    client.post(f"/api/campaigns/{campaign['id']}/launch", headers=operator)
    client.post(f"/api/campaigns/{campaign['id']}/pause", headers=admin)
    history = client.get(f"/api/campaigns/{campaign['id']}/history", headers=users["viewer"].bearer).get_json()
    assert [(h["action"], h["actor"]) for h in history["items"]] == [
        ("campaign.created", "operator script (operator@example.com)"),
        ("campaign.launched", "operator script (operator@example.com)"),
        ("campaign.paused", "admin script (admin@example.com)")]
    assert history["items"][0]["at"] == "2026-01-15T12:00:00Z"
    assert client.get("/api/campaigns/999999/history", headers=operator).status_code == 404


def test_the_audit_log_pages_newest_first_and_filters(client, users):
    admin = users["admin"].bearer
    for name in ("A", "B", "C"):
        client.post("/api/categories", json={"name": name}, headers=users["operator"].bearer)
    first = client.get("/api/audit?per_page=2&action=category.created", headers=admin).get_json()
    assert [e["ids"]["category.created"]["category_id"] for e in first["items"]] == [[3], [2]]
    assert set(first["items"][0]) == {"id", "at", "actor", "action", "ids"}
    second = client.get(f"/api/audit?per_page=2&action=category.created&cursor={first['next_cursor']}",
                        headers=admin).get_json()
    assert [e["ids"]["category.created"]["category_id"] for e in second["items"]] == [[1]]
    assert second["next_cursor"] is None
    client.post("/api/categories", json={"name": "D"}, headers=admin)
    mine = client.get(f"/api/audit?user_id={users['admin'].id}", headers=admin).get_json()["items"]
    assert [(e["actor"], e["action"]) for e in mine] == [("admin script (admin@example.com)", "category.created")]
    assert client.get("/api/audit", headers=users["operator"].bearer).status_code == 403
