"""Schemathesis against our OpenAPI description, in process through the WSGI interface.

One test per operation and database: valid and invalid requests alike never get a 5xx, and every answer (status,
headers, body) is one the description allows. Bounded: a few examples per operation, explicit and generate phases.
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import positive_data_acceptance

from chatbot.openapi.spec import build_spec
from chatbot.services.campaigns import launch_campaign
from tests import factories

TOKEN = "fuzz-token"
# A few examples per operation in the suite; FUZZ_EXAMPLES=500 for a deeper run by hand.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
# identity: the in-process WSGI client does not gunzip (gzip has its own tests in tests/api).
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Accept-Encoding": "identity"}
# Schema-valid but refused with 422 by rules JSON Schema cannot state: category ids must exist, cursors must be
# ours, phone numbers must be dialable. Every other default check stays on.
EXCLUDED_CHECKS = [positive_data_acceptance]


class CurrentApp:
    """A WSGI app passing each request to this test's app (the schema is built before any app exists)."""

    target = None

    def __call__(self, environ, start_response):
        """Delegate to the app of the running test."""
        return self.target(environ, start_response)


current_app = CurrentApp()
# Built from the code, not fetched: pytest collects one test per operation before any app exists.
schema = schemathesis.openapi.from_dict(build_spec())
schema.app = current_app  # the WSGI transport, also for the probes that some checks send
# Sent with every request; schemathesis then leaves the token alone instead of mutating it into negative cases.
schema.config.update(headers=HEADERS)
# Off: schemathesis counts an extra query parameter holding an empty list (which sends nothing) as invalid input
# that we failed to reject. Unknown parameters still get 422 (marshmallow's RAISE): see the last test below.
schema.config.generation.update(allow_extra_parameters=False)


@pytest.fixture
def app_config(app_config):
    """The fuzzed app requires a token, so that the description's 401s are real."""
    app_config["API_TOKEN"] = TOKEN
    return app_config


@pytest.fixture
def fuzzed_app(app):
    """The app with a little data (small ids exist, detail answers get checked), plugged into the schema."""
    categories = [factories.category()["id"] for _ in range(2)]
    for _ in range(3):
        factories.contact(categories)
    launch_campaign(factories.campaign(categories)["id"])
    factories.campaign(categories)
    current_app.target = app
    yield app
    current_app.target = None


@pytest.mark.timeout(120)
@schema.parametrize()
@settings(max_examples=EXAMPLES, phases=[Phase.explicit, Phase.generate], deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_operation_answers_generated_requests_as_described(case, fuzzed_app):
    """No 5xx, no unhandled exception; status, headers and body conform to the description."""
    case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)


@pytest.mark.parametrize("path", ["/api/contacts", "/api/messages", "/api/monitoring/daily"])
def test_unknown_query_parameters_are_422(client, path):
    """What the fuzzing leaves out (allow_extra_parameters off): a parameter we do not know is refused."""
    answer = client.get(f"{path}?bogus=1", headers=HEADERS)
    assert answer.status_code == 422 and "bogus" in answer.json["error"]["details"]
