"""Entry point for the plain `pulumi` CLI (Pulumi.yaml's `main: program/`).

Reads the manifest path from stack config (`specql:manifest`), resolves it for the
stack's environment (`specql:environment`, default: the stack name) and builds it. The
release comes from the stack config as well, under the keys `specql deploy up
--version/--image` records (and `rollback` reads): `pulumi config set specql:version
<commit sha>` (the tag CI pushed) or `specql:image` (a complete image reference).
A stack last deployed by specql-deploy 0.1 holds its tag under `specql:imageTag`; that
key is still read, with a warning, for one release.
"""

import pulumi

from specql_deploy.program import build
from specql_deploy.program.lock import read_lock
from specql_deploy.program.manifest import load
from specql_deploy.program.resolve import (
    CONFIG_NAMESPACE,
    IMAGE_KEY,
    LEGACY_VERSION_CONFIG,
    LEGACY_VERSION_KEY,
    VERSION_CONFIG,
    VERSION_KEY,
    resolve,
    with_release,
)

config = pulumi.Config(CONFIG_NAMESPACE)
manifest = load(config.require("manifest"))
environment = config.get("environment") or pulumi.get_stack()
resolved = resolve(
    manifest.spec, environment, default_name=manifest.default_name, lock=read_lock(manifest.path, environment)
)
version = config.get(VERSION_KEY)
if version is None and config.get(LEGACY_VERSION_KEY) is not None:
    version = config.get(LEGACY_VERSION_KEY)
    pulumi.log.warn(
        f"{LEGACY_VERSION_CONFIG} is the old name of {VERSION_CONFIG}, read for one more release: run "
        f"`pulumi config set {VERSION_CONFIG} {version} && pulumi config rm {LEGACY_VERSION_CONFIG}`"
    )
released = with_release(
    resolved, version=version, image=config.get(IMAGE_KEY), given=f"in the stack config ({CONFIG_NAMESPACE}:{{key}})"
)
build(released, project_root=str(manifest.path.parent))
