#!/usr/bin/env bash
# Build the Helm 3 CLI from the Go module proxy, cache it, and print its path.
#
# Why: the exported Helm chart is verified with `helm lint` and `helm template`, and
# the Helm CLI is not published in any package registry this project's CI reaches;
# its Go source is on the module proxy, so `go install` builds it (a few minutes).
#
# Usage: scripts/install-helm.sh
#   HELM_VERSION  override the pinned version (must be one the module proxy serves)
#   SPECQL_CACHE  cache root (defaults to ~/.cache/specql-deploy)
# Prints the absolute path of the helm binary on stdout; progress goes to stderr.
# Tests look for the binary through SPECQL_HELM, else at the path printed here.
set -euo pipefail

version="${HELM_VERSION:-v3.19.5}"
cache="${SPECQL_CACHE:-$HOME/.cache/specql-deploy}"
bin_dir="$cache/helm-$version/bin"

log() { printf 'install-helm: %s\n' "$*" >&2; }

if [ ! -x "$bin_dir/helm" ]; then
  command -v go >/dev/null || { log "Go is required to build helm (apt-get install golang or https://go.dev/dl)"; exit 1; }
  mkdir -p "$bin_dir"
  log "building helm.sh/helm/v3/cmd/helm@$version from the Go module proxy (a few minutes on two cores)"
  # GOFLAGS from the caller's environment (for example -mod=vendor) must not leak in.
  GOFLAGS=-buildvcs=false CGO_ENABLED=0 GOBIN="$bin_dir" \
    go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$version" \
    "helm.sh/helm/v3/cmd/helm@$version"
fi
"$bin_dir/helm" version --short >/dev/null
echo "$bin_dir/helm"
