#!/usr/bin/env bash
# Build the Pulumi CLI from the Go module proxy at the version of the installed
# `pulumi` Python SDK, cache it, and install the dynamic-provider shim next to it.
#
# Why: the Pulumi CLI is not published in any package registry this project's CI
# reaches, but its Go source is on the module proxy. The pkg module uses `replace`
# directives pointing at ../sdk, so both modules are downloaded and laid side by side.
#
# Usage: scripts/install-pulumi-cli.sh [--print-bin-dir]
#   PULUMI_VERSION  override the version (defaults to the installed SDK's)
#   SPECQL_CACHE    cache root (defaults to ~/.cache/specql-deploy)
set -euo pipefail

python_bin="${PYTHON:-python3}"
version="${PULUMI_VERSION:-$("$python_bin" -c 'import importlib.metadata as m; print(m.version("pulumi"))')}"
cache="${SPECQL_CACHE:-$HOME/.cache/specql-deploy}"
bin_dir="$cache/pulumi-$version/bin"

log() { [ "${1:-}" = "" ] || printf 'install-pulumi-cli: %s\n' "$*" >&2; }

write_shim() {
  # Python dynamic providers run through a plugin named pulumi-resource-pulumi-python;
  # the CLI looks it up on PATH. It must use the interpreter that has the project's SDK.
  local py
  py="$(command -v "$python_bin")"
  cat > "$bin_dir/pulumi-resource-pulumi-python" <<SHIM
#!/bin/sh
exec "$py" -u -m pulumi.dynamic "\$@"
SHIM
  chmod 0755 "$bin_dir/pulumi-resource-pulumi-python"
}

if [ ! -x "$bin_dir/pulumi" ]; then
  command -v go >/dev/null || { echo "install-pulumi-cli: Go is required to build the Pulumi CLI (apt-get install golang or https://go.dev/dl)" >&2; exit 1; }
  work="$(mktemp -d)"
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  export GOFLAGS=-mod=mod GOSUMDB="${GOSUMDB:-off}"
  log "downloading github.com/pulumi/pulumi/{pkg,sdk}/v3@v$version from the Go module proxy"
  pkg_dir="$(cd "$work" && go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$version" | "$python_bin" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  sdk_dir="$(cd "$work" && go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$version" | "$python_bin" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  mkdir -p "$work/src"
  cp -r "$pkg_dir" "$work/src/pkg"
  cp -r "$sdk_dir" "$work/src/sdk"
  chmod -R u+w "$work/src"
  mkdir -p "$bin_dir"
  log "building pulumi $version (a few minutes on two cores)"
  (cd "$work/src/pkg" && CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
      -o "$bin_dir/pulumi.tmp" ./cmd/pulumi)
  mv "$bin_dir/pulumi.tmp" "$bin_dir/pulumi"
fi
write_shim
"$bin_dir/pulumi" version >/dev/null
if [ "${1:-}" = "--print-bin-dir" ]; then
  echo "$bin_dir"
else
  log "pulumi $version ready in $bin_dir (add it to PATH)"
fi
