"""Planner accounts, logins and the check every write path makes.

Viewing needs no login; changing anything needs a :class:`Planner`, which only
:func:`login` issues. A planner is signed (HMAC-SHA256 with the session key from
the secrets file) over its name, its expiry and a fingerprint of the account's
password hash, so a write path can verify it without trusting the caller, and a
session dies when its account's password changes or the account is removed:
:func:`require_planner` is the authorizer the register asks on every write
(:func:`register.open.open_store` gives it to the store).

Accounts live in the secrets file (``PETA_SECRETS``, default
``.streamlit/secrets.toml``, git-ignored) as argon2 hashes; manage them with
``python -m register.auth add-planner NAME`` (password read from the terminal or,
with ``--password-stdin``, from standard input), ``remove-planner NAME`` and
``unlock NAME``. The file is edited in place (other sections such as
``[connections]`` are kept) and is readable by its owner only.

Failed logins are counted per user name and source (the client's address) in
a small SQLite file beside the site register. After :data:`FREE_FAILURES` the
next try must wait, twice as long after each further failure but never more
than :data:`MAX_DELAY` seconds, so guessing is slow while the planner is never
locked out for good; another planner (:func:`unlock`) or the command line can
clear the count at once. An unknown name costs the same argon2 work as a known
one, so the answer time does not tell which names exist.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import hashlib
import hmac
import math
import os
import re
import secrets
import sqlite3
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.config import PROJECT_ROOT, store_path
from geo.errors import DataError, run_command

SESSION_SECONDS = 8 * 3600
FREE_FAILURES = 3  # failures per name and source before each try must wait
BASE_DELAY = 2.0  # seconds of wait after the first failure beyond the free ones, doubling after each further one
MAX_DELAY = 300.0  # the longest wait, however many failures
WINDOW_SECONDS = 3600  # failures older than this are forgotten (and deleted)
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 hashes any length; a cap keeps a login's work bounded
MAX_SOURCE = 64
USERNAME = re.compile(r"^[a-z0-9_.-]{3,32}$")

_hasher = PasswordHasher()


class AuthError(DataError, PermissionError):
    """A login or a write was refused; :meth:`text` says why in the reader's language and is safe to show.

    A :class:`PermissionError` too, so the register's write paths refuse with it as before.
    """


def secrets_path() -> Path:
    return Path(os.environ.get("PETA_SECRETS", PROJECT_ROOT / ".streamlit" / "secrets.toml"))


def _read_secrets() -> tomlkit.TOMLDocument:
    path = secrets_path()
    return tomlkit.parse(path.read_text(encoding="utf-8")) if path.is_file() else tomlkit.document()


def _session_key(doc: tomlkit.TOMLDocument) -> bytes:
    key = doc.get("auth", {}).get("session_key")
    if not key:
        raise PermissionError("No planner accounts are configured: run `python -m register.auth add-planner NAME`")
    return bytes.fromhex(key)


def _password_hash(doc: tomlkit.TOMLDocument, username: str) -> str | None:
    return doc.get("planners", {}).get(username, {}).get("password_hash")


def _fingerprint(password_hash: str) -> str:
    """What a session is bound to: changes with every new password (argon2 salts each hash)."""
    return hashlib.sha256(password_hash.encode()).hexdigest()


@dataclass(frozen=True)
class Planner:
    """A logged-in planner: name, expiry (epoch seconds) and the signature over both and the account's password."""

    username: str
    expires: float
    signature: str

    def is_valid(self, now: float | None = None) -> bool:
        """True while unexpired, the account exists with the password it logged in with, and the signature holds."""
        now = time.time() if now is None else now
        doc = _read_secrets()
        stored = _password_hash(doc, self.username)
        try:
            key = _session_key(doc)
        except PermissionError:
            return False
        if stored is None or self.expires <= now:
            return False
        return hmac.compare_digest(_sign(self.username, self.expires, stored, key), self.signature)


def _sign(username: str, expires: float, password_hash: str, key: bytes) -> str:
    message = f"{username}|{expires:.0f}|{_fingerprint(password_hash)}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def require_planner(actor: object, now: float | None = None) -> str:
    """The planner's name; AuthError (a PermissionError) unless ``actor`` is a valid, unexpired planner."""
    if not isinstance(actor, Planner) or not actor.is_valid(now):
        raise AuthError(key="auth.session_invalid")
    return actor.username


@functools.cache
def _dummy_hash() -> str:
    """A hash of no one's password, with the hasher's parameters: what an unknown name is checked against."""
    return _hasher.hash(secrets.token_hex(16))


def _verify(stored: str | None, password: str) -> bool:
    """The argon2 check, done in full even for an unknown name or an over-long password."""
    try:
        ok = _hasher.verify(stored or _dummy_hash(), password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and stored is not None and len(password) <= MAX_PASSWORD


def _attempts_db() -> Path:
    path = Path(os.environ.get("PETA_AUTH_DB", store_path().parent / "logins.sqlite"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _failures_table(con: sqlite3.Connection, now: float) -> None:
    """Create the failures table if needed and forget failures older than the window."""
    con.execute("DROP TABLE IF EXISTS failures")  # the per-name table of older versions, which locked names
    con.execute("CREATE TABLE IF NOT EXISTS login_failures (username TEXT NOT NULL, source TEXT NOT NULL, at REAL NOT NULL)")
    con.execute("CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures (username, source)")
    con.execute("DELETE FROM login_failures WHERE at <= ?", (now - WINDOW_SECONDS,))


def delay_after(failures: int) -> float:
    """Seconds a name and source must wait after their last failure, given how many failures they have."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY, BASE_DELAY * 2 ** (failures - FREE_FAILURES))


def login(username: str, password: str, source: str = "", now: float | None = None) -> Planner:
    """Check a planner's password and return a signed session; AuthError otherwise.

    ``source`` is where the try comes from (the client's address); failures
    count per name and source. While a name and source must wait (see
    :func:`delay_after`) a try is refused without checking the password and
    without counting as a failure.
    """
    now = time.time() if now is None else now
    username, source = username.strip().lower(), source[:MAX_SOURCE]
    if not USERNAME.match(username):
        _verify(None, password)  # as long as any other refusal
        raise AuthError(key="auth.wrong_login")
    with closing(sqlite3.connect(_attempts_db(), timeout=30)) as con:
        with con:  # one short transaction, its write lock taken by the pruning DELETE
            _failures_table(con, now)
            count, last = con.execute(
                "SELECT count(*), max(at) FROM login_failures WHERE username = ? AND source = ?", (username, source)
            ).fetchone()
            wait = 0.0 if last is None else last + delay_after(count) - now
            if wait <= 0:
                # Counted as a failure before the (slow) check, so tries sent in parallel cannot slip past the wait.
                con.execute("INSERT INTO login_failures VALUES (?, ?, ?)", (username, source, now))
        if wait > 0:
            raise AuthError(key="auth.wait", seconds=math.ceil(wait))
        doc = _read_secrets()
        stored = _password_hash(doc, username)
        if not _verify(stored, password):
            raise AuthError(key="auth.wrong_login")
        with con:
            con.execute("DELETE FROM login_failures WHERE username = ?", (username,))
    expires = now + SESSION_SECONDS
    return Planner(username, expires, _sign(username, expires, stored, _session_key(doc)))


def _normal_name(username: str) -> str:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AuthError(key="auth.bad_name")
    return username


def _clear_failures(username: str) -> int:
    with closing(sqlite3.connect(_attempts_db())) as con, con:
        _failures_table(con, time.time())
        return con.execute("DELETE FROM login_failures WHERE username = ?", (username,)).rowcount


def _unlock(username: str) -> int:
    username = _normal_name(username)
    if _password_hash(_read_secrets(), username) is None:
        raise AuthError(key="auth.no_such_planner", name=username)
    return _clear_failures(username)


def unlock(username: str, actor: object) -> int:
    """Let ``username`` log in again at once (from every source), as a logged-in planner; return the failures cleared.

    The command line (``python -m register.auth unlock NAME``) needs no login: it can edit the secrets file anyway.
    """
    require_planner(actor)
    return _unlock(username)


def _write_secrets(doc: tomlkit.TOMLDocument) -> None:
    """Replace the secrets file by ``doc`` through a temporary file that is owner-only from its creation."""
    path = secrets_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)  # a leftover of an interrupted write; O_EXCL below then creates ours
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(tomlkit.dumps(doc))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def add_planner(username: str, password: str) -> None:
    """Create or update a planner account in the secrets file (and its session key, once); other sections are kept.

    A new password ends the account's existing sessions.
    """
    username = _normal_name(username)
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AuthError(key="auth.password_length", least=MIN_PASSWORD, most=MAX_PASSWORD)
    doc = _read_secrets()
    auth = doc.setdefault("auth", tomlkit.table())
    auth.setdefault("session_key", secrets.token_hex(32))
    planners = doc.setdefault("planners", tomlkit.table(is_super_table=True))
    account = tomlkit.table()
    account["password_hash"] = _hasher.hash(password)
    planners[username] = account
    _write_secrets(doc)


def remove_planner(username: str) -> None:
    """Delete a planner account from the secrets file; its sessions end at once."""
    username = _normal_name(username)
    doc = _read_secrets()
    planners = doc.get("planners", {})
    if username not in planners:
        raise AuthError(key="auth.no_such_planner", name=username)
    del planners[username]
    _write_secrets(doc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m register.auth", description="Manage planner accounts.")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-planner", help="create or update a planner account (ends its sessions)")
    add.add_argument("username")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sub.add_parser("remove-planner", help="delete a planner account (ends its sessions)").add_argument("username")
    sub.add_parser("unlock", help="let a planner log in again at once after failed tries").add_argument("username")
    args = parser.parse_args(argv)

    def run() -> str:
        if args.command == "add-planner":
            password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
            add_planner(args.username, password)
            return f"Planner {_normal_name(args.username)} saved in {secrets_path()}"
        if args.command == "remove-planner":
            remove_planner(args.username)
            return f"Planner {_normal_name(args.username)} removed from {secrets_path()}"
        cleared = _unlock(args.username)
        return f"Planner {_normal_name(args.username)} unlocked ({cleared} failed tries cleared)"

    return run_command(run, "Not done")


if __name__ == "__main__":
    sys.exit(main())
