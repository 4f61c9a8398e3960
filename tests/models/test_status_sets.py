"""Status sets named once: the migration's CHECK constraints and partial index are the ones the models build from
their tuples, word for word (so a changed tuple without a migration fails here, and no migration is needed today)."""
import ast
import pathlib

from sqlalchemy import CheckConstraint

from chatbot import models
from chatbot.extensions import db
from chatbot.models.base import sql_in
from chatbot.models.message import SWEEP_PREDICATE

MIGRATIONS = pathlib.Path(models.__file__).parent.parent / "migrations" / "versions"


def _keyword(call, name):
    return next((k.value for k in call.keywords if k.arg == name), None)


def _first_string(call):
    """The call's first argument if it is a string literal (`'ix_...'`, not `op.f('ix_...')`)."""
    first = call.args[0] if call.args else None
    return first.value if isinstance(first, ast.Constant) else None


def _calls(attribute):
    """Every call of `<something>.<attribute>(...)` in the migrations."""
    for path in sorted(MIGRATIONS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == attribute:
                yield node


def migration_checks():
    """{constraint name: SQL} as the upgrades leave them: every sa.CheckConstraint("...", name=op.f("...")), then
    every later batch_op.create_check_constraint("name", "...") on its table (the latest wins)."""
    checks = {_first_string(_keyword(call, "name")): _first_string(call) for call in _calls("CheckConstraint")}
    for path in sorted(MIGRATIONS.glob("*.py")):
        tree = ast.parse(path.read_text())
        for function in (f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name == "upgrade"):
            for block in (n for n in ast.walk(function) if isinstance(n, ast.With)):
                table = _first_string(block.items[0].context_expr)
                for node in ast.walk(block):
                    if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "create_check_constraint":
                        checks[f"ck_{table}_{_first_string(node)}"] = node.args[1].value
    return checks


def migration_index_predicates(index):
    """Every `postgresql_where` / `sqlite_where` text given to `index` in the migrations."""
    calls = [call for attribute in ("create_index", "drop_index", "Index") for call in _calls(attribute)
             if _first_string(call) == index]
    return {_first_string(_keyword(call, dialect))
            for call in calls for dialect in ("postgresql_where", "sqlite_where")}


def model_checks():
    """{constraint name: SQL} of the models' CHECK constraints, named by the metadata's convention."""
    return {constraint.name: str(constraint.sqltext)
            for table in db.metadata.tables.values() for constraint in table.constraints
            if isinstance(constraint, CheckConstraint)}


def test_the_migration_checks_are_the_ones_built_from_the_tuples():
    assert model_checks() == {
        "ck_campaigns_status": sql_in("status", models.CAMPAIGN_STATUSES),
        "ck_messages_status": sql_in("status", models.MESSAGE_STATUSES),
        "ck_messages_step": sql_in("step", models.STEPS),
        "ck_users_role": sql_in("role", models.ROLES),
    }
    assert migration_checks() == model_checks()


def test_the_sweep_index_predicate_is_built_from_the_awaiting_tuple():
    assert SWEEP_PREDICATE == "step = 1 AND " + sql_in("status", models.AWAITING_ANSWER)
    assert migration_index_predicates("ix_messages_sweep") == {SWEEP_PREDICATE}


def test_sql_in_quotes_like_sql():
    assert sql_in("status", ("a", "it's")) == "status IN ('a', 'it''s')"
    assert sql_in("step", (1, 2)) == "step IN (1, 2)"
