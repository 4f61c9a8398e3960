"""The OpenAPI description: valid, in step with the URL map, served with its page without a token."""
import re

import pytest
from openapi_spec_validator import validate

from chatbot.openapi.spec import build_spec

IGNORED_METHODS = {"HEAD", "OPTIONS"}  # answered by Flask itself for every rule


def described_operations(spec):
    """{(METHOD, path)} of the description."""
    return {(method.upper(), path) for path, item in spec["paths"].items()
            for method in item if method != "parameters"}


def routed_operations(app):
    """{(METHOD, path)} of every /api rule of the URL map, `<int:x>` written `{x}`."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        operations |= {(method, path) for method in rule.methods - IGNORED_METHODS}
    return operations


@pytest.fixture
def app_config(app_config):
    """A token is set, so that public and protected paths differ."""
    app_config["API_TOKEN"] = "docs-token"
    return app_config


def test_description_is_valid_openapi():
    """openapi-spec-validator accepts it (OpenAPI 3.0.3)."""
    spec = build_spec()
    validate(spec)
    assert spec["openapi"] == "3.0.3"


@pytest.mark.postgresql_only
def test_every_api_route_is_described_and_every_description_is_routed(app):
    """Method and path, both ways: a new route without a description (or the reverse) fails here."""
    spec, routes = build_spec(), routed_operations(app)
    assert routes - described_operations(spec) == set(), "routes missing from chatbot/openapi/paths.py"
    assert described_operations(spec) - routes == set(), "described operations with no route"


@pytest.mark.postgresql_only
def test_description_and_docs_page_are_public(client):
    """No token needed for /api/openapi.json, /api/docs and the Swagger UI assets (shipped, no CDN)."""
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200 and spec.json["info"]["title"]
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "/api/openapi.json" in html and "http" not in html.split("<body>")[1]  # nothing fetched from elsewhere
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        answer = client.get(asset)
        assert answer.status_code == 200 and len(answer.data) > 1000, asset
    assert client.get("/api/categories").status_code == 401


def test_protected_operations_document_401_and_public_ones_opt_out():
    """Security is global (bearer); health, webhook and docs say `security: []` and never answer 401; the event
    stream says `security: []` (EventSource sends no header) and answers 401 without a valid ticket."""
    spec = build_spec()
    public = {"/api/health", "/api/webhooks/whatsapp", "/api/openapi.json", "/api/docs"}
    ticketed = {"/api/events", "/api/auth/login"}  # login too: no credential needed, 401 for a wrong password
    assert spec["security"] == [{"bearerAuth": []}]
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            if path in public:
                assert operation["security"] == [] and "401" not in operation["responses"], (method, path)
            elif path in ticketed:
                assert operation["security"] == [] and "401" in operation["responses"], (method, path)
            else:
                assert "security" not in operation and "401" in operation["responses"], (method, path)


def test_public_paths_match_the_auth_module():
    """What the description calls public is what chatbot/auth.py lets through."""
    from chatbot.auth import PUBLIC_PATHS, TICKET_PATH
    spec = build_spec()
    public = {path for path, item in spec["paths"].items()
              if all(op.get("security") == [] for m, op in item.items() if m != "parameters")}
    assert public == set(PUBLIC_PATHS) | {TICKET_PATH}


def test_shapes_name_the_contract_fields():
    """The response shapes list the contract's fields, and nullable ones say so."""
    schemas = build_spec()["components"]["schemas"]
    assert set(schemas["CampaignOut"]["properties"]) >= {
        "id", "name", "status", "category_ids", "first_message", "second_message", "total_count", "sent_count",
        "delivered_count", "read_count", "interaction_count", "no_interaction_count", "failed_count",
        "created_at", "launched_at", "completed_at"}
    assert schemas["CampaignOut"]["properties"]["launched_at"]["nullable"] is True
    assert schemas["ContactOut"]["properties"]["last_interaction_at"]["nullable"] is True
    assert set(schemas["MessageRow"]["properties"]) == {
        "id", "campaign_id", "contact_id", "contact_name", "step", "status", "sent_at", "created_at"}
    assert set(schemas["MessageDetail"]["properties"]) - set(schemas["MessageRow"]["properties"]) == {
        "body", "wamid", "error", "delivered_at", "read_at", "contact", "campaign"}
    assert set(schemas["Stats"]["properties"]) == {"contacts", "messages", "campaigns", "interactions",
                                                   "generated_at"}
    assert set(schemas["CacheMetrics"]["properties"]) == {"backend", "available", "hits", "misses", "hit_ratio",
                                                          "errors", "latency_ms", "since"}
    assert schemas["Error"]["required"] == ["error"]


def test_statuses_are_enums_from_the_models_tuples():
    """The sets the CHECK constraints are built from, inline on each field and as named components."""
    from chatbot.models import CAMPAIGN_STATUSES, MESSAGE_STATUSES
    spec = build_spec()
    schemas = spec["components"]["schemas"]
    assert schemas["MessageStatus"] == {"type": "string", "enum": list(MESSAGE_STATUSES)}
    assert schemas["CampaignStatus"] == {"type": "string", "enum": list(CAMPAIGN_STATUSES)}
    assert schemas["MessageRow"]["properties"]["status"]["enum"] == list(MESSAGE_STATUSES)
    assert schemas["CampaignOut"]["properties"]["status"]["enum"] == list(CAMPAIGN_STATUSES)
    assert list(schemas["MessageCounts"]["properties"]) == ["total", *MESSAGE_STATUSES]
    assert list(schemas["CampaignCounts"]["properties"]) == ["total", *CAMPAIGN_STATUSES]
    status = next(p for p in spec["paths"]["/api/messages"]["get"]["parameters"] if p["name"] == "status")
    assert status["schema"]["enum"] == list(MESSAGE_STATUSES)


def schema_classes():
    """{name: class} of every marshmallow schema in chatbot/schemas, the ones the views load and dump with."""
    import importlib
    import pkgutil

    import chatbot.schemas
    from marshmallow import Schema
    classes = {}
    for module in pkgutil.iter_modules(chatbot.schemas.__path__):
        for value in vars(importlib.import_module(f"chatbot.schemas.{module.name}")).values():
            if isinstance(value, type) and issubclass(value, Schema) and value is not Schema:
                classes[value.__name__] = value
    return classes


def test_every_described_shape_is_a_schema_of_the_app():
    """No twin documentation module: each component is a class of chatbot/schemas (or one of its instances)."""
    from chatbot.openapi.spec import ENUMS, SCHEMAS
    classes = schema_classes()
    for name in build_spec()["components"]["schemas"]:
        if name in ENUMS:
            continue
        registered = SCHEMAS.get(name)
        if registered is None:
            assert name in classes, name
        else:
            assert (registered if isinstance(registered, type) else type(registered)) in classes.values(), name
