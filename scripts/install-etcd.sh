#!/usr/bin/env bash
# Build etcd from the Go module proxy, cache it, and print the folder that holds it.
#
# Why: kube-apiserver stores everything in etcd, and Debian's etcd-server (3.4) is
# older than Kubernetes 1.34 supports (3.5+). go.etcd.io/etcd/server/v3 is the etcd
# command itself (its main.go); its go.mod replaces four sibling modules with ../api,
# ../client/pkg, ../client/v3 and ../pkg, so those are downloaded at the same version
# and laid beside it.
#
# Usage: scripts/install-etcd.sh
#   prints the folder holding etcd on stdout (progress on stderr)
#   ETCD_VERSION  override the version (default v3.6.16, the newest 3.6 the proxy serves;
#                 Kubernetes 1.34 is built against etcd 3.6)
#   SPECQL_CACHE  cache root (defaults to ~/.cache/specql-deploy)
set -euo pipefail

python_bin="${PYTHON:-python3}"
version="${ETCD_VERSION:-v3.6.16}"
cache="${SPECQL_CACHE:-$HOME/.cache/specql-deploy}"
bin_dir="$cache/etcd-$version/bin"

log() { printf 'install-etcd: %s\n' "$*" >&2; }

if [ ! -x "$bin_dir/etcd" ]; then
  command -v go >/dev/null || { log "Go is required to build etcd (apt-get install golang or https://go.dev/dl)"; exit 1; }
  started=$(date +%s)
  work="$(mktemp -d)"
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  # go.mod asks for Go 1.26.0, which the machine's Go covers: no toolchain download.
  export GOFLAGS="-mod=mod -buildvcs=false" GOSUMDB="${GOSUMDB:-off}" GOWORK=off GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
  module_dir() { (cd "$work" && go mod download -json "$1@$version" | "$python_bin" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])'); }
  log "downloading go.etcd.io/etcd/{server,api,client/pkg,client,pkg}/v3@$version from the Go module proxy"
  mkdir -p "$work/src/client"
  cp -r "$(module_dir go.etcd.io/etcd/server/v3)" "$work/src/server"
  cp -r "$(module_dir go.etcd.io/etcd/api/v3)" "$work/src/api"
  cp -r "$(module_dir go.etcd.io/etcd/client/pkg/v3)" "$work/src/client/pkg"
  cp -r "$(module_dir go.etcd.io/etcd/client/v3)" "$work/src/client/v3"
  cp -r "$(module_dir go.etcd.io/etcd/pkg/v3)" "$work/src/pkg"
  chmod -R u+w "$work/src"
  mkdir -p "$bin_dir"
  log "building etcd $version"
  (cd "$work/src/server" && CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w" -o "$bin_dir/etcd.tmp" .)
  mv "$bin_dir/etcd.tmp" "$bin_dir/etcd"
  log "built in $(( $(date +%s) - started ))s"
fi
"$bin_dir/etcd" --version >/dev/null
echo "$bin_dir"
