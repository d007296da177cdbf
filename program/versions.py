"""Every pinned version, in one table, with the date it was last checked.

Images, Helm charts, GitHub Actions and the language runtimes the frameworks default
to are pinned so that a build next month is the build reviewed today. Pins go stale:
each entry records when it was last compared with upstream and where, so a reviewer
sees at a glance what to re-check, and the ejected `.github/dependabot.yml` proposes
updates to the owners of the generated files from then on.

Checked on 2026-12-01 against the newest upstream data reachable here: the official
images' library files (docker-library/official-images, 2026-08-21), the projects' own
release tags, and the Node.js and Kubernetes release calendars.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Pin:
    """One pinned version and when it was last compared with its upstream."""

    version: str
    """The pinned reference: an image tag, a chart version, a commit SHA."""
    checked: str
    """ISO date it was last compared with upstream's newest release."""
    upstream: str
    """Where the newest release is read."""
    note: str = ""
    """Why this one rather than the newest, when it is not the newest."""


CHECKED = "2026-12-01"
OFFICIAL = "https://github.com/docker-library/official-images/tree/master/library"


IMAGES: Mapping[str, Pin] = {
    # PostgreSQL stays on its 16 major (a major upgrade is a dump and restore, never a
    # silent default change); the newest 16 patch release.
    "postgres": Pin("postgres:16.15-alpine3.24", CHECKED, OFFICIAL, "major 16 = database.version"),
    # Redis 7.4: the newest release under the BSD licence the rest of the stack assumes.
    "redis": Pin("redis:7.4.11-alpine3.21", CHECKED, OFFICIAL, "8.x is no longer BSD-licensed"),
    "caddy": Pin("caddy:2.11.4-alpine", CHECKED, OFFICIAL),
    "prometheus": Pin("prom/prometheus:v3.14.0", CHECKED, "https://github.com/prometheus/prometheus/releases"),
    # The host's CPU, memory and disk for Prometheus (also reads the backup's textfile metric).
    "node-exporter": Pin(
        "prom/node-exporter:v1.9.1",
        CHECKED,
        "https://github.com/prometheus/node_exporter/releases",
        "not compared here",
    ),
    # PostgreSQL's connections and settings for Prometheus.
    "postgres-exporter": Pin(
        "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
        CHECKED,
        "https://github.com/prometheus-community/postgres_exporter/releases",
        "not compared here",
    ),
    # Grafana, Loki and Alloy run as their upstream images (AGPL: never built or vendored here).
    "grafana": Pin(
        "grafana/grafana-oss:12.3.0", CHECKED, "https://github.com/grafana/grafana/releases", "not compared here"
    ),
    # AWS Distro for OpenTelemetry: scrapes the app beside it in the ECS task and
    # remote-writes to Amazon Managed Service for Prometheus with SigV4.
    "otel-collector": Pin(
        "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3",
        CHECKED,
        "https://github.com/aws-observability/aws-otel-collector/releases",
        "not compared here",
    ),
    # The same Loki and Alloy run on a Docker host and in a cluster: the Helm charts below
    # are pinned to these tags (`loki.image.tag`, `image.tag`), the releases their newest
    # charts ship (grafana-community/helm-charts and grafana/alloy, 2026-08-20).
    "loki": Pin(
        "grafana/loki:3.7.6", CHECKED, "https://github.com/grafana-community/helm-charts/tree/main/charts/loki"
    ),
    # Also the Docker host's log shipper of the Ansible eject (install-monitoring.yml).
    "alloy": Pin("grafana/alloy:v1.18.1", CHECKED, "https://github.com/grafana/alloy/releases"),
    "uptime-kuma": Pin(
        "louislam/uptime-kuma:1.23.16-alpine",
        CHECKED,
        "https://github.com/louislam/uptime-kuma/releases",
        "not compared: its releases were not reachable here; Dependabot proposes the newer tag",
    ),
    # Copies the dumps off the host (S3 or any S3-compatible store).
    "rclone": Pin(
        "rclone/rclone:1.68.2",
        CHECKED,
        "https://github.com/rclone/rclone/releases",
        "not compared: its releases were not reachable here; Dependabot proposes the newer tag",
    ),
    # CloudNativePG's operand image for the default PostgreSQL major (`database.version` 16).
    "cloudnative-pg-postgres": Pin(
        "ghcr.io/cloudnative-pg/postgresql:16.6",
        CHECKED,
        "https://github.com/cloudnative-pg/postgres-containers/pkgs/container/postgresql",
        "not compared: the registry was not reachable here",
    ),
    # Development compose only: MinIO speaks the S3 API, so the same SDK code runs locally...
    "minio": Pin(
        "minio/minio:RELEASE.2025-04-22T22-12-26Z",
        CHECKED,
        "https://github.com/minio/minio/releases",
        "development only; MinIO publishes no newer community images",
    ),
    # ...and its client creates the manifest's buckets once.
    "minio-client": Pin(
        "minio/mc:RELEASE.2025-04-16T18-13-26Z",
        CHECKED,
        "https://github.com/minio/mc/releases",
        "development only; MinIO publishes no newer community images",
    ),
    # FraiseQL's Rust extensions compile with this toolchain, copied into the Dockerfile's
    # build stage instead of piping rustup from the network.
    "rust": Pin("rust:1.98.0-slim-bookworm", CHECKED, OFFICIAL),
}
"""Images the stacks and the Dockerfile run, by role."""


# The ejected .gitlab-ci.yml's job images (a moving tag would change the pipeline
# without a review).
GITLAB_CI_IMAGES: Mapping[str, Pin] = {
    "docker": Pin(
        "docker:27.5.1",
        CHECKED,
        "https://hub.docker.com/_/docker",
        "not compared: the Hub's tags were not reachable here; review before relying on it",
    ),
    # The Docker engine the build and promotion jobs talk to (TLS between the two).
    "docker-dind": Pin(
        "docker:27.5.1-dind",
        CHECKED,
        "https://hub.docker.com/_/docker",
        "not compared: the Hub's tags were not reachable here; review before relying on it",
    ),
}

BASE_IMAGES: Mapping[str, Pin] = {
    # glibc base for FraiseQL's Rust wheels
    "fraiseql": Pin("python:3.13-slim-bookworm", CHECKED, OFFICIAL, "3.14 is out; FraiseQL targets 3.13"),
    "django": Pin(
        "python:3.12-slim-bookworm", CHECKED, OFFICIAL, "the newest Python every Django 5 dependency supports"
    ),
    # Ruby 3.3 is supported until March 2027; Ruby 4.0 is a new major for gems to catch up with.
    "rails": Pin("ruby:3.3-slim-bookworm", CHECKED, OFFICIAL, "supported until 2027-03"),
    # Node.js 24 "Krypton" is the active LTS (20 reached end of life on 2026-04-30).
    "nodejs": Pin("node:24-alpine", CHECKED, OFFICIAL),
}
"""Framework → the runtime stage's base image (a minor-version tag: patch releases are
security fixes the image picks up at each build)."""


RUNTIME_VERSIONS: Mapping[str, Pin] = {
    "fraiseql": Pin("3.13", CHECKED, "https://devguide.python.org/versions/"),
    "django": Pin("3.12", CHECKED, "https://devguide.python.org/versions/"),
    "rails": Pin("3.3", CHECKED, "https://www.ruby-lang.org/en/downloads/branches/"),
    "nodejs": Pin("24", CHECKED, "https://nodejs.org/en/about/previous-releases"),
}
"""Framework → the language version CI tests with (the base image's)."""


HELM_CHARTS: Mapping[str, tuple[str, Pin, str]] = {
    # name: (chart, version, repository)
    "cloudnative-pg": (
        "cloudnative-pg",
        Pin("0.23.0", CHECKED, "https://github.com/cloudnative-pg/charts/releases", "not compared here"),
        "https://cloudnative-pg.github.io/charts",
    ),
    "crunchy-pgo": (
        "pgo",
        Pin("5.7.2", CHECKED, "https://github.com/CrunchyData/postgres-operator/releases", "not compared here"),
        "oci://registry.developers.crunchydata.com/crunchydata",
    ),
    # Retired upstream in March 2026 (no more releases or security fixes): kept only for
    # manifests that ask for `ingress.class: nginx`, which resolution warns about.
    "ingress-nginx": (
        "ingress-nginx",
        Pin("4.12.0", CHECKED, "https://github.com/kubernetes/ingress-nginx", "retired 2026-03: no newer release"),
        "https://kubernetes.github.io/ingress-nginx",
    ),
    "traefik": (
        "traefik",
        Pin("41.3.0", CHECKED, "https://github.com/traefik/traefik-helm-chart/releases"),
        "https://traefik.github.io/charts",
    ),
    "cert-manager": (
        "cert-manager",
        Pin("v1.21.1", CHECKED, "https://github.com/cert-manager/cert-manager/releases"),
        "https://charts.jetstack.io",
    ),
    "kube-prometheus-stack": (
        "kube-prometheus-stack",
        Pin("68.3.0", CHECKED, "https://github.com/prometheus-community/helm-charts/releases", "not compared here"),
        "https://prometheus-community.github.io/helm-charts",
    ),
    # Logs (`logs.aggregator: loki`): Loki in monolithic mode on a volume, and Alloy
    # reading the pods' logs through the API. The Loki chart moved from grafana/helm-charts
    # to the community repository in March 2026 (Grafana's Loki docs point there).
    "loki": (
        "loki",
        Pin(
            "18.11.0",
            CHECKED,
            "https://github.com/grafana-community/helm-charts/releases",
            "not compared here with the Helm registry: read from the chart's repository (2026-08-20)",
        ),
        "https://grafana-community.github.io/helm-charts",
    ),
    "alloy": (
        "alloy",
        Pin(
            "1.11.1",
            CHECKED,
            "https://github.com/grafana/alloy/releases",
            "not compared here with the Helm registry: read from the chart's repository (2026-08-21)",
        ),
        "https://grafana.github.io/helm-charts",
    ),
}
"""Helm charts the kubernetes pattern installs: name → (chart, version, repository)."""


@dataclass(frozen=True)
class ActionPin:
    """A GitHub Action pinned to a commit, with the release that commit is."""

    repository: str
    sha: str
    release: str
    checked: str


ACTIONS: Mapping[str, ActionPin] = {
    # Each SHA is the commit its release tag points at, read from the action's repository.
    "checkout": ActionPin("actions/checkout", "3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1", CHECKED),
    "setup-python": ActionPin("actions/setup-python", "5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0", CHECKED),
    "setup-node": ActionPin("actions/setup-node", "820762786026740c76f36085b0efc47a31fe5020", "v7.0.0", CHECKED),
    "setup-ruby": ActionPin("ruby/setup-ruby", "0dafeac902942906541bc140009cdbf32665b601", "v1.315.0", CHECKED),
    "configure-aws-credentials": ActionPin(
        "aws-actions/configure-aws-credentials", "e6de054238d6b7531b4efff3b6587d9aade6a06c", "v6.2.3", CHECKED
    ),
    "amazon-ecr-login": ActionPin(
        "aws-actions/amazon-ecr-login", "03f1aad4c6c7ffd436567f42f9384779290529bd", "v2.1.7", CHECKED
    ),
    "setup-buildx": ActionPin(
        "docker/setup-buildx-action", "37fe631027851001ddb9b187196cc803df7f5f0e", "v4.3.0", CHECKED
    ),
    "docker-login": ActionPin("docker/login-action", "4907a6ddec9925e35a0a9e82d7399ccc52663121", "v4.1.0", CHECKED),
    "build-push": ActionPin("docker/build-push-action", "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a", "v7.3.0", CHECKED),
}
"""Third-party actions of the generated workflows, by role."""
