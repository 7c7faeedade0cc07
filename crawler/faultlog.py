"""The crawl's fault log: every failed or damaged fetch, with its URL, kept in the stats.

A fault is anything that kept a page from arriving as the site meant it: an error status,
a timeout, a dropped connection, a body cut short or over the size limit, a mislabelled
charset, a redirect loop, an off-site redirect, a paused host. Each is one entry under
``palimpsest/faults`` (a list of dicts: kind, url, detail, outcome) and one count under
``palimpsest/faults/<kind>``, so the crawl row's stats say what went wrong and where.
`partial_reason` entries make the crawl end ``partial`` rather than ``ok``.
`exception_kind` names the fault a download exception is.

Works on any object with Scrapy's StatsCollector methods (get_value/set_value/inc_value);
imports no Scrapy.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = [
    "ABORT_REASON",
    "EXCEPTIONS_KEY",
    "FAULTS_KEY",
    "PARTIAL_KEY",
    "PRIOR_FETCHES",
    "Stats",
    "exception_kind",
    "failure_reason",
    "faults_of",
    "note_exception",
    "note_fault",
    "note_partial",
]

FAULTS_KEY = "palimpsest/faults"
PARTIAL_KEY = "palimpsest/partial_reasons"
# Exceptions that escaped a callback, the pipeline or the writer: type, message, URL each.
EXCEPTIONS_KEY = "palimpsest/exceptions"
MAX_LOGGED_EXCEPTIONS = 100
# Why a crawl was stopped before its end, when it was not a signal (the crawl lock lost).
ABORT_REASON = "palimpsest/abort_reason"
# request.meta key: FetchRecords of a request's earlier, failed attempts (retried 5xx,
# timeouts), which never reach the engine; the archive pipeline stores them as fetch rows.
PRIOR_FETCHES = "palimpsest_prior_fetches"

# A crawl through a fully broken site would otherwise grow the stats without bound.
MAX_LOGGED_FAULTS = 5000


class Stats(Protocol):
    def get_value(self, key: str, default: Any = None) -> Any: ...
    def set_value(self, key: str, value: Any) -> None: ...
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


def note_fault(stats: Stats, kind: str, url: str, detail: str = "", outcome: str = "") -> None:
    """Log one fault: count it by kind and keep it, with its URL, in the fault list.

    outcome: what the crawler did about it ('retried', 'gave up', 'decoded', 'skipped').
    """
    stats.inc_value(f"{FAULTS_KEY}/{kind}")
    stats.inc_value(f"{FAULTS_KEY}/count")
    faults = stats.get_value(FAULTS_KEY)
    if faults is None:
        faults = []
        stats.set_value(FAULTS_KEY, faults)
    if len(faults) < MAX_LOGGED_FAULTS:
        faults.append({"kind": kind, "url": url, "detail": detail, "outcome": outcome})
    else:
        stats.inc_value(f"{FAULTS_KEY}/not_logged")


def note_exception(stats: Stats, url: str, exc: BaseException) -> None:
    """Keep an unexpected exception (its type, message and the URL it hit) in the stats;
    the crawl then ends `partial` at best."""
    found = stats.get_value(EXCEPTIONS_KEY)
    if found is None:
        found = []
        stats.set_value(EXCEPTIONS_KEY, found)
    stats.inc_value(f"{EXCEPTIONS_KEY}/count")
    if len(found) < MAX_LOGGED_EXCEPTIONS:
        found.append({"type": type(exc).__name__, "message": str(exc)[:500], "url": url})
    note_partial(stats, "unexpected exceptions (see stats.exceptions)")


def note_partial(stats: Stats, reason: str) -> None:
    """Record why the crawl as a whole is partial (once per distinct reason)."""
    reasons = stats.get_value(PARTIAL_KEY)
    if reasons is None:
        reasons = []
        stats.set_value(PARTIAL_KEY, reasons)
    if reason not in reasons:
        reasons.append(reason)


def failure_reason(failure: Any) -> str:
    """A Twisted Failure as one line: its exception type and message."""
    return f"{type(failure.value).__name__}: {failure.getErrorMessage()}"


def faults_of(stats: dict[str, Any]) -> list[dict[str, str]]:
    """The fault list from a finished crawl's stats dict (empty when none)."""
    return list(stats.get(FAULTS_KEY) or [])


def exception_kind(name: str, message: str = "") -> str:
    """A short fault kind for a download exception (class name; message for wrappers)."""
    kinds = {
        "DownloadTimeoutError": "timeout",
        "TimeoutError": "timeout",
        "ResponseDataLossError": "truncated",
        "DownloadCancelledError": "too_large",
        "ConnectionLost": "connection_lost",
        "ConnectionDone": "connection_lost",
        "DownloadConnectionRefusedError": "connection_refused",
        "ConnectionRefusedError": "connection_refused",
        "CannotResolveHostError": "dns",
    }
    if name in kinds:
        return kinds[name]
    # DownloadFailedError wraps the Twisted failures; their names are in its message.
    for inner, kind in kinds.items():
        if inner in message:
            return kind
    return "network_error"
