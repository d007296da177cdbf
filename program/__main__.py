"""Entry point for the plain `pulumi` CLI (Pulumi.yaml's `main: program/`).

Reads the manifest path from stack config (`specql:manifest`), resolves it for the
stack's environment (`specql:environment`, default: the stack name) and builds it. The
release comes from the stack config as well, as `specql deploy up --version/--image`
gives it: `pulumi config set specql:version <commit sha>` (the tag CI pushed) or
`specql:image` (a complete image reference).
"""

import pulumi

from specql_deploy.program import build
from specql_deploy.program.lock import read_lock
from specql_deploy.program.manifest import load
from specql_deploy.program.resolve import resolve, with_release

config = pulumi.Config("specql")
manifest = load(config.require("manifest"))
environment = config.get("environment") or pulumi.get_stack()
resolved = resolve(
    manifest.spec, environment, default_name=manifest.default_name, lock=read_lock(manifest.path, environment)
)
released = with_release(
    resolved, version=config.get("version"), image=config.get("image"), given="in the stack config (specql:{key})"
)
build(released, project_root=str(manifest.path.parent))
