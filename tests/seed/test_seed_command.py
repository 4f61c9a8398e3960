"""`flask seed demo` on SQLite and PostgreSQL: the sizes asked for, and data that holds together."""
import datetime as dt

import phonenumbers
import pytest
from sqlalchemy import func, select

from chatbot.extensions import db
from chatbot.models import COUNTER_COLUMNS, Campaign, Category, Contact, Interaction, Message
from chatbot.models import campaign_categories, contact_categories
from chatbot.models.base import UTCDateTime
from chatbot.messaging import counters, optouts
from tests import factories

SIZES = ["seed", "demo", "--contacts", "60", "--messages", "300", "--categories", "8", "--seed", "3"]


@pytest.fixture
def seeded(runner):
    """The database after one seed of 60 contacts, 300 messages and 8 categories."""
    result = runner.invoke(args=SIZES)
    assert result.exit_code == 0, result.output
    return result


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def opt_out_answers():
    """The interactions whose text is an opt-out keyword (they queue no second message)."""
    return [i for i in db.session.scalars(select(Interaction)) if optouts.keyword(i.kind, i.body) == "out"]


def test_seed_writes_the_sizes_asked_for_with_a_progress_bar(seeded):
    assert (count(Category), count(Contact), count(Message)) == (8, 60, 300)
    assert "Planning" in seeded.output and "Writing" in seeded.output
    assert "60 contacts" in seeded.output and "300 messages" in seeded.output


def test_phones_are_unique_valid_e164_numbers(seeded):
    phones = db.session.scalars(select(Contact.phone)).all()
    assert len(set(phones)) == len(phones) == 60
    for phone in phones:
        parsed = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(parsed)
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == phone
    assert len({phonenumbers.region_code_for_number(phonenumbers.parse(p)) for p in phones}) >= 3


def test_each_contact_is_in_one_to_three_categories(seeded):
    per_contact = db.session.execute(
        select(contact_categories.c.contact_id, func.count()).group_by(contact_categories.c.contact_id)).all()
    assert len(per_contact) == 60
    assert {n for _, n in per_contact} <= {1, 2, 3}


def test_second_messages_only_follow_an_answered_first_message(seeded):
    firsts = {(m.campaign_id, m.contact_id): m for m in db.session.scalars(select(Message).where(Message.step == 1))}
    seconds = db.session.scalars(select(Message).where(Message.step == 2)).all()
    assert seconds
    for second in seconds:
        first = firsts[(second.campaign_id, second.contact_id)]
        assert first.interacted_at is not None and second.created_at >= first.interacted_at
    answered = sum(1 for m in firsts.values() if m.interacted_at is not None)
    answers = db.session.scalars(select(Interaction).where(Interaction.message_id.is_not(None))).all()
    stops = [i for i in opt_out_answers() if i.message_id is not None]
    assert stops, "some seeded answers are opt-outs"
    assert answered == len(answers) and len(seconds) == len(answers) - len(stops)
    assert not {(i.campaign_id, i.contact_id) for i in stops} & {(m.campaign_id, m.contact_id) for m in seconds}


def test_interactions_match_their_first_messages_and_contacts(seeded):
    last = {}
    for interaction in db.session.scalars(select(Interaction)):
        if interaction.message_id is None:  # an opt-out written while the contact's message was still queued
            assert optouts.keyword(interaction.kind, interaction.body) == "out"
            assert db.session.get(Contact, interaction.contact_id).opted_out_at == interaction.occurred_at
            last[interaction.contact_id] = max(last.get(interaction.contact_id, interaction.occurred_at),
                                               interaction.occurred_at)
            continue
        message = db.session.get(Message, interaction.message_id)
        assert message.step == 1 and message.interacted_at == interaction.occurred_at
        assert (message.contact_id, message.campaign_id) == (interaction.contact_id, interaction.campaign_id)
        last[interaction.contact_id] = max(last.get(interaction.contact_id, interaction.occurred_at),
                                           interaction.occurred_at)
    for contact in db.session.scalars(select(Contact)):
        assert contact.last_interaction_at == last.get(contact.id)


def test_campaign_counters_equal_the_recomputed_ones(seeded):
    campaigns = db.session.scalars(select(Campaign)).all()
    expected = counters.compute([c.id for c in campaigns])
    for campaign in campaigns:
        assert {name: getattr(campaign, name) for name in COUNTER_COLUMNS} == expected[campaign.id]
    seconds = count(Interaction) - len(opt_out_answers())  # one second message per answer but an opt-out
    assert sum(c.total_count for c in campaigns) == count(Message) - seconds


def test_every_date_lies_in_the_last_30_days(seeded, clock):
    now = clock.now()
    for model in (Category, Contact, Campaign, Message, Interaction):
        for column in model.__table__.columns:
            if isinstance(column.type, UTCDateTime):
                low, high = db.session.execute(select(func.min(column), func.max(column))).one()
                if low is not None:
                    assert now - dt.timedelta(days=30) <= low <= high <= now, column


def test_first_messages_go_to_every_contact_of_the_categories_at_launch(seeded):
    for campaign in db.session.scalars(select(Campaign).where(Campaign.launched_at.is_not(None))):
        targets = select(campaign_categories.c.category_id).where(campaign_categories.c.campaign_id == campaign.id)
        audience = set(db.session.scalars(
            select(Contact.id).join(contact_categories, contact_categories.c.contact_id == Contact.id)
            .where(contact_categories.c.category_id.in_(targets), Contact.created_at <= campaign.launched_at)))
        reached = set(db.session.scalars(select(Message.contact_id).where(
            Message.campaign_id == campaign.id, Message.step == 1)))
        assert reached == audience


def test_unanswered_first_messages_older_than_a_day_are_marked_no_interaction(seeded, clock):
    overdue = clock.now() - dt.timedelta(hours=25)
    assert not db.session.scalar(select(func.count()).select_from(Message).where(
        Message.step == 1, Message.status.in_(("sent", "delivered", "read")), Message.interacted_at.is_(None),
        Message.sent_at < overdue))
    for message in db.session.scalars(select(Message).where(Message.status == "no_interaction")):
        assert message.step == 1 and message.interacted_at is None
        assert not db.session.scalar(select(func.count()).select_from(Interaction).where(
            Interaction.contact_id == message.contact_id, Interaction.occurred_at >= message.sent_at,
            Interaction.occurred_at <= message.updated_at))


def test_completed_campaigns_have_no_first_message_left_waiting(seeded):
    for campaign in db.session.scalars(select(Campaign).where(Campaign.status == "completed")):
        waiting = db.session.scalar(select(func.count()).select_from(Message).where(
            Message.campaign_id == campaign.id, Message.step == 1, Message.interacted_at.is_(None),
            Message.status.in_(("pending", "sent", "delivered", "read"))))
        assert waiting == 0 and campaign.completed_at >= campaign.launched_at


def test_the_hourly_sweep_finds_nothing_left_to_do_in_seeded_data(seeded):
    from chatbot.messaging import sweep
    result = sweep.run()
    assert (result["marked"], result["completed"]) == (0, 0)


def test_a_second_seed_adds_without_clashing(seeded, runner):
    result = runner.invoke(args=SIZES)
    assert result.exit_code == 0, result.output
    assert (count(Category), count(Contact), count(Message)) == (16, 120, 600)
    names = db.session.scalars(select(func.lower(Category.name))).all()
    assert len(set(names)) == 16


def test_seed_statements_do_not_grow_with_the_data(runner, count_statements):
    with count_statements() as small:
        assert runner.invoke(args=["seed", "demo", "--contacts", "20", "--messages", "60", "--categories", "4",
                                   "--seed", "1"]).exit_code == 0
    with count_statements() as large:
        assert runner.invoke(args=["seed", "demo", "--contacts", "200", "--messages", "900", "--categories", "4",
                                   "--seed", "1"]).exit_code == 0
    assert large.count == small.count


def test_seed_drops_the_cached_stats_and_categories(client, runner):
    factories.category()
    assert client.get("/api/messages/stats").get_json()["messages"]["total"] == 0
    assert client.get("/api/categories").headers["X-Cache"] in ("MISS", "HIT")
    assert client.get("/api/messages/stats").headers["X-Cache"] == "HIT"
    assert runner.invoke(args=SIZES).exit_code == 0
    stats = client.get("/api/messages/stats")
    assert stats.headers["X-Cache"] == "MISS" and stats.get_json()["messages"]["total"] == 300
    assert len(client.get("/api/categories").get_json()["items"]) == 9


def test_impossible_sizes_are_a_usage_error(runner):
    result = runner.invoke(args=["seed", "demo", "--contacts", "2", "--messages", "100000", "--categories", "1"])
    assert result.exit_code == 2 and "need more contacts" in result.output
    assert count(Message) == 0 and count(Contact) == 0


# Index name, columns, uniqueness and whether partial (a rebuilt predicate may print differently), and every
# constraint with its definition.
SCHEMA = """SELECT c.relname || ' ' || i.indkey::text || ' ' || i.indisunique || ' ' || (i.indpred IS NOT NULL)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public'
            UNION ALL SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace ORDER BY 1"""


@pytest.mark.postgresql_only
def test_a_big_load_rebuilds_the_indexes_and_foreign_keys_it_dropped(runner, monkeypatch):
    from sqlalchemy import text
    from chatbot.seed import writer
    before = db.session.scalars(text(SCHEMA)).all()
    db.session.rollback()
    monkeypatch.setattr(writer, "REBUILD_FROM", 50)  # so that this small load takes the bulk path
    assert runner.invoke(args=SIZES).exit_code == 0
    assert db.session.scalars(text(SCHEMA)).all() == before
    assert count(Message) == 300
