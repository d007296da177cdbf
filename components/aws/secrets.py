"""Secrets: the Secrets Manager entries the application reads at start-up."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import SECRETS_RECOVERY_WINDOW_DAYS
from .children import child


@dataclass(frozen=True)
class SecretsArgs:
    """Arguments of :class:`Secrets`."""

    names: tuple[str, ...]
    """Environment variable names (`STRIPE_API_KEY`), one secret each. Required."""
    kms_key_arn: pulumi.Input[str]
    """Key encrypting the secrets. Required."""
    recovery_window_days: int = SECRETS_RECOVERY_WINDOW_DAYS
    """Days a deleted secret can be restored. Defaults to `30`."""


class Secrets(pulumi.ComponentResource):
    """Empty, encrypted secrets named `<stack prefix>/<NAME>`.

    The program never sees the values: an operator sets them once with
    `aws secretsmanager put-secret-value`, and ECS injects them into the container,
    so no value passes through Pulumi state, a file or a log.
    """

    arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: SecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:aws:Secrets", name, None, opts)
        self.arns = {}
        for secret_name in args.names:
            secret = aws.secretsmanager.Secret(
                f"{name}-{secret_name.lower().replace('_', '-')}",
                name=f"{name}/{secret_name}",
                description=f"{secret_name} for {name}; set its value with put-secret-value",
                kms_key_id=args.kms_key_arn,
                recovery_window_in_days=args.recovery_window_days,
                opts=child(self),
            )
            self.arns[secret_name] = secret.arn
        self.register_outputs({"arns": self.arns})
