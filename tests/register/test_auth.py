"""Planner accounts: hashed passwords, signed expiring sessions, rate-limited logins."""

from __future__ import annotations

import subprocess
import sys

import pytest

from geo.config import PROJECT_ROOT
from register import auth

PASSWORD = "rahasia-perencana-1"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("PETA_SECRETS", str(tmp_path / "secrets.toml"))
    monkeypatch.setenv("PETA_AUTH_DB", str(tmp_path / "logins.sqlite"))


def test_accounts_are_stored_hashed_and_logins_signed():
    auth.add_planner("Rina", PASSWORD)
    text = auth.secrets_path().read_text()
    assert PASSWORD not in text and "$argon2id$" in text and "[planners.rina]" in text
    planner = auth.login("rina", PASSWORD)
    assert auth.require_planner(planner) == "rina"


def test_wrong_password_and_unknown_user_are_refused_alike():
    auth.add_planner("rina", PASSWORD)
    for user, password in (("rina", "salah-salah-salah"), ("siapa", PASSWORD)):
        with pytest.raises(auth.AuthError, match="Nama pengguna atau kata sandi salah"):
            auth.login(user, password)


def test_failed_logins_lock_the_name_for_a_while():
    auth.add_planner("rina", PASSWORD)
    for i in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError, match="salah"):
            auth.login("rina", "salah-salah-salah", now=1000.0 + i)
    with pytest.raises(auth.AuthError, match="Terlalu banyak percobaan"):
        auth.login("rina", PASSWORD, now=1010.0)  # even the right password
    assert auth.login("rina", PASSWORD, now=1000.0 + auth.WINDOW_SECONDS + 1).username == "rina"


def test_sessions_expire_and_cannot_be_forged():
    auth.add_planner("rina", PASSWORD)
    planner = auth.login("rina", PASSWORD, now=0.0)
    with pytest.raises(PermissionError, match="login"):
        auth.require_planner(planner, now=auth.SESSION_SECONDS + 1)
    forged = auth.Planner("admin", planner.expires, planner.signature)
    for actor in (forged, None, "rina"):
        with pytest.raises(PermissionError):
            auth.require_planner(actor, now=1.0)


def test_weak_passwords_and_bad_names_are_refused():
    with pytest.raises(ValueError, match="at least"):
        auth.add_planner("rina", "pendek")
    with pytest.raises(ValueError, match="User names"):
        auth.add_planner("x", PASSWORD)


def test_command_creates_the_first_account(tmp_path):
    env = {"PETA_SECRETS": str(tmp_path / "s.toml"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "register.auth", "add-planner", "budi", "--password-stdin"],
                            input=PASSWORD + "\n", cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "[planners.budi]" in (tmp_path / "s.toml").read_text()
