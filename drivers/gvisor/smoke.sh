#!/bin/sh
# Smoke test of the gVisor netstack driver, without Maven:
# drivers/gvisor/smoke.sh [OUTDIR]  (builds OUTDIR/sockcheck-gvisor if absent,
# default drivers/gvisor/build), then runs a fixed conversation (smoke.py)
# and checks every reply. Exit 0: all passed; 1: a mismatch; 3: no build.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/build}
if [ ! -x "$out/sockcheck-gvisor" ]; then
    "$here/build.sh" "$out"
fi
exec python3 "$here/smoke.py" "$out/sockcheck-gvisor"
