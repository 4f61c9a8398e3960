"""The operator accounts' operations: login, logout, me; users; personal tokens; the audit log."""
from chatbot.openapi.describe import NO_CONTENT, READ, WRITE, body, errors, ok, path_id
from chatbot.schemas.account import (AuditPage, LoginOut, MeOut, NewToken, TokenList, UserList, UserOut, audit_query,
                                     login_in, token_in, user_in, user_patch)

ADMIN_READ = (*READ, 403)
SESSION = {"Set-Cookie": {"description": "`chatbot_session`: HttpOnly, SameSite=Lax, Secure in production; "
                                         "expires after SESSION_HOURS (12).", "schema": {"type": "string"}}}

AUTH = {
    "/api/auth/login": {"post": {
        "tags": ["auth"], "operationId": "login", "summary": "Log in: a session cookie and its CSRF token",
        "description": "The same 401 for an unknown email and a wrong password, in the same time. Failed logins are "
                       "limited per email and per address (LOGIN_FAILURE_LIMIT, 10 per 15 minutes): then 429 with "
                       "`Retry-After`. A new session each time (the cookie the browser held ends).",
        "security": [],
        "requestBody": body(login_in, {"email": "ada@example.com", "password": "correct horse battery"}),
        "responses": {"200": {**ok(LoginOut, "Logged in.")["200"], "headers": SESSION}, **errors(400, 401, 422, 429)}}},
    "/api/auth/logout": {"post": {
        "tags": ["auth"], "operationId": "logout", "summary": "End this session",
        "responses": {"204": {"description": "Logged out; the cookie is cleared."}, **errors(*READ, 403)}}},
    "/api/auth/me": {"get": {
        "tags": ["auth"], "operationId": "getMe", "summary": "Who is calling",
        "description": "`id` and `email` are null for API_TOKEN and for the open development API; `csrf_token` is "
                       "null for bearer tokens.",
        "responses": {**ok(MeOut, "The caller."), **errors(*READ)}}},
}

USERS = {
    "/api/users": {
        "get": {"tags": ["users"], "operationId": "listUsers", "summary": "Every user (admin)",
                "responses": {**ok(UserList, "Users by email, never a password hash."), **errors(*ADMIN_READ)}},
        "post": {"tags": ["users"], "operationId": "createUser", "summary": "Create a user (admin)",
                 "requestBody": body(user_in, {"email": "ada@example.com", "password": "correct horse battery",
                                               "role": "operator"}),
                 "responses": {**ok(UserOut, "Created.", "201"), **errors(*WRITE, 409)}},
    },
    "/api/users/{user_id}": {
        "parameters": [path_id("user_id", "user")],
        "patch": {"tags": ["users"], "operationId": "updateUser", "summary": "Change role, active or password (admin)",
                  "description": "Deactivating a user or changing the password ends their sessions at once. 409 "
                                 "when it would leave no active admin.",
                  "requestBody": body(user_patch, {"role": "viewer"}),
                  "responses": {**ok("UserOut", "Updated."), **errors(*WRITE, 404, 409)}},
        "delete": {"tags": ["users"], "operationId": "deleteUser", "summary": "Delete a user (admin)",
                   "responses": {**NO_CONTENT, **errors(*ADMIN_READ, 404, 409)}},
    },
}

TOKENS = {
    "/api/tokens": {
        "get": {"tags": ["tokens"], "operationId": "listTokens", "summary": "The caller's tokens (admin: all)",
                "responses": {**ok(TokenList, "Unrevoked tokens, newest first, without secrets."), **errors(*READ)}},
        "post": {"tags": ["tokens"], "operationId": "createToken", "summary": "A personal token, shown once",
                 "requestBody": body(token_in, {"name": "nightly export", "expires_at": "2027-01-01T00:00:00Z"}),
                 "responses": {**ok(NewToken, "Created: keep `token`, it is never shown again.", "201"),
                               **errors(*WRITE)}},
    },
    "/api/tokens/{token_id}": {
        "parameters": [path_id("token_id", "token")],
        "delete": {"tags": ["tokens"], "operationId": "revokeToken", "summary": "Revoke a token at once",
                   "responses": {**NO_CONTENT, **errors(*READ, 403, 404)}},
    },
}

AUDIT = {
    "/api/audit": {"get": {
        "tags": ["audit"], "operationId": "listAudit", "summary": "Who wrote what, newest first (admin)",
        "parameters": [{"in": "query", "schema": audit_query}],
        "responses": {**ok(AuditPage, "A page of audited writes."), **errors(*ADMIN_READ, 422)}}},
}

ACCOUNTS = {**AUTH, **USERS, **TOKENS, **AUDIT}
