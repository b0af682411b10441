#!/usr/bin/env python3
"""A broken driver for tests: answers hello, then exits on the first request."""
import json
import sys

first = json.loads(sys.stdin.readline())
sys.stdout.write(json.dumps({"id": first["id"], "ok": {"protocol": 1, "name": "crashing", "ops": ["socket", "bind", "listen", "connect", "accept", "close", "sockets"]}}) + "\n")
sys.stdout.flush()
sys.stdin.readline()
sys.stderr.write("crashing on purpose\n")
sys.exit(7)
