#!/usr/bin/env python3
"""A broken driver for tests: answers hello, then reads requests and never answers."""
import json
import sys

first = json.loads(sys.stdin.readline())
sys.stdout.write(json.dumps({"id": first["id"], "ok": {"protocol": 1, "name": "silent", "ops": ["socket", "bind", "listen", "connect", "accept", "close", "sockets"]}}) + "\n")
sys.stdout.flush()
for line in sys.stdin:
    pass  # never answers
