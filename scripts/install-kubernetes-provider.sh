#!/usr/bin/env bash
# Build the pulumi-kubernetes provider plugin (pulumi-resource-kubernetes) from the Go
# module proxy at the version the installed `pulumi-kubernetes` Python SDK pins, cache
# it, and print the folder that holds it.
#
# Why: the engine downloads provider plugins from a host this project's CI cannot
# reach, but the provider's Go source is on the module proxy. Its go.mod replaces the
# Go SDK with ../sdk, so the SDK module is downloaded and laid beside it (as
# install-pulumi-cli.sh does for pkg/ and sdk/). The binary embeds its schema, which
# the upstream build writes with `go generate` (the schema with its version set); the
# same two files are written here with Python.
#
# The proxy serves the provider module only as a pseudo-version per release commit,
# and not every release: the table below maps each plugin version this project pins to
# the commit the proxy serves and to the nearest Go SDK module it serves.
#
# Usage: scripts/install-kubernetes-provider.sh [--install PULUMI_HOME]
#   prints the folder holding pulumi-resource-kubernetes on stdout (progress on stderr);
#   --install also runs `pulumi plugin install resource kubernetes VERSION --file ...`
#   into that PULUMI_HOME (pulumi must be on PATH).
#   PULUMI_KUBERNETES_VERSION  override the version (defaults to the installed SDK's)
#   SPECQL_CACHE               cache root (defaults to ~/.cache/specql-deploy)
set -euo pipefail

python_bin="${PYTHON:-python3}"
version="${PULUMI_KUBERNETES_VERSION:-$("$python_bin" -c 'import importlib.metadata as m; print(m.version("pulumi-kubernetes"))')}"
cache="${SPECQL_CACHE:-$HOME/.cache/specql-deploy}"
bin_dir="$cache/pulumi-kubernetes-$version/bin"
plugin="$bin_dir/pulumi-resource-kubernetes"

log() { printf 'install-kubernetes-provider: %s\n' "$*" >&2; }

case "$version" in
  # v4.25.0 is commit f47bc2d6f199; the Go SDK module v4.25.0 is not served, v4.29.0
  # (the next one that is) has the helm/v4 and yaml/v2 input types the provider uses
  # (v4.22.2, the one before, lacks helm/v4's plainHttp).
  4.25.0) provider_module=v4.0.0-20260115033456-f47bc2d6f199; sdk_module=v4.29.0 ;;
  *) log "no Go module the proxy serves is known for pulumi-kubernetes $version; pin the SDK to 4.25.0 (pyproject.toml) or add its commit here"; exit 1 ;;
esac

if [ ! -x "$plugin" ]; then
  command -v go >/dev/null || { log "Go is required to build the provider (apt-get install golang or https://go.dev/dl)"; exit 1; }
  started=$(date +%s)
  work="$(mktemp -d)"
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  export GOFLAGS="-mod=mod -buildvcs=false" GOSUMDB="${GOSUMDB:-off}"
  module_dir() { (cd "$work" && go mod download -json "$1" | "$python_bin" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])'); }
  log "downloading github.com/pulumi/pulumi-kubernetes/{provider,sdk}/v4 ($provider_module, $sdk_module)"
  provider_dir="$(module_dir "github.com/pulumi/pulumi-kubernetes/provider/v4@$provider_module")"
  sdk_dir="$(module_dir "github.com/pulumi/pulumi-kubernetes/sdk/v4@$sdk_module")"
  mkdir -p "$work/src"
  cp -r "$provider_dir" "$work/src/provider"
  cp -r "$sdk_dir" "$work/src/sdk"
  chmod -R u+w "$work/src"
  # The SDK module asks for a newer Pulumi Go SDK than the provider was written against
  # (minimal version selection would take it and break pkg/v3): keep the provider's own.
  pulumi_sdk="$(cd "$work/src/provider" && go mod edit -json | "$python_bin" -c '
import json, sys
print(next(r["Version"] for r in json.load(sys.stdin)["Require"] if r["Path"] == "github.com/pulumi/pulumi/sdk/v3"))')"
  (cd "$work/src/provider" && go mod edit -replace "github.com/pulumi/pulumi/sdk/v3=github.com/pulumi/pulumi/sdk/v3@$pulumi_sdk")
  cmd="$work/src/provider/cmd/pulumi-resource-kubernetes"
  # What `VERSION=... go generate` writes upstream: the schema with its version, and the mapping.
  "$python_bin" - "$cmd" "$version" <<'PY'
import json, pathlib, sys
cmd, version = pathlib.Path(sys.argv[1]), sys.argv[2]
schema = json.loads((cmd / "schema.json").read_text())
schema["version"] = version
(cmd / "schema-embed.json").write_text(json.dumps(schema, separators=(",", ":")))
mapping = json.loads((cmd / "terraform-mapping.json").read_text())
(cmd / "terraform-mapping-embed.json").write_text(json.dumps(mapping, separators=(",", ":")))
PY
  mkdir -p "$bin_dir"
  log "building pulumi-resource-kubernetes $version (several minutes on two cores)"
  (cd "$work/src/provider" && CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$version" \
      -o "$plugin.tmp" ./cmd/pulumi-resource-kubernetes)
  mv "$plugin.tmp" "$plugin"
  log "built in $(( $(date +%s) - started ))s"
fi

if [ "${1:-}" = "--install" ]; then
  home="${2:?--install needs a PULUMI_HOME}"
  PULUMI_HOME="$home" PULUMI_SKIP_UPDATE_CHECK=true \
    pulumi plugin install resource kubernetes "$version" --file "$plugin" --non-interactive >&2
fi
echo "$bin_dir"
