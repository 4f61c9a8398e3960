"""The maintained counts equal a full recount after every write, whatever the sequence of writes.

Random sequences of every kind of write the product makes, through its real entry points (the API, the webhook,
the dispatcher with the dry-run transport, the sweep on a driven clock, the CSV import), plus the fold and an
operator's raw SQL; after each step `counts.drift()` (what `flask stats verify` prints) must be empty, and the
API's stats and category counts must be the recounted ones.
"""
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from chatbot.extensions import db
from chatbot.messaging import dispatch, sweep
from chatbot.models import Campaign, Category, Contact, Message
from chatbot.services import categories, counts
from chatbot.services.stats import compute_stats
from fakes import meta
from tests.api.test_contact_import import HEADER, post_csv

_numbers = itertools.count(1)
_wamids = itertools.count(1)
NO_DRIFT = {"stat_counts": {}, "category_counts": {}}

pick = st.integers(0, 50)  # an index into whatever exists, taken modulo its length
picks = st.lists(pick, max_size=3)
step = st.one_of(
    st.tuples(st.just("contact_create"), picks),
    st.tuples(st.just("contact_update"), pick, picks),
    st.tuples(st.just("contact_opt"), pick, st.booleans()),
    st.tuples(st.just("contact_delete"), pick),
    st.tuples(st.just("category_create")),
    st.tuples(st.just("category_rename"), pick),
    st.tuples(st.just("category_delete"), pick),
    st.tuples(st.just("campaign_create"), picks),
    st.tuples(st.just("campaign_launch"), pick),
    st.tuples(st.just("campaign_pause"), pick),
    st.tuples(st.just("campaign_resume"), pick),
    st.tuples(st.just("campaign_delete"), pick),
    st.tuples(st.just("dispatch")),
    st.tuples(st.just("status"), st.lists(st.tuples(pick, st.sampled_from(["sent", "delivered", "read", "failed"])),
                                          min_size=1, max_size=4), st.booleans()),
    st.tuples(st.just("answer"), pick, st.sampled_from(["Yes!", "STOP", "START"])),
    st.tuples(st.just("sweep"), st.integers(1, 30)),
    st.tuples(st.just("import"), st.integers(1, 4), picks, pick),
    st.tuples(st.just("fold")),
    st.tuples(st.just("raw_delete_message"), pick),
)


SETUP = [("category_create",), ("contact_create", [-1]), ("contact_create", [-1]), ("contact_create", [-1]),
         ("campaign_create", [-1]), ("campaign_launch", -1), ("dispatch",)]


def ids(model):
    """Ids of the model's rows, in order."""
    return db.session.scalars(select(model.id).order_by(model.id)).all()


def chosen(items, indexes):
    """The items the indexes name (modulo), each once."""
    return sorted({items[i % len(items)] for i in indexes}) if items else []


def one(items, index):
    """The item the index names (modulo), or None."""
    return items[index % len(items)] if items else None


def new_phone():
    """A phone no other step has used."""
    return f"+3361{next(_numbers):07d}"


class World:
    """Plays steps through the app's entry points."""

    def __init__(self, client, clock):
        self.client, self.clock = client, clock

    def contact_create(self, cats):
        self.client.post("/api/contacts", json={"phone": new_phone(), "name": "Someone",
                                                "category_ids": chosen(ids(Category), cats)})

    def on(self, model, index, method, suffix="", **body):
        """`method` on the resource the index names, if any (a 404/409/422 answer is a fine outcome too)."""
        row = one(ids(model), index)
        if row:
            getattr(self.client, method)(f"/api/{model.__tablename__}/{row}{suffix}", **body)

    def contact_update(self, index, cats):
        self.on(Contact, index, "patch", json={"category_ids": chosen(ids(Category), cats), "name": f"R {index}"})

    def contact_opt(self, index, opted_out):
        self.on(Contact, index, "patch", json={"opted_out": opted_out})

    def contact_delete(self, index):
        self.on(Contact, index, "delete")

    def category_create(self):
        self.client.post("/api/categories", json={"name": f"Category {next(_numbers)}"})

    def category_rename(self, index):
        self.on(Category, index, "patch", json={"name": f"Renamed {next(_numbers)}"})

    def category_delete(self, index):
        self.on(Category, index, "delete")

    def campaign_create(self, cats):
        categories = chosen(ids(Category), cats)
        if categories:
            self.client.post("/api/campaigns", json={"name": "Promo", "category_ids": categories,
                                                     "first_message": {"text": "Hi"},
                                                     "second_message": {"text": "Thanks"}})

    def campaign_move(self, verb, index):
        """launch, pause or resume."""
        self.on(Campaign, index, "post", f"/{verb}")

    def campaign_delete(self, index):
        self.on(Campaign, index, "delete")

    def status(self, items, again):
        named = db.session.execute(select(Message.wamid).where(Message.wamid.is_not(None))
                                   .order_by(Message.id)).scalars().all()
        if not named:
            return
        statuses = [meta.failed(w, self.clock.now()) if s == "failed" else meta.status(w, s, self.clock.now())
                    for w, s in ((one(named, i), s) for i, s in items)]
        payload = meta.notification(statuses=statuses)
        for _ in range(2 if again else 1):  # a redelivery changes nothing
            meta.post(self.client, payload)

    def answer(self, index, body):
        phone = one(db.session.scalars(select(Contact.phone).order_by(Contact.id)).all(), index)
        if phone:
            meta.post(self.client, meta.notification(
                messages=[meta.text(f"wamid.counts.{next(_wamids)}", phone, self.clock.now(), body=body)]))

    def sweep(self, hours):
        self.clock.advance(hours=hours)
        sweep.run()

    def import_(self, rows, cats, existing):
        names = [f"Category {n}" for n in chosen(ids(Category), cats)] + ["Imported"]
        phones = [new_phone() for _ in range(rows)]
        old = one(db.session.scalars(select(Contact.phone).order_by(Contact.id)).all(), existing)
        phones += [old] if old else []  # an update of a known contact's categories
        body = HEADER + "".join(f"{p},Imported {p},{';'.join(names)}\n" for p in phones)
        post_csv(self.client, body)

    def raw_delete_message(self, index):
        """An operator's SQL, no service involved: the triggers count it all the same."""
        message = one(ids(Message), index)
        if message:
            db.session.execute(text("DELETE FROM messages WHERE id = :id"), {"id": message})
            db.session.commit()  # the operator's own transaction, outside the app's writes

    def play(self, item):
        """One step."""
        kind, *args = item
        if kind in ("campaign_launch", "campaign_pause", "campaign_resume"):
            self.campaign_move(kind.split("_")[1], *args)
        elif kind == "dispatch":
            dispatch.run_once()
        elif kind == "fold":
            counts.fold()
        elif kind == "import":
            self.import_(*args)
        else:
            getattr(self, kind)(*args)
        db.session.expire_all()


def assert_exact():
    """No drift, and the uncached reads give the recount: stats totals and every category's contact_count."""
    assert counts.drift() == NO_DRIFT
    stats = compute_stats()
    recounted = {k: n for k, n in db.session.execute(text(
        "SELECT 'contacts', COUNT(*) FROM contacts UNION ALL SELECT 'messages', COUNT(*) FROM messages "
        "UNION ALL SELECT 'campaigns', COUNT(*) FROM campaigns UNION ALL SELECT 'interactions', COUNT(*) "
        "FROM interactions"))}
    assert {k: stats[k]["total"] for k in recounted} == recounted
    links = dict(db.session.execute(text(
        "SELECT c.id, (SELECT COUNT(*) FROM contact_categories l WHERE l.category_id = c.id) FROM categories c")).all())
    listed = {c["id"]: c["contact_count"] for c in categories.compute_list()["items"]}
    assert listed == links


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=20))
def test_maintained_counts_equal_a_recount_after_every_write(client, clock, steps):
    # Examples share the app and its data (it only grows more varied); each step is checked on its own. Each
    # example starts with a sent campaign of its own, so statuses, answers and sweeps have messages to act on.
    world = World(client, clock)
    for item in SETUP + steps:
        world.play(item)
        assert_exact()
