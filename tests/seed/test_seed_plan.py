"""The seed's plan, without a database: valid phone plans, repeatable data, clear errors."""
import datetime as dt
import random

import phonenumbers
import pytest

from chatbot.seed import demo
from chatbot.seed import timeline
from chatbot.seed.data import PHONE_PLANS

NOW = dt.datetime(2026, 1, 15, 12, tzinfo=dt.timezone.utc).timestamp()


@pytest.mark.parametrize("plan", PHONE_PLANS, ids=lambda p: p[2])
def test_every_number_of_a_phone_plan_is_valid_e164(plan):
    _country, _weight, prefix, digits, _language = plan
    rng = random.Random(prefix)
    samples = [0, 10 ** digits - 1, *rng.sample(range(10 ** digits), 300)]
    for n in samples:
        number = f"{prefix}{n:0{digits}d}"
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number


def test_same_seed_gives_the_same_data():
    first = demo.plan(random.Random(7), NOW, 40, 200, 5)
    second = demo.plan(random.Random(7), NOW, 40, 200, 5)
    assert first["contacts"] == second["contacts"]
    assert first["messages"] == second["messages"]


def test_phones_already_taken_are_not_reused():
    taken = {c[0] for c in demo.plan(random.Random(1), NOW, 50, 0, 3)["contacts"]}
    again = demo.plan(random.Random(1), NOW, 50, 0, 3, taken_phones=taken)
    assert not taken & {c[0] for c in again["contacts"]}


def test_category_names_already_taken_get_a_number():
    names = [c[0] for c in demo.plan(random.Random(1), NOW, 0, 0, 3, taken_names={"vip customers"})["categories"]]
    assert "VIP customers" not in names and len({n.lower() for n in names}) == 3


@pytest.mark.parametrize("contacts, messages, categories", [
    (60, 300, 8), (10, 20, 1), (100, 5, 4), (20, 1, 1), (1000, 100, 20), (5, 100, 2)])
def test_message_count_is_exact_for_awkward_sizes(contacts, messages, categories):
    data = demo.plan(random.Random(3), NOW, contacts, messages, categories)
    assert len(data["messages"]) == messages
    assert len(data["contacts"]) == contacts


def test_statuses_are_spread_like_a_real_campaign():
    records = demo.plan(random.Random(5), NOW, 400, 4000, 15)["messages"]
    share = {s: sum(1 for r in records if r[timeline.STATUS] == s) / len(records)
             for s in ("pending", "sent", "delivered", "read", "failed", "no_interaction")}
    assert share["delivered"] + share["read"] > 0.5
    assert 0.005 < share["failed"] < 0.1
    assert 0.1 < share["no_interaction"] < 0.45
    assert 0 < share["pending"] < 0.05


@pytest.mark.parametrize("contacts, messages, categories, words", [
    (0, 10, 3, "need contacts"), (10, 10, 0, "need contacts and categories"),
    (3, 100_000, 2, "need more contacts"), (-1, 0, 0, "negative")])
def test_impossible_sizes_are_refused_with_the_reason(contacts, messages, categories, words):
    with pytest.raises(demo.SeedError, match=words):
        demo.plan(random.Random(1), NOW, contacts, messages, categories)
