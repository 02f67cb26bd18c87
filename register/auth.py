"""Planner accounts, logins and the check every write path makes.

Viewing needs no login; changing anything needs a :class:`Planner`, which only
:func:`login` issues. A planner is signed (HMAC-SHA256 with the session key from
the secrets file) and expires, so a write path can verify it without trusting
the caller: :func:`require_planner` is the authorizer the register asks on every
write (:func:`register.open.open_store` gives it to the store).

Accounts live in the secrets file (``PETA_SECRETS``, default
``.streamlit/secrets.toml``, git-ignored) as argon2 hashes; create one with
``python -m register.auth add-planner NAME`` (password read from the terminal or,
with ``--password-stdin``, from standard input). Failed logins are counted in a
small SQLite file beside the site register and rate-limited per user name.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import sys
import time
import tomllib
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.config import PROJECT_ROOT, store_path
from geo.errors import run_command

SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 5  # failed attempts per user name within WINDOW_SECONDS before a lock
WINDOW_SECONDS = 15 * 60
MIN_PASSWORD = 10
USERNAME = re.compile(r"^[a-z0-9_.-]{3,32}$")

_hasher = PasswordHasher()


class AuthError(Exception):
    """A login was refused; the message says why and is safe to show."""


def secrets_path() -> Path:
    return Path(os.environ.get("PETA_SECRETS", PROJECT_ROOT / ".streamlit" / "secrets.toml"))


def _read_secrets() -> dict:
    path = secrets_path()
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _session_key() -> bytes:
    key = _read_secrets().get("auth", {}).get("session_key")
    if not key:
        raise PermissionError("No planner accounts are configured: run `python -m register.auth add-planner NAME`")
    return bytes.fromhex(key)


@dataclass(frozen=True)
class Planner:
    """A logged-in planner: name, expiry (epoch seconds) and the signature over both."""

    username: str
    expires: float
    signature: str

    def is_valid(self, now: float | None = None) -> bool:
        """True while unexpired and signed with the current session key."""
        now = time.time() if now is None else now
        try:
            expected = _sign(self.username, self.expires, _session_key())
        except PermissionError:
            return False
        return self.expires > now and hmac.compare_digest(expected, self.signature)


def _sign(username: str, expires: float, key: bytes) -> str:
    return hmac.new(key, f"{username}|{expires:.0f}".encode(), hashlib.sha256).hexdigest()


def require_planner(actor: object, now: float | None = None) -> str:
    """The planner's name; PermissionError unless ``actor`` is a valid, unexpired planner."""
    if not isinstance(actor, Planner) or not actor.is_valid(now):
        raise PermissionError("Perubahan data memerlukan login perencana (planner) yang masih berlaku.")
    return actor.username


def _attempts_db() -> Path:
    path = Path(os.environ.get("PETA_AUTH_DB", store_path().parent / "logins.sqlite"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _failures(con: sqlite3.Connection, username: str, now: float) -> list[float]:
    con.execute("CREATE TABLE IF NOT EXISTS failures (username TEXT NOT NULL, at REAL NOT NULL)")
    rows = con.execute("SELECT at FROM failures WHERE username = ? AND at > ? ORDER BY at", (username, now - WINDOW_SECONDS))
    return [r[0] for r in rows]


def login(username: str, password: str, now: float | None = None) -> Planner:
    """Check a planner's password and return a signed session; AuthError otherwise.

    After ``MAX_FAILURES`` failures within ``WINDOW_SECONDS`` the name is locked
    until the oldest of them leaves the window, whatever the password.
    """
    now = time.time() if now is None else now
    username = username.strip().lower()
    with closing(sqlite3.connect(_attempts_db())) as con, con:
        failures = _failures(con, username, now)
        locked = len(failures) >= MAX_FAILURES
        stored = _read_secrets().get("planners", {}).get(username, {}).get("password_hash")
        try:
            ok = not locked and stored is not None and _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            ok = False
        # Recorded before raising: the transaction commits on leaving the block.
        if ok:
            con.execute("DELETE FROM failures WHERE username = ?", (username,))
        elif not locked:
            con.execute("INSERT INTO failures VALUES (?, ?)", (username, now))
    if locked:
        wait = int(failures[0] + WINDOW_SECONDS - now) + 1
        raise AuthError(f"Terlalu banyak percobaan gagal. Coba lagi dalam {wait // 60 + 1} menit.")
    if not ok:
        raise AuthError("Nama pengguna atau kata sandi salah.")
    expires = now + SESSION_SECONDS
    return Planner(username, expires, _sign(username, expires, _session_key()))


def add_planner(username: str, password: str) -> None:
    """Create or update a planner account in the secrets file (and its session key, once)."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ValueError("User names are 3-32 characters of a-z, 0-9, '.', '_' or '-'")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"Passwords need at least {MIN_PASSWORD} characters")
    data = _read_secrets()
    data.setdefault("auth", {}).setdefault("session_key", secrets.token_hex(32))
    data.setdefault("planners", {})[username] = {"password_hash": _hasher.hash(password)}
    lines = [f'[auth]\nsession_key = "{data["auth"]["session_key"]}"\n']
    lines += [f'[planners.{name}]\npassword_hash = "{entry["password_hash"]}"\n' for name, entry in sorted(data["planners"].items())]
    path = secrets_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m register.auth", description="Manage planner accounts.")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-planner", help="create or update a planner account")
    add.add_argument("username")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    args = parser.parse_args(argv)
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")

    def save() -> str:
        add_planner(args.username, password)
        return f"Planner {args.username.strip().lower()} saved in {secrets_path()}"

    return run_command(save, "Not saved", errors=(ValueError,))


if __name__ == "__main__":
    sys.exit(main())
