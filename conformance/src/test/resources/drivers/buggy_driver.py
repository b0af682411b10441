#!/usr/bin/env python3
"""The Python driver with one bug planted, for tests of the verdicts: buggy_driver.py BUG.

BUG is one of:
  ignores-shutdown-rd  shutdown(RD) answers 0 and does nothing, so a later recv waits
  peer-is-localhost    accept reports its peer at 127.0.0.1, an address of none of the trace's hosts
  udp-row-has-state    the socket table shows UDP rows with a TCP state (ESTABLISHED)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "..",
                                "drivers", "python"))
import sockcheck_driver  # noqa: E402

BUG = sys.argv[1] if len(sys.argv) > 1 else ""


class Buggy(sockcheck_driver.Driver):
    def op_shutdown(self, a):
        if BUG == "ignores-shutdown-rd" and a["how"] == "rd":
            return 0
        return super().op_shutdown(a)

    def op_accept(self, a):
        got = super().op_accept(a)
        if BUG == "peer-is-localhost":
            got["peer"] = "127.0.0.1:" + got["peer"].rsplit(":", 1)[1]
        return got

    def read_rows(self):
        rows = super().read_rows()
        if BUG == "udp-row-has-state":
            for r in rows:
                if r["proto"] == "udp":
                    r["state"] = "ESTABLISHED"
        return rows


if BUG not in ("ignores-shutdown-rd", "peer-is-localhost", "udp-row-has-state"):
    sys.exit("buggy_driver.py: unknown bug " + repr(BUG))
sockcheck_driver.Driver = Buggy
# The bugs are planted in protocol 1's one-process driver.
sockcheck_driver.main(["--protocol", "1"])
