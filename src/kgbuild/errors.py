"""The one exception hierarchy of kgbuild.

Every failure that stops kgbuild from doing its job is a ``KgbuildError``;
the CLI maps all of them to exit code 2. Problems *in* the knowledge graph
(validation results) are not exceptions: they are ``Finding`` values.
"""

from __future__ import annotations


class KgbuildError(Exception):
    """Base class: kgbuild cannot do what was asked.

    Carries a human message and, where known, the file (project-relative
    path), line and column (both 1-based) the problem is at.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    @property
    def location(self) -> str:
        """``file:line:column`` with the known parts, or ``""``."""
        if self.file is None:
            return ""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def problems(self) -> tuple[KgbuildError, ...]:
        """The individual problems this error stands for (itself by default)."""
        return (self,)

    def __str__(self) -> str:
        location = self.location
        return f"{location}: {self.message}" if location else self.message


class ConfigError(KgbuildError):
    """The project configuration (kgbuild.toml) is missing or invalid."""


class ProjectNotFoundError(ConfigError):
    """No kgbuild project where one was expected."""


class InputError(KgbuildError):
    """An input file cannot be used: unreadable, not UTF-8, bad syntax."""


class InputErrors(InputError):
    """Several input errors found in one pass (e.g. syntax errors in many files)."""

    def __init__(self, errors: tuple[InputError, ...]) -> None:
        if not errors:
            raise ValueError("InputErrors needs at least one error")
        count = len(errors)
        super().__init__(f"{count} input error{'s' if count != 1 else ''}")
        self.errors = errors

    def problems(self) -> tuple[KgbuildError, ...]:
        return tuple(self.errors)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


class QueryError(InputError):
    """A configured SPARQL query file is unusable (syntax, wrong form, missing variables)."""


class ServiceRefusedError(QueryError):
    """A query calls SPARQL SERVICE, which would send requests, and the caller did not allow it."""


class OutputError(KgbuildError):
    """Build output cannot be written."""


class BuildRunningError(KgbuildError):
    """Another build holds the checkout's workspace lock (and waiting was not asked for, or timed out)."""


class UnknownQueryError(KgbuildError):
    """No stored query has the name asked for (and it is not a readable .rq file)."""


class ParameterError(KgbuildError):
    """A query parameter is missing, unknown, or not a valid value of its declared type."""


class StaleStoreError(KgbuildError):
    """The embedded store is missing or older than the project's inputs: run ``kgbuild build``."""


class EndpointError(KgbuildError):
    """A remote SPARQL endpoint is unreachable, refused the request, failed, or answered something unreadable."""


class WriteRefusedError(EndpointError):
    """The store refused a write (HTTP 403 to an update or Graph Store request): read-only, or not for these credentials."""


def raise_collected(errors: list[InputError]) -> None:
    """Raise nothing, the single error, or all of them as one ``InputErrors``."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(tuple(errors))
