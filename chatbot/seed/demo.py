"""`flask seed demo`: realistic demo data in bulk (a million messages in well under a minute on PostgreSQL).

Planned in memory (`plan`: people and calendar; `timeline`: what happened to each message), then
written with COPY or executemany (`writer`, rows from `rows`) in one unit of work, counters recomputed
from the messages; its `data.seeded` event drops the caches after the commit.
"""
import logging
import random
import time

from sqlalchemy import text

from chatbot.clock import utcnow
from chatbot.extensions import db
from chatbot.messaging import counters
from chatbot.seed import daily, optouts, rows, timeline
from chatbot.seed.data import CAMPAIGN_THEMES
from chatbot.seed.plan import DAY, WINDOW, Calendar, SeedError, category_names, plan_contacts
from chatbot.seed.writer import writer_for
from chatbot.unit_of_work import writing

__all__ = ["SeedError", "seed_demo"]

log = logging.getLogger("chatbot.seed")


class _Quiet:
    """A progress bar that shows nothing (the service used outside the CLI)."""

    def __init__(self, **_):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n):
        """Ignore progress."""


def _campaigns(rng, now, start, slots, states, groups, categories):
    """Launched campaigns (oldest first, as `slots`) and a few drafts still being written."""
    result = []
    for index, (slot, completed) in enumerate(zip(slots, states)):
        theme, first, second = CAMPAIGN_THEMES[index % len(CAMPAIGN_THEMES)]
        launch = slot[0]
        result.append({
            "name": f"{theme} · {' + '.join(categories[c][0] for c in slot[1])}"[:200], "first": first,
            "second": second, "categories": slot[1], "launched": launch, "completed": completed,
            "status": "completed" if completed else "running",
            "created": max(start, launch - 600 - rng.random() * 2 * DAY), "updated": completed or launch})
    for index in range(min(2, groups)):
        theme, first, second = CAMPAIGN_THEMES[(len(slots) + index) % len(CAMPAIGN_THEMES)]
        created = now - rng.random() * 3 * DAY
        category = rng.randrange(len(categories))
        result.append({"name": f"{theme} (draft) · {categories[category][0]}", "first": first, "second": second,
                       "categories": [category], "launched": None, "completed": None, "status": "draft",
                       "created": created, "updated": created})
    return result


def _check(contacts, messages, categories):
    if min(contacts, messages, categories) < 0:
        raise SeedError("sizes cannot be negative")
    if messages and not (contacts and categories):
        raise SeedError("messages need contacts and categories to send them to")


def _launch(rng, now, calendar, messages):
    """The campaigns that ran and their first messages: the first option leaving enough messages to answer."""
    if not messages:
        return [], [], [], [], ([], {})
    for option in calendar.options(messages):
        slots = sorted(option, key=lambda s: s[0])
        launches = [(slot[0], slot[2]) for slot in slots]
        firsts, answerable = timeline.first_messages(rng, now, launches)
        answerable, opt_outs, opted_out = optouts.plan(rng, now, launches, firsts, answerable)
        if messages - len(firsts) <= len(answerable):
            return slots, launches, firsts, answerable, (opt_outs, opted_out)
    raise SeedError(f"{messages} messages cannot be made consistent with these contacts: "
                    "ask for fewer messages or more contacts")


def plan(rng, now, contacts, messages, categories, taken_phones=(), taken_names=(), bar=None):
    """Everything to write, as plain data (no database access)."""
    _check(contacts, messages, categories)
    bar = bar or _Quiet()
    start = now - WINDOW + 60
    names = category_names(categories, set(taken_names))
    people = plan_contacts(rng, contacts, categories, start, now, set(taken_phones))
    calendar = Calendar(rng, people, categories, start, now)
    slots, launches, firsts, answerable, (opt_outs, opted_out) = _launch(rng, now, calendar, messages)
    bar.update(len(firsts))
    interactions, seconds = timeline.answer(rng, now, answerable, messages - len(firsts))
    bar.update(len(seconds))
    timeline.sweep(now, firsts)
    interactions = sorted(interactions + opt_outs, key=lambda i: i[1])
    for record, at, *_ in interactions:  # in time order: the last one stays
        people[record[timeline.CONTACT]][5] = at
    for contact, at in opted_out.items():
        people[contact][6] = at
    records = firsts + seconds
    records.sort(key=lambda r: r[timeline.CREATED])  # ids follow creation, as the application would give them
    campaigns = _campaigns(rng, now, start, slots, timeline.campaign_states(now, launches, firsts), calendar.groups,
                           names)
    return {"categories": [(name, d, start + rng.random() * 50) for name, d in names], "contacts": people,
            "campaigns": campaigns, "messages": records, "interactions": interactions}


def _existing():
    """Phones and lower-cased category names already taken."""
    taken_phones = set(db.session.scalars(text("SELECT phone FROM contacts")))
    taken_names = set(db.session.scalars(text("SELECT lower(name) FROM categories")))
    return taken_phones, taken_names


def _write(writer, data):
    """Reserve ids, then write every table in dependency order; returns the first ids."""
    first = {name: writer.reserve(name, len(data[name]))
             for name in ("categories", "contacts", "campaigns", "messages", "interactions")}
    for offset, record in enumerate(data["messages"]):
        record[timeline.ID] = first["messages"] + offset
    phones = [c[0] for c in data["contacts"]]
    writer.write("categories", rows.category_rows(data["categories"], first["categories"]))
    writer.write("contacts", rows.contact_rows(data["contacts"], first["contacts"]), len(data["contacts"]))
    writer.write("contact_categories", rows.link_rows(data["contacts"], first["contacts"], first["categories"]),
                 len(data["contacts"]))
    writer.write("campaigns", rows.campaign_rows(data["campaigns"], first["campaigns"]))
    writer.write("campaign_categories", rows.campaign_category_rows(data["campaigns"], first["campaigns"],
                                                                    first["categories"]))
    writer.write("messages", rows.message_rows(data["messages"], data["campaigns"], phones, first["campaigns"],
                                               first["contacts"]), len(data["messages"]))
    writer.write("interactions", rows.interaction_rows(data["interactions"], phones, first["interactions"],
                                                       first["campaigns"], first["contacts"]),
                 len(data["interactions"]))
    return first


def _ids(first, data, name):
    """(first, last) id written to table `name` (last < first when none was)."""
    return first[name], first[name] + len(data[name]) - 1


def seed_demo(contacts, messages, categories, seed=None, progress=None):
    """Add `contacts`, `messages` and `categories` of consistent demo data; returns what was written.

    `progress(length=..., label=...)` makes a progress bar (click.progressbar); `seed` makes it repeatable.
    """
    progress = progress or _Quiet
    started = time.perf_counter()
    rng = random.Random(seed)
    with writing() as uow:
        with progress(length=messages, label="Planning") as bar:
            taken_phones, taken_names = _existing()
            data = plan(rng, utcnow().timestamp(), contacts, messages, categories, taken_phones, taken_names,
                        bar)
        total = sum(len(data[k]) for k in data) + sum(len(c[4]) for c in data["contacts"])
        with progress(length=total, label="Writing ") as bar:
            writer = writer_for(db.session, bar.update)
            writer.lock()
            first = _write(writer, data)
            writer.settle()
            counters.recompute(range(first["campaigns"], first["campaigns"] + len(data["campaigns"])))
            counts = daily.daily_counts(_ids(first, data, "messages"), _ids(first, data, "interactions"),
                                        utcnow().date())
            if counts:
                uow.emit("monitoring.counted", counts=counts)
        uow.emit("data.seeded", category_ids=list(range(first["categories"], first["categories"] + categories)))
    try:
        writer.finish()
    except Exception:  # planner statistics are an optimisation: the data is committed either way
        log.warning("seed: VACUUM ANALYZE failed", exc_info=True)
    return {"categories": categories, "contacts": contacts, "campaigns": len(data["campaigns"]),
            "messages": len(data["messages"]), "interactions": len(data["interactions"]),
            "seconds": round(time.perf_counter() - started, 2)}
