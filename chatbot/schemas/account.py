"""Operator accounts in and out: login, the current user, users, personal tokens, the audit log."""
from marshmallow import Schema, fields, validate

from chatbot.models.user import ROLES
from chatbot.schemas.fields import UTC, Bool, Id, Integer, Trimmed

MIN_PASSWORD = 12
# argon2 hashes whatever it is given: a bound keeps one login from costing a megabyte of hashing.
MAX_PASSWORD = 256
EMAIL = validate.Email(error="Not a valid email address.")
PASSWORD = validate.Length(min=MIN_PASSWORD, max=MAX_PASSWORD,
                           error=f"Between {MIN_PASSWORD} and {MAX_PASSWORD} characters.")


class LoginIn(Schema):
    """POST /api/auth/login. No length rule on the password: a wrong one answers 401 like any other."""

    email = Trimmed(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(max=MAX_PASSWORD))


class LoginOut(Schema):
    """The logged-in user and the CSRF token that unsafe requests with the session cookie must send."""

    email = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": list(ROLES)})
    csrf_token = fields.String(required=True, allow_none=True,
                               metadata={"description": "Send as X-CSRF-Token with POST/PATCH/DELETE (sessions "
                                                        "only; null for bearer tokens)."})


class MeOut(LoginOut):
    """GET /api/auth/me: who is calling (id null for API_TOKEN and the open development API)."""

    id = fields.Integer(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)

    class Meta:
        ordered = True


class UserIn(Schema):
    """POST /api/users."""

    email = Trimmed(required=True, validate=[validate.Length(max=254), EMAIL])
    password = fields.String(required=True, validate=PASSWORD)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class UserPatch(Schema):
    """PATCH /api/users/<id>: any of role, active, password."""

    role = fields.String(validate=validate.OneOf(ROLES))
    active = Bool()
    password = fields.String(validate=PASSWORD)


class UserOut(Schema):
    """A user, never its password hash."""

    id = fields.Integer()
    email = fields.String()
    role = fields.String(metadata={"enum": list(ROLES)})
    active = fields.Boolean()
    created_at = UTC()
    last_login_at = UTC(allow_none=True)


class UserList(Schema):
    """GET /api/users."""

    items = fields.List(fields.Nested(UserOut), required=True)


class TokenIn(Schema):
    """POST /api/tokens."""

    name = Trimmed(required=True, validate=validate.Length(min=1, max=100))
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True, format="iso")


class TokenOut(Schema):
    """A personal token without its secret."""

    id = fields.Integer()
    user_id = fields.Integer()
    name = fields.String()
    created_at = UTC()
    expires_at = UTC(allow_none=True)
    revoked_at = UTC(allow_none=True)


class NewToken(Schema):
    """POST /api/tokens: the secret, shown this once."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    token = fields.String(required=True, metadata={"description": "Send as `Authorization: Bearer <token>`; "
                                                                  "it is stored hashed and never shown again."})
    expires_at = UTC(allow_none=True)


class TokenList(Schema):
    """GET /api/tokens."""

    items = fields.List(fields.Nested(TokenOut), required=True)


class AuditQuery(Schema):
    """GET /api/audit: newest first, by keyset."""

    user_id = Id()
    action = Trimmed(validate=validate.Length(min=1, max=100),
                     metadata={"description": "An event name, e.g. campaign.launched."})
    per_page = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=200))


class AuditOut(Schema):
    """One audited write."""

    id = fields.Integer()
    at = UTC()
    actor = fields.String(metadata={"description": "The user's email, the token's name, API_TOKEN, cli or system."})
    action = fields.String(metadata={"description": "The unit of work's event names, comma-separated."})
    ids = fields.Dict()


class AuditPage(Schema):
    """A page of the audit log."""

    items = fields.List(fields.Nested(AuditOut), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


login_in, login_out, me_out = LoginIn(), LoginOut(), MeOut()
user_in, user_patch, user_out, user_list_out = UserIn(), UserPatch(), UserOut(), UserList()
token_in, new_token_out, token_list_out = TokenIn(), NewToken(), TokenList()
audit_query, audit_page_out = AuditQuery(), AuditPage()
