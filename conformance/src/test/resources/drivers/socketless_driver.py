#!/usr/bin/env python3
"""A driver for tests that can make no socket: hello offers bind and sockets only, so every trace is SKIP."""
import json
import sys

for line in sys.stdin:
    request = json.loads(line)
    if request.get("op") == "hello":
        ok = {"protocol": 1, "name": "socketless", "ops": ["bind", "sockets"]}
    elif request.get("op") == "sockets":
        ok = []
    else:
        ok = {}
    sys.stdout.write(json.dumps({"id": request["id"], "ok": ok}) + "\n")
    sys.stdout.flush()
