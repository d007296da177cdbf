"""`docs/MIGRATION.md` of an eject that adopts a running stack: the exact steps, and the way back."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from .files import BASE, TOFU_VERSION

if TYPE_CHECKING:
    from ..contract import ExportContext, GeneratedFile
    from .adopt import Adoption
    from .configuration import Configuration

PATH = "docs/MIGRATION.md"
PULUMI_DIY_ORGANIZATION = "organization"
"""The organization every stack of a self-managed (file, S3) Pulumi backend belongs to."""


def _listing(addresses: list[str]) -> str:
    return "\n".join(f"- `{address}`" for address in addresses)


def _plan_line(adoption: Adoption) -> str:
    added = len(adoption.created) + len(adoption.absent)
    changed = len(adoption.settled)
    return f"Plan: {len(adoption.imports)} to import, {added} to add, {changed} to change, 0 to destroy."


def _additions(adoption: Adoption) -> str:
    parts = []
    if adoption.settled:
        from .import_ids import STATE_ONLY

        lines = []
        for address, arguments in adoption.settled.items():
            kind = address.split(".")[-2].split("[")[0]
            why = "; ".join(f"`{name}`: {STATE_ONLY[(kind, name)].reason}" for name in arguments)
            lines.append(f"- `{address}`: {why}")
        parts.append(
            "These are updated in place in OpenTofu's state only: arguments AWS does not keep, which "
            "the provider's import cannot read back. It sends them to AWS only when it deletes or "
            "modifies the resource, so applying them makes no AWS call.\n\n" + "\n".join(lines)
        )
    if adoption.created:
        parts.append(
            "The plan also creates these, which are no AWS object (each waits until ACM has issued its "
            "certificate, which it already has): creating them changes nothing in AWS.\n\n" + _listing(adoption.created)
        )
    if adoption.absent:
        parts.append(
            "The manifest declares these, but the stack does not hold them (an `up` that never finished): "
            "the plan creates them, as `specql deploy up` would have. To adopt a complete stack instead, run "
            "`specql deploy up` for this environment first and eject again.\n\n" + _listing(adoption.absent)
        )
    return "\n\n".join(parts) + ("\n\n" if parts else "")


def _indented(text: str) -> str:
    """Text continuing a numbered step: every line after the first indented with the step's body."""
    return textwrap.indent(text, "   ").lstrip()


def migration_guide(adoption: Adoption, configuration: Configuration, context: ExportContext) -> GeneratedFile:
    from ..contract import GeneratedFile
    from ..headers import header_lines

    resolved = configuration.resolved
    project, stack = resolved.deployment.name, resolved.deployment.environment
    qualified = f"{PULUMI_DIY_ORGANIZATION}/{project}/{stack}"
    backup = f"pulumi-{project}-{stack}-backup.json"
    header = "\n".join(f"<!-- {line} -->" for line in header_lines(context))
    text = f"""{header}

# Migrating `{project}` ({stack}) from specql-deploy to OpenTofu

`{BASE}/` is the running stack `{stack}` as OpenTofu: the same resources, with the
names and values the stack chose when `specql deploy up` created them, and
`imports.tf` adopting its {len(adoption.imports)} resources by their IDs. The migration
moves who manages them; it creates, changes and deletes nothing in AWS.

Before you start: stop every `specql deploy up` / `destroy` of `{stack}` (CI included);
from step 4 on, two tools would manage the same resources. You need OpenTofu
({TOFU_VERSION}), the Pulumi CLI and the AWS credentials of the account.

## Steps

1. **Back up the Pulumi state.** From the folder holding `deployment.yaml` (the state
   is in `.specql/state` unless `specql deploy` ran with `--backend`; its secrets stay
   encrypted in the backup):

   ```bash
   export PULUMI_BACKEND_URL="file://$PWD/.specql/state"       # or your --backend URL
   export PULUMI_CONFIG_PASSPHRASE_FILE="$PWD/.specql/passphrase"  # or PULUMI_CONFIG_PASSPHRASE
   pulumi stack export --stack {qualified} --file {backup}
   ```

   On Pulumi Cloud the stack is `<your-organization>/{project}/{stack}`. Keep the backup
   until step 6 is done.

2. **Initialise OpenTofu.** Fill in the `backend "s3"` block of `versions.tf` first if the
   state is to be shared (recommended), then:

   ```bash
   cd {BASE}
   cp terraform.tfvars.example terraform.tfvars
   tofu init
   ```

3. **Plan: only imports.**

   ```bash
   tofu plan -out=adopt.tfplan
   ```

   It must end with:

   ```
   {_plan_line(adoption)}
   ```

   {_indented(_additions(adoption).rstrip() or "Nothing is added, changed or destroyed.")}

   Anything else (a change, a replacement, a destroy) means the account no longer
   matches the stack: stop here, nothing has happened yet (see Rolling back).

4. **Apply: record the resources in the OpenTofu state.**

   ```bash
   tofu apply adopt.tfplan
   ```

5. **Verify.** A second plan proposes nothing:

   ```bash
   tofu plan -detailed-exitcode   # exit code 0: no changes
   ```

6. **Make Pulumi forget the stack, deleting nothing.** `--force` removes the stack from
   the backend and leaves every resource it managed in place:

   ```bash
   pulumi stack rm {qualified} --force --yes --preserve-config
   ```

7. `imports.tf` has done its work: delete it (a later plan is the same without it).
   From now on `tofu plan` / `tofu apply` (or `./deploy.sh`) manage `{stack}`; never run
   `specql deploy up` for it again, it would create a second copy of everything.

## Rolling back

- **Before step 6**, Pulumi still manages everything and OpenTofu has changed nothing in
  AWS (its plan had only imports). Drop the OpenTofu state and carry on with specql-deploy:
  `rm terraform.tfstate terraform.tfstate.backup` in `{BASE}` (with a remote backend:
  `tofu state rm` every address `tofu state list` shows). Nothing in AWS changes.
- **After step 6**, restore the stack from the backup, then drop the OpenTofu state as
  above (same `PULUMI_BACKEND_URL` and passphrase as in step 1):

  ```bash
  pulumi stack init {qualified} --secrets-provider passphrase
  pulumi stack import --stack {qualified} --file {backup}
  specql deploy preview deployment.yaml --env {stack}   # no changes: the stack is back
  ```
"""
    return GeneratedFile(PATH, text)


__all__ = ["PATH", "migration_guide"]
