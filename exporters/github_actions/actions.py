"""Third-party actions, pinned to full commit SHAs.

A tag can be moved to other code after review; a commit SHA cannot. The version in
the trailing comment is what the SHA was released as, for humans and for Dependabot
(which understands the `@sha # vX.Y.Z` convention and proposes upgrades).
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Action(NamedTuple):
    repository: str
    ref: str
    """Full commit SHA, or an exact release tag where the SHA could not be verified."""
    version: str

    @property
    def uses(self) -> str:
        return f"{self.repository}@{self.ref}"


ACTIONS: dict[str, Action] = {
    # Source checkout; v4.2.2 is the last v4 release before the node24 runtime change.
    "checkout": Action("actions/checkout", "11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    # Python for the application's tests and for the specql CLI.
    "setup-python": Action("actions/setup-python", "0b93645e9fea7318ecaed2b359559ac225c90a2b", "v5.3.0"),
    # Node.js applications' tests.
    "setup-node": Action("actions/setup-node", "39370e3970a6d050c480ffad4ff0ed4d3fdee5af", "v4.1.0"),
    # Rails applications' tests. Exact release tag: its SHA was not verified offline.
    "setup-ruby": Action("ruby/setup-ruby", "v1.207.0", "v1.207.0"),
    # OIDC role assumption: short-lived AWS credentials, no stored keys.
    "configure-aws-credentials": Action(
        "aws-actions/configure-aws-credentials", "e3dd6a429d7300a6a4c196c26e071d42e0343502", "v4.0.2"
    ),
    # Docker login to the account's ECR registry with the assumed role.
    "amazon-ecr-login": Action("aws-actions/amazon-ecr-login", "062b18b96a7aff071d4dc91bc00c4c1a7945b076", "v2.0.1"),
    # BuildKit builder with the GitHub Actions layer cache.
    "setup-buildx": Action("docker/setup-buildx-action", "c47758b77c9736f4b2ef4073d4d51994fabfe349", "v3.7.1"),
    # Docker login to GHCR for the non-AWS patterns.
    "docker-login": Action("docker/login-action", "9780b0c442fbb1117ed29e0efdff1e18412f7567", "v3.3.0"),
    # Build and push with provenance and SBOM attestations.
    "build-push": Action("docker/build-push-action", "48aba3b46d1b1fec4febb7c5d0c644b249a11355", "v6.10.0"),
}


def uses(name: str) -> str:
    return ACTIONS[name].uses


def annotate_versions(text: str) -> str:
    """Append `# vX.Y.Z` to every pinned `uses:` line of a dumped workflow."""
    by_uses = {action.uses: action.version for action in ACTIONS.values()}

    def comment(match: re.Match[str]) -> str:
        version = by_uses.get(match.group(2))
        return (
            match.group(0)
            if version is None or version == match.group(2).split("@")[1]
            else (f"{match.group(0)}  # {version}")
        )

    return re.sub(r"^(\s*-?\s*uses: )(\S+)$", comment, text, flags=re.MULTILINE)
