"""WhatsApp client: `cloud` posts to Meta's Cloud API (retrying what may pass at once), `dry-run` only logs.

`client_for(app).send(phone, body)` never raises for a refused message: it answers a SendResult whose outcome
sorts Meta's answer by what it means for the dispatcher:

- `sent` (with the wamid);
- `failed`: permanent (131049 per-user marketing limit, 131026 undeliverable, 100 invalid parameter, ...): Meta's
  code and text, never retried;
- `throttled`: the number sends too fast (130429 throughput, 80007, 4): the whole dispatcher slows down and the
  message goes again later, not now (an immediate retry would only add to the flood);
- `pair_rate`: too many messages to this one user (131056): that message waits its delay, never less;
- `retry`: 5xx, timeouts, network, bad token: retried at once with backoff, then left for a later dispatch
  (capped by DISPATCH_MAX_ATTEMPTS).
"""
import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass
from types import SimpleNamespace

import aiohttp
from tenacity import wait_exponential, wait_random

from chatbot.logging import mask_phone
from chatbot.messaging.sender import PacedConnector, RateWindow

log = logging.getLogger(__name__)

# Throughput: Cloud API (130429), business account (80007), app (4) rate limits.
THROUGHPUT_CODES = frozenset({"4", "80007", "130429"})
# Pair rate: too many messages from our number to the same user in a short time.
PAIR_RATE_CODES = frozenset({"131056"})
# "Something went wrong, try again": unknown (1), service (2), generic (131000), service unavailable (131016).
TEMPORARY_CODES = frozenset({"1", "2", "131000", "131016"})
# The token or its permissions are wrong: the message is fine, an operator must act, so keep it queued.
ACCOUNT_CODES = frozenset({"0", "3", "10", "190", "200"})
MAX_ERROR_MESSAGE = 1000


class TransportMisconfigured(RuntimeError):
    """WHATSAPP_TRANSPORT names an unknown transport, or `cloud` lacks its token or phone number id."""


@dataclass(frozen=True)
class SendResult:
    """What became of one send: outcome `sent`, `failed`, `retry`, `throttled` or `pair_rate`, with the wamid or
    the error."""

    outcome: str
    wamid: str = None
    error_code: str = None
    error_message: str = None


class SendError(Exception):
    """A refused or lost send: a code (Meta's, or `timeout`, `network`, `http_<status>`) and a text."""

    retry_now = False   # worth retrying at once (with backoff) inside this dispatch
    outcome = "failed"  # what the dispatcher does with the message (see the module's docstring)

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = str(code)[:32]
        self.message = str(message)[:MAX_ERROR_MESSAGE]


class TransientError(SendError):
    """5xx, timeout, network: retried with backoff, then left for a later dispatch."""

    retry_now = True
    outcome = "retry"


class AccountError(SendError):
    """Bad token or permissions: not retried now (it would fail the same), kept for a later dispatch."""

    outcome = "retry"


class ThrottledError(SendError):
    """Meta says our number sends too fast: no retry now; the dispatcher backs off, the message waits."""

    outcome = "throttled"


class PairRateError(SendError):
    """Too many messages to this user: no retry now (it would come before the delay Meta asks for)."""

    outcome = "pair_rate"


class PermanentError(SendError):
    """Meta refused this message for good (e.g. 131026 undeliverable, 100 invalid parameter)."""


def build_message(phone, body):
    """Meta's send body for a stored message body: {"text"} or {"template", "language"}."""
    message = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": phone}
    if body.get("template"):
        message.update(type="template", template={"name": body["template"],
                                                  "language": {"code": body.get("language") or "en_US"}})
    else:
        message.update(type="text", text={"preview_url": False, "body": body.get("text") or ""})
    return message


# The encoded body of each message text or template seen, split around the recipient: a campaign's thousands of
# first messages differ only there. Bounded: cleared when full.
_TEMPLATES = {}
_TEMPLATES_MAX = 1024
_TO = "\x00to\x00"


def encode_message(phone, body):
    """build_message's JSON as bytes, from a template of the body made once (the recipient JSON-quoted in)."""
    key = (body.get("template"), body.get("language"), body.get("text"))
    parts = _TEMPLATES.get(key)
    if parts is None:
        if len(_TEMPLATES) >= _TEMPLATES_MAX:
            _TEMPLATES.clear()
        head, _, tail = json.dumps(build_message(_TO, body)).partition(json.dumps(_TO))
        parts = _TEMPLATES[key] = (head.encode(), tail.encode())
    return parts[0] + json.dumps(phone).encode() + parts[1]


def parse_error(data, status):
    """(code, text) from Meta's envelope {"error": {"code", "message", "error_data": {"details"}}}."""
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return f"http_{status}", f"HTTP {status}"
    code = error.get("code")
    code = str(code) if isinstance(code, (int, str)) and str(code) else f"http_{status}"
    message = str(error.get("message") or error.get("title") or f"HTTP {status}")
    data_ = error.get("error_data")
    details = data_.get("details") if isinstance(data_, dict) else None
    if details and str(details) != message:
        message = f"{message}: {details}"
    return code, message


def read_wamid(data):
    """The message id of a successful answer {"messages": [{"id": "wamid..."}]}, or None."""
    messages = data.get("messages") if isinstance(data, dict) else None
    if isinstance(messages, list) and messages and isinstance(messages[0], dict):
        wamid = messages[0].get("id")
        if isinstance(wamid, str) and 0 < len(wamid) <= 128:
            return wamid
    return None


def check_response(status, content):
    """The wamid of an accepted message (HTTP `status`, body bytes `content`), or the SendError it means."""
    try:
        data = json.loads(content)
    except ValueError:  # not JSON, not UTF-8
        data = None
    if 200 <= status < 300:
        wamid = read_wamid(data)
        if wamid:
            return wamid
        # Perhaps accepted, perhaps not: failing it is safer than sending it twice.
        raise PermanentError("invalid_response", "the Cloud API answer has no message id")
    code, message = parse_error(data, status)
    if code in PAIR_RATE_CODES:
        raise PairRateError(code, message)
    if status == 429 or code in THROUGHPUT_CODES:
        raise ThrottledError(code, message)
    if status >= 500 or code in TEMPORARY_CODES:
        raise TransientError(code, message)
    if status == 401 or code in ACCOUNT_CODES:
        raise AccountError(code, message)
    raise PermanentError(code, message)


def injected(sleep):
    """An injected blocking sleep (tests: one that moves a driven clock) as a coroutine."""
    async def pause(seconds):
        sleep(seconds)
    return pause


class CloudClient:
    """POST {base}/{version}/{phone_number_id}/messages with a bearer token: aiohttp on the sender's event loop.

    Every request in flight is a coroutine on one loop (`chatbot/messaging/sender.py`), not a thread: at Meta's
    ~0.2 s, 1,000 sends a second keep 200 open, and aiohttp parses answers in C (0.34 ms of CPU a send against
    0.55 ms for urllib3 over a thread pool, loopback included). Its connector holds at most DISPATCH_CONCURRENCY
    kept-alive connections, as many as the dispatcher lets sends be in flight, so no request ever waits for a
    free connection: aiohttp's `total` and `connect` timeouts would count that wait (aio-libs/aiohttp#2648,
    #10313), so only the socket's own are set (connect, and each read: WHATSAPP_TIMEOUT_SECONDS). Each attempt
    passes the RateWindow as its connection is handed out: never more than DISPATCH_RATE_PER_SECOND requests
    written in one second.
    Made and used on the loop's thread only (`open`, `send`, `close` are coroutines).
    """

    def __init__(self, config, sleep=time.sleep):
        self.url = "{}/{}/{}/messages".format(config["WHATSAPP_API_BASE"].rstrip("/"),
                                              config["WHATSAPP_API_VERSION"], config["WHATSAPP_PHONE_NUMBER_ID"])
        self.read_timeout = config["WHATSAPP_TIMEOUT_SECONDS"]
        self.concurrency = max(1, config["DISPATCH_CONCURRENCY"])
        self.headers = {"Authorization": f"Bearer {config['WHATSAPP_TOKEN']}", "Content-Type": "application/json"}
        self.session = None
        self.window = RateWindow(config["DISPATCH_RATE_PER_SECOND"])
        self.attempts = max(1, config["WHATSAPP_RETRY_ATTEMPTS"])
        base_wait = config["WHATSAPP_RETRY_WAIT_SECONDS"]
        # Exponential, capped, with jitter so that several dispatchers do not retry in step (tenacity's strategies,
        # called only when a retry is due: its Retrying machinery cost more per send than aiohttp's parsing).
        self.backoff = wait_exponential(multiplier=base_wait, max=base_wait * 16) + wait_random(0, base_wait)
        # The real sleep yields to the loop; an injected one (tests: it moves a driven clock) is called as it is.
        self.pause = asyncio.sleep if sleep is time.sleep else injected(sleep)

    async def open(self):
        """The session and its connector (on the loop that will run the sends)."""
        timeout = aiohttp.ClientTimeout(total=None, connect=None, sock_connect=min(self.read_timeout, 5.0),
                                        sock_read=self.read_timeout)
        connector = PacedConnector(self.window, limit=self.concurrency, limit_per_host=0)
        self.session = aiohttp.ClientSession(connector=connector, headers=self.headers, timeout=timeout,
                                             skip_auto_headers=("User-Agent",), raise_for_status=False)

    async def _post(self, data):
        """One HTTP attempt (through the rate window, see PacedConnector); network trouble: a TransientError."""
        try:
            async with self.session.post(self.url, data=data) as response:
                return check_response(response.status, await response.read())
        except asyncio.TimeoutError:
            raise TransientError("timeout", f"no answer from the Cloud API within {self.read_timeout}s") from None
        except aiohttp.ClientError as exc:
            raise TransientError("network", exc.__class__.__name__) from None

    async def _attempts(self, data):
        """POST until answered, retrying what may pass at once (TransientError) up to WHATSAPP_RETRY_ATTEMPTS."""
        attempt = 1
        while True:
            try:
                return await self._post(data)
            except TransientError:
                if attempt >= self.attempts:
                    raise
                await self.pause(self.backoff(SimpleNamespace(attempt_number=attempt)))
                attempt += 1

    async def send(self, phone, body):
        """Send one message; a SendResult, never an exception for a refused message."""
        try:
            wamid = await self._attempts(encode_message(phone, body))
        except SendError as exc:
            log.warning("whatsapp send to %s: %s (%s)", mask_phone(phone), exc.outcome, exc,
                        extra={"error_code": exc.code})
            return SendResult(exc.outcome, None, exc.code, exc.message)
        return SendResult("sent", wamid)

    async def close(self):
        """Close the kept-alive connections."""
        if self.session is not None:
            await self.session.close()


class DryRunClient:
    """Sends nothing: a generated wamid and a log line (phone masked)."""

    async def open(self):
        """Nothing to open."""

    async def send(self, phone, body):
        """Pretend to send; always `sent`."""
        wamid = f"wamid.dryrun.{uuid.uuid4().hex}"
        log.info("dry-run: message to %s not sent", mask_phone(phone),
                 extra={"wamid": wamid, "kind": "template" if body.get("template") else "text"})
        return SendResult("sent", wamid)

    async def close(self):
        """Nothing to close."""


def client_for(config, sleep=time.sleep):
    """The client WHATSAPP_TRANSPORT names (`cloud` or `dry-run`)."""
    transport = config["WHATSAPP_TRANSPORT"]
    if transport == "dry-run":
        return DryRunClient()
    if transport == "cloud":
        missing = [k for k in ("WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID") if not config.get(k)]
        if missing:
            raise TransportMisconfigured("WHATSAPP_TRANSPORT=cloud needs " + ", ".join(missing))
        return CloudClient(config, sleep)
    raise TransportMisconfigured(f"unknown WHATSAPP_TRANSPORT {transport!r} (cloud or dry-run)")
