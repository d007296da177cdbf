"""Rendering helpers for the exporter tests: examples, one manifest per framework, a tree on disk."""

from __future__ import annotations

from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(path.parent.name for path in (ROOT / "examples").glob("*/deployment.yaml"))
FRAMEWORKS = ("fraiseql", "django", "rails", "nodejs")
MY_TARGETS = ("docker", "compose", "config", "github-actions", "gitlab-ci", "ansible", "docs")


def example_manifest(name: str) -> Path:
    return ROOT / "examples" / name / "deployment.yaml"


def framework_manifest(directory: Path, framework: str, pattern: str = "small-saas") -> Path:
    """A minimal manifest for one framework (the examples all use fraiseql)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "deployment.yaml"
    path.write_text(
        "deployment:\n"
        "  name: shop\n"
        f"  framework: {framework}\n"
        f"  pattern: {pattern}\n"
        "  domain: shop.example.com\n"
        "  cache: redis\n"
        "  storage: s3\n",
        encoding="utf-8",
    )
    return path


def resolve_path(path: Path, environment: str | None = None):
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve

    manifest = load(path)
    return resolve(manifest.spec, environment, default_name=manifest.default_name)


def render_path(path: Path, target: str, environment: str | None = None) -> dict[str, str]:
    """posix path → content for one target of the manifest at `path`."""
    from specql_deploy.exporters import ExportContext, environments_needed, load_renderer

    resolved = resolve_path(path, environment)
    others = {name: resolve_path(path, name) for name in environments_needed(resolved, [target])}
    files = load_renderer(target)(resolved, ExportContext(path, resolved, environments=others))
    return {item.path: item.content for item in files}


@cache
def render_example(name: str, target: str) -> dict[str, str]:
    return render_path(example_manifest(name), target)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def gitlab_manifest(directory: Path, example: str) -> Path:
    """The example's manifest with `cicd.provider: gitlab-ci` (the examples use GitHub Actions)."""
    text = example_manifest(example).read_text(encoding="utf-8")
    if "provider: github-actions" in text:
        text = text.replace("provider: github-actions", "provider: gitlab-ci")
    else:
        text += "\ncicd:\n  provider: gitlab-ci\n"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "deployment.yaml"
    path.write_text(text, encoding="utf-8")
    return path
