"""A program's status from its evidence: the one rule, with the reason it gives.

One event's status is not the program's status (``evidence/PROVENANCE.md``).
The rule first decides which events count as delivery of *this* promise:

* **Terms of office.** Tangsel's 2024 program belongs to the term that began on
  20 February 2025; earlier events are its baseline. The Kabupaten's flagships
  belong to the 2019–2023 medium-term plan: events in 2019–2023 are delivery
  (or not), earlier ones baseline, later ones follow-ups under other regents.
  A date is placed only when its whole period (``2025`` is the whole year) lies
  on one side; an undated event, or one whose period straddles a boundary, is
  not counted.
* **Campaign pledges** (the note says so) are not government acts.
* **Stock counts** (the note says the figure is a stock or cumulative since an
  earlier year) are not new work.
* **A "gagal" event** is a failure of the promise only when its claim or note
  says the promise itself was dropped, cancelled or contradicted; a breakdown of
  a service, an upkeep problem, a stall or a shortfall is not.

Then, from the events that count (latest last):

* none: **Belum ada bukti**, saying why: no evidence found although the program
  was searched (with the queries and the search date), never searched ("Belum
  diteliti"), or which events were found and why none counts;
* the latest is a failure of the promise: **Gagal**;
* an event done ("terpenuhi") whose stated figure, in the target's unit, reaches
  the whole target (and is not "X dari Y"): **Terpenuhi**;
* otherwise **Dalam proses**: partly done (a "terpenuhi" event that does not
  cover the whole target), done for a target the document does not quantify
  (only a planner can confirm it), under way, or planned/budgeted in the term.

A planner's recorded status (the register's ``program_statuses``, kept with its
evidence in the history) overrides the proposal; both are kept, and the reason
says so. Everything here is pure: it takes the evidence table
(:data:`evidence.items.COLUMNS`), the search logs and the records.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

import pandas as pd

from geo import config
from layers.catalog import Catalog
from evidence.items import EvidenceStatus, date_precision
from layers.model import Program, ProgramStatus
from texts.catalog import translator
from texts.numbers import format_number, format_partial_date

# (first day of delivery, last day or None while the term runs), per region.
TERMS = {config.TANGSEL: (date(2025, 2, 20), None), config.KAB_TANGERANG: (date(2019, 1, 1), date(2023, 12, 31))}

# Why an event does or does not count as delivery (see the module text); "counted" counts.
COUNTED, UNDATED, BEFORE, AFTER, PLEDGE, STOCK, BREAKDOWN = (
    "counted", "undated", "before_term", "after_term", "pledge", "stock", "breakdown",
)  # fmt: skip
ROLES = (COUNTED, UNDATED, BEFORE, AFTER, PLEDGE, STOCK, BREAKDOWN)

PLEDGE_NOTE = re.compile(r"campaign pledge|janji kampanye", re.I)
STOCK_NOTE = re.compile(r"\bstock\b|\bstok\b|cumulative since|kumulatif sejak", re.I)
PROMISE_DROPPED = re.compile(
    r"contradicts the promise|replaced by|no longer|tidak lagi|(?<!not )\bcancell?ed\b|(?<!tidak )\bdibatalkan\b", re.I
)
PART_OF = re.compile(r"\bdari\b|\bof\b", re.I)
NUMBER = r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"


def _period(value: str) -> tuple[date, date] | None:
    """First and last day of a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date; None if empty or invalid."""
    kind = date_precision(value)
    if kind is None:
        return None
    parts = [int(p) for p in value.split("-")]
    if kind == "day":
        return date(*parts), date(*parts)
    if kind == "month":
        return date(parts[0], parts[1], 1), date(parts[0], parts[1], calendar.monthrange(*parts)[1])
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def _term_role(event_date: str, region: str) -> str:
    period = _period(event_date)
    if period is None:
        return UNDATED
    first, last = period
    start, end = TERMS[region]
    if last < start:
        return BEFORE
    if end is not None and first > end:
        return AFTER
    if first < start or (end is not None and last > end):
        return UNDATED  # the period straddles a term boundary
    return COUNTED


def event_roles(evidence: pd.DataFrame, catalog: Catalog) -> pd.Series:
    """Each event's role (one of :data:`ROLES`), indexed like ``evidence``."""
    regions = {p.id: p.region for p in catalog.programs}
    roles = pd.Series(
        [_term_role(d, regions[p]) for d, p in zip(evidence["event_date"], evidence["program_id"])],
        index=evidence.index, dtype=object,
    )  # fmt: skip
    said = evidence["claim_en"] + " " + evidence["note"]
    failed = evidence["status"] == EvidenceStatus.FAILED.value
    counted = roles == COUNTED
    roles[counted & failed & ~said.str.contains(PROMISE_DROPPED)] = BREAKDOWN
    roles[counted & evidence["note"].str.contains(STOCK_NOTE)] = STOCK
    roles[evidence["note"].str.contains(PLEDGE_NOTE)] = PLEDGE
    return roles


def covers_target(quantity: str, program: Program) -> bool:
    """True when ``quantity`` states a figure in the program's target unit that reaches the whole target."""
    if not program.target_qty or not program.target_unit or PART_OF.search(quantity or ""):
        return False
    found = re.findall(NUMBER + r"\s*" + re.escape(program.target_unit) + r"\b", quantity or "", flags=re.I)
    return any(float(n.replace(".", "")) >= program.target_qty for n in found)


JUDGEMENT_COLUMNS = (
    "status", "proposed", "decided_by", "reason", "params", "events", "counted",
    "latest_date", "latest_url", "searched", "rows_found", "queries",
)  # fmt: skip


def judge(catalog: Catalog, evidence: pd.DataFrame, searched: pd.DataFrame, records: dict[str, dict]) -> pd.DataFrame:
    """Every catalog program's status, indexed by program id, with :data:`JUDGEMENT_COLUMNS`.

    ``status`` is the planner's record where there is one, else ``proposed``
    (the rule's). ``reason`` is a :func:`reason_text` key and ``params`` its
    parameters; ``events``/``counted`` count the program's evidence and the part
    that counts as delivery; ``latest_*`` are those of the latest counted event
    (else the latest event); ``queries`` are the searches behind "not found".
    """
    roles = event_roles(evidence, catalog)
    frame = evidence.assign(role=roles, sort_date=evidence["event_date"].replace("", "0000"))
    frame = frame.sort_values(["sort_date", "evidence_id"], kind="stable")
    by_program = dict(tuple(frame.groupby("program_id", sort=False)))
    search = searched.set_index("program_id")
    as_of = frame["sort_date"].max()[:7] if len(frame) else ""
    rows = {}
    for p in catalog.programs:
        events = by_program.get(p.id, frame.iloc[0:0])
        counted = events[events["role"] == COUNTED]
        proposed, reason, params = _propose(p, events, counted, search, as_of)
        record = records.get(p.id)
        latest = counted.iloc[-1] if len(counted) else events.iloc[-1] if len(events) else None
        rows[p.id] = {
            "status": ProgramStatus(record["status"]).value if record else proposed.value,
            "proposed": proposed.value,
            "decided_by": "planner" if record else "rule",
            "reason": reason,
            "params": params,
            "events": len(events),
            "counted": len(counted),
            "latest_date": latest["event_date"] if latest is not None else "",
            "latest_url": latest["url"] if latest is not None else "",
            "searched": p.id in search.index,
            "rows_found": int(search.at[p.id, "rows_found"]) if p.id in search.index else 0,
            "queries": search.at[p.id, "queries"] if p.id in search.index else (),
        }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(JUDGEMENT_COLUMNS))


def _propose(program: Program, events: pd.DataFrame, counted: pd.DataFrame, search: pd.DataFrame, as_of: str):
    """The rule's status, reason key and parameters for one program (see the module text)."""
    excluded = events["role"][events["role"] != COUNTED].value_counts().to_dict()
    params = {"excluded": excluded}
    if counted.empty:
        if not events.empty:
            return ProgramStatus.NO_EVIDENCE, "none_counts", params | {"n": len(events)}
        if program.id in search.index:
            return ProgramStatus.NO_EVIDENCE, "not_found", params | {"as_of": as_of}
        return ProgramStatus.NO_EVIDENCE, "not_searched", params
    latest = counted.iloc[-1]
    params |= {"date": latest["event_date"], "target": program.target_text or ""}
    if latest["status"] == EvidenceStatus.FAILED.value:
        return ProgramStatus.FAILED, "failed", params
    done = counted[counted["status"] == EvidenceStatus.DONE.value]
    whole = done[[covers_target(q, program) for q in done["quantity"]]]
    if len(whole):
        return ProgramStatus.FULFILLED, "fulfilled", params | {"date": whole.iloc[-1]["event_date"]}
    if len(done):
        reason = "partial" if program.target_qty else "done_unmeasured"
        return ProgramStatus.IN_PROGRESS, reason, params | {"date": done.iloc[-1]["event_date"]}
    if (counted["status"] == EvidenceStatus.IN_PROGRESS.value).any():
        return ProgramStatus.IN_PROGRESS, "under_way", params
    return ProgramStatus.IN_PROGRESS, "planned", params


def reason_text(row: dict, lang: str = "id") -> str:
    """Why a program has its status, in ``lang``: the rule's reason, and the planner's record where there is one."""
    t = translator(lang)
    params = dict(row["params"])
    excluded = params.pop("excluded", {})
    for key in ("as_of", "date"):
        if date_precision(params.get(key, "")):
            params[key] = format_partial_date(params[key], lang)
    if "n" in params:
        params["n"] = format_number(params["n"], lang)
    text = t(f"ev_reason_{row['reason']}").format(**params)
    if excluded:
        why = "; ".join(f"{format_number(n, lang)} {t(f'ev_role_{role}')}" for role, n in excluded.items())
        text += " " + t("ev_reason_excluded").format(why=why)
    if row["decided_by"] == "planner":
        proposed = t(f"promise_{row['proposed']}")
        text = t("ev_reason_planner").format(status=t(f"promise_{row['status']}"), proposed=proposed, rule=text)
    return text


def apply_judgement(progress: pd.DataFrame, judgement: pd.DataFrame, lang: str = "id") -> pd.DataFrame:
    """The tracker (:func:`layers.progress.program_progress`) with each status from :func:`judge`.

    Adds ``status_by`` (planner or rule), ``status_reason`` (in ``lang``),
    ``evidence_n``, ``searched`` and ``queries``. Where the rule decides and has
    evidence, ``evidence`` and ``updated`` are those of its latest event.
    """
    j = judgement.reindex(progress["id"])
    by_rule = (j["decided_by"] == "rule").to_numpy() & (j["latest_url"] != "").to_numpy()
    out = progress.assign(
        status=j["status"].to_numpy(),
        status_by=j["decided_by"].to_numpy(),
        status_reason=[reason_text(r, lang) for r in j.to_dict("records")],
        evidence_n=j["events"].to_numpy(),
        searched=j["searched"].to_numpy(),
        queries=j["queries"].to_numpy(),
    )
    out.loc[by_rule, "evidence"] = j["latest_url"].to_numpy()[by_rule]
    out.loc[by_rule, "updated"] = j["latest_date"].to_numpy()[by_rule]
    return out
