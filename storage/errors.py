"""The errors palimpsest reports to its users.

    PalimpsestError                  base: a user-facing problem, printed as one line
    ├── ConfigError                  a config file, option or value is wrong (exit 2)
    ├── InputError                   a bad date, URL or argument given on the command line (exit 2)
    ├── DatabaseError                the archive database cannot be used (exit 1)
    │   ├── DatabaseURLError         the database URL is malformed
    │   ├── DatabaseUnreachable      the server or file cannot be opened
    │   ├── SchemaOutOfDate          the database is at an older revision: run `palimpsest db upgrade`
    │   └── ReadOnlyViolation        a query tried to write, or to reach beyond the archive, through
    │                                a read-only command (or would run where it could)
    └── CrawlLocked                  another crawl of the same source is running (exit 3)

Every message names what is wrong and where (the file, key, URL or value).
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "CrawlLocked",
    "DatabaseError",
    "DatabaseURLError",
    "DatabaseUnreachable",
    "InputError",
    "PalimpsestError",
    "ReadOnlyViolation",
    "SchemaOutOfDate",
]


class PalimpsestError(Exception):
    """A problem to report to the user in one line, without a traceback."""

    exit_code = 1


class ConfigError(PalimpsestError):
    exit_code = 2


class InputError(PalimpsestError):
    exit_code = 2


class DatabaseError(PalimpsestError):
    exit_code = 1


class DatabaseURLError(DatabaseError):
    pass


class DatabaseUnreachable(DatabaseError):
    pass


class SchemaOutOfDate(DatabaseError):
    pass


class ReadOnlyViolation(DatabaseError):
    pass


class CrawlLocked(PalimpsestError):
    exit_code = 3
