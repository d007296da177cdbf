"""Kubernetes eject: `infrastructure/kubernetes/manifests/` (plain YAML, one file per
kind) and `infrastructure/kubernetes/helm/` (a chart rendering the same objects).

Both come from the offline capture of the Pulumi program, so they are the objects
`specql deploy up` creates, never a second hand-kept copy. Secrets carry no values:
the READMEs show the `kubectl create secret` command that makes them.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from ...components.observability import observability_files
from ..contract import GeneratedFile
from ..headers import hash_header
from .chart import chart_values, template_text, values_yaml
from .manifests import (
    AddonRelease,
    KindFile,
    StackSecret,
    addon_releases,
    dump_documents,
    flat_values,
    helm_command,
    kind_files,
    stack_secrets,
)

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment
    from ..contract import ExportContext

ROOT = "infrastructure/kubernetes"
CHART_VERSION = "0.1.0"
"""The chart's own version: bump it when you change the templates."""


def render(resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]:
    """Manifests and chart for the kubernetes pattern; nothing for the others."""
    if resolved.deployment.pattern != "kubernetes":
        return []
    resources = context.graph.resources
    files = kind_files(resources)
    releases = addon_releases(resources)
    secrets = stack_secrets(resources)
    header = hash_header(context, what="Kubernetes objects of the deployment, as `specql deploy up` creates them.")
    out = [GeneratedFile(f"{ROOT}/manifests/{file.stem}.yaml", header + dump_documents(file.objects)) for file in files]
    out.append(GeneratedFile(f"{ROOT}/manifests/README.md", manifests_readme(resolved, files, releases, secrets)))
    out.extend(chart_files(resolved, context, files, releases, secrets))
    return out


def chart_files(
    resolved: ResolvedDeployment,
    context: ExportContext,
    files: list[KindFile],
    releases: list[AddonRelease],
    secrets: list[StackSecret],
) -> list[GeneratedFile]:
    values = chart_values(files)
    header = hash_header(context, what="Helm template; with the default values it renders the plain manifests.")
    chart_yaml = "".join(
        [
            hash_header(context),
            "apiVersion: v2\n",
            f"name: {resolved.deployment.name}\n",
            f"description: {resolved.deployment.name} ({resolved.deployment.framework}) with its PostgreSQL cluster, "
            "ingress and network policies\n",
            "type: application\n",
            f"version: {CHART_VERSION}\n",
            f'appVersion: "{resolved.deployment.version}"\n',
        ]
    )
    out = [
        GeneratedFile(f"{ROOT}/helm/Chart.yaml", chart_yaml),
        GeneratedFile(f"{ROOT}/helm/values.yaml", hash_header(context) + values_yaml(values)),
        GeneratedFile(f"{ROOT}/helm/.helmignore", "# Files helm package leaves out.\nREADME.md\n"),
        GeneratedFile(f"{ROOT}/helm/README.md", chart_readme(resolved, releases, secrets)),
    ]
    out.extend(
        GeneratedFile(f"{ROOT}/helm/templates/{file.stem}.yaml", header + template_text(file, values)) for file in files
    )
    return out


def ejected_texts(resolved: ResolvedDeployment, folder: str) -> dict[str, str]:
    """Text → path from `folder` of each observability file the eject writes, so a release
    value that is one of them (Alloy's configuration) is installed from that very file."""
    return {text: posixpath.relpath(path, folder) for path, text in observability_files(resolved).items()}


def _addons_section(resolved: ResolvedDeployment, releases: list[AddonRelease], folder: str) -> list[str]:
    if not releases:
        return ["The cluster already runs every add-on this deployment needs.", ""]
    files = ejected_texts(resolved, folder)
    lines = ["Install the add-ons first (pinned chart versions; the custom resources need their CRDs):", "", "```sh"]
    for release in releases:
        lines.append(helm_command(release, files))
    lines += ["```", ""]
    if any(
        isinstance(value, str) and value in files for release in releases for _, value in flat_values(release.values)
    ):
        lines += [
            "`--set-file` reads the file the `observability` eject writes (run these commands from this folder).",
            "",
        ]
    return lines


def _secrets_section(resolved: ResolvedDeployment, secrets: list[StackSecret]) -> list[str]:
    lines = [
        "The database operator writes the application's `DATABASE_URL` to its own Secret; nothing to do for it.",
        "",
    ]
    for secret in secrets:
        literals = " ".join(f'--from-literal={key}="${key}"' for key in secret.keys)
        lines += [
            f"The application also reads secrets from `{secret.name}`. Their values are not in these files; "
            "export them in your shell, then:",
            "",
            "```sh",
            f"kubectl -n {secret.namespace} create secret generic {secret.name} {literals}",
            "```",
            "",
        ]
    if not secrets and resolved.application.secrets:
        names = ", ".join(resolved.application.secrets)
        lines += [f"Secrets listed in the manifest ({names}) come from the operator's Secret.", ""]
    return lines


def manifests_readme(
    resolved: ResolvedDeployment, files: list[KindFile], releases: list[AddonRelease], secrets: list[StackSecret]
) -> str:
    namespace = resolved.kubernetes.namespace
    lines = [
        f"# Kubernetes manifests: {resolved.deployment.name} ({resolved.deployment.environment})",
        "",
        "Plain YAML, one file per kind, numbered in the order to apply them. They are the objects",
        "`specql deploy up` creates for this environment.",
        "",
        "## 1. Add-ons",
        "",
        *_addons_section(resolved, releases, f"{ROOT}/manifests"),
        "## 2. Secrets",
        "",
        *_secrets_section(resolved, secrets),
        "## 3. Apply",
        "",
        "```sh",
        "kubectl apply -f 00-namespace.yaml",
        "kubectl apply -f .",
        f"kubectl -n {namespace} rollout status deployment/{resolved.deployment.name}",
        "```",
        "",
        "Files:",
        "",
        *[f"- `{file.stem}.yaml`: {len(file.objects)} {file.kind}" for file in files],
        "",
    ]
    return "\n".join(lines)


def chart_readme(resolved: ResolvedDeployment, releases: list[AddonRelease], secrets: list[StackSecret]) -> str:
    name = resolved.deployment.name
    lines = [
        f"# Helm chart: {name}",
        "",
        "With its default values this chart renders exactly the objects in `../manifests/`.",
        "`values.yaml` holds what you are likely to change: image, replicas, resources, host and",
        "the PostgreSQL cluster size.",
        "",
        "## Add-ons",
        "",
        *_addons_section(resolved, releases, f"{ROOT}/helm"),
        "## Secrets",
        "",
        *_secrets_section(resolved, secrets),
        "## Install",
        "",
        "```sh",
        f"helm upgrade --install {name} . --set image.tag=$GIT_SHA",
        "```",
        "",
    ]
    return "\n".join(lines)


__all__ = ["render"]
