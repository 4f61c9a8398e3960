"""The maintained counts' tests: dispatch pacing moves the frozen clock instead of sleeping."""
import pytest


@pytest.fixture
def app_config(app_config, clock):
    """Rate pacing and retry waits on the driven clock."""
    app_config.update({"DISPATCH_SLEEP": lambda seconds: clock.advance(seconds=seconds),
                       "WHATSAPP_RETRY_WAIT_SECONDS": 0.01})
    return app_config
