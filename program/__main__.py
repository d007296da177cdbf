"""Entry point for the plain `pulumi` CLI (Pulumi.yaml's `main: program/`).

Reads the manifest path from stack config (`specql:manifest`), resolves it for the
stack's environment (`specql:environment`, default: the stack name) and builds it.
"""

import pulumi

from specql_deploy.program import build
from specql_deploy.program.lock import read_lock
from specql_deploy.program.manifest import load
from specql_deploy.program.resolve import resolve

config = pulumi.Config("specql")
manifest = load(config.require("manifest"))
environment = config.get("environment") or pulumi.get_stack()
build(
    resolve(manifest.spec, environment, default_name=manifest.default_name, lock=read_lock(manifest.path, environment)),
    project_root=str(manifest.path.parent),
)
