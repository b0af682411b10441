#!/bin/sh
# Build the sockcheck driver for lwIP 2.1.3 (Debian's liblwip-dev) with the C driver kit.
# Usage: drivers/lwip/build.sh [OUTDIR]   (default: drivers/lwip/build)
# Makes OUTDIR/sockcheck-lwip; the runner starts it as driver:OUTDIR/sockcheck-lwip.
# Exit 3 when liblwip-dev or libcjson-dev is missing.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
KIT=$(cd "$HERE/../c" && pwd)
OUT=${1:-$HERE/build}

missing=""
if ! pkg-config --exists lwip 2>/dev/null || [ ! -f /usr/include/lwip/lwip/sockets.h ]; then
    missing="$missing liblwip-dev"
fi
if [ ! -f /usr/include/cjson/cJSON.h ]; then
    missing="$missing libcjson-dev"
fi
if [ -n "$missing" ]; then
    echo "sockcheck-lwip: cannot build: missing$missing (Debian: apt-get install$missing)" >&2
    exit 3
fi

mkdir -p "$OUT"
CC=${CC:-gcc}
# shellcheck disable=SC2046
$CC -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
    -I"$KIT" $(pkg-config --cflags lwip) \
    -o "$OUT/sockcheck-lwip" \
    "$HERE/sockcheck_lwip.c" "$KIT/sockcheck_driver.c" \
    $(pkg-config --libs lwip) -lcjson -lpthread -ldl
echo "built $OUT/sockcheck-lwip"
