#!/usr/bin/env python3
"""The Python driver, after leaving behind a process that outlives it: forking_driver.py MARKER.

At its start it runs `sh -c '...' MARKER &` through another shell, which exits at once: the
process named MARKER is orphaned, ignores SIGTERM, SIGHUP and SIGINT, and would sleep for five
minutes. A test asserts that no process named MARKER is left once sockcheck is done.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "..",
                                "drivers", "python"))
import sockcheck_driver  # noqa: E402

marker = sys.argv[1]
subprocess.run(["sh", "-c", "sh -c 'trap \"\" TERM HUP INT; sleep 300' " + marker + " >/dev/null 2>&1 &"], check=True)
sockcheck_driver.main([])
