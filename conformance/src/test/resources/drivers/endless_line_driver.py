#!/usr/bin/env python3
"""A broken driver for tests: answers hello, then answers the first call with a line that never ends."""
import json
import sys

first = json.loads(sys.stdin.readline())
sys.stdout.write(json.dumps({"id": first["id"], "ok": {"protocol": 1, "name": "endless", "ops": ["socket", "bind", "close", "sockets"]}}) + "\n")
sys.stdout.flush()
sys.stdin.readline()
chunk = "x" * 65536
try:
    while True:
        sys.stdout.write(chunk)
except BrokenPipeError:
    pass
