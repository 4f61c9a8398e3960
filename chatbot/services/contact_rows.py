"""The import's rows, read and checked on a helper thread and handed over in chunks of valid rows.

The checks are CPU work in Python (libphonenumber: some 50 us a phone); the writes are mostly the database's
work. Checking chunk N+1 while the caller writes chunk N runs both at once: on a real thread, the writer
releases the GIL while it waits for PostgreSQL; under gevent workers the thread is a greenlet, which runs while
the request's greenlet waits on its socket. At most QUEUED chunks wait, so memory holds a few chunks (plus one
entry per valid phone, for duplicates, and one per rejected row). The helper touches no database and no Flask
context: what it needs is the stream and the field rules.
"""
import queue
import threading
import time

from marshmallow import ValidationError

from chatbot.schemas.contact_import import CATEGORY_NAME, NAME
from chatbot.schemas.fields import normalize_phone
from chatbot.services.contacts_csv import CATEGORY_SEPARATOR, records, restored

QUEUED = 2
# Under gevent the helper is a greenlet that never waits while it checks: time.sleep(0), a yield to the hub there,
# lets the worker's other requests run every YIELD_EVERY rows (~50 ms); elsewhere it costs about a microsecond.
YIELD_EVERY = 500
PHONE_ECHO = 40  # how much of a rejected row's phone cell the answer repeats
PUT_WAIT_SECONDS = 0.2  # how often a blocked helper looks whether the caller gave up


class CheckedChunks:
    """`with CheckedChunks(binary, n) as chunks: for chunk in chunks: ...`: lists of (phone, name, category names);
    `rejected` holds the other rows once the iteration ends. An error of the reading (NotACsv) is raised by the
    iteration after the chunks that came before it, so the caller writes exactly those first."""

    def __init__(self, binary, chunk_rows):
        self.rejected = []
        self._queue = queue.Queue(maxsize=QUEUED)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, args=(binary, chunk_rows), daemon=True,
                                        name="contact-import-rows")

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        while not self._queue.empty():  # a helper blocked on a full queue sees the stop at once
            self._queue.get_nowait()
        self._thread.join(timeout=10)

    def __iter__(self):
        while True:
            kind, value = self._queue.get()
            if kind == "error":
                raise value
            if kind == "done":
                return
            yield value

    def _put(self, item):
        """Hand `item` over; False once the caller has stopped listening."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=PUT_WAIT_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self, binary, chunk_rows):
        try:
            for chunk in checked_chunks(binary, chunk_rows, self.rejected):
                if not self._put(("chunk", chunk)):
                    return
            self._put(("done", None))
        except BaseException as exc:  # any failure, a bug too, is raised in the caller's thread
            self._put(("error", exc))


def checked_chunks(binary, chunk_rows, rejected):
    """Lists of at most `chunk_rows` valid rows; the others appended to `rejected` with their line and reason."""
    first_line = {}  # normalised phone -> the line that brought it
    chunk, checked = [], RowChecker()
    for line, cells, error in records(binary):
        if line % YIELD_EVERY == 0:
            time.sleep(0)
        row, error = (None, error) if error else checked(cells)
        if row is not None and row[0] in first_line:
            row, error = None, f"duplicate of line {first_line[row[0]]} (the first row with a phone is kept)"
        if row is None:
            rejected.append({"line": line, "phone": cells["phone"][:PHONE_ECHO], "error": error})
            continue
        first_line[row[0]] = line
        chunk.append(row)
        if len(chunk) >= chunk_rows:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _messages(field, value):
    """The field's value, or raise ValueError with its messages."""
    try:
        return field.deserialize(value)
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None


class RowChecker:
    """Checks rows; a category name's verdict is kept (a file repeats a few names on every row)."""

    MAX_REMEMBERED = 10_000

    def __init__(self):
        self.categories = {}

    def category(self, name):
        """The name as stored, or ValueError; remembered."""
        verdict = self.categories.get(name)
        if verdict is None:
            try:
                verdict = (_messages(CATEGORY_NAME, name), None)
            except ValueError as exc:
                verdict = (None, str(exc))
            if len(self.categories) < self.MAX_REMEMBERED:
                self.categories[name] = verdict
        if verdict[1] is not None:
            raise ValueError(verdict[1])
        return verdict[0]

    def __call__(self, cells):
        """((phone, name, category names), None) for a valid row, else (None, "field: reason; ...")."""
        values, errors = {}, []
        cell = restored(cells.get("categories", "").strip())
        checks = [("phone", normalize_phone, restored(cells["phone"].strip())),
                  ("name", NAME.deserialize, restored(cells["name"].strip()))]
        checks += [("categories", self.category, n.strip()) for n in cell.split(CATEGORY_SEPARATOR) if n.strip()]
        for label, check, value in checks:
            try:
                values.setdefault(label, []).append(check(value))
            except ValidationError as exc:
                errors.append(f"{label}: {' '.join(exc.messages)}")
            except ValueError as exc:
                errors.append(f"{label}: {exc}")
        if errors:
            return None, "; ".join(dict.fromkeys(errors))
        return (values["phone"][0], values["name"][0], tuple(dict.fromkeys(values.get("categories", ())))), None
