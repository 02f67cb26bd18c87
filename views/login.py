"""The planner login in the sidebar; viewing never needs it."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from register import auth
from texts.safe import markdown_text


def planner() -> auth.Planner | None:
    """The logged-in planner of this session, or None (an expired session is dropped)."""
    current = st.session_state.get("planner")
    if current is not None and not current.is_valid():
        del st.session_state["planner"]
        st.session_state["login_notice"] = "session_expired"
        return None
    return current


def _submit() -> None:
    try:
        st.session_state["planner"] = auth.login(st.session_state["login_user"], st.session_state["login_password"])
    except auth.AuthError as exc:
        st.session_state["login_error"] = str(exc)
    except PermissionError:
        st.session_state["login_notice"] = "no_accounts"
    st.session_state["login_password"] = ""


def sidebar(t: Callable[[str], str]) -> auth.Planner | None:
    """Login form or the logged-in name with a logout button; returns the planner."""
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
            return current
        with st.form("login_form"):
            st.text_input(t("username"), key="login_user")
            st.text_input(t("password"), type="password", key="login_password")
            st.form_submit_button(t("login"), on_click=_submit)
        error = st.session_state.pop("login_error", None)
        if error:
            st.error(markdown_text(error))
    return None
