"""Exit codes and the one exception every command turns into a message and a code.

Apart from automation/errors.py (which reads the engine's stderr with a dozen regular
expressions) so that the CLI's start-up, `--help` included, imports only these.
"""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_CHANGES = 2
"""`preview --detailed-exitcode`: the plan has changes (as `terraform plan -detailed-exitcode`); errors are 1 there."""


class DeployError(Exception):
    """A failure already explained in words a user can act on; `code` is the exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
