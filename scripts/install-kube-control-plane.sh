#!/usr/bin/env bash
# Build kube-apiserver, kube-controller-manager and kubectl from the Go module proxy,
# cache them, and print the folder that holds them.
#
# Why: the kubernetes pattern is deployed for real (tests/kubernetes_real) to an API
# server on 127.0.0.1, and no registry this project's CI reaches publishes Kubernetes
# binaries; k8s.io/kubernetes is on the module proxy. Its go.mod replaces 31 k8s.io/*
# modules with ./staging/src/k8s.io/*, which the module zip leaves out, so each one the
# build requires (29) is downloaded at the matching v0.x version and laid in its place. The three commands are
# built in one `go build`, so the packages they share are compiled once.
#
# Usage: scripts/install-kube-control-plane.sh
#   prints the folder holding kube-apiserver, kube-controller-manager and kubectl
#   KUBERNETES_VERSION  override the version (default v1.34.4, the newest 1.34 the proxy serves)
#   SPECQL_CACHE        cache root (defaults to ~/.cache/specql-deploy)
set -euo pipefail

python_bin="${PYTHON:-python3}"
version="${KUBERNETES_VERSION:-v1.34.4}"
cache="${SPECQL_CACHE:-$HOME/.cache/specql-deploy}"
bin_dir="$cache/kubernetes-$version/bin"
commands=(kube-apiserver kube-controller-manager kubectl)

log() { printf 'install-kube-control-plane: %s\n' "$*" >&2; }

built() {
  local command
  for command in "${commands[@]}"; do [ -x "$bin_dir/$command" ] || return 1; done
}

if ! built; then
  command -v go >/dev/null || { log "Go is required to build Kubernetes (apt-get install golang or https://go.dev/dl)"; exit 1; }
  started=$(date +%s)
  work="$(mktemp -d)"
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  # go.work names the staging folders too; the go.mod replace block says the same, and
  # module mode lets -mod=mod fill go.sum for the laid-in modules.
  export GOFLAGS="-mod=mod -buildvcs=false" GOSUMDB="${GOSUMDB:-off}" GOWORK=off
  log "downloading k8s.io/kubernetes@$version from the Go module proxy"
  root="$(cd "$work" && go mod download -json "k8s.io/kubernetes@$version" | "$python_bin" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  cp -r "$root" "$work/kubernetes"
  chmod -R u+w "$work/kubernetes"
  staging_version="v0.${version#v1.}"
  # Every `k8s.io/NAME => ./staging/src/k8s.io/NAME` of the replace block that the build
  # requires (`k8s.io/NAME v0.0.0`), at v0.<minor>.<patch>. Two of the 31 are replaced but
  # never required (sample-cli-plugin, sample-controller), and the proxy serves neither.
  mapfile -t staged < <("$python_bin" - "$work/kubernetes/go.mod" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
replaced = re.findall(r"^\s*(k8s\.io/[\w.-]+) => \./staging/src/k8s\.io/[\w.-]+\s*$", text, re.M)
required = set(re.findall(r"^\s*(k8s\.io/[\w.-]+) v0\.0\.0\b", text, re.M))
for module in replaced:
    if module in required:
        print(module)
PY
)
  log "downloading the ${#staged[@]} staging modules it requires, at $staging_version"
  (cd "$work" && go mod download -json "${staged[@]/%/@$staging_version}") | "$python_bin" -c '
import json, sys
decoder, text, at = json.JSONDecoder(), sys.stdin.read(), 0
while text[at:].strip():
    at += len(text[at:]) - len(text[at:].lstrip())
    item, at = decoder.raw_decode(text, at)
    if "Error" in item: sys.exit(item["Error"])
    print(item["Path"], item["Dir"])
' | while read -r module dir; do
    mkdir -p "$work/kubernetes/staging/src/$(dirname "$module")"
    cp -r "$dir" "$work/kubernetes/staging/src/$module"
  done
  chmod -R u+w "$work/kubernetes/staging"
  ldflags="-s -w"
  for package in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    minor="${version#v1.}"; minor="${minor%%.*}"
    ldflags+=" -X $package.gitVersion=$version -X $package.gitMajor=1 -X $package.gitMinor=$minor"
    ldflags+=" -X $package.gitTreeState=clean -X $package.buildDate=1970-01-01T00:00:00Z"
  done
  mkdir -p "$work/out" "$bin_dir"
  log "building ${commands[*]} $version in one go build (tens of minutes on two cores)"
  (cd "$work/kubernetes" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$work/out/" \
      "${commands[@]/#/./cmd/}")
  for command in "${commands[@]}"; do mv "$work/out/$command" "$bin_dir/$command"; done
  log "built in $(( $(date +%s) - started ))s"
fi
"$bin_dir/kube-apiserver" --version >/dev/null
echo "$bin_dir"
