"""The demo seed's plan as table rows (tuples in the column order below), ids given from reserved ranges."""
import base64
import datetime as dt
import json

from chatbot.seed.timeline import (CAMPAIGN, CONTACT, CREATED, DELIVERED, ERROR, FAILED, ID, INTERACTED, READ, SENT,
                                   STATUS, STEP, UPDATED)
from chatbot.messaging.optouts import OPTED_OUT, OPTED_OUT_MESSAGE
from chatbot.seed.data import FAILURES, OPT_OUT_REPLIES, REPLIES

COLUMNS = {
    "categories": ("id", "name", "description", "created_at", "updated_at"),
    "contacts": ("id", "phone", "name", "last_interaction_at", "opted_out_at", "created_at", "updated_at"),
    "contact_categories": ("contact_id", "category_id"),
    "campaigns": ("id", "name", "status", "first_message", "second_message", "created_at", "updated_at",
                  "launched_at", "completed_at"),
    "campaign_categories": ("campaign_id", "category_id"),
    "messages": ("id", "campaign_id", "contact_id", "step", "status", "body", "wamid", "error_code",
                 "error_message", "attempts", "next_attempt_at", "created_at", "updated_at", "sent_at",
                 "delivered_at", "read_at", "failed_at", "interacted_at"),
    "interactions": ("id", "contact_id", "message_id", "campaign_id", "wamid", "kind", "body", "occurred_at",
                     "created_at"),
}

_from_ts = dt.datetime.fromtimestamp
UTC = dt.timezone.utc
ERRORS = FAILURES + ((OPTED_OUT, OPTED_OUT_MESSAGE),)  # the last: failed by an opt-out (seed.optouts)
ANSWERS = REPLIES + OPT_OUT_REPLIES


def when(seconds):
    """POSIX seconds -> aware UTC datetime (None stays None)."""
    return None if seconds is None else _from_ts(seconds, UTC)


def wamid(phone, kind, number):
    """An id shaped like WhatsApp's (`wamid.HBg...`), unique per kind and number."""
    return "wamid.HBgM" + base64.b64encode(f"{phone[1:]}{kind}{number:012d}".encode()).decode().rstrip("=")


def category_rows(categories, first_id):
    """(id, name, description, created_at, updated_at)."""
    for offset, (name, description, created) in enumerate(categories):
        yield first_id + offset, name, description, when(created), when(created)


def contact_rows(contacts, first_id):
    """Contacts with the time of their last answer and of their opt-out."""
    for offset, (phone, name, created, _group, _categories, last, opted_out) in enumerate(contacts):
        yield first_id + offset, phone, name, when(last), when(opted_out), when(created), when(created)


def link_rows(contacts, first_contact, first_category):
    """contact_categories pairs."""
    for offset, contact in enumerate(contacts):
        for category in contact[4]:
            yield first_contact + offset, first_category + category


def campaign_rows(campaigns, first_id):
    """Campaigns; their counters are recomputed from the messages afterwards."""
    for offset, c in enumerate(campaigns):
        yield (first_id + offset, c["name"], c["status"], json.dumps(c["first"]), json.dumps(c["second"]),
               when(c["created"]), when(c["updated"]), when(c["launched"]), when(c["completed"]))


def campaign_category_rows(campaigns, first_campaign, first_category):
    """campaign_categories pairs."""
    for offset, c in enumerate(campaigns):
        for category in c["categories"]:
            yield first_campaign + offset, first_category + category


def message_rows(records, campaigns, phones, first_campaign, first_contact):
    """Every message, with the body of its step and a wamid once sent."""
    bodies = [(json.dumps(c["first"]), json.dumps(c["second"])) for c in campaigns]
    for r in records:
        error, sent = r[ERROR], r[SENT]
        code, text = ERRORS[error] if error is not None else (None, None)
        tried = r[STATUS] != "pending" and error != len(FAILURES)  # an opt-out fails a message never tried
        yield (r[ID], first_campaign + r[CAMPAIGN], first_contact + r[CONTACT], r[STEP], r[STATUS],
               bodies[r[CAMPAIGN]][r[STEP] - 1],
               wamid(phones[r[CONTACT]], "V", r[ID]) if sent is not None else None, code, text,
               int(tried), None, when(r[CREATED]), when(r[UPDATED]), when(sent),
               when(r[DELIVERED]), when(r[READ]), when(r[FAILED]), when(r[INTERACTED]))


def interaction_rows(interactions, phones, first_id, first_campaign, first_contact):
    """One interaction per answered first message (a button press or a few words), and unprompted opt-outs."""
    for offset, (record, at, reply, answers) in enumerate(interactions):
        kind, body = ANSWERS[reply]
        number = first_id + offset
        yield (number, first_contact + record[CONTACT], record[ID] if answers else None,
               first_campaign + record[CAMPAIGN] if answers else None,
               wamid(phones[record[CONTACT]], "I", number), kind, body, when(at), when(at + 0.2))
