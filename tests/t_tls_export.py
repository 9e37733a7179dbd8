"""export python and export c of a session with TLS: the program made
from a client session against openssl s_server runs against the same
server (it accepts twice) and gets the same bytes; so does one made with a
timeout (where OpenSSL's calls wait for the socket); the C program is
built with -Werror and libssl; a server session's program serves a real
client; what export does not write is refused with a message. On a build
without TLS, starttls says so instead."""
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time

import lib
from lib import check
from t_tls import SServer, certs, without_tls_checked

HEAD = b"HTTP/1.0 200 ok\r\nContent-type: text/html\r\n\r\n"


def export_and_run(opts, name=""):
    """A GET over TLS with opts, exported; the program run against the
    same s_server. Returns (session out, program text, program stdout)."""
    s = SServer(naccept=2)
    try:
        st, out, err = lib.run(
            "connect localhost %d\n"
            "starttls %s %s\n"
            'send "GET / HTTP/1.0\\r\\n\\r\\n"\n'
            'recvuntil "\\r\\n\\r\\n"\n'
            'expect "HTTP/1.0 200 ok\\r\\nContent-type: text/html'
            '\\r\\n\\r\\n"\n'
            "close\n"
            "export python\n" % (s.port, opts, name))
        check(st == 0, "session status %d\n%s%s" % (st, out, err))
        i = out.find("#!/usr/bin/env python3")
        check(i >= 0, "no program:\n" + out)
        prog = out[i:]
        path = lib.tempdir() + "/tls.py"
        with open(path, "w") as f:
            f.write(prog)
        p = subprocess.run([sys.executable, path], capture_output=True,
                           timeout=lib.TIMEOUT)
    finally:
        s.stop()
    check(p.returncode == 0, "program status %d:\n%s\n%s" % (
        p.returncode, prog, p.stderr.decode("latin-1")))
    return s.port, prog, p.stdout


def build_c(prog, name="tls"):
    """The exported C program, built as its first comment says: with
    -Werror and libssl's flags from pkg-config. Returns its path."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise lib.Skip("no C compiler")
    p = subprocess.run([lib.need_program("pkg-config"), "--cflags", "--libs",
                        "libssl", "libcrypto"], capture_output=True,
                       timeout=lib.TIMEOUT)
    check(p.returncode == 0, "pkg-config libssl: %r" % p.stderr)
    d = lib.tempdir()
    src = os.path.join(d, name + ".c")
    with open(src, "w") as f:
        f.write(prog)
    exe = os.path.join(d, name)
    p = subprocess.run([cc, "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra",
                        "-Werror", "-o", exe, src] +
                       p.stdout.decode().split(), capture_output=True,
                       timeout=120)
    check(p.returncode == 0, "the program does not build:\n%s\n%s" % (
        p.stderr.decode("latin-1"), prog))
    return exe


def session_program(script, *langs):
    """Run a session ending in export LANG FILE for each of langs; returns
    (status, out, err, and each program's text)."""
    d = lib.tempdir()
    st, out, err = lib.run(script + "".join(
        "export %s %s/prog.%s\n" % (lang, d, lang) for lang in langs))
    progs = []
    for lang in langs:
        path = "%s/prog.%s" % (d, lang)
        check(os.path.exists(path), "no program written:\n%s%s" % (out,
                                                                    err))
        with open(path) as f:
            progs.append(f.read())
    return (st, out, err, *progs)


def run_program(lang, prog, name="tls"):
    """Run an exported program (built first when it is C)."""
    if lang == "c":
        argv = [build_c(prog, name)]
    else:
        path = os.path.join(lib.tempdir(), name + ".py")
        with open(path, "w") as f:
            f.write(prog)
        argv = [sys.executable, path]
    return subprocess.run(argv, capture_output=True, timeout=lib.TIMEOUT)


def flat(prog):
    """A C program with its long lines joined again (export c breaks them
    after a comma, KNF style)."""
    return re.sub(r",\n\t+    ", ", ", prog)


def c_client(opts, steps, naccept=2):
    """A client session against s_server, exported to C; the program run
    against the same server. Returns (program text, its stdout)."""
    s = SServer(naccept=naccept)
    try:
        st, out, err, prog = session_program(
            "connect localhost %d\nstarttls %s\n%s" % (s.port, opts,
                                                       steps), "c")
        check(st == 0, "session status %d\n%s%s" % (st, out, err))
        p = run_program("c", prog)
    finally:
        s.stop()
    check(p.returncode == 0, "program status %d:\n%s\n%s" % (
        p.returncode, prog, p.stderr.decode("latin-1")))
    return flat(prog), p.stdout


GET = ('send "GET / HTTP/1.0\\r\\n\\r\\n"\n'
       'recvuntil "\\r\\n\\r\\n"\n'
       'expect "HTTP/1.0 200 ok\\r\\nContent-type: text/html'
       '\\r\\n\\r\\n"\n'
       "close\n")


def test_c_client_with_cafile_runs():
    if without_tls_checked():
        return
    c = certs()
    # A path with a quote and a space comes through as it is.
    ca = os.path.join(lib.tempdir(), 'the "test" ca.pem')
    shutil.copy(c["ca.pem"], ca)
    prog, got = c_client('-cafile "%s" -alpn http/1.1 -min 1.2'
                         % ca.replace('"', '\\"'), GET)
    for want in ("#include <openssl/ssl.h>",
                 "$(pkg-config --cflags --libs libssl libcrypto)",
                 "client_ctx = SSL_CTX_new(TLS_client_method())",
                 "SSL_CTX_set_min_proto_version(client_ctx, TLS1_2_VERSION)",
                 'SSL_CTX_load_verify_locations(client_ctx, "%s", NULL)'
                 % ca.replace('"', '\\"'),
                 "SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, NULL);",
                 'alpn_wire("http/1.1")',
                 "SSL_CTX_set_alpn_protos(client_ctx, alpn_list, alpn_len)",
                 "client_ssl = SSL_new(client_ctx)",
                 "SSL_set_fd(client_ssl, client)",
                 'SSL_set_tlsext_host_name(client_ssl, "localhost")',
                 'SSL_set1_host(client_ssl, "localhost")',
                 "tls_handshake(client_ssl, 0, -1)",
                 "tls_write(client_ssl, ", "SSL_read(ssl, buf, len)",
                 "tls_shutdown(client_ssl);", "SSL_free(client_ssl);",
                 "check_data(\"recvuntil\""):
        check(want in prog, "no %r in:\n%s" % (want, prog))
    check("SSL_VERIFY_NONE" not in prog, prog)
    check(got == HEAD, "program got %r, want %r" % (got, HEAD))


def test_c_client_insecure_runs():
    if without_tls_checked():
        return
    prog, got = c_client("-k -max 1.2", GET)
    for want in ("SSL_CTX_set_default_verify_paths(client_ctx)",
                 "SSL_CTX_set_verify(client_ctx, SSL_VERIFY_NONE, NULL);",
                 "SSL_CTX_set_max_proto_version(client_ctx, TLS1_2_VERSION)"):
        check(want in prog, "no %r in:\n%s" % (want, prog))
    check(got == HEAD, "program got %r, want %r" % (got, HEAD))


def test_c_program_verifies_the_server():
    """The C program's verification is real: with a CA file that does not
    vouch for the server, the handshake fails and the program says why."""
    if without_tls_checked():
        return
    c = certs()
    s = SServer(naccept=2)
    try:
        st, out, err, prog = session_program(
            "connect localhost %d\nstarttls -cafile %s\n%s" % (
                s.port, c["ca.pem"], GET), "c")
        bad = prog.replace(c["ca.pem"], c["srv.pem"])
        p = run_program("c", bad, "bad")
    finally:
        s.stop()
    check(p.returncode == 1, "status %d: an unverified server was "
          "accepted:\n%s" % (p.returncode, bad))
    e = p.stderr.decode("latin-1")
    check("certificate verify failed" in e and "SSL_connect:" in e, e)


class SlowServer:
    """A python ssl server that waits 0.2 s before each handshake, so a
    client with a timeout is sure to find SSL_connect wanting to read.
    Each connection: read a line, answer "HTTP/1.0 200 ok" and more."""

    def __init__(self, count):
        c = certs()
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(c["srv.pem"], c["srv.key"])
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(count)
        self.ls.settimeout(lib.TIMEOUT)
        self.port = self.ls.getsockname()[1]
        self.th = threading.Thread(target=self.serve, args=(count,))
        self.th.start()

    def serve(self, count):
        try:
            for _ in range(count):
                sk, _ = self.ls.accept()
                time.sleep(0.2)
                with self.ctx.wrap_socket(sk, server_side=True) as t:
                    t.settimeout(lib.TIMEOUT)
                    line = b""
                    while not line.endswith(b"\n"):
                        line += t.recv(100)
                    t.sendall(b"HTTP/1.0 200 ok\r\nContent-type: text/"
                              b"plain\r\n\r\nhi\n")
                    t.unwrap()
        except (OSError, ssl.SSLError):
            pass
        finally:
            self.ls.close()

    def stop(self):
        self.th.join(lib.TIMEOUT)


def test_timeout_session_exports_both_ways():
    """With settimeout the socket is non-blocking underneath: sockrepl
    shows SSL_connect wanting to read and waits in ppoll. The programs do
    their own waiting instead (tls_handshake's loop, Python's SSLSocket),
    and both run."""
    if without_tls_checked():
        return
    c = certs()
    s = SlowServer(3)
    try:
        script = ("connect localhost %d\nsettimeout 5\nstarttls -cafile %s\n"
                  'sendall "GET / HTTP/1.0\\r\\n\\r\\n"\n'
                  "recvline\n"
                  'expect "HTTP/1.0 200 ok\\r\\n"\n'
                  "recv 10\n"
                  "close\n" % (s.port, c["ca.pem"]))
        st, out, err, cprog, pyprog = session_program(script, "c", "py")
        check(st == 0, "session status %d\n%s%s" % (st, out, err))
        check(re.search(r"^SSL_connect\(ssl@3\) = -1 SSL_ERROR_WANT_READ.*"
                        r"\nppoll\(.*\nSSL_connect\(ssl@3\) = 1$", out,
                        re.M), "no wait in the session:\n" + out)
        runs = [(lang, run_program(lang, prog, "timeout"))
                for lang, prog in (("c", cprog), ("py", pyprog))]
    finally:
        s.stop()
    check("tls_handshake(client_ssl, 0, 5000)" in cprog, cprog)
    check("send_all(client, " in cprog and "tls_of(fd)" in cprog, cprog)
    check("settimeout(5" in pyprog and "wrap_socket" in pyprog, pyprog)
    for lang, p in runs:
        check(p.returncode == 0, "%s program status %d:\n%s" % (
            lang, p.returncode, p.stderr.decode("latin-1")))
        check(p.stdout == b"HTTP/1.0 200 ok\r\nContent-ty", "%s got %r" % (
            lang, p.stdout))


class PyPeer:
    """A python ssl server for one client at a time, count times. mode:
    "hold": send "hi\\n", then read until the client's close_notify or
    EOF and close without a close_notify of its own; "cut": send "hi\\n"
    and close at once without close_notify; "quiet": send nothing, read
    until the client goes."""

    def __init__(self, mode, count):
        c = certs()
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(c["srv.pem"], c["srv.key"])
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(count)
        self.ls.settimeout(lib.TIMEOUT)
        self.port = self.ls.getsockname()[1]
        self.th = threading.Thread(target=self.serve, args=(mode, count))
        self.th.start()

    def serve(self, mode, count):
        try:
            for _ in range(count):
                sk, _ = self.ls.accept()
                try:
                    t = self.ctx.wrap_socket(sk, server_side=True)
                    t.settimeout(lib.TIMEOUT)
                    if mode not in ("quiet", "echo"):
                        t.sendall(b"hi\n")
                    if mode == "echo":
                        # Back what comes; at the client's close_notify,
                        # ours (unwrap), as a careful server does.
                        while True:
                            d = t.recv(100)
                            if not d:
                                break
                            t.sendall(d)
                        t.unwrap().close()
                        continue
                    if mode == "cut":
                        # Let the bytes go before the RST-free close.
                        time.sleep(0.2)
                        os.close(t.detach())
                        continue
                    while t.recv(100):
                        pass
                    os.close(t.detach())
                except (OSError, ssl.SSLError):
                    sk.close()
        except OSError:
            pass
        finally:
            self.ls.close()

    def stop(self):
        self.th.join(lib.TIMEOUT)


def both_programs(peer, script, count_ok=True):
    """Run script (ending its own way) against peer, export both ways, run
    both programs against it: returns (session out, {lang: (prog, run)})."""
    try:
        st, out, err, cprog, pyprog = session_program(
            "connect localhost %d\n%s" % (peer.port, script), "c", "py")
        check(st == 0, "session status %d\n%s%s" % (st, out, err))
        runs = {lang: (prog, run_program(lang, prog, "both"))
                for lang, prog in (("c", cprog), ("py", pyprog))}
    finally:
        peer.stop()
    for lang, (prog, p) in runs.items():
        check(p.returncode == 0, "%s program status %d:\n%s\n%s" % (
            lang, p.returncode, p.stderr.decode("latin-1"), prog))
    return out, runs


def test_read_only_client_closes_without_waiting():
    """A session that only reads builds under -Werror (no tls_write then);
    its close sends close_notify and does not wait for the peer's, which
    this peer never sends: both programs end as the session did."""
    if without_tls_checked():
        return
    out, runs = both_programs(PyPeer("hold", 3), "starttls -cafile %s\n"
                              "recvline\nclose\n" % certs()["ca.pem"])
    check("SSL_shutdown(ssl@3) = 0" in out, out)
    c, py = runs["c"][0], runs["py"][0]
    check("tls_write" not in c and "tls_shutdown(client_ssl);" in c, c)
    check("free(client_in.p);" in c, c)
    check("close_notify(client" in py and ".unwrap()" not in
          py.split("def main")[1], py)
    for lang, (prog, p) in runs.items():
        check(p.stdout == b"hi\n", "%s got %r" % (lang, p.stdout))


def test_reads_after_our_close_notify():
    """shutdown wr sends our close_notify; the peer echoes, then sends its
    own: the reads after ours end at it, as in the session (the ssl
    module raised SSLZeroReturnError there). Python's unwrap reads after
    sending, so what came at that moment may be dropped: then it says so
    rather than that close_notify was not sent."""
    if without_tls_checked():
        return
    out, runs = both_programs(PyPeer("echo", 3), "starttls -cafile %s\n"
                              "sendline hello\nshutdown wr\nrecvall\n"
                              "close\n" % certs()["ca.pem"])
    check('"hello\\n"' in out, out)
    check(runs["c"][1].stdout == b"hello\n", runs["c"][1].stdout)
    p = runs["py"][1]
    check(p.stdout == b"hello\n" or b"data that came after it was dropped"
          in p.stderr, "%r %r" % (p.stdout, p.stderr))
    check(b"not sent" not in p.stderr and b"Traceback" not in p.stderr,
          p.stderr)
    # What came before our close_notify is read before unwrap can drop
    # it, also with no read-ahead buffer (a plain recv after it).
    out, runs = both_programs(PyPeer("echo", 3), "starttls -cafile %s\n"
                              "sendline hello\nsleep 0.3\nshutdown wr\n"
                              "recv 100\nclose\n" % certs()["ca.pem"])
    for lang, (prog, p) in runs.items():
        check(p.stdout == b"hello\n", "%s: %r %r" % (lang, p.stdout,
                                                     p.stderr))


def test_a_starttls_typo_is_left_out():
    """A starttls whose set-up failed (no such CA file) made nothing: it is
    left out of the programs, and the one that worked is written."""
    if without_tls_checked():
        return
    out, runs = both_programs(SServer(naccept=3),
                              "starttls -cafile /nonexistent/ca.pem\n"
                              "expect fail\n"
                              "starttls -cafile %s\n%s" % (
                                  certs()["ca.pem"], GET))
    check("SSL_CTX_load_verify_locations(ctx, \"/nonexistent/ca.pem\", "
          "NULL) = 0 (" in out, out)
    for lang, (prog, p) in runs.items():
        check("nonexistent" not in prog, prog)
        check(p.stdout == HEAD, "%s got %r" % (lang, p.stdout))
    # Nothing expected the failure: the session ends with 1, so do the
    # programs, which go on and say why.
    s = SServer(naccept=3)
    try:
        st, out, err, cprog, pyprog = session_program(
            "connect localhost %d\nstarttls -cafile /nonexistent/ca.pem\n"
            "starttls -cafile %s\n%s" % (s.port, certs()["ca.pem"], GET),
            "c", "py")
        runs = [run_program(lang, prog, "typo") for lang, prog in
                (("c", cprog), ("py", pyprog))]
    finally:
        s.stop()
    check(st == 1, "session status %d" % st)
    for p in runs:
        check(p.returncode == 1 and p.stdout == HEAD and
              b"(as in the session)" in p.stderr, "%d %r %r" % (
                  p.returncode, p.stdout, p.stderr))


def test_poll_on_tls_waits_for_data_in_the_programs():
    """poll in on a TLS socket waits past TLS's own records (session
    tickets) in the session; the programs wait for data too (C
    tls_ready, Python tls_ready), so a poll that ran out runs out there,
    and one that saw data sees it."""
    if without_tls_checked():
        return
    out, runs = both_programs(PyPeer("quiet", 3), "starttls -cafile %s\n"
                              "poll in 0.5\nexpect error ETIMEDOUT\nclose\n"
                              % certs()["ca.pem"])
    check("tls_ready(client_ssl, 500)" in runs["c"][0], runs["c"][0])
    check("tls_ready(client, 500)" in runs["py"][0], runs["py"][0])
    out, runs = both_programs(PyPeer("hold", 3), "starttls -cafile %s\n"
                              "setblocking false\npoll in 5\nrecv\nclose\n"
                              % certs()["ca.pem"])
    for lang, (prog, p) in runs.items():
        check(p.stdout == b"hi\n", "%s: %r %r" % (lang, p.stdout,
                                                  p.stderr))


def test_timed_out_read_waits_for_plaintext():
    """A TLS read that timed out (TLS 1.3's tickets made the fd readable,
    but no data came): both programs expect ETIMEDOUT as the session did,
    and the C one waits for plaintext (tls_ready), not for the fd."""
    if without_tls_checked():
        return
    out, runs = both_programs(PyPeer("quiet", 3), "starttls -cafile %s\n"
                              "settimeout 0.5\nrecv\nexpect error ETIMEDOUT\n"
                              "close\n" % certs()["ca.pem"])
    c = runs["c"][0]
    check("tls_ready(client_ssl, 500)" in c or
          "tls_read(client_ssl, buf, 65536, 0, 500)" in c, c)
    check("ready(client, POLLIN" not in c, c)


def test_write_after_a_cut_off_peer_and_eagain():
    """The peer goes without close_notify: the read sees a truncated end
    and a write then fails with EPIPE (not a made-up ECONNRESET); and on
    a non-blocking TLS socket recv fails with EAGAIN. Both programs expect
    what the session did (Python's ssl has its own exceptions)."""
    if without_tls_checked():
        return
    out, runs = both_programs(
        PyPeer("cut", 3), "starttls -cafile %s\nrecvline\nsetblocking "
        "false\nrecv\nexpect error EAGAIN\nsetblocking true\nrecv\n"
        "send late\nexpect error EPIPE\nclose\n" % certs()["ca.pem"])
    check(re.search(r"^SSL_write\(ssl@3, \"late\", 4\) = -1 "
                    r"SSL_ERROR_\w+ EPIPE", out, re.M), out)
    check("SSLWantReadError" in runs["py"][0] and
          "SSLEOFError" in runs["py"][0], runs["py"][0])
    for lang, (prog, p) in runs.items():
        check(b"without close_notify" in p.stderr or lang == "py",
              "%s: %r" % (lang, p.stderr))


def test_a_long_send_is_one_record_in_both_programs():
    """SSL_write sends one record (16384 bytes) at a time as sockrepl sets
    it up; Python's ssl would send all, so its program cuts the data to a
    record: both programs send what the session sent and say so."""
    if without_tls_checked():
        return
    big = os.path.join(lib.tempdir(), "big")
    with open(big, "wb") as f:
        f.write(b"x" * 40000)
    out, runs = both_programs(PyPeer("hold", 3), "starttls -cafile %s\n"
                              "recvline\nsend < %s\nsend -m nosignal "
                              "abc\nclose\n" % (certs()["ca.pem"], big))
    check(re.search(r"^SSL_write\(ssl@3, \"x+\"\.\.\., 40000\) = 16384$",
                    out, re.M), out)
    check("MSG_NOSIGNAL" not in runs["py"][0].split("def main")[1],
          runs["py"][0])
    for lang, (prog, p) in runs.items():
        check(b"sent 16384 of 40000 bytes" in p.stderr, "%s: %r" % (
            lang, p.stderr))


def test_python_paths_in_utf8_and_peek_refused():
    """A path of UTF-8 bytes is written as the characters they are (and a
    byte that is no UTF-8 as os.fsdecode makes it); a peek through TLS
    is refused by export python, which cannot make it, and written by C."""
    if without_tls_checked():
        return
    ca = os.path.join(lib.tempdir(), "caf\u00e9 \u20ac.pem")
    shutil.copy(certs()["ca.pem"], ca)
    out, runs = both_programs(PyPeer("hold", 3), 'starttls -cafile "%s"\n'
                              "recvline\nclose\n" % ca)
    check('"%s"' % ca.replace("\u00e9", "\\u00e9").replace(
        "\u20ac", "\\u20ac") in runs["py"][0], runs["py"][0])
    peer = PyPeer("hold", 2)
    try:
        d = lib.tempdir()
        st, out, err = lib.run(
            "connect localhost %d\nstarttls -cafile %s\nrecv 1 peek\n"
            "recvline\nclose\nexport python %s/p.py\nexport c %s/p.c\n"
            % (peer.port, certs()["ca.pem"], d, d))
        check("export: the session peeked at data through TLS (recv peek), "
              "which Python's ssl module cannot do: export c can: no "
              "program written" in err, err)
        with open(d + "/p.c") as f:
            prog = f.read()
        p = run_program("c", prog, "peek")
    finally:
        peer.stop()
    check(p.returncode == 0 and p.stdout == b"hhi\n", "%d %r %r" % (
        p.returncode, p.stdout, p.stderr))


def tls_client(port, got, alpn):
    """A python ssl client of a sockrepl TLS server: says hello, keeps the
    answer and the ALPN protocol chosen."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(certs()["ca.pem"])
    ctx.set_alpn_protocols(alpn)
    deadline = time.monotonic() + lib.TIMEOUT
    while time.monotonic() < deadline:
        try:
            sk = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            time.sleep(0.05)
    else:
        return
    with ctx.wrap_socket(sk, server_hostname="localhost") as t:
        t.sendall(b"hello\n")
        got.append((t.recv(100), t.selected_alpn_protocol()))


def test_c_server_serves_a_client():
    """A server session (CERT KEY, ALPN) exported to C: the program serves
    a python ssl client as the session did, and chooses the same ALPN."""
    if without_tls_checked():
        return
    c = certs()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    got = []
    th = threading.Thread(target=tls_client, args=(port, got,
                                                    ["x", "http/1.1"]))
    th.start()
    st, out, err, prog = session_program(
        "socket\nsetsockopt SO_REUSEADDR 1\nbind 127.0.0.1 %d\nlisten\n"
        "accept\nstarttls -server %s %s -alpn h2,http/1.1\nrecvline\n"
        'expect "hello\\n"\nsend "hi\\n"\nclose\n' % (
            port, c["srv.pem"], c["srv.key"]), "c")
    th.join(lib.TIMEOUT)
    check(st == 0, "status %d\n%s%s" % (st, out, err))
    check(got == [(b"hi\n", "http/1.1")], "session's client got %r" % got)
    prog = flat(prog)
    for want in ("conn_ctx = SSL_CTX_new(TLS_server_method())",
                 'SSL_CTX_use_certificate_chain_file(conn_ctx, "%s")'
                 % c["srv.pem"],
                 'SSL_CTX_use_PrivateKey_file(conn_ctx, "%s",' % c["srv.key"],
                 "SSL_CTX_check_private_key(conn_ctx)",
                 "SSL_CTX_set_alpn_select_cb(conn_ctx, alpn_select, NULL)",
                 "tls_handshake(conn_ssl, 1, -1)"):
        check(want in prog, "no %r in:\n%s" % (want, prog))
    exe = build_c(prog, "server")
    got = []
    th = threading.Thread(target=tls_client, args=(port, got,
                                                    ["x", "http/1.1"]))
    th.start()
    p = subprocess.run([exe], capture_output=True, timeout=lib.TIMEOUT)
    th.join(lib.TIMEOUT)
    check(p.returncode == 0, "program status %d:\n%s" % (
        p.returncode, p.stderr.decode("latin-1")))
    check(p.stdout == b"hello\n", "program got %r" % p.stdout)
    check(got == [(b"hi\n", "http/1.1")], "program's client got %r" % got)


def test_c_server_selfsigned():
    """starttls -server -selfsigned exports to C (Python's ssl module makes
    no certificates): the program makes its own key and certificate for
    the same name and serves a client with it."""
    if without_tls_checked():
        return
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    ders = []

    def client():
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        deadline = time.monotonic() + lib.TIMEOUT
        while time.monotonic() < deadline:
            try:
                sk = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.05)
        else:
            return
        with ctx.wrap_socket(sk) as t:
            t.sendall(b"hello\n")
            ders.append((t.recv(100), t.getpeercert(binary_form=True)))
    script = ("socket\nsetsockopt SO_REUSEADDR 1\nbind 127.0.0.1 %d\nlisten\n"
              "accept\nstarttls -server -selfsigned\nrecvline\n"
              'send "hi\\n"\nclose\n' % port)
    th = threading.Thread(target=client)
    th.start()
    st, out, err, prog = session_program(script, "c")
    th.join(lib.TIMEOUT)
    check(st == 0, "status %d\n%s%s" % (st, out, err))
    check('selfsigned(conn_ctx, "localhost") != 1' in prog, prog)
    exe = build_c(prog, "selfsigned")
    th = threading.Thread(target=client)
    th.start()
    p = subprocess.run([exe], capture_output=True, timeout=lib.TIMEOUT)
    th.join(lib.TIMEOUT)
    check(p.returncode == 0, "program status %d:\n%s" % (
        p.returncode, p.stderr.decode("latin-1")))
    check(len(ders) == 2 and ders[1][0] == b"hi\n", "clients got %r" % ders)
    check(ders[0][1] != ders[1][1], "the same certificate twice")
    x = subprocess.run([lib.need_program("openssl"), "x509", "-inform", "DER",
                        "-noout", "-subject", "-ext", "subjectAltName"],
                       input=ders[1][1], capture_output=True,
                       timeout=lib.TIMEOUT)
    text = x.stdout.decode("latin-1")
    check(re.search(r"subject=\s*CN\s*=\s*localhost", text) and
          "DNS:localhost" in text and "IP Address:127.0.0.1" in text, text)


def test_python_client_with_cafile_runs():
    if without_tls_checked():
        return
    c = certs()
    out, prog, got = export_and_run("-cafile %s -alpn http/1.1 -min 1.2"
                                    % c["ca.pem"])
    for want in ("import ssl\n",
                 "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)",
                 "ctx.minimum_version = ssl.TLSVersion.TLSv1_2",
                 'ctx.load_verify_locations("%s")' % c["ca.pem"],
                 'ctx.set_alpn_protocols("http/1.1".split(","))',
                 'client = ctx.wrap_socket(client, '
                 'server_hostname="localhost")',
                 "close_notify(client"):
        check(want in prog, "no %r in:\n%s" % (want, prog))
    check("CERT_NONE" not in prog, prog)
    check(got == HEAD, "program got %r, want %r" % (got, HEAD))


def test_python_client_insecure_runs():
    if without_tls_checked():
        return
    out, prog, got = export_and_run("-k -max 1.2")
    for want in ("ctx.set_default_verify_paths()",
                 "ctx.check_hostname = False",
                 "ctx.verify_mode = ssl.CERT_NONE",
                 "ctx.maximum_version = ssl.TLSVersion.TLSv1_2"):
        check(want in prog, "no %r in:\n%s" % (want, prog))
    check(got == HEAD, "program got %r, want %r" % (got, HEAD))


def test_python_program_verifies_the_server():
    """The exported check is real: the same program fails against a server
    whose certificate the CA file does not vouch for."""
    if without_tls_checked():
        return
    c = certs()
    port, prog, got = export_and_run("-cafile %s" % c["ca.pem"])
    other = lib.tempdir() + "/other.pem"
    p = subprocess.run([lib.need_program("openssl"), "req", "-x509",
                        "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                        other + ".key", "-out", other, "-days", "1",
                        "-subj", "/CN=other CA"], capture_output=True,
                       timeout=lib.TIMEOUT)
    check(p.returncode == 0, p.stderr.decode("latin-1"))
    bad = prog.replace(c["ca.pem"], other)
    s = SServer(naccept=1)
    try:
        bad = bad.replace(str(port), str(s.port))
        path = lib.tempdir() + "/bad.py"
        with open(path, "w") as f:
            f.write(bad)
        p = subprocess.run([sys.executable, path], capture_output=True,
                           timeout=lib.TIMEOUT)
    finally:
        s.stop()
    check(p.returncode != 0, "an unverified server was accepted:\n" + bad)
    check(b"CERTIFICATE_VERIFY_FAILED" in p.stderr, p.stderr)


def test_python_server_names_its_certificate():
    if without_tls_checked():
        return
    c = certs()
    import socket
    import ssl
    import threading
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    srv.close()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(c["ca.pem"])
    got = []

    def client():
        import time
        for _ in range(100):
            try:
                sk = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.05)
        else:
            return
        with ctx.wrap_socket(sk, server_hostname="localhost") as t:
            t.sendall(b"hello\n")
            got.append(t.recv(100))
    th = threading.Thread(target=client)
    th.start()
    st, out, err = lib.run(
        "bind 127.0.0.1 %d\n"
        "listen\n"
        "accept\n"
        "starttls -server %s %s\n"
        "recvline\n"
        'send "hi\\n"\n'
        "close\n"
        "export python\n" % (port, c["srv.pem"], c["srv.key"]))
    th.join(lib.TIMEOUT)
    check(st == 0, "status %d\n%s%s" % (st, out, err))
    check(got == [b"hi\n"], "client got %r" % got)
    for want in ("ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)",
                 'ctx.load_cert_chain("%s", "%s")' % (c["srv.pem"],
                                                      c["srv.key"]),
                 "= ctx.wrap_socket(", "server_side=True)", "close_notify(conn"):
        check(want in out, "no %r in:\n%s" % (want, out))


def test_selfsigned_and_failed_handshake_are_refused():
    if without_tls_checked():
        return
    st, out, err = lib.run("socketpair\nsetblocking false\n"
                           "starttls -server -selfsigned\n"
                           "export python\n", timeout=lib.TIMEOUT)
    check("export: the session made a self-signed certificate in memory "
          "(starttls -server -selfsigned), which Python's ssl module cannot "
          "make: use -server CERT KEY, or export c: no program written"
          in err, err)
    check("import socket" not in out, out)
    s = SServer()
    try:
        st, out, err = lib.run("connect localhost %d\nstarttls\n"
                               "export python\n" % s.port)
    finally:
        s.stop()
    check("export: a TLS set-up or handshake in the session failed (or a "
          "handshake was left for later), which export does not write: no "
          "program written" in err, err)
    check("import socket" not in out, out)


if __name__ == "__main__":
    lib.main()
