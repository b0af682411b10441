#!/usr/bin/env python3
"""A broken driver for tests: answers hello, then writes a line that is not JSON."""
import json
import sys

first = json.loads(sys.stdin.readline())
sys.stdout.write(json.dumps({"id": first["id"], "ok": {"protocol": 1, "name": "garbage", "ops": ["socket", "bind", "listen", "connect", "accept", "close", "sockets"]}}) + "\n")
sys.stdout.flush()
for line in sys.stdin:
    sys.stdout.write("this is not json\n")
    sys.stdout.flush()
