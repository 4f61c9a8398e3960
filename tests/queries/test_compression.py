"""A full page of messages travels gzip-compressed, at least five times smaller."""
import gzip
import json

from chatbot.seed import seed_demo


def test_a_200_row_messages_page_is_gzipped_at_least_5_times_smaller(client):
    seed_demo(60, 400, 5, seed=4)
    plain = client.get("/api/messages?per_page=200")
    packed = client.get("/api/messages?per_page=200", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers.get("Vary", "")
    assert len(json.loads(gzip.decompress(packed.data))["items"]) == 200
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    assert len(plain.data) >= 5 * len(packed.data), (len(plain.data), len(packed.data))


def test_small_answers_are_not_compressed(client):
    response = client.get("/api/messages", headers={"Accept-Encoding": "gzip"})
    assert len(response.data) < 500 and "Content-Encoding" not in response.headers
