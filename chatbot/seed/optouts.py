"""The demo seed's opt-outs, as the application makes them (see chatbot/messaging/optouts.py).

A few contacts answer their latest campaign's first message with an opt-out keyword instead of a usual answer:
the answer is an interaction (it counts), no second message follows, and since it is their latest campaign no
later launch had them to leave out. A few contacts still queued in the campaign being sent write an opt-out
keyword on their own (it answers no message: none of theirs was sent): their queued first message ends
`failed` (`opted_out`) then, as every pending message of a contact who opts out does.
"""
from chatbot.seed.data import FAILURES, OPT_OUT_REPLIES, REPLIES
from chatbot.seed.timeline import CAMPAIGN, CONTACT, ERROR, FAILED, INTERACTED, STATUS, UPDATED

P_STOP_ANSWER = 0.04        # of the answerable first messages that are their contact's latest
P_STOP_WHILE_QUEUED = 0.05  # of the queued first messages of contacts new to campaigns
OPTED_OUT_ERROR = len(FAILURES)  # the record's ERROR for a message failed by an opt-out


def _reply(rng):
    """An index into REPLIES + OPT_OUT_REPLIES: one of the opt-out keywords."""
    return len(REPLIES) + rng.randrange(len(OPT_OUT_REPLIES))


def plan(rng, now, launches, records, answerable):
    """(answerable left, opt-out interactions [(first record, at, reply, answers it)], {contact: opted out at})."""
    first, last = {}, {}
    for record in records:  # campaigns in launch order
        first.setdefault(record[CONTACT], record)
        last[record[CONTACT]] = record
    left, interactions, opted_out = [], [], {}
    for record, at in answerable:
        if last[record[CONTACT]] is record and rng.random() < P_STOP_ANSWER:
            record[INTERACTED], record[UPDATED] = at, max(record[UPDATED], at)
            interactions.append((record, at, _reply(rng), True))
            opted_out[record[CONTACT]] = at
        else:
            left.append((record, at))
    for record in records:
        if (record[STATUS] == "pending" and first[record[CONTACT]] is record
                and rng.random() < P_STOP_WHILE_QUEUED):
            launch = launches[record[CAMPAIGN]][0]
            at = launch + rng.random() * (now - launch)
            record[STATUS], record[FAILED], record[UPDATED], record[ERROR] = "failed", at, at, OPTED_OUT_ERROR
            interactions.append((record, at, _reply(rng), False))
            opted_out[record[CONTACT]] = at
    return left, interactions, opted_out
