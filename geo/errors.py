"""The one exception the library raises for bad or missing data, and how commands report it."""

import sys
from typing import Callable


class DataError(Exception):
    """Data is missing or does not pass validation.

    The message names the file, row or feature and the problem, and says how
    to fix it where there is a fix; it is meant to be shown to a person as is.
    """


def run_command(action: Callable[[], str], failure: str, errors: tuple[type[Exception], ...] = (DataError,)) -> int:
    """Run a command-line action: print its one-line result (exit 0) or ``failure: reason`` (exit 1), never a traceback."""
    try:
        message = action()
    except errors as exc:
        print(f"{failure}: {exc}", file=sys.stderr)
        return 1
    print(message)
    return 0
