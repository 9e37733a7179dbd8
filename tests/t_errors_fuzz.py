"""Random command lines (a fixed set of seeds, so a failure repeats): no
crash, no hang, no sanitizer report, no raw byte printed, status 0 or 1.
The commands are the ones help lists, so new commands are tried as they
come.

Every socket is made non-blocking after each command, so no call can wait
for a peer that never comes.
"""
import os
import random
import re
import shutil
import subprocess

import lib
from lib import check

def commands():
    """Every command help lists, with its usage line, read from the program
    so that a command added later is tried too; and a few words that are
    not commands (an ambiguous prefix, unknown names)."""
    p = subprocess.run([lib.SOCKREPL, "-c", "help"], capture_output=True,
                       text=True, timeout=lib.TIMEOUT)
    found = re.findall(r"^  ([a-z][a-z_0-9]*)(.*)$", p.stdout, re.M)
    check(len(found) >= 30, "help lists only %d commands:\n%s"
          % (len(found), p.stdout))
    return [(name, usage) for name, usage in found] + \
        [("se", ""), ("x", ""), ("q", "")]


def words(d):
    return [
        "tcp", "udp", "seqpacket", "stream", "dgram", "inet", "inet6", "unix",
        "AF_INET6", "SOCK_DGRAM", "127.0.0.1", "::1", "[::1]:0", "127.0.0.1:0",
        "localhost", "0", "1", "3", "4", "5", "65535", "99999", "-1",
        d + "/a", d + "/b", "@sockrepl-fuzz-%d" % os.getpid(), "*", "peek",
        "dontwait", "waitall", "trunc", "oob", "peek|dontwait", "rd", "wr",
        "rdwr", "false", "0.01", "SO_REUSEADDR", "SO_LINGER", "on", "off",
        "SO_ERROR", "TCP_NODELAY", "SO_RCVBUF", "IPV6_V6ONLY", "SO_TYPE",
        '"a\\0b"', "'x y'", '"\\xff\\x00"', "abc", '"\\q"', '"unterminated',
        "#c", "\\", "''", '""', "0x10", "1e-3", "0.0",
    ]


def script_for(seed, d, cmds):
    r = random.Random(seed)
    ws = words(d)
    lines = []
    for _ in range(120):
        c, usage = r.choice(cmds)
        args = [r.choice(ws) for _ in range(r.randrange(4))]
        # A wait is given an end, so no command can wait for ever (and
        # no # before it to make it a comment).
        if "SECONDS" in usage:
            args = [a for a in args if not a.startswith("#")] + ["0.001"]
        lines.append(" ".join([c] + args))
        # Keep every socket from blocking.
        lines.extend("on %d settimeout 0" % k for k in range(3, 14))
    if r.random() < 0.5:
        junk = bytes(r.randrange(256) for _ in range(300))
        lines.insert(r.randrange(len(lines)), junk.decode("latin-1"))
    return ("\n".join(lines) + "\n").encode("latin-1")


def test_random_sessions():
    d = lib.tempdir()
    cmds = commands()
    try:
        for seed in range(25):
            script = script_for(seed, d, cmds)
            try:
                st, out, err = lib.run(script, timeout=20)
            except Exception as e:
                raise lib.TestFailure("seed %d: %s" % (seed, e))
            check(st in (0, 1), "seed %d: status %d\n%s" % (seed, st,
                                                           err[-2000:]))
            for line in (out + err).splitlines():
                bad = [c for c in line if (ord(c) < 0x20 and c != "\t") or
                       ord(c) >= 0x7f]
                check(not bad, "seed %d: raw bytes in %r" % (seed, line))
            for name in os.listdir(d):
                os.unlink(os.path.join(d, name))
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    lib.main()
