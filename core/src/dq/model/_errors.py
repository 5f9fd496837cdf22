"""The exceptions dq raises, each carrying the exit code the CLI maps it to.

Exit codes are part of the CLI contract: 0 success, 1 findings (failed rules,
or plugin problems under ``--strict``), 2 usage or configuration errors (the
user must change what they typed or wrote), 3 runtime errors (something failed
while running: a plugin, a service, the data).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_RUNTIME = 3


class DqError(Exception):
    """Base of every error dq reports to a user; ``str()`` is the whole message."""

    exit_code = EXIT_RUNTIME


class UsageError(DqError):
    """The command line or a config value is wrong; the message says how to fix it."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """A config file does not match the expected shape.

    ``problems`` holds one ``path: message`` line per fault (``rules[3].pattern:
    expected str``), so a file with several mistakes is fixed in one round. ``lines``
    (same length, ``None`` where unknown) holds the 1-based line of each fault in
    *source*, when *source* is a file whose format keeps positions; dq fills it in when
    it reads the file (see ``dq.config._locate``).

    ``str()`` is one line per fault, each standing on its own so an editor or CI log can
    jump to it: ``rules.toml:12: rules[3].check: unknown check 'not_nul' — did you
    mean 'not_null'? (choices: ...)``.
    """

    def __init__(
        self, source: str, problems: list[str], *, lines: list[int | None] | None = None
    ) -> None:
        self.source = source
        self.problems = list(problems)
        known = list(lines or [])
        self.lines: list[int | None] = (known + [None] * len(self.problems))[: len(self.problems)]
        super().__init__("\n".join(self.messages()))

    def messages(self) -> list[str]:
        """One ``source[:line]: problem`` line per fault."""
        return [
            f"{self.source}:{line}: {problem}" if line else f"{self.source}: {problem}"
            for problem, line in zip(self.problems, self.lines, strict=True)
        ] or [f"{self.source}: invalid configuration"]


class PluginNotFound(UsageError):
    """No installed, enabled plugin provides the requested component."""


class PluginError(DqError):
    """A plugin failed to import, declared bad hooks, or raised in a hook.

    Always names the distribution at fault so the user knows whom to report it to.
    """

    def __init__(self, message: str, *, distribution: str, component: str) -> None:
        self.distribution = distribution
        self.component = component
        super().__init__(message)


class SuiteFailed(DqError):
    """A suite ran and its quality gate failed; carries the result.

    Raised by callers that must turn a failed verdict into a failure of their own
    unit (an orchestrator task, a CI step), so the result travels with the error.
    """

    exit_code = EXIT_FINDINGS

    def __init__(self, result: object, message: str | None = None) -> None:
        self.result = result
        super().__init__(message or f"quality gate failed: {getattr(result, 'status', result)}")
