"""Concurrent writes to contact and campaign category links: idempotent, and 409/422 (never 500) against a delete.

Real threads on PostgreSQL, each with its own test client (each request its own app context and session).
"""
import threading

import pytest

from tests import factories

ROUNDS = 10
THREADS = 4


def together(app, calls):
    """Run each `call(client)` in its own thread, all released at once; returns their responses in order."""
    barrier = threading.Barrier(len(calls))
    responses = [None] * len(calls)

    def worker(index, call):
        client = app.test_client()
        barrier.wait()
        responses[index] = call(client)

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def assert_envelope(response):
    """The contract's error shape."""
    error = response.get_json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)


@pytest.mark.postgresql_only
def test_identical_concurrent_category_patches_all_succeed(app, client):
    first, second = factories.category()["id"], factories.category()["id"]
    contact_id = factories.contact([first])["id"]
    body = {"category_ids": [first, second]}
    for _ in range(ROUNDS):
        client.patch(f"/api/contacts/{contact_id}", json={"category_ids": []})
        patch = lambda c: c.patch(f"/api/contacts/{contact_id}", json=body)  # noqa: E731
        responses = together(app, [patch] * THREADS)
        assert [r.status_code for r in responses] == [200] * THREADS, [r.get_json() for r in responses]
        assert all(r.get_json()["category_ids"] == sorted(body["category_ids"]) for r in responses)
    assert client.get(f"/api/contacts/{contact_id}").get_json()["category_ids"] == sorted(body["category_ids"])


@pytest.mark.postgresql_only
def test_identical_concurrent_contact_creations_in_categories_give_one_201_and_409s(app):
    category_id = factories.category()["id"]
    for _ in range(ROUNDS):
        body = {"phone": factories.phone(), "name": "Twin", "category_ids": [category_id]}
        responses = together(app, [lambda c: c.post("/api/contacts", json=body)] * THREADS)
        codes = sorted(r.status_code for r in responses)
        assert codes == [201] + [409] * (THREADS - 1), [r.get_json() for r in responses]
        for response in responses[1:]:
            if response.status_code == 409:
                assert_envelope(response)


def _writes_into(category_id, contact_id):
    """Three writes that put rows in `category_id`'s link tables, and the codes each may answer."""
    return [
        (lambda c: c.patch(f"/api/contacts/{contact_id}", json={"category_ids": [category_id]}), {200, 409, 422}),
        (lambda c: c.post("/api/contacts", json={"phone": factories.phone(), "name": "Racer",
                                                 "category_ids": [category_id]}), {201, 409, 422}),
        (lambda c: c.post("/api/campaigns", json={
            "name": "Race", "category_ids": [category_id], "first_message": {"text": "Hi"},
            "second_message": {"text": "Thanks"}}), {201, 409, 422}),
    ]


@pytest.mark.postgresql_only
def test_a_write_racing_a_category_delete_answers_409_or_422_never_500(app, client):
    contact_id = factories.contact()["id"]
    for _ in range(ROUNDS * 2):
        category_id = factories.category()["id"]
        writes = _writes_into(category_id, contact_id)
        delete = (lambda c: c.delete(f"/api/categories/{category_id}"), {204})
        responses = together(app, [delete[0]] + [call for call, _ in writes])
        for response, (_, allowed) in zip(responses, [delete] + writes):
            assert response.status_code in allowed, (response.status_code, response.get_json())
            if response.status_code >= 400:
                assert_envelope(response)
    assert client.get(f"/api/contacts/{contact_id}").status_code == 200
