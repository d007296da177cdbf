"""A multi-stage Dockerfile per framework, written the way an engineer would by hand.

Every recipe shares the same shape: a build stage that has compilers and dev
dependencies, a runtime stage from the framework's pinned base image that receives
only the built artefacts, runs as an unprivileged user with a fixed UID, and declares
a HEALTHCHECK that probes the application's own health path with the runtime's
interpreter (no curl in the image, so no extra package to patch).

The build context is the repository root (``docker build -f docker/Dockerfile .``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from ...program.building_blocks import APP_RUN_AS_ID
from ...program.catalogue import IMAGES
from ...program.frameworks import health_probe, probe_seconds
from ...program.model import ResolvedDeployment

TOOLCHAIN_IMAGES = {"rust": IMAGES["rust"]}
"""Images the recipes need beyond the framework's base image (pinned in ``IMAGES``)."""

APP_UID = APP_RUN_AS_ID
"""UID/GID of the runtime user: the same one Kubernetes pods run as (see defaults)."""

APP_USER = "app"


@dataclass(frozen=True)
class Recipe:
    """How one framework builds and runs."""

    builder: Callable[[ResolvedDeployment], list[str]]
    runtime: Callable[[ResolvedDeployment], list[str]]


def _exec_form(args: list[str] | tuple[str, ...]) -> str:
    return json.dumps(list(args))


def _apt_install(packages: list[str], why: str) -> list[str]:
    """An apt layer that leaves no package lists behind.

    Debian package versions are not pinned (hadolint DL3008): bookworm's security
    updates replace exact versions, so a pin breaks the build within weeks; the base
    image tag already pins the distribution release.
    """
    return [
        f"# {why}",
        "# hadolint ignore=DL3008",
        "RUN apt-get update \\",
        f"    && apt-get install --yes --no-install-recommends {' '.join(sorted(packages))} \\",
        "    && rm -rf /var/lib/apt/lists/*",
    ]


def _python_user() -> list[str]:
    return [
        f"RUN groupadd --system --gid {APP_UID} {APP_USER} \\",
        f"    && useradd --system --uid {APP_UID} --gid {APP_USER} --home-dir /app --shell /usr/sbin/nologin {APP_USER}",
    ]


_PYTHON_ENV = [
    "ENV PYTHONDONTWRITEBYTECODE=1 \\",
    "    PYTHONUNBUFFERED=1 \\",
    '    PATH="/opt/venv/bin:$PATH"',
]

_PIP_ENV = ["ENV PIP_DISABLE_PIP_VERSION_CHECK=1"]

# BuildKit cache mounts keep downloaded packages between builds without putting them in
# a layer: a code change rebuilds in seconds and the image carries no cache.
PIP_CACHE = "--mount=type=cache,target=/root/.cache/pip"
NPM_CACHE = "--mount=type=cache,target=/root/.npm"


# ------------------------------------------------------------------------- fraiseql


def _fraiseql_builder(resolved: ResolvedDeployment) -> list[str]:
    rust = TOOLCHAIN_IMAGES["rust"]
    return [
        f"FROM {resolved.application.base_image} AS builder",
        *_apt_install(
            ["build-essential", "libpq-dev"], "C toolchain for the Rust linker and psycopg; headers for libpq."
        ),
        "",
        "# The Rust toolchain from the official image, for FraiseQL's maturin-built extensions.",
        f"COPY --from={rust} /usr/local/cargo /usr/local/cargo",
        f"COPY --from={rust} /usr/local/rustup /usr/local/rustup",
        "ENV CARGO_HOME=/usr/local/cargo \\",
        "    RUSTUP_HOME=/usr/local/rustup \\",
        '    PATH="/usr/local/cargo/bin:$PATH"',
        *_PYTHON_ENV,
        *_PIP_ENV,
        "",
        "WORKDIR /build",
        "RUN python -m venv /opt/venv",
        "# The project and its dependencies (fraiseql included) build into the venv.",
        "COPY . .",
        f"RUN {PIP_CACHE} pip install .",
    ]


def _python_runtime(resolved: ResolvedDeployment) -> list[str]:
    return [
        f"FROM {resolved.application.base_image} AS runtime",
        *_PYTHON_ENV,
        f"ENV PORT={resolved.application.port}",
        *_python_user(),
        "WORKDIR /app",
        "COPY --from=builder /opt/venv /opt/venv",
        "# Application code stays owned by root: the service can read it, never rewrite it.",
        "COPY . .",
    ]


# --------------------------------------------------------------------------- django


def _django_builder(resolved: ResolvedDeployment) -> list[str]:
    return [
        f"FROM {resolved.application.base_image} AS builder",
        *_PYTHON_ENV,
        *_PIP_ENV,
        "WORKDIR /build",
        "RUN python -m venv /opt/venv",
        "# Dependencies first, so editing application code does not reinstall them.",
        "COPY requirements.txt ./",
        f"RUN {PIP_CACHE} pip install -r requirements.txt",
    ]


def _django_runtime(resolved: ResolvedDeployment) -> list[str]:
    return [
        *_python_runtime(resolved),
        "# Static files collected at build time; settings must not need secrets to import.",
        "RUN python manage.py collectstatic --noinput",
    ]


# ---------------------------------------------------------------------------- rails

_RAILS_ENV = [
    "ENV RAILS_ENV=production \\",
    "    BUNDLE_DEPLOYMENT=1 \\",
    "    BUNDLE_PATH=/usr/local/bundle \\",
    "    BUNDLE_WITHOUT=development:test",
]


def _rails_builder(resolved: ResolvedDeployment) -> list[str]:
    return [
        f"FROM {resolved.application.base_image} AS builder",
        *_apt_install(
            ["build-essential", "git", "libpq-dev", "libyaml-dev", "pkg-config"],
            "Compilers and headers for native gems (pg, psych).",
        ),
        *_RAILS_ENV,
        "WORKDIR /rails",
        "# Gems first, so editing application code does not reinstall them.",
        "COPY Gemfile Gemfile.lock ./",
        'RUN bundle install && rm -rf ~/.bundle "${BUNDLE_PATH}"/ruby/*/cache',
        "COPY . .",
        "# Assets compile without the real key; the dummy only satisfies Rails' boot check.",
        "RUN SECRET_KEY_BASE_DUMMY=1 ./bin/rails assets:precompile",
    ]


def _rails_runtime(resolved: ResolvedDeployment) -> list[str]:
    return [
        f"FROM {resolved.application.base_image} AS runtime",
        *_apt_install(["libpq5", "libyaml-0-2"], "Shared libraries the compiled gems load."),
        *_RAILS_ENV,
        f"ENV PORT={resolved.application.port}",
        f"RUN groupadd --system --gid {APP_UID} {APP_USER} \\",
        f"    && useradd --system --uid {APP_UID} --gid {APP_USER} --home-dir /rails --shell /usr/sbin/nologin {APP_USER}",
        "WORKDIR /rails",
        "COPY --from=builder /usr/local/bundle /usr/local/bundle",
        "COPY --from=builder /rails /rails",
        "# Rails writes only to tmp/, log/ and storage/.",
        "RUN mkdir -p tmp log storage \\",
        f"    && chown -R {APP_USER}:{APP_USER} tmp log storage",
    ]


# ----------------------------------------------------------------------------- node


def _node_builder(resolved: ResolvedDeployment) -> list[str]:
    return [
        f"FROM {resolved.application.base_image} AS builder",
        "WORKDIR /build",
        "# Dependencies first, so editing application code does not reinstall them.",
        "COPY package.json package-lock.json ./",
        f"RUN {NPM_CACHE} npm ci",
        "COPY . .",
        "RUN npm run build",
        "",
        "# Production dependencies only, for the runtime stage (the builder keeps dev tools for hot reload).",
        "FROM builder AS production-deps",
        "RUN npm prune --omit=dev",
    ]


def _node_runtime(resolved: ResolvedDeployment) -> list[str]:
    return [
        f"FROM {resolved.application.base_image} AS runtime",
        "ENV NODE_ENV=production \\",
        f"    PORT={resolved.application.port}",
        f"RUN addgroup -S -g {APP_UID} {APP_USER} \\",
        f"    && adduser -S -D -H -u {APP_UID} -G {APP_USER} -h /app -s /sbin/nologin {APP_USER}",
        "WORKDIR /app",
        "COPY --from=builder /build/package.json ./package.json",
        "COPY --from=production-deps /build/node_modules ./node_modules",
        "COPY --from=builder /build/dist ./dist",
    ]


RECIPES: dict[str, Recipe] = {
    "fraiseql": Recipe(_fraiseql_builder, _python_runtime),
    "django": Recipe(_django_builder, _django_runtime),
    "rails": Recipe(_rails_builder, _rails_runtime),
    "nodejs": Recipe(_node_builder, _node_runtime),
}
"""Framework → recipe; the keys match ``program.defaults.FRAMEWORKS``."""

DEV_TARGETS = {"fraiseql": "runtime", "django": "runtime", "rails": "runtime", "nodejs": "builder"}
"""Stage the dev compose file builds: Node needs its dev dependencies to hot-reload."""


def recipe_for(resolved: ResolvedDeployment) -> Recipe:
    framework = resolved.deployment.framework
    try:
        return RECIPES[framework]
    except KeyError:
        raise ValueError(
            f"no Dockerfile recipe for framework {framework!r}; known: {', '.join(sorted(RECIPES))}"
        ) from None


def render_dockerfile(resolved: ResolvedDeployment, header: str) -> str:
    """The Dockerfile text for the resolved framework."""
    app = resolved.application
    recipe = recipe_for(resolved)
    url = f"http://127.0.0.1:{app.port}{app.health_check_path}"
    start_period = app.health_check_interval  # one interval of grace for the first boot
    probe = health_probe(resolved.deployment.framework, url, probe_seconds(app.health_check_timeout))
    # No `# syntax=` line: it would pull an unpinned frontend image at every build, and the
    # frontend built into BuildKit (Docker 23+) already has cache mounts.
    lines = [
        *header.rstrip("\n").split("\n"),
        "#",
        f"# Build from the repository root: docker build -f docker/Dockerfile -t {resolved.name} .",
        "",
        "# ---- build stage: compilers and dev dependencies, never shipped",
        *recipe.builder(resolved),
        "",
        "# ---- runtime stage: the artefacts only, as an unprivileged user",
        *recipe.runtime(resolved),
        "",
        f"USER {APP_UID}:{APP_UID}",
        f"EXPOSE {app.port}",
        (
            f"HEALTHCHECK --interval={app.health_check_interval}s --timeout={app.health_check_timeout}s "
            f"--start-period={start_period}s --retries={app.unhealthy_threshold} \\"
        ),
        f"    CMD {_exec_form(probe)}",
        f"CMD {_exec_form(app.command)}",
    ]
    return "\n".join(lines) + "\n"
