"""Fields and formatting shared by the schemas."""
import re

import phonenumbers
from marshmallow import ValidationError, fields, validate

# What people type around a number: spaces, dots, dashes, brackets.
PHONE_NOISE = re.compile(r"[\s.\-()]")


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
    try:
        number = phonenumbers.parse(cleaned, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("Not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("Not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
        return text.strip() if text is not None else None


class IdList(fields.List):
    """A list of distinct positive integer ids (order kept, duplicates dropped)."""

    def __init__(self, **kwargs):
        super().__init__(fields.Integer(strict=True, validate=validate.Range(min=1)), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        ids = super()._deserialize(value, attr, data, **kwargs)
        return list(dict.fromkeys(ids))


class UTC(fields.Field):
    """Serialize an aware datetime as ISO 8601 with Z."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso(value)
