"""Every way an engine operation fails, mapped to one clear message and an exit code.

The Automation API raises `CommandError`s whose text is the Pulumi CLI's whole stderr;
a user needs one sentence saying what happened and what to do. `explain` is the only
place that reads engine errors, so the wording of "locked", "plugin missing", "bad
credentials" and "resource failed" is the same for every command.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .exits import EXIT_CHANGES, EXIT_FAILED, EXIT_OK, EXIT_USAGE, DeployError

__all__ = [  # the exit codes and DeployError are re-exported: engine modules import them from here
    "EXIT_CHANGES",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "DeployError",
    "explain",
    "failed_resources",
    "locked_message",
    "plugin_message",
    "protected_message",
]

# The CLI's own phrases, stable across Pulumi 3.x releases.
_LOCKED = ("the stack is currently locked by", "[409] Conflict: Another update is currently in progress")
_PLUGIN_MISSING = re.compile(
    r"no resource plugin '(?P<name>[\w-]+)(?:-v?(?P<version>[\w.+-]+))?' found"
    r"|could not find plugin for provider '?(?P<name2>[\w-]+)'?"
    r"|failed to load plugin .*pulumi-resource-(?P<name3>[\w-]+)",
    re.IGNORECASE,
)
_CREDENTIALS = re.compile(
    r"No valid credential sources found|InvalidClientTokenId|ExpiredToken|"
    r"SignatureDoesNotMatch|UnrecognizedClientException|invalid security token|"
    r"failed to refresh cached credentials|no EC2 IMDS role found|"
    r"PULUMI_ACCESS_TOKEN|getting user info|unauthorized: |code=PermissionDenied|AccessDenied|"
    r"StatusCode: 403",
    re.IGNORECASE,
)
_PASSPHRASE = re.compile(r"incorrect passphrase|passphrase must be set|constructing secrets manager", re.IGNORECASE)
_STACK_NOT_FOUND = re.compile(r"no stack named '?(?P<stack>[^' ]+)'? found", re.IGNORECASE)
_PROTECTED = re.compile(r'resource "(?P<urn>urn:pulumi:[^"]+)" cannot be deleted because it is protected')
_GRPC_NOISE = re.compile(r"Exception calling application: ")
_TRACEBACK = re.compile(r"Traceback \(most recent call last\):.*\b[A-Za-z_][\w.]*(?:Error|Exception): (?P<message>.*)$")
"""A Python provider's failure as the engine reports it since Pulumi 3.260: the whole
traceback; the user needs its last line, the exception's message."""
_NOISE = re.compile(r"^\s*(warning:|Updating \(|Previewing |View Live:|Resources:|Duration:|\+|~|-|@ )")


def locked_message(stack: str, cancel_hint: str) -> str:
    return (
        f"the stack {stack} is locked by another update; wait for it to finish, or, if no "
        f"update is running (one was interrupted), release the lock with: {cancel_hint}"
    )


def plugin_message(name: str, version: str | None) -> str:
    shown = f" v{version}" if version else ""
    command = f"pulumi plugin install resource {name}" + (f" {version}" if version else "")
    return f"the Pulumi plugin resource {name}{shown} is not installed and cannot be downloaded here; run: {command}"


def failed_resources(diagnostics: Iterable[tuple[str | None, str]]) -> list[str]:
    """`resource <name> failed: <reason>` lines from the engine's error diagnostics."""
    resources: list[str] = []
    general: list[str] = []
    for urn, text in diagnostics:
        reason = _GRPC_NOISE.sub("", " ".join(text.split()))
        traceback = _TRACEBACK.search(reason)
        if traceback:
            reason = traceback.group("message")
        if not reason:
            continue
        if urn and "pulumi:pulumi:Stack" not in urn:
            line, into = f"resource {urn.rsplit('::', 1)[-1]} failed: {reason}", resources
        else:
            line, into = reason, general
        if line not in into:
            into.append(line)
    # "update failed" on the stack only repeats that a resource failed
    return resources or general


def protected_message(urns: list[str]) -> str:
    """What a destroy that met Pulumi-protected resources did, and how to go further."""
    names = ", ".join(urn.rsplit("::", 1)[-1] for urn in urns)
    commands = "\n".join(f"  pulumi state unprotect '{urn}'" for urn in urns)
    return (
        f"kept {len(urns)} protected resource{'s' if len(urns) != 1 else ''} ({names}): a production "
        "stack's data carries Pulumi's `protect`, so destroy deleted everything else and stopped there. "
        "To delete the data too (it cannot be recovered), unprotect each one in this stack's backend "
        f"and run destroy again:\n{commands}"
    )


def _last_error_lines(text: str, limit: int = 6) -> str:
    lines = [re.sub(r"^(stdout|stderr): ", "", line.strip()) for line in text.splitlines()]
    lines = [line for line in lines if line and not _NOISE.match(line) and not line.startswith("code: ")]
    errors = [re.sub(r"^error: ", "", line) for line in lines if line.lower().startswith("error")]
    chosen = errors or lines
    return "\n".join(chosen[-limit:])


def explain(
    error: BaseException, *, stack: str, cancel_hint: str, diagnostics: Iterable[tuple[str | None, str]] = ()
) -> DeployError:
    """Turn any exception from an engine operation into a DeployError.

    `diagnostics` are the (urn, message) pairs of error diagnostics the engine emitted
    during the operation: they name the failing resource better than stderr does.
    """
    if isinstance(error, DeployError):
        return error
    from pulumi.automation import errors as auto_errors

    text = str(error)  # a CommandError's text holds the CLI's stdout and stderr

    if isinstance(error, auto_errors.ConcurrentUpdateError) or any(phrase in text for phrase in _LOCKED):
        return DeployError(locked_message(stack, cancel_hint))
    if isinstance(error, auto_errors.StackNotFoundError) or _STACK_NOT_FOUND.search(text):
        return DeployError(
            f"no stack named {stack} exists in this backend yet; `specql deploy up` creates it", code=EXIT_USAGE
        )
    plugin = _PLUGIN_MISSING.search(text)
    if plugin:
        name = plugin.group("name") or plugin.group("name2") or plugin.group("name3")
        return DeployError(plugin_message(name, plugin.group("version")))
    if _PASSPHRASE.search(text):
        return DeployError(
            "the secrets passphrase does not open this stack's secrets; set "
            "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE to the one "
            "the stack was created with"
        )
    if _CREDENTIALS.search(text):
        detail = _last_error_lines(text, limit=2)
        return DeployError(
            "the cloud credentials are missing, were rejected, or may not do this; "
            f"check AWS_PROFILE / AWS_ACCESS_KEY_ID (or your login) and retry.\n{detail}"
        )
    diagnostics = list(diagnostics)
    protected = sorted(
        {
            match.group("urn")
            for message in [text, *(item for _, item in diagnostics)]
            for match in _PROTECTED.finditer(" ".join(message.split()))
        }
    )
    if protected:
        return DeployError(protected_message(protected))
    failures = failed_resources(diagnostics)
    if failures:
        return DeployError("\n".join(failures))
    detail = _last_error_lines(text) or type(error).__name__
    return DeployError(detail)
