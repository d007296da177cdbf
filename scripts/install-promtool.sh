#!/usr/bin/env bash
# Build promtool from the Go module proxy, cache it, and print the path of the binary.
#
# Why: promtool is Prometheus's own checker. The tests hand it every generated
# observability/prometheus/ file: `promtool check config` (prometheus.yml),
# `promtool check rules` (alerts.yml) and `promtool test rules` (a unit test per alert
# proving it fires). Prometheus publishes no Python package, and Debian's is years old.
# github.com/prometheus/prometheus v0.316.0 (the module version of Prometheus 3.x's
# release line the proxy serves) has no replace directives in its go.mod, so the
# command builds straight from the module cache with `go install pkg@version`.
#
# Usage: scripts/install-promtool.sh
#   prints the promtool binary's path on stdout (progress on stderr)
#   PROMTOOL_VERSION  override the module version (default v0.316.0)
#   SPECQL_CACHE      cache root (defaults to ~/.cache/specql-deploy)
set -euo pipefail

version="${PROMTOOL_VERSION:-v0.316.0}"
cache="${SPECQL_CACHE:-$HOME/.cache/specql-deploy}"
bin_dir="$cache/promtool-$version/bin"

log() { printf 'install-promtool: %s\n' "$*" >&2; }

if [ ! -x "$bin_dir/promtool" ]; then
  command -v go >/dev/null || { log "Go is required to build promtool (apt-get install golang or https://go.dev/dl)"; exit 1; }
  started=$(date +%s)
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # go.mod asks for Go 1.26.7, which the machine's Go covers: no toolchain download.
  export GOFLAGS="-mod=mod -buildvcs=false" GOSUMDB="${GOSUMDB:-off}" GOWORK=off GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
  log "building github.com/prometheus/prometheus/cmd/promtool@$version from the Go module proxy"
  mkdir -p "$bin_dir"
  (cd "$work" && CGO_ENABLED=0 GOBIN="$work/bin" go install -trimpath \
      -ldflags "-s -w -X github.com/prometheus/common/version.Version=${version#v}" \
      "github.com/prometheus/prometheus/cmd/promtool@$version")
  mv "$work/bin/promtool" "$bin_dir/promtool"
  log "built in $(( $(date +%s) - started ))s"
fi
"$bin_dir/promtool" --version >/dev/null
echo "$bin_dir/promtool"
