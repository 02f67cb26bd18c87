"""The one exception the library raises for bad or missing data."""


class DataError(Exception):
    """Data is missing or does not pass validation.

    The message names the file, row or feature and the problem, and says how
    to fix it where there is a fix; it is meant to be shown to a person as is.
    """
