#!/usr/bin/env bash
# Build OpenTofu and the AWS provider from the Go module proxy, cache them by version,
# lay the provider out as a filesystem mirror, and write the CLI configuration that
# makes `tofu init` use that mirror and nothing else.
#
# Why: the OpenTofu tier runs the real `tofu` with the real AWS provider on every AWS
# eject (init, validate, plan and apply against moto_server). Neither binary is
# published in a registry this project's CI reaches; both are Go modules on the proxy.
#  - OpenTofu's go.mod has a `replace` (its hcl fork), so `go install` refuses it: the
#    module is downloaded, copied writable and built as the main module, with the
#    ldflags of its release build (`version.dev=no`, so `tofu version` has no -dev).
#  - terraform-provider-aws has no /v6 module path, so the proxy lists no v6 tag; it is
#    reached by pseudo-version. All of it compiles 265 AWS SDK services (most of an hour
#    on two cores); scripts/aws_provider_subset.py keeps the services listed in
#    scripts/aws-provider-services.txt, and the cache key includes that list.
#
# Usage: scripts/install-opentofu.sh [--print-env]
#   prints, with --print-env, shell assignments SPECQL_TOFU=... SPECQL_TOFU_CLI_CONFIG=...
#   OPENTOFU_VERSION       override the OpenTofu version
#   AWS_PROVIDER_MODULE    override the provider's pseudo-version
#   SPECQL_CACHE           cache root (defaults to ~/.cache/specql-deploy)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

python_bin="${PYTHON:-python3}"
cache="${SPECQL_CACHE:-$HOME/.cache/specql-deploy}"
tofu_version="${OPENTOFU_VERSION:-1.12.6}"
# `version/VERSION` of this pseudo-version reads 6.47.1 (the release it precedes).
aws_module="${AWS_PROVIDER_MODULE:-v1.60.1-0.20260602190131-5f2286d6d836}"
services_file="scripts/aws-provider-services.txt"

log() { printf 'install-opentofu: %s\n' "$*" >&2; }
need_go() {
  command -v go >/dev/null || { log "Go is required to build $1 (apt-get install golang or https://go.dev/dl)"; exit 1; }
}

# Downloads MODULE@VERSION from the proxy and prints a writable copy's directory.
writable_module() {
  local module="$1" version="$2" work="$3" dir
  dir="$(cd "$work" && GOFLAGS=-mod=mod GOSUMDB="${GOSUMDB:-off}" go mod download -json "$module@$version" \
    | "$python_bin" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  cp -r "$dir" "$work/src"
  chmod -R u+w "$work/src"
  echo "$work/src"
}

build_tofu() {
  local bin="$cache/opentofu-$tofu_version/bin/tofu"
  if [ ! -x "$bin" ]; then
    need_go OpenTofu
    local work src
    work="$(mktemp -d)"
    log "building OpenTofu $tofu_version from the Go module proxy (a few minutes on two cores)"
    src="$(writable_module github.com/opentofu/opentofu "v$tofu_version" "$work")"
    mkdir -p "$(dirname "$bin")"
    (cd "$src" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
        -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$bin.tmp" ./cmd/tofu)
    mv "$bin.tmp" "$bin"
    chmod -R u+w "$work"; rm -rf "$work"
  fi
  echo "$bin"
}

# The provider's release version, read from the module itself.
aws_version() {
  local dir
  dir="$(GOFLAGS=-mod=mod GOSUMDB="${GOSUMDB:-off}" go mod download -json \
    "github.com/hashicorp/terraform-provider-aws@$aws_module" \
    | "$python_bin" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  tr -d '[:space:]' < "$dir/version/VERSION"
}

build_aws() {
  local version="$1" services_hash bin
  services_hash="$(grep -v '^#' "$services_file" | awk '{print $1}' | grep . | sort | sha256sum | cut -c1-12)"
  bin="$cache/terraform-provider-aws-$version-$services_hash/terraform-provider-aws_v$version"
  if [ ! -x "$bin" ]; then
    need_go terraform-provider-aws
    local work src
    work="$(mktemp -d)"
    log "building terraform-provider-aws $version ($aws_module) with the services in $services_file"
    src="$(writable_module github.com/hashicorp/terraform-provider-aws "$aws_module" "$work")"
    (cd "$src" && GOFLAGS=-mod=mod GOSUMDB="${GOSUMDB:-off}" "$python_bin" "$root/scripts/aws_provider_subset.py" . "$root/$services_file")
    mkdir -p "$(dirname "$bin")"
    (cd "$src" && GOFLAGS=-mod=mod GOSUMDB="${GOSUMDB:-off}" CGO_ENABLED=0 go build -trimpath \
        -ldflags "-s -w -X github.com/hashicorp/terraform-provider-aws/version.ProviderVersion=$version" \
        -o "$bin.tmp" .)
    mv "$bin.tmp" "$bin"
    chmod -R u+w "$work"; rm -rf "$work"
  fi
  echo "$bin"
}

# Lays the provider out as OpenTofu's unpacked filesystem mirror and writes a CLI
# configuration that installs every provider from there (no registry, no network).
write_mirror() {
  local version="$1" provider="$2" mirror="$cache/opentofu-mirror" target
  target="$mirror/registry.opentofu.org/hashicorp/aws/$version/linux_amd64"
  mkdir -p "$target"
  ln -sf "$provider" "$target/terraform-provider-aws_v$version"
  cat > "$cache/opentofu.tofurc" <<CONFIG
# Written by scripts/install-opentofu.sh: providers come from the local mirror only.
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.opentofu.org/hashicorp/*"]
  }
  direct {
    exclude = ["registry.opentofu.org/*/*"]
  }
}
CONFIG
  echo "$cache/opentofu.tofurc"
}

tofu="$(build_tofu)"
need_go terraform-provider-aws
version="$(aws_version)"
provider="$(build_aws "$version")"
config="$(write_mirror "$version" "$provider")"
TF_CLI_CONFIG_FILE="$config" "$tofu" version >/dev/null
if [ "${1:-}" = "--print-env" ]; then
  printf 'SPECQL_TOFU=%s\nSPECQL_TOFU_CLI_CONFIG=%s\nSPECQL_AWS_PROVIDER_VERSION=%s\n' "$tofu" "$config" "$version"
else
  log "OpenTofu $tofu_version and hashicorp/aws $version ready: $tofu (TF_CLI_CONFIG_FILE=$config)"
fi
