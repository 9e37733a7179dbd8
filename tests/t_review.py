"""Regressions found in review: outcomes, kept bytes, buffered readiness,
clean raw output, and state after failures."""
import subprocess

import lib
from lib import check


def test_quiet_send_records_its_return_value():
    st, out, err = lib.run("", ["-q", "-c", "socketpair", "-c", "send hello",
                                "-c", "expect ret 5", "-c", "close 4",
                                "-c", "send hi", "-c", "expect error EPIPE"])
    check(st == 0, "status %d\n%s%s" % (st, out, err))


def test_failed_file_write_keeps_the_bytes():
    st, out, err = lib.run('socketpair\non 4 send "abc\\ndef\\n"\n'
                           "recv 2 > /dev/full\nrecvline > /dev/full\n"
                           "recv\nexpect \"abc\\ndef\\n\"\n")
    check("recv(3, buf, 2, 0) = 2" in out, "the call was hidden:\n" + out)
    check("writing /dev/full" in err, err)
    check('"abc\\ndef\\n"' in out, "bytes were lost:\n" + out)
    check(st == 1, "status %d" % st)
    check(err.count("\n") == 2, "only the two writes fail:\n" + err)


def test_poll_sees_buffered_bytes():
    st, out, err = lib.run('socketpair\non 4 send "l1\\nl2\\n"\nrecvline\n'
                           "poll 3 in 5\nrecvline\nexpect \"l2\\n\"\n")
    check(st == 0, "status %d\n%s%s" % (st, out, err))
    check("(fd 3: 3 bytes in sockrepl's buffer, readable now; no system "
          "call)" in out, out)


def test_quiet_raw_output_is_the_data_alone():
    p = subprocess.run([lib.SOCKREPL, "-q", "-c", "format raw", "-c",
                        "socketpair", "-c", "on 4 send abc", "-c", "close 4",
                        "-c", "recv", "-c", "recv"], capture_output=True,
                       timeout=lib.TIMEOUT)
    check(p.stdout == b"abc", repr(p.stdout))
    check(b"EOF" in p.stderr, p.stderr)


def test_hex_error_escapes_the_bad_byte():
    st, out, err = lib.run(b"socketpair\nsend hex:4\x1b\n")
    check('hex data: "\\x1b" at digit 2' in err, repr(err))
    check("\x1b" not in err, "raw ESC reached the terminal")


def test_recvuntil_max_shorter_than_delimiter():
    st, out, err = lib.run('socketpair\nrecvuntil "\\r\\n\\r\\n" 2\n')
    check("MAX 2 is shorter than the delimiter (4 bytes)" in err, err)
    check("recv(" not in out, "it waited in recv:\n" + out)


def test_on_passes_the_outcome_to_expect():
    st, out, err = lib.run("socketpair\nrecv 5 dontwait\n"
                           "on 4 expect error EAGAIN\n")
    check(err == "", "expect did not see the recv's EAGAIN:\n" + err)
    # The next line expects the failure: its message is on stdout, marked.
    check("line 2: (expected) recv: EAGAIN" in out, out)


def test_refused_connect_then_send_names_the_connect():
    srv = lib.listener()
    port = srv.getsockname()[1]
    srv.close()     # nothing listens there now: refused
    st, out, err = lib.run("connect 127.0.0.1 %d\nsend hi\nlist\n" % port)
    check("send: EPIPE: the socket is not connected: its connect failed"
          in err, err)
    check("failed" in out and "ECONNREFUSED" in out, out)


def test_accepted_socket_forgets_a_closed_listener():
    # Listener 3 accepts 5; 3 is closed and its fd reused by a UDP socket:
    # closing 5 must not make that unrelated socket current.
    st, out, err = lib.run("bind 127.0.0.1 0\nlisten\nset p $port\nsocket\n"
                           "connect 127.0.0.1 $p\non 3 accept\nclose 3\n"
                           "socket udp\nuse 5\nlist\nclose\nlist\n")
    check(st == 0, "status %d\n%s" % (st, err))
    lists = out.split("  FD  ")
    check(len(lists) == 3, out)
    check("from 3" not in lists[1], "a reused fd taken for the listener:\n"
          + lists[1])
    check(not any(l.startswith("*") for l in lists[2].splitlines()),
          "close made another socket current:\n" + lists[2])


if __name__ == "__main__":
    lib.main()
