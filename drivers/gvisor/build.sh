#!/bin/sh
# Builds the gVisor netstack driver: drivers/gvisor/build.sh [OUTDIR]
# (default drivers/gvisor/build), producing OUTDIR/sockcheck-gvisor.
#
# Offline, in GOPATH mode, against Debian's packages: golang-go (Go 1.19)
# and golang-gvisor-gvisor-dev (netstack snapshot 2022-12-19, with its
# dependencies, under /usr/share/gocode). The driver's sources, kit/ and
# driver/, are linked into OUTDIR/gopath/src/sockcheck/{kit,gvisordriver}.
# VET=1 also runs go vet on both packages.
# Exit 3: go or the netstack sources are missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/build}
gocode=/usr/share/gocode

if ! command -v go >/dev/null 2>&1; then
    echo "build.sh: 'go' is not installed (Debian: apt-get install golang-go)" >&2
    exit 3
fi
if [ ! -d "$gocode/src/gvisor.dev/gvisor/pkg/tcpip" ]; then
    echo "build.sh: gVisor's netstack sources are missing: $gocode/src/gvisor.dev (Debian: apt-get install golang-gvisor-gvisor-dev)" >&2
    exit 3
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
src="$out/gopath/src/sockcheck"
mkdir -p "$src"
ln -sfn "$here/kit" "$src/kit"
ln -sfn "$here/driver" "$src/gvisordriver"

export GO111MODULE=off
export GOPATH="$out/gopath:$gocode"
export GOPROXY=off
export GOFLAGS=
export CGO_ENABLED=0
export GOCACHE="$out/gocache"
cd "$src/gvisordriver"
go build -trimpath -o "$out/sockcheck-gvisor" sockcheck/gvisordriver
if [ "${VET:-0}" = 1 ]; then
    go vet sockcheck/kit sockcheck/gvisordriver
fi
echo "built $out/sockcheck-gvisor" >&2
