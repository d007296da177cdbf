#!/usr/bin/env bash
# The test command: installs everything the suite needs (the venv, the Pulumi CLI
# built from the Go module proxy, checkov and ansible in their own venvs, a Debian root
# from debootstrap, caddy and helm built from
# the Go module proxy, OpenTofu and the AWS provider, the pulumi-kubernetes provider,
# etcd and the Kubernetes control plane, promtool, all built from the Go module proxy), checks lint,
# format and types (scripts/check.sh), then runs pytest.
#   scripts/test.sh [PYTEST ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-venv.sh
export PYTHON="$PWD/.venv/bin/python"

# busybox runs the hobby stack's backup loop with the alpine image's own tools.
if ! command -v busybox >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get install -y -q busybox >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q busybox >/dev/null; }
fi

# ruff (lint and format) and mypy, before any test runs.
scripts/check.sh

# Real Pulumi engine for the engine tier (cached after the first build).
PATH="$(scripts/install-pulumi-cli.sh --print-bin-dir):$PATH"
export PATH PULUMI_SKIP_UPDATE_CHECK=true
# Third-party validators that cannot share the project's venv or come from Go.
SPECQL_CHECKOV="$(scripts/install-validators.sh)"
SPECQL_CADDY="$(scripts/install-validators.sh --caddy)"
SPECQL_HELM="$(scripts/install-helm.sh)"
# ansible-playbook and ansible-lint (own venv), and the Debian root the playbooks run
# against in check mode (debootstrap from the Debian mirror, cached).
SPECQL_ANSIBLE="$(scripts/install-validators.sh --ansible)"
SPECQL_DEBIAN_ROOT="$(scripts/install-debian-chroot.sh)"
export SPECQL_CHECKOV SPECQL_CADDY SPECQL_HELM SPECQL_ANSIBLE SPECQL_DEBIAN_ROOT
# OpenTofu and terraform-provider-aws for the OpenTofu tier (the first build takes about
# ten minutes on two cores; cached by version under ~/.cache/specql-deploy).
tofu_env="$(scripts/install-opentofu.sh --print-env)"
while IFS='=' read -r name value; do
  export "$name=$value"
done <<< "$tofu_env"
# The kubernetes tier (tests/kubernetes_real): the pulumi-kubernetes provider plugin,
# etcd, and kube-apiserver + kube-controller-manager + kubectl, all built from the Go
# module proxy (cached by version; tens of minutes the first time on two cores).
SPECQL_KUBERNETES_PROVIDER_BIN="$(scripts/install-kubernetes-provider.sh)"
SPECQL_ETCD_BIN="$(scripts/install-etcd.sh)"
SPECQL_KUBE_BIN="$(scripts/install-kube-control-plane.sh)"
export SPECQL_KUBERNETES_PROVIDER_BIN SPECQL_ETCD_BIN SPECQL_KUBE_BIN
# promtool checks the generated Prometheus configuration and alert rules, and runs their
# unit tests (built from the Go module proxy, cached by version).
SPECQL_PROMTOOL="$(scripts/install-promtool.sh)"
export SPECQL_PROMTOOL

set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "test.sh: pytest collected no tests; that is a failure" >&2
  exit 1
fi
exit "$status"
