"""A program of Python dynamic resources for the engine tests: local files.

Cloud provider plugins cannot be installed where the tests run, but a dynamic
provider runs inside the real Pulumi engine (through the `pulumi-resource-pulumi-python`
shim), so previews, updates, replacements, locks, interrupts and secrets are exercised
for real. The provider is imported by module name in the provider process, hence this
file sits on PYTHONPATH (the engine fixture adds its folder).

Run as a script it is a driver for tests that need a separate process (two concurrent
updates, an interrupted update): `python engine_resources.py up <spec.json>`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pulumi
from pulumi import dynamic


class LocalFileProvider(dynamic.ResourceProvider):
    """Writes `content` to `path`; a new `path` replaces the file, new content updates it.

    `deletionProtection` behaves like the RDS and load balancer input of that name: an
    in-place update, and a delete refused while it is on.
    """

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        time.sleep(float(props.get("delay") or 0))
        path = Path(props["path"])
        path.write_text(props["content"])
        return dynamic.CreateResult(id_=str(path), outs={**props, "size": len(props["content"])})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        replaces = ["path"] if olds.get("path") != news.get("path") else []
        changes = any(olds.get(key) != news.get(key) for key in ("path", "content", "deletionProtection"))
        return dynamic.DiffResult(changes=changes, replaces=replaces, delete_before_replace=True)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        time.sleep(float(news.get("delay") or 0))
        Path(news["path"]).write_text(news["content"])
        return dynamic.UpdateResult(outs={**news, "size": len(news["content"])})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        if props.get("deletionProtection"):
            raise RuntimeError(f"cannot delete {props['path']}: deletion protection is on")
        Path(props["path"]).unlink(missing_ok=True)


class LocalFile(dynamic.Resource):
    """A file on local disk, managed by the engine."""

    path: pulumi.Output[str]
    content: pulumi.Output[str]
    size: pulumi.Output[int]

    def __init__(
        self,
        name: str,
        path: str,
        content: Any,
        delay: float = 0,
        opts: pulumi.ResourceOptions | None = None,
        deletion_protection: bool = False,
    ) -> None:
        props = {"path": path, "content": content, "delay": delay, "size": None}
        if deletion_protection:
            props["deletionProtection"] = True
        super().__init__(LocalFileProvider(), name, props, opts)


def files_program(spec: dict[str, Any]):
    """A PulumiFn creating one LocalFile per entry of `spec["files"]`.

    Each entry: {"name", "path", "content", "delay"?, "after"?: [names it waits for]};
    `"secret": "<config key>"` makes the content the value of that (secret) config key;
    `"deletion_protection": true` makes the engine refuse to delete it.
    """

    def program() -> None:
        config = pulumi.Config()
        created: dict[str, LocalFile] = {}
        for entry in spec["files"]:
            content = config.require_secret(entry["secret"]) if entry.get("secret") else entry["content"]
            after = [created[name] for name in entry.get("after", ())]
            resource = created[entry["name"]] = LocalFile(
                entry["name"],
                entry["path"],
                content,
                entry.get("delay", 0),
                pulumi.ResourceOptions(depends_on=after),
                deletion_protection=entry.get("deletion_protection", False),
            )
            pulumi.export(f"{entry['name']}_path", resource.path)
            pulumi.export(f"{entry['name']}_content", resource.content)

    return program


def deployer_for(spec: dict[str, Any]):
    """A Deployer from a JSON-able spec (so a child process builds the same one)."""
    from specql_deploy.automation.deployer import Deployer

    return Deployer(
        spec["project"],
        spec["stack"],
        files_program(spec),
        Path(spec["work_dir"]),
        spec["backend_url"],
        "passphrase",
        env_vars=spec["env"],
        pulumi_home=Path(spec["pulumi_home"]),
        cancel_hint="cancel",
    )


def main(argv: list[str]) -> int:
    from specql_deploy.automation.errors import DeployError

    operation, spec_path = argv[1], Path(argv[2])
    deployer = deployer_for(json.loads(spec_path.read_text()))
    try:
        summary = getattr(deployer, operation)()
    except DeployError as error:
        print(f"error: {error.message}", file=sys.stderr, flush=True)
        return error.code
    print(summary.to_json(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
