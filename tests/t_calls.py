"""The call layer: the trace names exactly the calls made, calls behind the
user's back show only with -v, hints follow the call that failed, and the
outcome of a command that makes several calls is the one that matters.

Where strace works, sockrepl itself runs under it and the two lists of
calls are compared: every line of the trace is a system call that was made,
in the same order, and every call on a socket is in the trace.
"""
import os
import re
import shutil
import subprocess
import sys

import lib
from lib import check

STRACE_CALLS = ("socket,socketpair,bind,listen,accept,accept4,connect,"
                "sendto,recvfrom,setsockopt,getsockopt,getsockname,"
                "getpeername,shutdown,close,fcntl,ppoll,poll,nanosleep,"
                "clock_nanosleep,ioctl")
# The names strace gives the calls sockrepl's trace names.
STRACE_NAME = {"send": "sendto", "recv": "recvfrom", "nanosleep":
               ("nanosleep", "clock_nanosleep")}
TRACE_LINE = re.compile(r"^(\w+)\((.*)\) = ")
STRACE_LINE = re.compile(r"^(\w+)\(([^,)]*)")


def strace_path():
    path = shutil.which("strace")
    if path is None:
        if os.environ.get("CI") == "true":
            raise lib.TestFailure("strace is not installed (.ci/run "
                                  "installs it)")
        raise lib.Skip("strace is not installed")
    p = subprocess.run([path, "-qq", "-e", "trace=socket", sys.executable,
                        "-c", "import socket; socket.socket().close()"],
                       capture_output=True, timeout=10)
    if p.returncode != 0 or b"socket(AF_INET" not in p.stderr:
        raise lib.Skip("strace cannot trace here: %s"
                       % p.stderr.decode("latin-1")[-200:])
    return path


def traced_calls(out):
    """The calls in sockrepl's trace, by name, in order."""
    calls = []
    for line in out.splitlines():
        m = TRACE_LINE.match(line)
        if m:
            calls.append(m.group(1))
    return calls


def strace_calls(text, sockets):
    """The calls strace saw on sockets (fds in sockets, learnt from
    socket/accept/socketpair as they come), and the waits and sleeps."""
    calls = []
    for line in text.splitlines():
        m = STRACE_LINE.match(line)
        if not m:
            continue
        name = m.group(1)
        ret = line.rsplit("= ", 1)[-1].split()[0]
        if name in ("socket", "accept", "accept4") and ret.isdigit():
            sockets.add(int(ret))
        elif name == "socketpair":
            pair = re.search(r"\[(\d+), (\d+)\]", line)
            if pair:
                sockets.update(int(g) for g in pair.groups())
        elif name in ("ppoll", "poll"):
            fds = [int(f) for f in re.findall(r"fd=(\d+)", line)]
            if not any(f in sockets for f in fds):
                continue
        elif name in ("nanosleep", "clock_nanosleep"):
            pass
        elif m.group(2).isdigit() and int(m.group(2)) not in sockets:
            continue
        if name == "close" and m.group(2).isdigit():
            sockets.discard(int(m.group(2)))
        calls.append(name)
    return calls


def same_calls(trace, seen):
    """Does the trace name the calls strace saw, one for one?"""
    if len(trace) != len(seen):
        return False
    for t, s in zip(trace, seen):
        want = STRACE_NAME.get(t, t)
        if s != want and s not in want and not (t == "accept" and
                                                 s == "accept4"):
            return False
    return True


def run_traced(script, args=()):
    path = strace_path()
    d = lib.tempdir()
    log = os.path.join(d, "strace.out")
    try:
        # LeakSanitizer cannot run under ptrace (make check-sanitize).
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + \
            ":detect_leaks=0"
        p = subprocess.run([path, "-qq", "-o", log, "-e",
                            "trace=" + STRACE_CALLS, lib.SOCKREPL, *args],
                           input=script.encode(), capture_output=True,
                           timeout=lib.TIMEOUT, env=env)
        with open(log, encoding="latin-1") as f:
            text = f.read()
    finally:
        shutil.rmtree(d, ignore_errors=True)
    out = p.stdout.decode("latin-1")
    err = p.stderr.decode("latin-1")
    lib.no_sanitizer_report(err)
    return p.returncode, out, err, text


def test_trace_names_every_call_made():
    # A session that touches most calls: both ends of TCP, a timeout wait,
    # options, names, shutdown, a UDP pair, a socketpair, a sleep.
    script = ("bind 127.0.0.1 0\nlisten 4\nset p $port\n"
              "socket\nsetsockopt TCP_NODELAY 1\nconnect 127.0.0.1 $p\n"
              "on 3 accept\nsettimeout 2\nsendline hello\n"
              "on 4 recvline\non 4 send abc\nrecv 2\ngetsockname\n"
              "getpeername\ngetsockopt SO_ERROR\non 4 shutdown wr\n"
              "recvall\nclose\nclose 4\n"
              "socket udp\nbind 127.0.0.1 0\nsendto ping 127.0.0.1 $port\n"
              "recvfrom\nsocketpair dgram\nsend x\non 6 recv\n"
              "poll 6 out 1\nsleep 0.01\nclose 6\n")
    # With -v the calls behind the user's back ($port, the closes at the
    # end) are traced too.
    status, out, err, text = run_traced(script, ["-v"])
    check(status == 0, "status %d\n%s\n%s" % (status, out, err))
    trace = traced_calls(out)
    seen = strace_calls(text, set())
    check(same_calls(trace, seen),
          "trace and strace differ:\n  trace:  %s\n  strace: %s\n%s"
          % (" ".join(trace), " ".join(seen), out))
    check("ppoll(" in out and "\npoll([" not in out, out)
    # Without -v, the same less the getsockname calls $port made, the
    # names close asks of each TCP connection it closes (so list -a can
    # find it in the kernel after), the FIONREAD and SO_LINGER close asks
    # of each (are unread bytes or a linger of 0 about to reset it?), and
    # the closes of the three sockets still open at the end.
    status, quiet_out, err = lib.run(script)
    check(status == 0, "status %d\n%s" % (status, err))
    fewer = traced_calls(quiet_out)
    check(trace[-3:] == ["close"] * 3, " ".join(trace))
    rest = trace[:-3]
    check(len(rest) - len(fewer) == 2 + 4 + 2 + 2 and
          rest.count("ioctl") - fewer.count("ioctl") == 2 and
          rest.count("getsockopt") - fewer.count("getsockopt") == 2 and
          rest.count("getsockname") - fewer.count("getsockname") == 2 + 2 and
          rest.count("getpeername") - fewer.count("getpeername") == 2,
          " ".join(fewer))


def test_behind_calls_show_only_with_verbose():
    script = ("bind 127.0.0.1 0\nlisten\nset p $port\nsocket\n"
              "connect 127.0.0.1 $p\nlist\nexpect ret 0\n")
    status, out, err = lib.run(script)
    check(status == 0, "status %d\n%s" % (status, err))
    # bind's own report of the port it got is the only getsockname.
    check(out.count("getsockname(") == 1 and "getpeername(" not in out, out)
    status, vout, err = lib.run(script, ["-v"])
    check(status == 0, "status %d\n%s" % (status, err))
    # $port; list asks the kernel for every TCP socket in one sock_diag
    # dump (per family), not each socket for its names.
    # Where the kernel has no sock_diag (some sandboxes), list asks each
    # socket for its names instead.
    if re.search(r"^sock_diag\(.*\) = \d+$", vout, re.M):
        check(vout.count("getsockname(") == 1 + 1, vout)
        check(vout.count("getpeername(") == 0, vout)
    else:
        check(vout.count("getsockname(") == 1 + 1 + 2, vout)
        check(vout.count("getpeername(") == 2, vout)
    # What -v shows in addition is only those lines (ports differ from
    # run to run).
    plain = set(re.sub(r":\d+", ":P", out).splitlines())
    extra = [l for l in re.sub(r":\d+", ":P", vout).splitlines()
             if l not in plain]
    check(all(l.startswith(("getsockname(", "getpeername(", "close(",
                            "sock_diag(", "getsockopt(", "ioctl("))
              for l in extra),
          "\n".join(extra))


def test_behind_calls_leave_the_outcome():
    # $port's getsockname must not replace the failed connect's outcome.
    status, out, err = lib.run(
        "bind 127.0.0.1 0\nset p $port\nclose\nsocket\n"
        "connect 127.0.0.1 $p\nexpect error ECONNREFUSED\nset q $port\n"
        "expect error ECONNREFUSED\nexpect ret -1\n", ["-v"])
    check(status == 0, "status %d\n%s\n%s" % (status, out, err))


def test_hint_follows_the_call_not_the_command():
    # sendline filling a non-blocking socket is told the send buffer is
    # full (the hint of send), not that no data is waiting (recv's).
    line = "x" * 60000
    script = "socketpair\nsetblocking false\n" + \
        ("sendline %s\n" % line) * 40
    status, out, err = lib.run(script)
    check(status == 1, "status %d" % status)
    check("sendline: EAGAIN: the send buffer is full" in err, err[-400:])
    check("no data is waiting" not in err, err[-400:])


def test_timed_connect_refused_is_the_connects_outcome():
    # With a timeout, connect is EINPROGRESS, ppoll, then SO_ERROR: the
    # command's outcome is the refusal SO_ERROR tells, as Python raises.
    srv = lib.listener()
    port = srv.getsockname()[1]
    srv.close()
    status, out, err = lib.run(
        "socket\nsettimeout 2\nconnect 127.0.0.1 %d\n"
        "expect error ECONNREFUSED\nexpect ret -1\nlist\n" % port, ["-e"])
    check(status == 0, "status %d\n%s\n%s" % (status, out, err))
    check("line 3: (expected) connect: ECONNREFUSED: nothing is listening"
          in out, out)
    check(err == "", err)
    check(re.search(r"failed", out.splitlines()[-1]), out)


def test_quiet_shows_results_only():
    status, out, err = lib.run(
        "socketpair\nsend hi\non 4 recv\ngetsockopt SO_TYPE\n", ["-q"])
    check(status == 0, "status %d\n%s" % (status, err))
    check(out == '3 4\n"hi"\nSOCK_STREAM\n', repr(out))


def test_recv_into_a_file_that_fails_counts_nothing():
    # The bytes stay buffered, so they are not received until a later
    # receive hands them over.
    if not os.path.exists("/dev/full"):
        raise lib.Skip("no /dev/full")
    status, out, err = lib.run(
        "socketpair\nsend abc\non 4 recv > /dev/full\nexpect fail\n"
        "set n $received\nexpect data\n"
        "on 4 recv\nexpect abc\n")
    check("line 3: (expected) recv: writing /dev/full" in out, out)
    check("line 6: expect: nothing has been received yet" in err, err)
    check(err.count("line ") == 1 and status == 1, err)
    check(out.endswith('(3 bytes from sockrepl\'s buffer, no system call)\n'
                       '"abc"\n'), out)


def test_recvall_into_a_file_stops_at_max():
    # The file takes MAX bytes; the one recvall read to see the limit was
    # passed stays in sockrepl's buffer for the next receive.
    d = lib.tempdir()
    path = os.path.join(d, "f")
    try:
        status, out, err = lib.run(
            "socketpair\non 4 send 0123456789\nrecvall 5 > %s\nrecv 100\n"
            % path)
        with open(path, "rb") as f:
            got = f.read()
    finally:
        shutil.rmtree(d, ignore_errors=True)
    check(got == b"01234", repr(got))
    check("recvall: 5 bytes written to" in out, out)
    check(out.endswith('"5"\n'), out)


if __name__ == "__main__":
    lib.main()
