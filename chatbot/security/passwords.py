"""Passwords: argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile), checked in the same time whether
or not the account exists."""
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password):
    """The argon2id hash (salted; parameters inside)."""
    return _hasher.hash(password)


@functools.lru_cache(maxsize=1)
def _dummy_hash():
    """A hash to check unknown emails against: the same work as a wrong password (computed once)."""
    return _hasher.hash("no account has this password, it only costs the same time")


def verify_password(password_hash, password):
    """True if `password` matches; with `password_hash` None (no such account), False after the same work."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    """True when the hash was made with weaker parameters than today's (upgrade it at the next login)."""
    return _hasher.check_needs_rehash(password_hash)
