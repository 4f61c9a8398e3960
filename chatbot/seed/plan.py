"""The demo seed's people and calendar, planned in memory: categories, contacts, and which campaigns ran when.

Times are POSIX seconds (floats) until the rows are written. Categories are split into groups of about five
(think of one shop's audience per group); a contact belongs to one to three categories of one group, and the
campaigns of a group are launched at least SPACING apart. So a contact never has two campaign first messages
open at once, and the hourly no-interaction rule (24 h without an answer since the first message was sent)
reads the same on the seeded data as on data the application made itself.
"""
import bisect
import math
from collections import Counter

from chatbot.seed.data import CATEGORY_NAMES, FIRST_NAMES, LAST_NAMES, PHONE_PLANS

DAY, HOUR = 86400.0, 3600.0
WINDOW = 30 * DAY            # every date lies in the last 30 days
SPACING = 27 * HOUR          # > 24 h no-interaction delay + sweep period + dispatch time
FIRST_LAUNCH = 6 * HOUR      # after the initial contact import
IMPORT_SHARE = 0.7           # most contacts come in one import on the first day; the rest trickle in
GROUP_SIZE = 5
# Share of first messages answered (so of step-2 messages): aimed at, and the bounds that make M exact.
R_MIN, R_TARGET, R_MAX = 0.2, 0.45, 0.65
DISPATCH_RATE = 80.0         # messages per second, the Cloud API default the dispatcher keeps to
DISPATCH_DELAY = 3.0         # the dispatch job runs every few seconds


class SeedError(ValueError):
    """The requested sizes cannot make consistent data (e.g. messages but no contacts)."""


def category_names(count, taken):
    """`count` (name, description) pairs, none equal (ignoring case) to a name in `taken`."""
    result, round_no = [], 1
    while len(result) < count:
        for name, description in CATEGORY_NAMES:
            full = name if round_no == 1 else f"{name} {round_no}"
            if full.lower() not in taken and len(result) < count:
                result.append((full, description))
        round_no += 1
    return result


def phones(rng, count, taken):
    """`count` distinct valid E.164 numbers (plan indexes alongside), spread over the plans' countries."""
    weights = [plan[1] for plan in PHONE_PLANS]
    wanted = Counter(rng.choices(range(len(PHONE_PLANS)), weights, k=count))
    result = []
    for index, need in sorted(wanted.items()):
        prefix, digits = PHONE_PLANS[index][2], PHONE_PLANS[index][3]
        clashes = sum(1 for phone in taken if phone.startswith(prefix))
        drawn = rng.sample(range(10 ** digits), min(need + clashes, 10 ** digits))
        numbers = [f"{prefix}{n:0{digits}d}" for n in drawn]
        fresh = [n for n in numbers if n not in taken][:need]
        if len(fresh) < need:
            raise SeedError(f"the number plan {prefix}... is full")
        result += [(number, index) for number in fresh]
    rng.shuffle(result)
    return result


def contact_name(rng, language):
    """A first and last name of the number's country."""
    return f"{rng.choice(FIRST_NAMES[language])} {rng.choice(LAST_NAMES[language])}"


def group_count(categories):
    """Groups of about GROUP_SIZE categories (at least one)."""
    return max(1, categories // GROUP_SIZE)


def plan_contacts(rng, count, categories, start, now, taken_phones):
    """Contacts as [phone, name, created_at, group, category indexes, last_interaction_at, opted_out_at] lists."""
    groups = group_count(categories) if categories else 0
    contacts = []
    for phone, plan in phones(rng, count, taken_phones):
        if rng.random() < IMPORT_SHARE:
            created = start + 60 + rng.random() * 2 * HOUR
        else:
            created = start + rng.random() * (now - HOUR - start)
        group = rng.randrange(groups) if groups else None
        members = list(range(group, categories, groups)) if groups else []
        size = min(len(members), rng.choices((1, 2, 3), (60, 30, 10))[0])
        contacts.append([phone, contact_name(rng, PHONE_PLANS[plan][4]), created, group,
                         sorted(rng.sample(members, size)), None, None])
    return contacts


class Calendar:
    """Campaign slots of each group, SPACING apart, with the audience each would reach at its launch."""

    def __init__(self, rng, contacts, categories, start, now):
        self.rng, self.now = rng, now
        self.groups = group_count(categories) if categories else 0
        self.members = self._members(contacts, categories)
        self.slots = [self._group_slots(g, start, now) for g in range(self.groups)]
        if self.slots and self.slots[0]:
            self._still_dispatching(self.slots[0][0])

    def _still_dispatching(self, slot):
        """Group 0's latest campaign (always launched) is still being sent: half of it is out.

        Its audience is taken first (contacts are all older than an hour, so the launch moving back
        by a few seconds or minutes changes nobody)."""
        slot[0] = self.now - 1
        slot[0] = self.now - DISPATCH_DELAY - 0.5 * len(self.audience(slot)) / DISPATCH_RATE

    @staticmethod
    def _members(contacts, categories):
        """Per category: (created_at list, contact index list), sorted by created_at, for bisecting."""
        per = [[] for _ in range(categories)]
        for index, contact in enumerate(contacts):
            for category in contact[4]:
                per[category].append((contact[2], index))
        result = []
        for pairs in per:
            pairs.sort()
            result.append(([p[0] for p in pairs], [p[1] for p in pairs]))
        return result

    def _group_slots(self, group, start, now):
        """Latest first: [launch time, category indexes, audience] of every possible campaign of a group."""
        categories = list(range(group, len(self.members), self.groups))
        first = start + FIRST_LAUNCH + group * SPACING / self.groups
        count = int((now - 2 * HOUR - first) // SPACING) + 1 if now - 2 * HOUR > first else 0
        slots = []
        for j in range(count):
            launch = first + j * SPACING + (self.rng.random() - 0.5) * HOUR
            size = min(len(categories), self.rng.choices((1, 2, 3), (50, 35, 15))[0])
            slots.append([launch, sorted(self.rng.sample(categories, size)), None])
        slots.reverse()
        return slots

    def audience(self, slot):
        """Distinct contacts of the slot's categories created before its launch, by contact index."""
        if slot[2] is None:
            reached = set()
            for category in slot[1]:
                created, indexes = self.members[category]
                reached.update(indexes[:bisect.bisect_right(created, slot[0])])
            slot[2] = sorted(reached)
        return slot[2]

    def pick(self, groups, per_group):
        """`per_group` slots spread evenly (the latest always in) from each of the first `groups` groups."""
        picked = []
        for slots in self.slots[:groups]:
            k = min(per_group, len(slots))
            picked += [slots[round(i * len(slots) / k)] for i in range(k)] if k else []
        return picked

    def options(self, messages):
        """Slot picks to try, best first: their first messages S1 leave M - S1 answers, a share near R_TARGET."""
        fits, above = [], []
        most = max((len(s) for s in self.slots), default=0)
        for groups in range(1, self.groups + 1):
            for per_group in range(1, most + 1):
                firsts = sum(len(self.audience(s)) for s in self.pick(groups, per_group))
                if firsts and messages / (1 + R_MAX) <= firsts <= messages / (1 + R_MIN):
                    fits.append((abs(messages / firsts - 1 - R_TARGET), groups, per_group))
                elif firsts > messages / (1 + R_MIN):
                    above.append((firsts, groups, per_group))
        for _, groups, per_group in sorted(fits):
            yield self.pick(groups, per_group)
        if not above:
            everyone = sum(len(self.audience(s)) for s in self.pick(self.groups, most))
            raise SeedError(f"{messages} messages need more contacts: about {math.floor(everyone * (1 + R_MAX))} "
                            "fit in 30 days (a contact gets at most one campaign a day)")
        # Few contacts per campaign, or few messages: the oldest campaigns (their answers are in), the newest of
        # them cut short; fewer answers asked for each time, down to none.
        oldest = sorted((s for slots in self.slots for s in slots if self.audience(s)), key=lambda s: s[0])
        target = max(1, round(messages / (1 + R_TARGET)))
        for firsts in sorted({target, (target + messages) // 2, messages}):
            yield self._oldest(oldest, firsts)

    @staticmethod
    def _oldest(slots, firsts):
        """Copies of the first slots holding `firsts` first messages, the last one's audience trimmed."""
        result = []
        for launch, categories, audience in slots:
            if firsts <= 0:
                break
            result.append([launch, categories, audience[:firsts]])
            firsts -= len(audience)
        return result
