"""Whatever Meta-like JSON arrives, the webhook answers 200 (or 400 for non-JSON), never a 500."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes import meta

FIELDS = ["object", "entry", "id", "changes", "field", "value", "metadata", "phone_number_id", "statuses",
          "messages", "contacts", "status", "timestamp", "errors", "code", "title", "message", "error_data",
          "details", "from", "type", "text", "body", "button", "payload", "interactive", "button_reply",
          "list_reply", "wa_id", "recipient_id"]
leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
                   st.sampled_from(["whatsapp_business_account", "messages", "read", "delivered", "failed", "text",
                                    "button", "interactive", "button_reply", "16505551234", "1768478460",
                                    "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3NjQ4QTFCQjAzMDg1QjY1RjMA"]))
junk = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4)), max_leaves=5)


def optional(**fields):
    """A dict with any subset of these fields."""
    return st.fixed_dictionaries({}, optional=fields)


def mostly(strategy):
    """Usually `strategy`, sometimes junk in its place."""
    return st.one_of(strategy, strategy, strategy, junk)


# Meta's skeleton with junk in its fields (and sometimes whole junk): most documents reach the parsers.
WAMID = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3NjQ4QTFCQjAzMDg1QjY1RjMA"
item = st.fixed_dictionaries(
    {"id": mostly(st.just(WAMID)), "from": mostly(st.just("16505551234"))},
    optional={"status": leaves, "timestamp": st.one_of(leaves, junk),
              "errors": mostly(st.lists(optional(code=leaves, title=leaves, message=leaves,
                                                 error_data=mostly(optional(details=leaves))))),
              "type": mostly(st.sampled_from(["text", "button", "interactive", "image"])),
              "text": mostly(optional(body=leaves)), "button": mostly(optional(text=leaves, payload=leaves)),
              "interactive": mostly(optional(type=leaves, button_reply=junk, list_reply=junk))})
value = st.fixed_dictionaries({
    "metadata": mostly(optional(phone_number_id=leaves)),
    "statuses": mostly(st.lists(item, min_size=1, max_size=3)),
    "messages": mostly(st.lists(item, min_size=1, max_size=3))})
change = st.fixed_dictionaries({"value": value}, optional={"field": st.sampled_from(["messages", "x"])})
entry = st.fixed_dictionaries({"changes": st.lists(change, min_size=1, max_size=2)}, optional={"id": leaves})
documents = mostly(st.fixed_dictionaries({"object": st.just("whatsapp_business_account"),
                                          "entry": st.lists(entry, min_size=1, max_size=2)}))


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(document=documents)
def test_any_json_is_acknowledged_without_a_500(client, launch_once, document):
    response = meta.post(client, json.dumps(document).encode())

    assert response.status_code == 200


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_any_bytes_get_200_or_400(client, raw):
    assert meta.post(client, raw).status_code in (200, 400)
