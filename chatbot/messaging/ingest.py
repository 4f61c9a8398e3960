"""Parsed webhook notifications applied together, in the caller's one transaction (a group of any size).

Every status and answer of the group is applied with the same few set-based statements a single notification
used: one ordered lock of all the messages concerned, one UPDATE of the changed ones, one insert of the new
interactions, one counter update per campaign. Each notification still gets its own summary, as if the group's
notifications had been applied one after another in arrival order: its statuses move the messages from where
the notifications before it left them (so `changed` counts only what it moved, and a duplicate later in the
group changes nothing), and a redelivered answer counts for the first notification that carries it. Answers are
applied after all of the group's statuses (an answer and a `failed` for the same message in one group: the
failure wins, as it would with the failure first).
"""
from dataclasses import dataclass, field

from chatbot.messaging import answers, early
from chatbot.messaging.counters import Tally
from chatbot.messaging.transitions import apply_statuses, lock_states, write_states
from chatbot.models import Message
from chatbot.sql import write_lock


@dataclass(frozen=True)
class Notification:
    """What one webhook request brought: its StatusEvents and its answers (chatbot.messaging.answers.Answer)."""

    statuses: list = field(default_factory=list)
    incoming: list = field(default_factory=list)

    def summary(self, changed=0, interactions=0, deferred=False):
        """The answer to its request (`deferred`: stored under load, applied shortly: nothing changed yet)."""
        summary = {"statuses": len(self.statuses), "messages": len(self.incoming), "changed": changed,
                   "interactions": interactions}
        return {**summary, "deferred": True} if deferred else summary


def _keep_early(statuses, unknown, states, now):
    """Statuses of wamids not found: look again once the outcome batches in flight committed, keep the rest."""
    early.wait_for_outcomes()
    states.update(lock_states(Message.wamid.in_(unknown)))
    still = unknown - {state.wamid for state in states.values()}
    if still:
        early.keep([event for event in statuses if event.wamid in still], now)


def _advance(notification, states, id_of, tally):
    """Apply one notification's statuses to the locked states, from where the group left them; changed ids."""
    mine = {id_of[e.wamid]: states[id_of[e.wamid]] for e in notification.statuses if e.wamid in id_of}
    changed = apply_statuses(notification.statuses, mine, tally)
    states.update(mine)
    return changed


def _interactions_each(group, recorded):
    """How many of the new interactions each notification brought (a wamid counts for its first carrier)."""
    seen, counts = set(), []
    for notification in group:
        mine = {a.wamid for a in notification.incoming if a.wamid in recorded and a.wamid not in seen}
        seen |= mine
        counts.append(len(mine))
    return counts


def apply(group, now, uow):
    """Apply a list of Notifications in the current transaction; returns their summaries, in order."""
    statuses = [event for notification in group for event in notification.statuses]
    incoming = [answer for notification in group for answer in notification.incoming]
    tally = Tally()
    write_lock()
    found = answers.find_answered(incoming)
    wamids = {event.wamid for event in statuses}
    # Locking the statuses' and the answered messages together, in id order, keeps concurrent
    # groups (other processes) from deadlocking on each other.
    states = lock_states(Message.wamid.in_(wamids) | Message.id.in_(found.message_ids))
    unknown = wamids - {state.wamid for state in states.values()}
    if unknown:
        _keep_early(statuses, unknown, states, now)
    id_of = {state.wamid: message_id for message_id, state in states.items()}
    changed_each = [_advance(notification, states, id_of, tally) for notification in group]
    recorded, answered = answers.record(found, states, tally, now)
    changed = set().union(*changed_each)
    write_states([states[i] for i in sorted(changed | answered)], now)
    tally.apply_counters()  # last: campaign locks always come after message locks
    tally.emit(uow)
    return [notification.summary(len(moved), new) for notification, moved, new
            in zip(group, changed_each, _interactions_each(group, recorded))]
