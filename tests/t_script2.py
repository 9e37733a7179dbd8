"""Scripting, part two: a UDP server script answering a python3 client,
captures (-> NAME), expect's match kinds and data forms, connect_ex and
expect, variables that shadow built-ins, expected failures kept off
stderr, -q and settings, recv exactly and repeat."""
import os
import re
import socket
import subprocess

import lib
from lib import check


def closed_port():
    """A loopback port that nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def write(dirname, name, data):
    path = os.path.join(dirname, name)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


# ---- 1. a UDP server ------------------------------------------------------

def test_udp_echo_server_answers_a_python_client():
    """recvfrom keeps the sender; sendto DATA with no address answers it."""
    d = lib.tempdir()
    script = write(d, "echo.sr",
                   "socket udp\nbind 127.0.0.1 0\ngetsockname\n"
                   "recvfrom -> msg\nsendto \"$msg\"\n"
                   "recvfrom -> msg\nsendto \"echo: $msg\" $from\n"
                   "expect glob \"bin*\"\n")
    p = subprocess.Popen([lib.SOCKREPL, "-e", "-q", script],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # -q: the fd, then the bound address, flushed before recvfrom waits.
        check(p.stdout.readline().strip() == b"3")
        addr = p.stdout.readline().decode().strip()
        m = re.fullmatch(r"127\.0\.0\.1:(\d+)", addr)
        check(m, addr)
        port = int(m.group(1))
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.settimeout(lib.TIMEOUT)
        c.sendto(b"ping \x00\xff", ("127.0.0.1", port))
        data, frm = c.recvfrom(100)
        check(data == b"ping \x00\xff" and frm == ("127.0.0.1", port),
              repr((data, frm)))
        c.sendto(b"binary", ("127.0.0.1", port))
        data, frm = c.recvfrom(100)
        check(data == b"echo: binary", repr(data))
        out, err = p.communicate(timeout=lib.TIMEOUT)
        c.close()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    lib.no_sanitizer_report(err.decode("latin-1"))
    check(p.returncode == 0, "status %d\n%s" % (p.returncode, err))
    check(err == b"", err)


def test_from_is_an_address_and_sendto_needs_a_sender():
    out, err = lib.run_ok(
        "socket udp\nsendto x\nexpect fail\nset\n"
        "bind 127.0.0.1 0\nset p $port\n"
        "sendto hi 127.0.0.1 $p\nrecvfrom\nexpect hi\n"
        "set f $from\nsendto again\nrecvfrom\nexpect again\n"
        "expect ret 5\n")
    check("line 2: (expected) sendto: no address given, and socket 3 has "
          "received nothing with recvfrom" in out, out)
    check("from=" not in out.split("sendto: no address")[1].split(
        "bind(")[0], out)
    ports = re.findall(r"sendto\(3, \"again\", 5, 0, \{AF_INET, "
                       r"127\.0\.0\.1:(\d+)\}", out)
    check(len(ports) == 1, out)
    check(err == "", err)


def test_sendto_reply_answers_only_this_sockets_sender():
    # Socket 5 never received: it must not answer socket 3's sender.
    out, err = lib.run_ok(
        "socket udp\nbind 127.0.0.1 0\nset sp $port\n"
        "socket udp\nsendto ping 127.0.0.1 $sp\n"
        "on 3 recvfrom\nexpect ping\n"
        "socket udp\nsendto nobody\nexpect fail\n"
        "sendto other $from\nexpect ret 5\n"
        "on 4 recvfrom\nexpect other\n"
        "on 3 sendto pong\non 4 recvfrom\nexpect pong\n")
    check("line 9: (expected) sendto: no address given, and socket 5 has "
          "received nothing with recvfrom to answer (give ADDR, or "
          "recvfrom first on this socket)" in out, out)
    check("sendto(5, \"nobody\"" not in out, out)
    check(re.search(r'sendto\(5, "other", 5, 0, \{AF_INET, 127\.0\.0\.1:'
                    r'\d+\}, 16\) = 5', out), out)
    check(re.search(r'sendto\(3, "pong", 4, 0, \{AF_INET, 127\.0\.0\.1:'
                    r'\d+\}, 16\) = 4', out), out)
    check(err == "", err)


def test_sendto_reply_with_no_socket_is_an_error():
    status, out, err = lib.run("sendto hi\n")
    check(status == 1, "status %d" % status)
    check("sendto: no address given, and no socket to answer from" in err,
          err)
    check("socket(" not in out, out)


def test_from_before_any_recvfrom_is_an_error():
    status, out, err = lib.run("set a $from\n")
    check(status == 1, "status %d" % status)
    check("line 1: $from: no sender yet" in err, err)


# ---- 2. captures ----------------------------------------------------------

def test_capture_keeps_any_bytes_and_leaves_old_value_on_failure():
    out, err = lib.run_ok(
        "socketpair\nsend \"a b\\0c\\xff\\n\"\non 4 recv -> v\nset\n"
        "on 4 recv 10 dontwait -> v\nexpect error EAGAIN\nset\n"
        "send \"one\\ntwo\\n\"\non 4 recvline -> l1\non 4 recvline -> l2\n"
        "send \"$v\"\non 4 recvall 6 -> all\nexpect fail\n"
        "on 4 recv -> all\nexpect \"$v\"\nset\n")
    check(out.count('v="a b\\0c\\xff\\n"') == 3, out)
    check('l1="one\\n"\nl2="two\\n"' in out, out)
    check('all="a b\\0c\\xff\\n"' in out, out)
    check(err == "", err)


def test_capture_errors_are_named():
    status, out, err = lib.run(
        "socketpair\nsend x\non 4 recv -> 9x\non 4 recv -> a > f\n"
        "on 4 recv -> a 5\non 4 recv ->\nset\n")
    check(status == 1, "status %d" % status)
    check('line 3: recv: "9x" is not a variable name' in err, err)
    check("line 4: recv: give > FILE or -> NAME, not both" in err, err)
    check("line 5: recv: write -> NAME at the end" in err, err)
    check("line 6: recv: write -> NAME at the end" in err, err)
    # Nothing was received by the refused commands: x is still there.
    check("recv(" not in out, out)


# ---- 2, 3. expect's match kinds and data forms -----------------------------

def expect_run(data, lines):
    """Receive data on a socketpair, then run the expect lines; return
    (status, out, err)."""
    hexdata = data.hex()
    return lib.run("socketpair\nsend hex:%s\non 4 recv\n%s\n"
                   % (hexdata, "\n".join(lines)))


def test_each_match_kind_holds():
    status, out, err = expect_run(b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", [
        'expect contains "200 OK"',
        'expect contains Server',
        'expect glob "HTTP/1.? 2[0-9][0-9] *"',
        'expect glob "*\\r\\n\\r\\n"',
        'expect regex "^HTTP/1[.][01] 200 OK\\r"',
        "expect regex '^HTTP/1\\.1'",
        "expect regex 'Server: [a-z]+'",
        'expect ":0\\r\\n" or ":1\\r\\n" or contains "OK"',
        'expect regex "^HTTP/2" or glob "HTTP*"',
        'expect data "HTTP/1.1 200 OK\\r\\nServer: x\\r\\n\\r\\n"',
        'expect hex:485454502f312e3120323030204f4b0d0a5365727665723a20780d0a0d0a',
    ])
    check(status == 0, "status %d\n%s" % (status, err))
    check(err == "", err)


def test_each_match_kind_fails_when_it_should():
    status, out, err = expect_run(b":2\r\n", [
        'expect contains ":3"',
        'expect glob ":[013]*"',
        "expect regex '^:[01]'",
        'expect ":0\\r\\n" or ":1\\r\\n"',
        'expect hex:3a330d0a',
        'expect ":2\\r\\n"',
    ])
    check(status == 1, "status %d" % status)
    check(err.count("line ") == 5, err)
    check("line 4: expect contains: the data received does not contain it:\n"
          '  contains ":3"\n  actual   ":2\\r\\n" (4 bytes)' in err, err)
    check("line 5: expect glob: the data received does not match" in err, err)
    check("line 6: expect regex: the data received does not match" in err,
          err)
    check("line 7: expect: the data received matches none of the 2 "
          'alternatives:\n  data     ":0\\r\\n"\n  data     ":1\\r\\n"\n'
          in err, err)
    check("line 8: expect: the data received differs at byte 1:" in err, err)


def test_glob_and_regex_on_binary_data():
    status, out, err = expect_run(b"\x00\x01abc\xff", [
        'expect glob "\\0?abc*"',
        'expect glob "[!x]?[a-c][a-c][a-c]?"',
        "expect regex 'abc'",
        "expect regex 'c.$'",
        'expect contains hex:0161',
    ])
    check(status == 0, "status %d\n%s" % (status, err))


def test_expect_bad_patterns_are_named():
    status, out, err = expect_run(b"x", [
        "expect regex '('",
        "expect or x",
        "expect x or",
        "expect contains",
        "expect hex:4",
        "expect \"x\" \"or\" y",
    ])
    check(status == 1, "status %d" % status)
    check("line 4: expect regex: \"(\": " in err, err)
    check("line 5: expect: \"or\" needs an alternative on each side" in err,
          err)
    check("line 6: expect: \"or\" needs an alternative" in err, err)
    check("line 7: expect contains: give the data to look for" in err, err)
    check("line 8: expect: hex data needs an even number" in err, err)
    # A quoted or is data: "x or y" was not received.
    check("line 9: expect: the data received differs at byte 1" in err, err)


def test_expect_from_a_file():
    d = lib.tempdir()
    path = write(d, "want", b"\x00\x01\x02 file bytes")
    status, out, err = expect_run(b"\x00\x01\x02 file bytes", [
        "expect < %s" % path,
        "expect contains < %s" % path,
        "expect < %s/missing" % d,
    ])
    check(status == 1, "status %d" % status)
    check(err.count("line ") == 1 and "line 6: expect: %s/missing: No such"
          % d in err, err)


def test_binary_mismatch_is_two_hexdumps_with_the_byte_marked():
    data = bytes(range(40))
    want = bytearray(data)
    want[20] = 0x99
    status, out, err = expect_run(data, ["expect hex:%s" % want.hex()])
    check(status == 1, "status %d" % status)
    lines = err.splitlines()
    check(lines[0] == "line 4: expect: the data received differs at byte 20:",
          err)
    check(lines[1] == "  expected (40 bytes):", err)
    # From the line before the difference's: offsets 0, 0x10, 0x20.
    check(re.match(r"^ +00000000 +00 01 02", lines[2]), err)
    check(re.match(r"^ +00000010 +10 11 12 13 99 ", lines[3]), err)
    # The marker sits under the differing byte's two hex digits.
    col = lines[3].index("99")
    check(lines[4] == " " * col + "^^", err)
    check("  actual (40 bytes):" in lines, err)
    a = lines.index("  actual (40 bytes):")
    check(re.match(r"^ +00000010 +10 11 12 13 14 ", lines[a + 2]), err)
    check(lines[a + 3] == " " * col + "^^", err)


def test_shorter_binary_data_says_where_it_ends():
    status, out, err = expect_run(b"\x00\x01", ["expect hex:000102"])
    check(status == 1, "status %d" % status)
    check("(ends after 2 bytes, before byte 2)" in err, err)


# ---- 4. connect_ex ----------------------------------------------------------

def test_connect_ex_agrees_with_expect():
    port = closed_port()
    out, err = lib.run_ok(
        "socket\nconnect_ex 127.0.0.1 %d\nexpect ret 111\n"
        "expect error ECONNREFUSED\nexpect ok\nset\n" % port, ["-e"])
    check("111 ECONNREFUSED" in out, out)
    check("ret=111 " in out and "status=0 " in out and
          "errno=ECONNREFUSED " in out, out)
    check(err == "", err)
    status, out, err = lib.run(
        "socket\nconnect_ex 127.0.0.1 %d\nexpect fail\n" % port)
    check(status == 1, "status %d" % status)
    check("line 3: expect fail: the last command succeeded, returning 111 "
          "(ECONNREFUSED)" in err, err)
    # Success is 0, as Python's connect_ex returns.
    srv = lib.listener()
    out, err = lib.run_ok("connect_ex 127.0.0.1 %d\nexpect ret 0\n"
                          "expect error none\n" % srv.getsockname()[1],
                          ["-e"])
    srv.close()
    check(out.splitlines()[-1] == "0", out)


def test_connect_ex_exports_as_a_check_of_errno():
    port = closed_port()
    d = lib.tempdir()
    prog = os.path.join(d, "prog.py")
    out, err = lib.run_ok("socket\nconnect_ex 127.0.0.1 %d\nexpect ret 111\n"
                          "export python %s\n" % (port, prog))
    p = subprocess.run(["python3", prog], capture_output=True,
                       timeout=lib.TIMEOUT)
    check(p.returncode == 0, "status %d\n%s\n%s" % (
        p.returncode, p.stderr.decode(), open(prog).read()))


# ---- 5. variables shadow built-ins ----------------------------------------

def test_set_port_then_connect_to_it():
    srv = lib.listener()
    port = srv.getsockname()[1]
    out, err = lib.run_ok("set port %d\nsocket\nconnect 127.0.0.1 $port\n"
                          "expect ok\nunset port\nset sport $port\n"
                          "set\n" % port, ["-e"])
    c, _ = srv.accept()
    c.close()
    srv.close()
    check("connect(3, {AF_INET, 127.0.0.1:%d}" % port in out, out)
    # Unset, $port is the built-in again: the local port.
    m = re.search(r'^sport="(\d+)"$', out, re.M)
    check(m and int(m.group(1)) != port, out)


def test_every_builtin_may_be_shadowed():
    names = ["fd", "port", "peerport", "addr", "ret", "errno", "status",
             "received", "from"]
    script = "".join("set %s mine_%s\n" % (n, n) for n in names)
    script += "set all" + "".join(" $%s" % n for n in names) + "\nset\n"
    out, err = lib.run_ok(script)
    check('all="%s"' % " ".join("mine_" + n for n in names) in out, out)


# ---- 6. expected failures ---------------------------------------------------

def test_expected_failures_stay_off_stderr():
    port = closed_port()
    script = ("socket\nconnect 127.0.0.1 %d\n# checked below\n\n"
              "expect error ECONNREFUSED\n"
              "socketpair\non 4 recv 1 dontwait\non 4 expect error EAGAIN\n"
              "recv 1 dontwait\nexpect ret -1\n"
              "bogus\nexpect fail\n" % port)
    status, out, err = lib.run(script, ["-e"])
    check(status == 0, "status %d\n%s" % (status, err))
    check(err == "", err)
    check("line 2: (expected) connect: ECONNREFUSED" in out, out)
    check("line 7: (expected) recv: EAGAIN" in out, out)
    check("line 9: (expected) recv: EAGAIN" in out, out)
    check('line 11: (expected) unknown command "bogus"' in out, out)


def test_unexpected_or_wrongly_expected_failures_still_on_stderr():
    port = closed_port()
    status, out, err = lib.run(
        "socket\nconnect 127.0.0.1 %d\nexpect error ETIMEDOUT\n"
        "connect 127.0.0.1 %d\nexpect ok\n"
        "connect 127.0.0.1 %d\nexpect error none\n"
        "connect 127.0.0.1 %d\n" % (port, port, port, port))
    check(status == 1, "status %d" % status)
    # Line 2's was expected; its expect did not hold and says why.
    check("line 2: (expected) connect" in out, out)
    check("line 3: expect error ETIMEDOUT: the last command failed with "
          "ECONNREFUSED" in err, err)
    for n in (4, 6, 8):
        check("line %d: connect:" % n in err, err)


def test_expected_failure_through_c_and_source():
    port = closed_port()
    status, out, err = lib.run("", ["-e", "-c", "socket", "-c",
                                    "connect 127.0.0.1 %d" % port,
                                    "-c", "expect fail"])
    check(status == 0 and err == "", "status %d\n%s" % (status, err))
    check("-c:line 2: (expected) connect" in out, out)
    d = lib.tempdir()
    inner = write(d, "inner.sr", "socket\nconnect 127.0.0.1 %d\n"
                  "expect error ECONNREFUSED\nbad\n" % port)
    status, out, err = lib.run("source %s\nexpect fail\n" % inner)
    check(status == 0, "status %d\n%s" % (status, err))
    check("%s:line 2: (expected) connect" % inner in out, out)
    # The sourced file's last line fails with nothing after it there.
    check("%s:line 4: unknown command" % inner in err, err)


def test_pipe_driver_is_not_kept_waiting():
    """A program writing one line at a time sees the error at once."""
    port = closed_port()
    s = lib.Session(stderr_to_stdout=False)
    try:
        s.send("socket")
        s.send("connect 127.0.0.1 %d" % port)
        s.expect(r"connect\(3, .*ECONNREFUSED")
        s.send("expect error ECONNREFUSED")
        s.send("getsockopt SO_TYPE")
        s.expect(r"SOCK_STREAM")
    finally:
        status, text = s.close()
        err = s.p.stderr.read().decode()
        s.p.stderr.close()
    check(status == 0, "status %d\n%s" % (status, text))
    check("line 2: connect: ECONNREFUSED" in err, err)


# ---- 7. -q and settings ----------------------------------------------------

def test_quiet_prints_settings_only_when_asked():
    out, err = lib.run_ok("newline crlf\nformat hex\nnewline\nformat\n"
                          "socketpair\nsendline hi\non 4 recv\n", ["-q"])
    check(out.startswith("newline crlf\nformat hex\n3 4\n"), out)
    check("68 69 0d 0a" in out, out)
    out, err = lib.run_ok("newline crlf\nformat hex\n")
    check(out == "newline crlf\nformat hex\n", out)


# ---- 8. recv exactly, repeat ----------------------------------------------

def test_recv_exactly_loops_until_n_bytes():
    """A peer sends 100 bytes in 10 writes; recv exactly 95 takes 95,
    asking for no more than it needs; the calls past the third are
    counted."""
    srv = lib.listener()
    port = srv.getsockname()[1]

    def serve():
        import time
        c, _ = srv.accept()
        with c:
            for k in range(10):
                c.sendall(bytes([0x30 + k]) * 10)
                time.sleep(0.02)
            c.recv(10)
    h = lib.in_thread(serve)
    out, err = lib.run_ok(
        "connect 127.0.0.1 %d\nrecv exactly 95 -> v\nexpect ret 95\n"
        "expect glob \"0000000000*[0-9]99999\"\nrecv exactly 5\n"
        "expect 99999\nclose\n" % port, ["-e"])
    h.join()
    srv.close()
    calls = re.findall(r"^recv\(3, \"(\d+)\", (\d+), 0\) = (\d+)$", out,
                       re.M)
    # recv exactly 95's calls, then recv exactly 5's one.
    check(calls[-1] == ("99999", "5", "5"), out)
    calls = calls[:-1]
    check(len(calls) >= 1 and calls[0][1] == "95", out)
    check(len(calls) <= 3, out)
    got = sum(int(c[2]) for c in calls)
    if got < 95:
        check(re.search(r"^\.\.\. \d+ more recv calls: %d bytes$" % (95 - got),
                        out, re.M), out)
    # Only what is needed is asked for: the rest stays in the kernel.
    check('recv(3, "99999", 5, 0) = 5\n"99999"\n' in out, out)


def test_recv_exactly_at_eof_fails_and_keeps_the_bytes():
    out, err = lib.run_ok(
        "socketpair\nsend hello\nshutdown wr\non 4 recv exactly 10\n"
        "expect fail\non 4 recv\nexpect hello\n"
        "on 4 recv exactly 0\nexpect fail\n"
        "socket udp\nrecv exactly 3\nexpect fail\n", ["-e"])
    check("line 4: (expected) recv exactly: EOF after 5 of 10 bytes" in out,
          out)
    check("recv: the 5 bytes read so far stay in sockrepl's buffer" in out,
          out)
    check("line 8: (expected) recv: exactly 0: too small" in out, out)
    check("line 11: (expected) recv exactly: works on stream sockets" in out,
          out)
    check(err == "", err)


def test_repeat_counts_with_i_and_expands_each_run():
    out, err = lib.run_ok(
        "socketpair\nset i before\nrepeat 4 send \"<$i>\"\n"
        "on 4 recv\nexpect \"<1><2><3><4>\"\nset\n"
        "repeat 0 send never\nrep 2 on 4 send \"r$i\"\nrecv\nexpect r1r2\n",
        ["-e"])
    check('i="4"' in out, out)
    check("never" not in out, out)
    check(err == "", err)


def test_repeat_echo_under_x_reads_as_typed():
    out, err = lib.run_ok("", ["-x", "-c", "socketpair", "-c",
                               'repeat 2 send "a $i"'])
    check('+ repeat 2 send "a $i"\n+ send "a 1"\n+ send "a 2"\n' in err,
          err)


def test_repeat_failures_and_errexit():
    script = ("socketpair\nrepeat 3 on 4 recv 1 dontwait\nexpect fail\n"
              "repeat 3 on 4 recv 1 dontwait\nset after 1\nset\n")
    status, out, err = lib.run(script)
    check(status == 1, "status %d" % status)
    check("line 2: (expected) repeat: 3 of 3 runs failed" in out, out)
    check("line 4: repeat: 3 of 3 runs failed" in err, err)
    check('after="1"' in out, out)
    status, out, err = lib.run(script.replace("expect fail\n", ""), ["-e"])
    check(status == 1, "status %d" % status)
    check(out.count("recv(4") == 1, out)
    check("line 2: repeat: stopped at run 1 of 3 (-e)" in err, err)
    check("after" not in out, out)


def test_repeat_bad_uses_are_named():
    status, out, err = lib.run(
        "repeat\nrepeat 3\nrepeat x set a 1\nrepeat 1000001 set a 1\n"
        "repeat 2 repeat 2 set a 1\nrepeat -1 set a 1\n")
    check(status == 1, "status %d" % status)
    check("line 1: usage: repeat N COMMAND [ARG ...]" in err, err)
    check("line 2: usage: repeat N COMMAND [ARG ...]" in err, err)
    check('line 3: repeat: count "x": not a number' in err, err)
    check('line 4: repeat: count 1000001: too large' in err, err)
    check("line 5: repeat: a repeat inside a repeat is not supported" in err,
          err)
    check('line 6: repeat: count -1: too small' in err, err)
    check(err.count("line ") == 6, err)


def test_repeat_is_interrupted_by_sigint():
    import signal
    import time
    import select
    p = subprocess.Popen([lib.SOCKREPL, "-c", "repeat 1000000 sleep 0.01",
                          "-c", "set after 1", "-c", "set"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # The loop has begun (and the handler is set) once a sleep is traced;
    # a fixed wait raced with a slow start (the sanitizer build).
    ready, _, _ = select.select([p.stdout], [], [], lib.TIMEOUT)
    check(ready, "no sleep traced")
    first = p.stdout.readline()
    time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=lib.TIMEOUT)
    out = first + out
    check(p.returncode == 130, "status %d\n%s" % (p.returncode, err))
    check(b"repeat: interrupted after" in err, err)
    check(b"after" not in out, out)


def test_recv_exactly_and_captures_export_to_programs():
    d = lib.tempdir()
    c_prog, py_prog = os.path.join(d, "p.c"), os.path.join(d, "p.py")
    lib.run_ok("socketpair\nrepeat 2 send \"a$i\"\non 4 recv 100 -> v\n"
               "expect a1a2\nsend xyzw\non 4 recv exactly 3 -> w\n"
               "expect xyz\non 4 recv\nexpect w\n"
               "export c %s\nexport python %s\n" % (c_prog, py_prog))
    p = subprocess.run(["python3", py_prog], capture_output=True,
                       timeout=lib.TIMEOUT)
    check(p.returncode == 0 and p.stdout == b"a1a2xyzw",
          "%r %r" % (p.stdout, p.stderr))
    exe = os.path.join(d, "p")
    c = subprocess.run(["cc", "-Wall", "-Wextra", "-Werror", "-o", exe,
                        c_prog], capture_output=True, timeout=60)
    check(c.returncode == 0, c.stderr.decode())
    p = subprocess.run([exe], capture_output=True, timeout=lib.TIMEOUT)
    check(p.returncode == 0 and p.stdout == b"a1a2xyzw",
          "%r %r" % (p.stdout, p.stderr))


def test_an_expect_that_failed_fails_the_exported_program_too():
    d = lib.tempdir()
    c_prog, py_prog = os.path.join(d, "p.c"), os.path.join(d, "p.py")
    status, out, err = lib.run("socketpair\nsend abc\non 4 recv\n"
                               "expect abd\nexport c %s\nexport python %s\n"
                               % (c_prog, py_prog))
    check(status == 1, "status %d" % status)
    p = subprocess.run(["python3", py_prog], capture_output=True,
                       timeout=lib.TIMEOUT)
    check(p.returncode == 1 and b"the session expected b'abd'" in p.stderr,
          "%d %r" % (p.returncode, p.stderr))
    exe = os.path.join(d, "p")
    c = subprocess.run(["cc", "-o", exe, c_prog], capture_output=True,
                       timeout=60)
    check(c.returncode == 0, c.stderr.decode())
    p = subprocess.run([exe], capture_output=True, timeout=lib.TIMEOUT)
    check(p.returncode == 1 and b"differ" in p.stderr,
          "%d %r" % (p.returncode, p.stderr))


def test_expect_after_a_command_that_made_no_call():
    # connect_ex refuses the address before any call: no value to check.
    status, out, err = lib.run(
        "socketpair\nconnect_ex localhost 1\nexpect ret 111\n")
    check(status == 1, "status %d" % status)
    check("line 3: expect ret 111: the last command failed before making "
          "any call (a bad argument: see its message), so it has no return "
          "value or errno" in err, err)
    check("without an errno" not in err, err)


def test_connect_ex_to_a_name_returns_the_errno():
    port = closed_port()
    out, err = lib.run_ok(
        "socket\nconnect_ex localhost %d\nexpect ret 111\n"
        "expect error ECONNREFUSED\nexpect ok\n" % port, ["-e"])
    check("111 ECONNREFUSED" in out, out)


def test_ret_and_received_after_a_truncated_datagram():
    out, err = lib.run_ok(
        "socket udp\nbind 127.0.0.1 0\nset p $port\n"
        "sendto 0123456789 127.0.0.1 $p\nrecv 2 trunc -> v\n"
        "expect ret 10\nexpect 01\nset n $received\nset\n", ["-e"])
    check('v="01"' in out and 'n="2"' in out, out)


lib.main()
