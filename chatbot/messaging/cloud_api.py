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
import json
import logging
import time
import uuid
from dataclasses import dataclass

import urllib3
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential, wait_random

from chatbot.logging import mask_phone

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


class CloudClient:
    """POST {base}/{version}/{phone_number_id}/messages with a bearer token, over one shared kept-alive pool.

    urllib3's pool is thread-safe (requests does not promise that of a Session): every sender, thread or
    greenlet, borrows a connection from it. Sized to DISPATCH_CONCURRENCY and blocking, it never opens more
    connections than there are senders, and none is thrown away after use (a non-blocking pool smaller than
    the senders would discard and re-open connections: a TLS handshake per send at Meta).
    """

    def __init__(self, config, sleep=time.sleep):
        self.url = "{}/{}/{}/messages".format(config["WHATSAPP_API_BASE"].rstrip("/"),
                                              config["WHATSAPP_API_VERSION"], config["WHATSAPP_PHONE_NUMBER_ID"])
        timeout = config["WHATSAPP_TIMEOUT_SECONDS"]
        self.read_timeout = timeout
        self.pool = urllib3.PoolManager(
            num_pools=2, maxsize=max(1, config["DISPATCH_CONCURRENCY"]), block=True, retries=False,
            timeout=urllib3.Timeout(connect=min(timeout, 5.0), read=timeout),
            headers={"Authorization": f"Bearer {config['WHATSAPP_TOKEN']}", "Content-Type": "application/json"})
        base_wait = config["WHATSAPP_RETRY_WAIT_SECONDS"]
        self.retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(max(1, config["WHATSAPP_RETRY_ATTEMPTS"])),
            # Exponential, capped, with jitter so that several dispatchers do not retry in step.
            wait=wait_exponential(multiplier=base_wait, max=base_wait * 16) + wait_random(0, base_wait),
            sleep=sleep, reraise=True)

    def _post(self, message):
        """One HTTP attempt; network trouble becomes a TransientError."""
        try:
            response = self.pool.request("POST", self.url, body=json.dumps(message).encode(), preload_content=True)
        except urllib3.exceptions.TimeoutError:
            raise TransientError("timeout", f"no answer from the Cloud API within {self.read_timeout}s") from None
        except urllib3.exceptions.HTTPError as exc:
            raise TransientError("network", exc.__class__.__name__) from None
        return check_response(response.status, response.data)

    def send(self, phone, body):
        """Send one message; a SendResult, never an exception for a refused message."""
        try:
            wamid = self.retrying.copy()(self._post, build_message(phone, body))
        except SendError as exc:
            log.warning("whatsapp send to %s: %s (%s)", mask_phone(phone), exc.outcome, exc,
                        extra={"error_code": exc.code})
            return SendResult(exc.outcome, None, exc.code, exc.message)
        return SendResult("sent", wamid)

    def close(self):
        """Close the kept-alive connections."""
        self.pool.clear()


class DryRunClient:
    """Sends nothing: a generated wamid and a log line (phone masked)."""

    def send(self, phone, body):
        """Pretend to send; always `sent`."""
        wamid = f"wamid.dryrun.{uuid.uuid4().hex}"
        log.info("dry-run: message to %s not sent", mask_phone(phone),
                 extra={"wamid": wamid, "kind": "template" if body.get("template") else "text"})
        return SendResult("sent", wamid)

    def close(self):
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
