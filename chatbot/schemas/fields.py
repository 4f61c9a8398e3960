"""Fields and formatting shared by the schemas."""
import re

import phonenumbers
from marshmallow import ValidationError, fields, validate

# The largest ids the columns hold (integer: categories, contacts, campaigns; bigint: messages, interactions).
# Larger ones cannot exist, and would overflow the drivers (a 500 instead of a 404 or 422).
MAX_ID = 2**31 - 1
MAX_BIG_ID = 2**63 - 1
# The most ids a list in a body may hold (category_ids): more is a 422.
MAX_IDS = 1000

# What people type around a number: spaces, dots, dashes, brackets.
PHONE_NOISE = re.compile(r"[\s.\-()]")
# An integer as text: ASCII digits, an optional minus. Python's int() also takes '１' (full width), '٣' (Arabic-Indic),
# ' 1 ', '+1' and '1_000': other spellings of a number the contract does not offer (ids are ASCII digits).
ASCII_INTEGER = re.compile(r"-?[0-9]+")


def iso(value):
    """ISO 8601 in UTC with a Z, or None."""
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def normalize_phone(raw):
    """E.164 ('+14155550123') via libphonenumber; raises ValueError when not a valid number."""
    if not isinstance(raw, str):
        raise ValueError("Not a valid string.")
    cleaned = PHONE_NOISE.sub("", raw)
    if not cleaned.startswith("+"):
        raise ValueError("Must be in international format, starting with + and the country code.")
    if not cleaned[1:].isdigit():
        # libphonenumber would read letters as a vanity number and drop an extension ("ext 2"): a different number.
        raise ValueError("Only digits may follow the +, with spaces, dots, dashes or brackets between them.")
    try:
        number = phonenumbers.parse(cleaned, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("Not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("Not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def storable(text):
    """False for NUL (PostgreSQL text refuses it) and lone surrogates (no driver encodes them): a 422, not a 500."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


class Phone(fields.String):
    """A phone number, stored and returned in E.164."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return normalize_phone(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class Trimmed(fields.String):
    """A string with surrounding white space removed before validation."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is None:
            return None
        if not storable(text):
            raise ValidationError("Contains a character that cannot be stored (NUL or a lone surrogate).")
        # The maximum holds for what was sent too, as the OpenAPI description says (maxLength), not only for the
        # trimmed text: 100 characters plus a space is refused, not silently accepted.
        longest = min((v.max for v in self.validators if isinstance(v, validate.Length) and v.max is not None),
                      default=None)
        if longest is not None and len(text) > longest:
            raise ValidationError(f"Longer than maximum length {longest}.")
        return text.strip()


class Integer(fields.Integer):
    """An integer; from text (query strings), ASCII digits only."""

    def _validated(self, value):
        if isinstance(value, str) and not ASCII_INTEGER.fullmatch(value):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class Bool(fields.Boolean):
    """A JSON true or false, nothing else (marshmallow's Boolean also takes 1, "yes", "on"...)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class QueryBool(fields.Boolean):
    """`true` or `false` in a query string, nothing else."""

    def __init__(self, **kwargs):
        super().__init__(truthy={"true"}, falsy={"false"}, **kwargs)


class Id(Integer):
    """An id: an integer from 1 to what its column holds (MAX_ID, or MAX_BIG_ID for bigint columns)."""

    def __init__(self, maximum=MAX_ID, **kwargs):
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Range(min=1, max=maximum))


class UTC(fields.Field):
    """Serialize an aware datetime as ISO 8601 with Z."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso(value)


class IdList(fields.List):
    """A list of at most MAX_IDS distinct positive integer ids (order kept, duplicates dropped)."""

    def __init__(self, **kwargs):
        super().__init__(Id(strict=True), **kwargs)
        self.validators.append(validate.Length(max=MAX_IDS))  # for the description (maxItems); enforced below

    def _deserialize(self, value, attr, data, **kwargs):
        # Counted before any id is read: 65,536 ids cost a second of validation, then overflowed the drivers'
        # parameter limit (a 500), and as many unknown ids made as many error messages.
        if isinstance(value, list) and len(value) > MAX_IDS:
            raise ValidationError(f"At most {MAX_IDS} ids.")
        ids = super()._deserialize(value, attr, data, **kwargs)
        return list(dict.fromkeys(ids))


class IdCsv(fields.Field):
    """Ids as one comma-separated query value ("1,2"): ASCII digits, 1 to MAX_IDS distinct ids (order kept)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not value:
            raise ValidationError("Give one or more ids separated by commas.")
        parts = value.split(",", MAX_IDS)
        if len(parts) > MAX_IDS:  # counted before any id is read, as IdList does
            raise ValidationError(f"At most {MAX_IDS} ids.")
        element = Id(strict=False)
        return list(dict.fromkeys(element.deserialize(part) for part in parts))


class PlainRows(fields.List):
    """A list of a flat schema's rows, dumped by reading its declared fields directly.

    The shape is still the schema's (its fields, in its order); only marshmallow's per-value machinery is skipped:
    a page of 200 message rows costs what a hand-written dict did, a third of marshmallow's dump, and the 50 rows of
    the category list a tenth. Flat schemas only (integers, strings, UTC times, no renaming); anything else takes
    marshmallow's way. The plan is made on the first dump and kept: the schema's fields never change.
    """

    PLAIN = (fields.Integer, fields.String, UTC)
    _plan = ()  # not planned yet; None: not flat, marshmallow's way

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        plan = self._plan
        if plan == ():
            plan = self._plan = self._make_plan()
        if plan is None:
            return super()._serialize(value, attr, obj, **kwargs)
        return [{name: iso(row[name]) if is_time else row[name] for name, is_time in plan} for row in value]

    def _make_plan(self):
        """[(name, is a UTC time)] in the schema's order, or None when a field is not plain."""
        row_fields = self.inner.schema.dump_fields
        if not all(isinstance(field, self.PLAIN) and field.attribute is None and field.data_key is None
                   for field in row_fields.values()):
            return None
        return [(name, isinstance(field, UTC)) for name, field in row_fields.items()]
