"""A fake driver for fuzzing: answers each request with the next line of a file.

Usage: replaying_driver.py REPLIES. In a reply line, $ID stands for the id of
the request it answers and $ADDR for the last address a request named (the
address of hello, then of bind, connect or sendto), so that a file written
once fits runs whose ids and ports differ. When the lines run out the driver
exits, as a driver that crashes would.
"""
import json
import sys


def main():
    with open(sys.argv[1], "rb") as f:
        replies = f.read().split(b"\n")
    addr = b"127.0.0.1:0"
    for n, line in enumerate(sys.stdin.buffer):
        if n >= len(replies):
            return
        try:
            request = json.loads(line)
            rid = str(request.get("id")).encode()
            named = request.get("args", {}).get("addr")
            if isinstance(named, str):
                addr = named.encode()
        except (ValueError, AttributeError):
            rid = b"0"
        sys.stdout.buffer.write(replies[n].replace(b"$ID", rid).replace(b"$ADDR", addr) + b"\n")
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
