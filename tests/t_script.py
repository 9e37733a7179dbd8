"""Scripting: -c -e -x -i, source, variables, expect and poll, against real
python3 peers on loopback."""
import os
import re
import signal
import socket

import lib
from lib import check


def write(dirname, name, text):
    path = os.path.join(dirname, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def closed_port():
    """A loopback port that nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- 1. running scripts -------------------------------------------------

def test_missing_script_is_status_2():
    status, out, err = lib.run("", ["/nonexistent/dir/script.sr"])
    check(status == 2, "status %d" % status)
    check("/nonexistent/dir/script.sr" in err, err)


def test_bad_option_is_status_2():
    for args in (["-z"], ["--bogus"], ["-c"]):
        status, out, err = lib.run("", args)
        check(status == 2, "%r: status %d" % (args, status))
        check("usage: sockrepl" in err, err)


def test_help_lists_script_options():
    status, out, err = lib.run("", ["--help"])
    check(status == 0, "status %d" % status)
    for o in ("-c COMMAND", "-e", "-i", "-x"):
        check(o in out, "%s missing from --help:\n%s" % (o, out))


def test_c_runs_in_order_then_exits():
    # Stdin is not read without -i: the help here would fail the run.
    status, out, err = lib.run("bogus-command-from-stdin\n",
                               ["-c", "set a first", "-c", "set b $a-second",
                                "-c", "set"])
    check(status == 0, "status %d\n%s" % (status, err))
    check(re.search(r'^a="first"\nb="first-second"$', out, re.M), out)
    check(err == "", err)


def test_c_error_names_its_command():
    status, out, err = lib.run("", ["-c", "set a 1", "-c", "nonsense"])
    check(status == 1, "status %d" % status)
    check("-c:line 2: unknown command" in err, err)


def test_errexit_stops_at_first_failure():
    script = "set a 1\nbogus\nset b 2\nset\n"
    status, out, err = lib.run(script, ["-e"])
    check(status == 1, "status %d" % status)
    check("line 2: unknown command" in err, err)
    check('b="2"' not in out and 'a="1"' not in out, out)
    # Without -e the script goes on and still fails.
    status, out, err = lib.run(script)
    check(status == 1, "status %d" % status)
    check('a="1"\nb="2"' in out, out)


def test_errexit_with_c():
    status, out, err = lib.run("", ["-e", "-c", "bogus", "-c", "set"])
    check(status == 1 and out == "", "status %d, out %r" % (status, out))


def test_xtrace_echoes_expanded_commands_in_order():
    p = lib.Session(["-x"])
    try:
        p.send("set host 127.0.0.1")
        p.send("bind $host 0")
        p.expect(r"^\+ bind 127\.0\.0\.1 0$")
        p.expect(r"^socket\(AF_INET, SOCK_STREAM")
        p.send("send 'a b' \"x\\ny\"")
        p.expect(r'^\+ send "a b" "x\\ny"$')
        status, out = p.close()
    finally:
        p.kill()
    # The echo of set comes before the echo of bind, and bind's trace
    # after its echo: one stream, in order.
    check(out.index("+ set host") < out.index("+ bind") <
          out.index("socket(AF_INET"), out)


def test_interactive_flag_goes_on_with_piped_stdin():
    d = lib.tempdir()
    f = write(d, "first.sr", "set from_file yes\n")
    status, out, err = lib.run("set from_stdin yes\nset\n",
                               ["-i", "-c", "set from_c yes", f])
    check(status == 0, "status %d\n%s" % (status, err))
    check('from_c="yes"\nfrom_file="yes"\nfrom_stdin="yes"' in out, out)
    # Without -i, stdin is left alone after a file.
    status, out, err = lib.run("set\n", [f])
    check(status == 0 and out == "", "status %d, out %r" % (status, out))


def pty_session(args, lines):
    """Run sockrepl on a pseudo-terminal, typing each line after a prompt.
    Returns (exit status, everything it wrote)."""
    import pty
    import select
    import time
    home = lib.tempdir()
    env = dict(os.environ, NO_COLOR="1", TERM="xterm", HOME=home,
               XDG_STATE_HOME=home)
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(lib.SOCKREPL, [lib.SOCKREPL, *args], env)
    out = b""
    deadline = time.monotonic() + lib.TIMEOUT
    pending = list(lines)
    prompts = 0
    try:
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            if pending and out.count(b"> ") > prompts:
                prompts = out.count(b"> ")
                os.write(fd, pending.pop(0).encode() + b"\r")
        if time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)   # hung: fail, do not hang
        _, st = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return os.waitstatus_to_exitcode(st), out.decode("latin-1")


def test_interactive_flag_on_a_terminal():
    d = lib.tempdir()
    f = write(d, "f.sr", "bogus_in_file\n")
    status, out = pty_session(["-i", "-c", "set a 5"],
                              ["set", "source " + f, "quit"])
    check('a="5"' in out, out)
    check("%s:line 1: unknown command" % f in out, out)
    # Failures at the prompt, sourced ones too, do not make it 1.
    check(status == 0, "status %d\n%s" % (status, out))


def test_quit_in_c_skips_the_rest():
    status, out, err = lib.run("set\n", ["-i", "-c", "quit", "-c", "set"])
    check(status == 0 and out == "", "status %d, out %r" % (status, out))


def test_source_nested_line_numbers():
    d = lib.tempdir()
    inner = write(d, "inner.sr", "set inner 1\n\n# comment\nbad_inner\n")
    outer = write(d, "outer.sr",
                  "set outer 1\nbad_outer\nsource %s\nbad_after\n" % inner)
    status, out, err = lib.run("source %s\nbad_stdin\nset\n" % outer)
    check(status == 1, "status %d" % status)
    lines = err.splitlines()
    check(lines[0].startswith("%s:line 2: unknown command \"bad_outer\""
                              % outer), err)
    check(lines[1].startswith("%s:line 4: unknown command \"bad_inner\""
                              % inner), err)
    check(lines[2].startswith("%s:line 4: unknown command \"bad_after\""
                              % outer), err)
    check(lines[3].startswith("line 2: unknown command \"bad_stdin\""), err)
    check('outer="1"\ninner="1"' in out, out)


def test_source_errexit_stops_everything():
    d = lib.tempdir()
    inner = write(d, "inner.sr", "bad_inner\nset not_reached 1\n")
    status, out, err = lib.run("source %s\nset also_not 1\nset\n" % inner,
                               ["-e"])
    check(status == 1 and out == "", "status %d out %r" % (status, out))


def test_source_missing_and_recursive():
    d = lib.tempdir()
    selfref = os.path.join(d, "self.sr")
    write(d, "self.sr", "source %s\n" % selfref)
    status, out, err = lib.run("source %s/nope.sr\nsource %s\n"
                               % (d, selfref))
    check(status == 1, "status %d" % status)
    check("line 1: source: %s/nope.sr: ENOENT (No such file" % d in err, err)
    check("too deeply nested" in err, err)
    check(err.count("\n") < 40, "one message per failure, not a flood:\n"
          + err)


# ---- 2. variables --------------------------------------------------------

def test_unset_variable_is_an_error_and_command_not_run():
    status, out, err = lib.run("set port_ok 1\nsocket\nset x $prot\nset\n")
    check(status == 1, "status %d" % status)
    check("line 3: $prot: no such variable" in err, err)
    check('x=' not in out, out)


def test_user_variables_shadow_builtins():
    status, out, err = lib.run("set port 80\nunset errno\nset\nunset port\n"
                               "socketpair\nset\n")
    check(status == 1, "status %d" % status)
    check(err.count("line ") == 1, err)
    check("line 2: unset: $errno is a built-in, not a variable you set" in
          err, err)
    check('port="80"\n' in out, out)
    check("port (built-in: the current socket's local port) is shadowed "
          "by your $port" in out, out)
    check("fd=3 (built-in" in out, out)


def test_quoting_rules():
    peer = lib.listener()
    port = peer.getsockname()[1]

    def serve():
        c, _ = peer.accept()
        with c:
            data = b""
            while not data.endswith(b"END"):
                chunk = c.recv(4096)
                if not chunk:
                    break
                data += chunk
            return data
    h = lib.in_thread(serve)
    script = ("set v val\n"
              "connect 127.0.0.1 %d\n"
              "sendall $v '$v' \\$v \"$v\" \"\\$v\" ${v}x \"${v}y\" $ "
              "a$v.b END\n" % port)
    status, out, err = lib.run(script)
    data = h.join()
    peer.close()
    check(status == 0, "status %d\n%s" % (status, err))
    check(data == b"val $v $v val $v valx valy $ aval.b END", repr(data))


def test_variables_are_nul_safe_binary_round_trip():
    """A value with NUL and 0xff bytes goes out and comes back unchanged."""
    peer = lib.listener()
    port = peer.getsockname()[1]
    payload = b"a\x00b\xff\x00\n$x"

    def echo():
        c, _ = peer.accept()
        with c:
            got = b""
            while len(got) < len(payload):
                chunk = c.recv(4096)
                if not chunk:
                    break
                got += chunk
            c.sendall(got)
            return got
    h = lib.in_thread(echo)
    script = ('set bin "a\\0b\\xff\\0\\n\\$x"\n'
              "connect 127.0.0.1 %d\n"
              "sendall $bin\n"
              "poll in 5\n"
              "recv 100 waitall\n"
              "expect \"$bin\"\n"
              "expect data \"a\\0b\\xff\\0\\n\\$x\"\n"
              "expect ret 8\n"
              "expect received\n" % port)
    status, out, err = lib.run(script)
    got = h.join()
    peer.close()
    check(got == payload, repr(got))
    # The last line expects the text "received" and must fail, showing
    # the bytes escaped on both sides.
    check(status == 1, "status %d\n%s" % (status, err))
    check("line 9: expect" in err, err)
    check(err.count("line ") == 1, err)
    # Binary data: two hexdumps, the first differing byte marked.
    check("61 00 62 ff 00 0a 24 78" in err, err)
    check("72 65 63 65 69 76 65 64" in err, err)
    check(err.count("^^") == 2, err)


def test_port_round_trip_between_two_sockets():
    script = ("bind 127.0.0.1 0\n"
              "listen 1\n"
              "set server $fd\n"
              "set sport $port\n"
              "socket\n"
              "connect 127.0.0.1 $sport\n"
              "expect ok\n"
              "set client $fd\n"
              "set cport $port\n"
              "expect ret 0\n"
              "on $server accept\n"
              "set conn $fd\n"
              "send \"from $peerport to $port\"\n"
              "use $client\n"
              "poll in 5\n"
              "recv\n"
              "expect \"from $port to $sport\"\n"
              "expect ret ${received}\n")
    status, out, err = lib.run(script, ["-e"])
    check(status == 0, "status %d\n%s\n%s" % (status, out, err))
    m = re.search(r"connect\((\d+), \{AF_INET, 127\.0\.0\.1:(\d+)\}", out)
    check(m, out)


def test_errno_and_ret_variables():
    port = closed_port()
    script = ("connect 127.0.0.1 %d\n"
              "set e $errno\nset r $ret\nset s $status\n"
              "expect error ECONNREFUSED\n"
              "expect fail\n"
              "expect ret -1\n"
              "set\n" % port)
    status, out, err = lib.run(script)
    check(status == 1, "status %d" % status)
    check(err.count("line ") == 1 and "line 1: connect" in err, err)
    check('e="ECONNREFUSED"\nr="-1"\ns="1"' in out, out)


# ---- 3. assertions -------------------------------------------------------

def test_expect_before_any_receive():
    status, out, err = lib.run('expect "x"\n')
    check(status == 1, "status %d" % status)
    check("nothing has been received yet" in err, err)


def test_expect_mismatch_shows_both_sides():
    peer = lib.listener()
    port = peer.getsockname()[1]

    def serve():
        c, _ = peer.accept()
        with c:
            c.sendall(b"220 mail.example ESMTP\r\n")
            c.recv(100)
    h = lib.in_thread(serve)
    script = "connect 127.0.0.1 %d\npoll in 5\nrecv\n" % port
    script += 'expect "220 mail.example SMTP\\r\\n"\nset after 1\nset\n'
    status, out, err = lib.run(script, ["-e"])
    peer.close()
    h.join()
    check(status == 1, "status %d" % status)
    check("line 4: expect: the data received differs at byte 17" in err, err)
    check(re.search(r'^  expected "220 mail\.example SMTP\\r\\n" '
                    r'\(23 bytes\)$', err, re.M), err)
    check(re.search(r'^  actual   "220 mail\.example ESMTP\\r\\n" '
                    r'\(24 bytes\)$', err, re.M), err)
    caret = [l for l in err.splitlines() if l.strip() == "^"]
    check(caret and caret[0].index("^") ==
          err.splitlines()[1].index("SMTP"), err)
    check("after" not in out, "-e did not stop:\n" + out)


def test_expect_line_protocol_conversation():
    """A line-based protocol: greeting, command, answer, quit."""
    peer = lib.listener()
    port = peer.getsockname()[1]

    def serve():
        c, _ = peer.accept()
        with c, c.makefile("rwb", buffering=0) as f:
            f.write(b"+OK ready\r\n")
            line = f.readline()
            f.write(b"+OK you said " + line.strip() + b"\r\n")
            line = f.readline()
            f.write(b"+OK bye\r\n" if line == b"QUIT\r\n" else b"-ERR\r\n")
    h = lib.in_thread(serve)
    script = ("connect 127.0.0.1 %d\n"
              "poll in 5\nrecv\n"
              "expect \"+OK ready\\r\\n\"\n"
              "send \"ECHO hi there\\r\\n\"\n"
              "poll in 5\nrecv\n"
              "expect \"+OK you said ECHO hi there\\r\\n\"\n"
              "send \"QUIT\\r\\n\"\n"
              "poll in 5\nrecv\n"
              "expect \"+OK bye\\r\\n\"\n"
              "expect ok\n" % port)
    status, out, err = lib.run(script, ["-e", "-q"])
    h.join()
    peer.close()
    check(status == 0, "status %d\n%s\n%s" % (status, out, err))
    check(err == "", err)


def test_udp_exchange_with_binary_reply():
    peer = lib.listener(type=socket.SOCK_DGRAM)
    port = peer.getsockname()[1]

    def serve():
        data, addr = peer.recvfrom(100)
        peer.sendto(b"\x00\xff" + data.upper(), addr)
        return data
    h = lib.in_thread(serve)
    script = ("socket udp\n"
              "sendto \"ping\\0\" 127.0.0.1:%d\n"
              "poll in 5\nrecvfrom\n"
              "expect \"\\0\\xffPING\\0\"\n"
              "expect ret 7\n" % port)
    status, out, err = lib.run(script, ["-e"])
    got = h.join()
    peer.close()
    check(got == b"ping\x00", repr(got))
    check(status == 0, "status %d\n%s\n%s" % (status, out, err))


def test_expect_empty_data_at_eof_and_addr():
    peer = lib.listener()
    port = peer.getsockname()[1]

    def serve():
        c, _ = peer.accept()
        c.close()
    h = lib.in_thread(serve)
    script = ("connect 127.0.0.1 %d\nset a $addr\nset p $peerport\n"
              "poll in 5\nrecv\nexpect data\nexpect ret 0\n"
              "expect \"\"\nset\n" % port)
    status, out, err = lib.run(script, ["-e", "-q"])
    h.join()
    peer.close()
    check(status == 0, "status %d\n%s" % (status, err))
    check(re.search(r'^a="127\.0\.0\.1:\d+"\np="%d"$' % port, out, re.M),
          out)


def test_expect_keywords_and_errors():
    status, out, err = lib.run("expect error EBOGUS\nexpect ret x\n"
                               "expect ok extra\nexpect error\n")
    check(status == 1, "status %d" % status)
    check('line 1: expect error: "EBOGUS" is not an errno name' in err, err)
    check("line 2: expect: ret" in err, err)
    check("line 3: usage: expect ok" in err, err)
    check("line 4: usage: expect error" in err, err)


def test_expected_failure_does_not_count():
    port = closed_port()
    script = ("socket\nconnect 127.0.0.1 %d\n\n# refused, as it should\n"
              "expect error ECONNREFUSED\nset after 1\nset\n" % port)
    status, out, err = lib.run(script, ["-e"])
    check(status == 0, "status %d\n%s" % (status, err))
    check('after="1"' in out, out)
    # Expected: the message is on stdout, marked, and stderr stays clean.
    check("line 2: (expected) connect: ECONNREFUSED" in out, out)
    check(err == "", err)
    # The same through -c.
    status, out, err = lib.run("", ["-e", "-c", "socket", "-c",
                                    "connect 127.0.0.1 %d" % port, "-c",
                                    "expect fail", "-c", "expect ret -1"])
    check(status == 0, "status %d\n%s" % (status, err))


def test_wrong_expected_error_stops_under_errexit():
    port = closed_port()
    script = ("socket\nconnect 127.0.0.1 %d\n"
              "expect error ETIMEDOUT\nset after 1\nset\n" % port)
    status, out, err = lib.run(script, ["-e"])
    check(status == 1, "status %d" % status)
    check("line 3: expect error ETIMEDOUT: the last command failed with "
          "ECONNREFUSED" in err, err)
    check("after" not in out, out)
    # An expect about data does not take a failure back.
    status, out, err = lib.run("socket\nconnect 127.0.0.1 %d\nexpect ok\n"
                               % port)
    check(status == 1, "status %d" % status)


def test_failure_in_sourced_file_expected_after_source():
    d = lib.tempdir()
    port = closed_port()
    inner = write(d, "inner.sr", "socket\nconnect 127.0.0.1 %d\n" % port)
    status, out, err = lib.run("source %s\nexpect fail\nset\n" % inner,
                               ["-e"])
    check(status == 0, "status %d\n%s" % (status, err))
    check("%s:line 2: connect" % inner in err, err)


def test_errexit_stop_inside_source_is_not_taken_back():
    d = lib.tempdir()
    inner = write(d, "inner.sr", "bad_inner\nset not_reached 1\n")
    status, out, err = lib.run("source %s\nexpect fail\nset outer 1\nset\n"
                               % inner, ["-e"])
    check(status == 1 and out == "", "status %d out %r" % (status, out))


# ---- 4. readiness --------------------------------------------------------

def test_poll_timeout_fails_with_etimedout():
    script = ("bind 127.0.0.1 0\nlisten 1\n"
              "poll in 0.05\n"
              "expect error ETIMEDOUT\nexpect ret 0\n")
    # The timeout is expected by the next line, so it does not count.
    status, out, err = lib.run(script, ["-e"])
    check(status == 0, "status %d\n%s" % (status, err))
    check(re.search(r"^ppoll\(\[\{fd=(\d+), events=POLLIN\}\], 1, "
          r"\{tv_sec=0, tv_nsec=50000000\}, \[\], 8\) = 0 "
                    r"\(Timeout\)$", out, re.M), out)
    check("line 3: (expected) poll: timed out after 0.05 s" in out, out)
    check(err == "", err)


def test_poll_readiness_several_sockets():
    peer = lib.listener()
    port = peer.getsockname()[1]

    def serve():
        c, _ = peer.accept()
        with c:
            c.sendall(b"ping")
            try:
                c.recv(10)      # until sockrepl closes (unread data: RST)
            except ConnectionResetError:
                pass
    h = lib.in_thread(serve)
    script = ("bind 127.0.0.1 0\nlisten 1\nset l $fd\n"
              "socket\nconnect 127.0.0.1 %d\nset c $fd\n"
              "poll $l $c in 5\n"
              "expect ret 1\n"
              "poll out 5\n"
              "poll $c inout\n"
              "expect ret 1\n"
              "close\n" % port)
    status, out, err = lib.run(script, ["-e"])
    h.join()
    peer.close()
    check(status == 0, "status %d\n%s\n%s" % (status, out, err))
    m = re.search(r"^ppoll\(\[\{fd=(\d+), events=POLLIN\}, \{fd=(\d+), "
                  r"events=POLLIN\}\], 2, \{tv_sec=5, tv_nsec=0\}, \[\], 8\) "
                  r"= 1 \(\[\{fd=(\d+), revents=POLLIN\}\]\)$", out, re.M)
    check(m and m.group(3) == m.group(2), out)
    check(re.search(r"events=POLLIN\|POLLOUT\}\], 1, NULL, \[\], 8\) = 1 "
                    r"\(\[\{fd=\d+, revents=POLLIN\|POLLOUT\}\]\)$",
                    out, re.M), out)


def test_poll_bad_arguments():
    status, out, err = lib.run("poll\npoll 999 in\nsocket\npoll in 1 2\n"
                               "poll in -1\n")
    check(status == 1, "status %d" % status)
    check("line 1: poll: no current socket" in err, err)
    check("line 2: poll: fd 999 is not a socket" in err, err)
    check("line 4: usage: poll" in err, err)
    check("line 5: poll: timeout -1: negative" in err, err)


def test_sigint_interrupts_poll_status_130():
    p = lib.Session()
    try:
        p.send("bind 127.0.0.1 0")
        p.expect(r"^getsockname")
        p.send("poll in")
        p.send("set not_reached 1")
        p.p.send_signal(signal.SIGINT)
        status, out = p.close()
    finally:
        p.kill()
    check(status == 130, "status %d\n%s" % (status, out))


if __name__ == "__main__":
    lib.main()
