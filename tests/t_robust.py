"""Nothing lost: output to a file kept when the process is stopped while it
waits, write errors on stdout stop the run, SIGTERM and SIGHUP end it like
Ctrl-C with 128 + the signal, variables and expanded lines are bounded.
"""
import os
import signal
import subprocess
import time

import lib
from lib import check


def wait_for_file(path, text, proc):
    deadline = time.monotonic() + lib.TIMEOUT
    while time.monotonic() < deadline:
        with open(path, "rb") as f:
            got = f.read().decode("latin-1")
        if text in got:
            return got
        check(proc.poll() is None, "sockrepl ended early:\n" + got)
        time.sleep(0.02)
    raise lib.TestFailure("%r never reached the file:\n%s" % (text, got))


BLOCKS = ("socketpair\nsend hi\nuse 4\nrecv\n"
          "recv\n"              # nothing more comes: it waits here
          "list\n")


def stopped_while_waiting(sig, want_status, want_name):
    d = lib.tempdir()
    out, err = os.path.join(d, "out"), os.path.join(d, "err")
    with open(out, "wb") as o, open(err, "wb") as e:
        p = subprocess.Popen([lib.SOCKREPL], stdin=subprocess.PIPE,
                             stdout=o, stderr=e)
    p.stdin.write(BLOCKS.encode())
    p.stdin.close()
    # With stdout a regular file, what came before the wait is in the
    # file while the program waits: flushed because the call blocks.
    wait_for_file(out, 'recv(4, "hi", 65536, 0) = 2', p)
    # Wait until it sits in the second recv, not merely on the way there.
    deadline = time.monotonic() + lib.TIMEOUT
    while time.monotonic() < deadline:
        with open("/proc/%d/wchan" % p.pid) as f:
            if f.read() not in ("", "0"):
                break
        time.sleep(0.01)
    p.send_signal(sig)
    st = p.wait(timeout=lib.TIMEOUT)
    with open(out) as f:
        o = f.read()
    with open(err) as f:
        e = f.read()
    lib.no_sanitizer_report(e)
    return st, o, e


def test_sigterm_reports_and_keeps_output():
    st, out, err = stopped_while_waiting(signal.SIGTERM, 143, "SIGTERM")
    check(st == 143, "status %d, want 143 (128 + SIGTERM)\n%s" % (st, err))
    check("recv(4, buf, 65536, 0) = -1 EINTR" in out, out)
    check("line 5: recv: EINTR: interrupted (SIGTERM)" in err, err)
    check("list" not in out and "FD" not in out, "went on after: " + out)


def test_sighup_reports_and_keeps_output():
    st, out, err = stopped_while_waiting(signal.SIGHUP, 129, "SIGHUP")
    check(st == 129, "status %d, want 129 (128 + SIGHUP)\n%s" % (st, err))
    check("interrupted (SIGHUP)" in err, err)


def test_sigkill_keeps_output_before_the_wait():
    st, out, err = stopped_while_waiting(signal.SIGKILL, -9, "")
    check(st == -signal.SIGKILL, "status %d" % st)
    check('recv(4, "hi", 65536, 0) = 2' in out, out)


def test_stdout_write_error_stops():
    with open("/dev/full", "wb") as full:
        p = subprocess.run([lib.SOCKREPL, "-c", "socketpair", "-c", "list"],
                           stdout=full, stderr=subprocess.PIPE,
                           timeout=lib.TIMEOUT)
    err = p.stderr.decode()
    check(p.returncode == 1, "status %d\n%s" % (p.returncode, err))
    check("sockrepl: standard output: ENOSPC (No space left on device)"
          in err, err)


def test_closed_pipe_stops_the_run():
    d = lib.tempdir()
    marker = os.path.join(d, "marker")
    script = ("socketpair\nsleep 0.3\n" + "list\n" * 2000 +
              "socket unix\nbind %s\n" % marker)
    p = subprocess.Popen([lib.SOCKREPL], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(script.encode())
    p.stdin.close()
    p.stdout.read(10)
    p.stdout.close()            # as head -c 10 does
    err = p.stderr.read().decode()
    st = p.wait(timeout=lib.TIMEOUT)
    lib.no_sanitizer_report(err)
    check(st == 141, "status %d, want 141 (128 + SIGPIPE)\n%s" % (st, err))
    check("standard output: EPIPE (Broken pipe)" in err, err)
    check(not os.path.exists(marker), "the commands after went on")


def test_variable_size_is_bounded():
    script = ("set a " + "x" * 60000 + "\n" +
              "set b " + "$a" * 17 + "\n" +          # 1,020,000 bytes: fits
              "set c $b$b\n" +                        # over a variable's limit
              "set")
    st, out, err = lib.run(script)
    check(st == 1, "status %d\n%s" % (st, err))
    check("line 3: set: the value of $c would be 2040000 bytes, over the "
          "limit of 1048576 bytes for a variable" in err, err)
    check(out.count("=\"") == 2, "a and b only: %s" % out[:200])


def test_expanded_line_is_bounded():
    script = ("set a " + "x" * 60000 + "\n" +
              "set b " + "$a" * 17 + "\n" +
              "socketpair\n" +
              "send $b$b$b$b$b\n" +                   # 5.1 MB once expanded
              "expect error\n")
    st, out, err = lib.run(script)
    check("line 4: the line is over 4194304 bytes once its $variables are "
          "expanded (the limit of an expanded line)" in err, err)
    check("send(" not in out, out[:300])


def test_doubling_variables_end_with_a_message():
    # The case: each set expands the one before 30,000 times.
    script = ("set a xxxxxxxxxx\n"
              "set b " + "$a" * 30000 + "\n"
              "set c " + "$b" * 30000 + "\n"
              "set d " + "$c" * 30000 + "\n")
    t = time.monotonic()
    st, out, err = lib.run(script, timeout=30)
    check(st == 1, "status %d (a signal is negative)\n%s" % (st, err))
    check("line 3: the line is over 4194304 bytes" in err, err)
    check("line 4: $c: no such variable" in err, err)
    check(time.monotonic() - t < 20, "took %.1f s" % (time.monotonic() - t))


def test_recv_buffer_is_bounded():
    st, out, err = lib.run("socketpair\nrecv 16777217\n")
    check(st == 1, "status %d" % st)
    check("recv: bufsize 16777217: too large (at most 16777216)" in err, err)


if __name__ == "__main__":
    lib.main()
