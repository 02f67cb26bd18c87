"""The one exception the library raises for bad or missing data, and how commands report it."""

import sys
from typing import Callable

from texts.catalog import message


class DataError(Exception):
    """Data is missing or does not pass validation.

    The message names the file, row or feature and the problem, and says how
    to fix it where there is a fix; it is meant to be shown to a person as is.
    Raised with a message id (``DataError(key="store.unknown_program",
    program=...)``) it can be shown in the reader's language by :meth:`text`;
    ``str()`` is then the Indonesian text.
    """

    def __init__(self, text: str = "", *, key: str = "", **params: object):
        self.key, self.params = key, params
        super().__init__(text or message(key, "id", **params))

    def text(self, lang: str = "id") -> str:
        """The message in ``lang`` where it has a message id, else as raised."""
        return message(self.key, lang, **self.params) if self.key else str(self)


def run_command(action: Callable[[], str], failure: str, errors: tuple[type[Exception], ...] = (DataError,)) -> int:
    """Run a command-line action: print its one-line result (exit 0) or ``failure: reason`` (exit 1), never a traceback."""
    try:
        result = action()
    except errors as exc:
        print(f"{failure}: {exc}", file=sys.stderr)
        return 1
    print(result)
    return 0
