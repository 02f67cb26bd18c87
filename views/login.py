"""The planner login in the sidebar; viewing never needs it."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from register import auth
from texts.safe import markdown_text


def planner() -> auth.Planner | None:
    """The logged-in planner of this session, or None (an expired or ended session is dropped)."""
    current = st.session_state.get("planner")
    if current is not None and not current.is_valid():
        del st.session_state["planner"]
        st.session_state["login_notice"] = "session_expired"
        return None
    return current


def _submit() -> None:
    address = st.context.ip_address  # the client's address; not a string when unknown (tests, some proxies)
    try:
        st.session_state["planner"] = auth.login(
            st.session_state["login_user"], st.session_state["login_password"], source=address if isinstance(address, str) else ""
        )
    except auth.AuthError as exc:
        st.session_state["login_error"] = exc
    except PermissionError:
        st.session_state["login_notice"] = "no_accounts"
    st.session_state["login_password"] = ""


def _unlock(current: auth.Planner) -> None:
    name = st.session_state["unlock_user"]
    try:
        auth.unlock(name, current)
    except auth.AuthError as exc:
        st.session_state["unlock_outcome"] = ("error", exc)
    else:
        st.session_state["unlock_outcome"] = ("success", name.strip().lower())
        st.session_state["unlock_user"] = ""


def sidebar(t: Callable[[str], str], lang: str) -> auth.Planner | None:
    """Login form, or the logged-in name with logout and unlock controls; returns the planner."""
    current = planner()
    with st.sidebar.expander(t("planner_login"), expanded=False):
        notice = st.session_state.pop("login_notice", None)
        if notice:
            st.info(t(notice))
        if current is not None:
            st.write(t("logged_in_as").format(name=markdown_text(current.username)))
            if st.button(t("logout"), key="logout"):
                del st.session_state["planner"]
                st.rerun()
            with st.form("unlock_form", border=False):
                st.text_input(t("unlock_user"), key="unlock_user", max_chars=32, help=t("unlock_help"))
                st.form_submit_button(t("unlock"), on_click=_unlock, args=(current,))
            outcome = st.session_state.pop("unlock_outcome", None)
            if outcome is not None:
                kind, what = outcome
                if kind == "success":
                    st.success(t("unlock_done").format(name=markdown_text(what)))
                else:
                    st.error(markdown_text(what.text(lang)))
            return current
        with st.form("login_form"):
            st.text_input(t("username"), key="login_user", max_chars=32)
            st.text_input(t("password"), type="password", key="login_password", max_chars=auth.MAX_PASSWORD)
            st.form_submit_button(t("login"), on_click=_submit)
        error = st.session_state.pop("login_error", None)
        if error:
            st.error(markdown_text(error.text(lang)))
    return None
