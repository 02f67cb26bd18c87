"""Planner accounts: hashed passwords, signed sessions bound to the account, throttled logins, the secrets file."""

from __future__ import annotations

import os
import sqlite3
import stat
import statistics
import subprocess
import sys
import time
from contextlib import closing

import pytest

from geo.config import PROJECT_ROOT
from geo.errors import DataError
from register import auth
from register.store import SQLiteSiteStore
from test_store import exact_site

PASSWORD = "rahasia-perencana-1"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("PETA_SECRETS", str(tmp_path / "secrets.toml"))
    monkeypatch.setenv("PETA_AUTH_DB", str(tmp_path / "logins.sqlite"))


def command(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {"PETA_SECRETS": str(auth.secrets_path()), "PETA_AUTH_DB": str(auth._attempts_db()), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "register.auth", *args], input=stdin, cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True)  # fmt: skip


def failures() -> list[tuple]:
    with closing(sqlite3.connect(auth._attempts_db())) as con:
        return con.execute("SELECT username, source FROM login_failures").fetchall()


def test_accounts_are_stored_hashed_and_logins_signed():
    auth.add_planner("Rina", PASSWORD)
    text = auth.secrets_path().read_text()
    assert PASSWORD not in text and "$argon2id$" in text and "[planners.rina]" in text
    planner = auth.login("rina", PASSWORD)
    assert auth.require_planner(planner) == "rina"


def test_wrong_password_and_unknown_user_are_refused_alike():
    auth.add_planner("rina", PASSWORD)
    for user, password in (("rina", "salah-salah-salah"), ("siapa", PASSWORD), ("x" * 10_000, PASSWORD)):
        with pytest.raises(auth.AuthError, match="Nama pengguna atau kata sandi salah") as refused:
            auth.login(user, password)
        assert refused.value.text("en") == "Wrong user name or password."


def test_unknown_and_known_names_take_the_same_time():
    auth.add_planner("rina", PASSWORD)

    def seconds(user: str, source: str) -> float:
        # CPU time of this process (argon2 runs in it): the work done, not the shared machine's load.
        start = time.process_time()
        with pytest.raises(auth.AuthError):
            auth.login(user, "salah-salah-salah", source=source)
        return time.process_time() - start

    # Interleaved, each try from its own source so no wait applies; medians resist what noise is left.
    known, unknown = [], []
    for i in range(7):
        known.append(seconds("rina", f"k{i}"))
        unknown.append(seconds(f"tidak-ada-{i}", f"u{i}"))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.8 <= ratio <= 1.2, (known, unknown)


def test_failed_logins_slow_the_name_down_but_never_lock_it_for_good():
    auth.add_planner("rina", PASSWORD)
    last = 1_000_000.0 + auth.FREE_FAILURES - 1
    for i in range(auth.FREE_FAILURES):  # the first few failures cost nothing
        with pytest.raises(auth.AuthError, match="salah"):
            auth.login("rina", "salah-salah-salah", source="10.0.0.9", now=1_000_000.0 + i)
    with pytest.raises(auth.AuthError, match=r"Coba lagi dalam 2 detik") as waiting:
        auth.login("rina", PASSWORD, source="10.0.0.9", now=last + 0.5)  # even the right password
    assert "Try again in 2 seconds" in waiting.value.text("en")
    assert len(failures()) == auth.FREE_FAILURES  # a refused wait is not another failure
    # Another source is not slowed by this one's guesses.
    assert auth.login("rina", PASSWORD, source="10.0.0.7", now=last + 0.5).username == "rina"
    # An attacker keeps failing: the wait grows, but never beyond MAX_DELAY after the last failure.
    for _ in range(30):
        last += auth.MAX_DELAY
        with pytest.raises(auth.AuthError, match="salah"):
            auth.login("rina", "salah-salah-salah", source="10.0.0.9", now=last)
    assert auth.delay_after(30) == auth.MAX_DELAY
    with pytest.raises(auth.AuthError, match="Coba lagi"):
        auth.login("rina", PASSWORD, source="10.0.0.9", now=last + auth.MAX_DELAY - 1)
    assert auth.login("rina", PASSWORD, source="10.0.0.9", now=last + auth.MAX_DELAY + 1).username == "rina"


def test_failures_are_pruned_and_names_capped():
    auth.add_planner("rina", PASSWORD)
    for i, name in enumerate(["rina", "siapa", "a" * 33, "b" * 100_000]):
        with pytest.raises(auth.AuthError):
            auth.login(name, "salah-salah-salah", source="s" * 1000, now=1000.0 + i)
    assert failures() == [("rina", "s" * auth.MAX_SOURCE), ("siapa", "s" * auth.MAX_SOURCE)]  # over-long names never stored
    with pytest.raises(auth.AuthError):
        auth.login("budi", "salah-salah-salah", now=1000.0 + auth.WINDOW_SECONDS + 10)
    assert failures() == [("budi", "")]  # older failures are deleted, not just ignored


def test_another_planner_or_the_command_unlocks_a_name():
    for name in ("rina", "budi"):
        auth.add_planner(name, PASSWORD)
    budi = auth.login("budi", PASSWORD)

    def lock_rina() -> None:
        now = time.time()  # one instant for every try: slow password checks on a busy machine could outlast the wait
        for _ in range(auth.FREE_FAILURES):
            with pytest.raises(auth.AuthError, match="salah"):
                auth.login("rina", "salah-salah-salah", now=now)
        with pytest.raises(auth.AuthError, match="Coba lagi"):
            auth.login("rina", PASSWORD, now=now)

    lock_rina()
    with pytest.raises(PermissionError, match="login perencana"):
        auth.unlock("rina", None)
    assert auth.unlock("rina", budi) == auth.FREE_FAILURES
    assert auth.login("rina", PASSWORD).username == "rina"
    lock_rina()
    result = command("unlock", "rina")
    assert result.returncode == 0, result.stderr
    assert f"unlocked ({auth.FREE_FAILURES} failed tries cleared)" in result.stdout
    assert auth.login("rina", PASSWORD).username == "rina"
    result = command("unlock", "siapa")
    assert (result.returncode, result.stderr.strip()) == (1, "Not done: Tidak ada akun perencana siapa.")


def test_sessions_expire_and_cannot_be_forged():
    auth.add_planner("rina", PASSWORD)
    planner = auth.login("rina", PASSWORD, now=0.0)
    with pytest.raises(PermissionError, match="login"):
        auth.require_planner(planner, now=auth.SESSION_SECONDS + 1)
    forged = auth.Planner("admin", planner.expires, planner.signature)
    for actor in (forged, None, "rina"):
        with pytest.raises(PermissionError):
            auth.require_planner(actor, now=1.0)


def test_a_new_password_ends_the_accounts_sessions():
    for name in ("rina", "budi"):
        auth.add_planner(name, PASSWORD)
    rina, budi = auth.login("rina", PASSWORD), auth.login("budi", PASSWORD)
    auth.add_planner("rina", PASSWORD + "-baru")
    with pytest.raises(PermissionError, match="login perencana"):
        auth.require_planner(rina)
    assert auth.require_planner(budi) == "budi"  # other accounts keep theirs
    assert auth.require_planner(auth.login("rina", PASSWORD + "-baru")) == "rina"


def test_a_removed_accounts_session_cannot_write(tmp_path, domain):
    for name in ("rina", "budi"):
        auth.add_planner(name, PASSWORD)
    rina = auth.login("rina", PASSWORD)
    store = SQLiteSiteStore(tmp_path / "sites.sqlite", auth.require_planner, domain=domain)
    store.add([exact_site("a")], rina)
    result = command("remove-planner", "rina")
    assert result.returncode == 0, result.stderr
    with pytest.raises(PermissionError, match="login perencana"):
        store.add([exact_site("b", 106.72)], rina)
    with pytest.raises(PermissionError, match="login perencana"):
        store.update("a", {"status": "selesai"}, 1, "foto", rina)
    assert [s.id for s in store.sites()] == ["a"] and store.get("a").version == 1
    with pytest.raises(auth.AuthError, match="salah"):
        auth.login("rina", PASSWORD)


def test_weak_passwords_and_bad_names_are_refused():
    with pytest.raises(DataError, match="10 sampai 1024 karakter"):
        auth.add_planner("rina", "pendek")
    with pytest.raises(DataError, match="3–32 karakter"):
        auth.add_planner("x", PASSWORD)
    with pytest.raises(DataError, match="3–32 karakter"):
        auth.add_planner("r" * 33, PASSWORD)


def test_command_creates_the_first_account_owner_only_and_keeps_other_sections():
    path = auth.secrets_path()
    path.write_text('# koneksi basis data\n[connections.register]\nurl = "postgresql://peta@db/peta"\n\n[auth]\nsession_key = "00ff"\n')
    result = command("add-planner", "budi", "--password-stdin", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    text = path.read_text()
    assert text.startswith('# koneksi basis data\n[connections.register]\nurl = "postgresql://peta@db/peta"\n')
    assert 'session_key = "00ff"' in text and "[planners.budi]" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.with_name(path.name + ".tmp").exists()


def test_the_secrets_file_is_owner_only_from_its_creation(monkeypatch):
    # Every file written must be created 0600: no moment in which others could read the session key.
    created = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):
        if flags & os.O_CREAT:
            created.append((str(path), mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    auth.add_planner("rina", PASSWORD)
    assert created and all(mode == 0o600 for _, mode in created)
    assert stat.S_IMODE(auth.secrets_path().stat().st_mode) == 0o600
