"""Helpers for sockrepl's tests: run the real binary, talk to it through
pipes, and stand up real python3 peers on loopback.

A test file defines functions named test_* and ends with lib.main(); each
test prints "ok NAME" or "FAIL NAME" followed by the reason.
"""
import atexit
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SOCKREPL = os.environ.get("SOCKREPL") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "sockrepl")
TIMEOUT = 10.0


class TestFailure(Exception):
    pass


class Skip(Exception):
    """Raised by a test that cannot run here (say, no IPv6 loopback)."""


def need_program(name):
    """The path of a program a test needs. Missing, the test is skipped,
    except under CI (CI=true), where .ci/run should have installed it."""
    import shutil
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            raise TestFailure("%s is not installed (.ci/run installs it)"
                              % name)
        raise Skip("%s is not installed" % name)
    return path


def need_ipv6():
    """Skip the test unless ::1 can be bound (some containers lack it)."""
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
    except OSError as e:
        raise Skip("no IPv6 loopback: %s" % e)


def check(cond, msg="check failed"):
    if not cond:
        raise TestFailure(msg)


SANITIZER_REPORT = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:")


def no_sanitizer_report(text):
    """Under make check-sanitize, any report fails the test that caused it."""
    m = SANITIZER_REPORT.search(text)
    if m:
        raise TestFailure("sanitizer report:\n" + text[max(0, m.start() - 200):])


def run(script, args=(), timeout=TIMEOUT, env=None):
    """Run sockrepl on a script given as stdin; return (status, out, err)."""
    if isinstance(script, str):
        script = script.encode()
    p = subprocess.run([SOCKREPL, *args], input=script, capture_output=True,
                       timeout=timeout, env=env)
    out, err = p.stdout.decode("latin-1"), p.stderr.decode("latin-1")
    no_sanitizer_report(err)
    return p.returncode, out, err


class Session:
    """sockrepl driven line by line through pipes, as a program would."""

    def __init__(self, args=(), stderr_to_stdout=True):
        self.p = subprocess.Popen(
            [SOCKREPL, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if stderr_to_stdout else subprocess.PIPE)
        self.buf = b""
        self.seen = b""

    def send(self, line):
        if isinstance(line, str):
            line = line.encode()
        self.p.stdin.write(line + b"\n")
        self.p.stdin.flush()

    def expect(self, pattern, timeout=TIMEOUT):
        """Wait for a line matching the regex; return the match."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str)
                        else pattern)
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                self.seen += line + b"\n"
                m = rx.search(line)
                if m:
                    return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestFailure("timed out waiting for %r; output so "
                                  "far:\n%s" % (pattern, self.text()))
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    raise TestFailure("sockrepl ended while waiting for %r;"
                                      " output:\n%s" % (pattern, self.text()))
                self.buf += chunk

    def text(self):
        return (self.seen + self.buf).decode("latin-1")

    def close(self, timeout=TIMEOUT):
        """End input and wait; return (status, rest of output)."""
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        rest = self.p.stdout.read()
        self.buf += rest
        status = self.p.wait(timeout)
        no_sanitizer_report(self.text())
        if status == 99:
            raise TestFailure("sanitizer exit status 99:\n" + self.text())
        return status, self.text()

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def listener(family=socket.AF_INET, host="127.0.0.1", type=socket.SOCK_STREAM):
    """A python3 socket bound to an ephemeral port (listening if a stream)."""
    s = socket.socket(family, type)
    s.bind((host, 0))
    if type == socket.SOCK_STREAM:
        s.listen(5)
    s.settimeout(TIMEOUT)
    return s


def in_thread(fn, *args):
    """Run fn in a thread; join() returns its result or raises its error."""
    box = {}

    def body():
        try:
            box["result"] = fn(*args)
        except BaseException as e:  # reported to the test by join()
            box["error"] = e

    t = threading.Thread(target=body, daemon=True)
    t.start()

    class Handle:
        def join(self, timeout=TIMEOUT):
            t.join(timeout)
            if t.is_alive():
                raise TestFailure("peer thread did not finish")
            if "error" in box:
                raise box["error"]
            return box.get("result")
    return Handle()


_tempdirs = []


def _remove_tempdirs(pid):
    # Only the process that made them: a forked child exiting through
    # Python must not remove its parent's directories.
    if os.getpid() == pid:
        for d in _tempdirs:
            shutil.rmtree(d, ignore_errors=True)


def tempdir():
    """A private directory, removed when the test file ends, even if the
    test that made it failed or forgot it."""
    d = tempfile.mkdtemp(prefix="sockrepl-test-")
    if not _tempdirs:
        atexit.register(_remove_tempdirs, os.getpid())
    _tempdirs.append(d)
    return d


LIST_ROW = re.compile(r"^[ *]*(FD|\d+|<[A-Z][A-Z0-9_]*>) +(FAMILY|inet6?|unix) ")


def transcript(actual, expected, names=None):
    """Check output line by line against an expected transcript.

    Each expected line is literal text, except that <NAME> stands for a
    number (an ephemeral port, an fd) that is captured the first time and
    must be the same number every later time. Returns the captures as a
    dict of strings. names gives values already known.
    """
    known = dict(names or {})
    got = actual.splitlines()
    want = expected.strip("\n").splitlines()
    for i, w in enumerate(want):
        parts = re.split(r"<([A-Z][A-Z0-9_]*)>", w)
        rx, groups = "", []
        # list sizes its columns to their contents: in its rows, any run
        # of blanks matches any other.
        is_row = LIST_ROW.match(w)
        for j, part in enumerate(parts):
            if j % 2 == 0 and is_row:
                rx += " +".join(re.escape(p) for p in re.split(r" +", part))
            elif j % 2 == 0:
                rx += re.escape(part)
            elif part in known:
                rx += re.escape(known[part])
            elif part in groups:
                rx += "(?P=%s)" % part
            else:
                rx += "(?P<%s>\\d+)" % part
                groups.append(part)
        m = re.fullmatch(rx, got[i]) if i < len(got) else None
        if m is None:
            raise TestFailure(
                "transcript differs at line %d:\n  want: %s\n  got:  %s\n"
                "whole output:\n%s" % (i + 1, w, got[i] if i < len(got)
                                       else "(end of output)", actual))
        known.update(m.groupdict())
    if len(got) > len(want):
        raise TestFailure("extra output after line %d: %r\nwhole output:\n%s"
                          % (len(want), got[len(want)], actual))
    return known


def run_ok(script, args=(), status=0, **kw):
    """lib.run, checking the exit status."""
    st, out, err = run(script, args, **kw)
    if st != status:
        raise TestFailure("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s"
                          % (st, status, out, err))
    return out, err


def main():
    """Run every test_* function of the calling module."""
    mod = sys.modules["__main__"]
    names = [n for n in dir(mod) if n.startswith("test_")]
    if len(sys.argv) > 1:
        names = [n for n in names if any(a in n for a in sys.argv[1:])]
    failed = 0
    base = os.path.basename(mod.__file__).removesuffix(".py")
    for n in sorted(names, key=lambda n: getattr(mod, n).__code__.co_firstlineno):
        try:
            getattr(mod, n)()
            print("ok %s.%s" % (base, n), flush=True)
        except Skip as e:
            print("ok %s.%s # skip: %s" % (base, n, e), flush=True)
        except Exception as e:
            failed += 1
            print("FAIL %s.%s" % (base, n), flush=True)
            detail = str(e) if isinstance(e, TestFailure) else \
                traceback.format_exc()
            for line in detail.rstrip().splitlines():
                print("    " + line, flush=True)
    sys.exit(1 if failed else 0)
