"""The import's body limit: IMPORT_MAX_BYTES for this one route (Content-Length, chunked, multipart), 1 MiB elsewhere;
a body over it is refused before it is read."""
import io

import pytest

from tests.api import expect
from tests.api.test_contact_import import HEADER

MIB = 1024 * 1024
ROW = b"+33612345601,Someone with a long enough name to fill the line,VIP;Promo\n"


class Body(io.RawIOBase):
    """`size` bytes of CSV made on demand (never held whole), counting what the server read."""

    def __init__(self, size):
        self.size, self.position, self.read_bytes = size, 0, 0

    def readable(self):
        return True

    def seekable(self):
        return True  # the test client measures a stream by seeking to its end

    def tell(self):
        return self.position

    def seek(self, offset, whence=0):
        self.position = offset if whence == 0 else self.size + offset
        return self.position

    def readinto(self, buffer):
        count = max(0, min(len(buffer), self.size - self.position))
        head = HEADER.encode() if self.position == 0 else b""
        buffer[:count] = (head + ROW * (count // len(ROW) + 2))[:count]
        self.position += count
        self.read_bytes += count
        return count


def chunked_post(client, body, content_type="text/csv"):
    """A chunked request (no Content-Length), as Flask's test client sends one."""
    return client.open("/api/contacts/import", method="POST", input_stream=body,
                       headers={"Transfer-Encoding": "chunked", "Content-Type": content_type})


def test_a_30_mib_file_is_413_before_it_is_read(client):
    body = Body(30 * MIB)
    response = client.post("/api/contacts/import", input_stream=body, content_length=30 * MIB,
                           content_type="text/csv")
    expect.error(response, 413, "payload_too_large")
    assert body.read_bytes < MIB


def test_a_file_over_1_mib_is_taken_by_the_import_only(client):
    rows = "".join(f"+3361{n:07d},Contact number {n} with a name long enough,VIP\n" for n in range(25_000))
    data = (HEADER + rows).encode()
    assert len(data) > MIB
    expect.error(client.post("/api/contacts", data=data, content_type="application/json"), 413, "payload_too_large")
    response = client.post("/api/contacts/import", data=data, content_type="text/csv")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["created"] == 25_000


@pytest.fixture
def small_limit(app_config):
    """IMPORT_MAX_BYTES of 256 KiB: the limit's edges without sending 20 MiB."""
    app_config["IMPORT_MAX_BYTES"] = 256 * 1024
    return 256 * 1024


def test_a_chunked_file_over_the_import_limit_is_413_after_one_byte_too_many(small_limit, client):
    body = Body(4 * small_limit)
    expect.error(chunked_post(client, body), 413, "payload_too_large")
    assert body.read_bytes <= small_limit + 64 * 1024


def test_a_chunked_file_under_the_limit_but_over_1_mib_is_imported(client):
    rows = "".join(f"+3361{n:07d},Contact number {n} with a name long enough,VIP\n" for n in range(25_000))
    data = (HEADER + rows).encode()
    assert len(data) > MIB
    response = chunked_post(client, io.BytesIO(data))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["created"] == 25_000


def test_a_multipart_file_over_the_limit_is_413(small_limit, client):
    data = HEADER.encode() + ROW * (small_limit // len(ROW) + 10)
    response = client.post("/api/contacts/import", data={"file": (io.BytesIO(data), "big.csv")},
                           content_type="multipart/form-data")
    expect.error(response, 413, "payload_too_large")


def test_other_routes_keep_1_mib_for_chunked_bodies(client):
    response = client.open("/api/contacts", method="POST", input_stream=io.BytesIO(b" " * (MIB + 1)),
                           headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"})
    expect.error(response, 413, "payload_too_large")
