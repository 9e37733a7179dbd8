"""Help that teaches: help CMD gives the call's C prototype, the Python
equivalent, an example and the errors it can return; help ERRNO explains
an error; the hints a new user meets; Python habits (b'...', address
tuples) read the way a Python user means them."""
import os
import re
import socket

import lib
from lib import check


def test_help_cmd_teaches_the_call():
    out, _ = lib.run_ok("help bind\n")
    check("  In C:      int bind(int sockfd, const struct sockaddr *addr, "
          "socklen_t addrlen);" in out, out)
    check("  In Python: sock.bind(('localhost', 6565))" in out, out)
    check(re.search(r"^  Example:   bind ", out, re.M), out)
    check("bind(2) can fail with:" in out, out)
    check(re.search(r"^    EADDRINUSE +another socket", out, re.M), out)
    # A command of two calls gives both prototypes, one example.
    out, _ = lib.run_ok("help settimeout\n")
    check(out.count("In C:") == 2 and out.count("Example:") == 1, out)
    check("In Python: sock.settimeout(" in out, out)
    # A command sharing a call has its own Python.
    out, _ = lib.run_ok("help sendall\n")
    check("In Python: sock.sendall(" in out and "ssize_t send(" in out, out)
    # A command that makes no call says nothing of one.
    out, _ = lib.run_ok("help fileno\n")
    check("In C:" not in out and "usage: fileno" in out, out)


def test_every_example_runs_as_a_command():
    """Each example help gives is a command sockrepl knows, with a usage
    it accepts: no example may teach a wrong line."""
    out, _ = lib.run_ok("help\n")
    names = re.findall(r"^  (\S+)", out, re.M)
    out, _ = lib.run_ok("".join("help %s\n" % n for n in names))
    examples = re.findall(r"^  Example:   (.*)$", out, re.M)
    check(len(examples) >= 20, examples)
    # Examples name port 6565, as the tutorial does; here it is a port
    # of our own, TCP and UDP, so no traffic goes to anyone else's.
    for _ in range(20):
        tcp = lib.listener()
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            udp.bind(("127.0.0.1", tcp.getsockname()[1]))
            break
        except OSError:
            tcp.close()
            udp.close()
    port = str(tcp.getsockname()[1])
    d = lib.tempdir()
    cwd = os.getcwd()
    os.chdir(d)
    try:
        for ex in examples:
            word = ex.split()[0]
            st, o, e = lib.run("help %s\n" % word)
            check(st == 0 and "usage: " in o, "example %r: %s" % (ex, e))
            # A usage message or an unknown word would name the mistake.
            st, o, e = lib.run(ex.replace("6565", port) + "\n",
                               args=["-q"])
            check("usage: " not in e and "unknown command" not in e,
                  "example %r: %s" % (ex, e))
    finally:
        os.chdir(cwd)
        tcp.close()
        udp.close()


def test_help_errno_by_name_and_number():
    out, _ = lib.run_ok("help ECONNREFUSED\n")
    check(out.startswith("ECONNREFUSED (%d): " % 111) or
          out.startswith("ECONNREFUSED ("), out)
    for label in ("Meaning:", "Returned by:", "Usual causes:",
                  "What to do:"):
        check(re.search(r"^  %s" % label, out, re.M), label + "\n" + out)
    check("connect(2)" in out, out)
    check("stale" in out or "socket file" in out, out)
    by_number, _ = lib.run_ok("help %d\n" % __import__("errno").ECONNREFUSED)
    check(by_number == out, by_number)
    lower, _ = lib.run_ok("help econnrefused\n")
    check(lower == out, lower)
    out, _ = lib.run_ok("help EWOULDBLOCK\n")
    check(out.startswith("EAGAIN ("), out)
    out, _ = lib.run_ok("help EPIPE\n")
    check("SIGPIPE" in out and "MSG_NOSIGNAL" in out and "SIG_IGN" in out,
          out)


def test_help_errno_mistakes():
    st, out, err = lib.run("help EFOO\nhelp 99999\nhelp 0\nhelp bind\n")
    check(st == 1, (st, err))
    check(err.count("not a command, topic or errno") == 3, err)
    check("line 1: help: EFOO:" in err, err)
    # The session goes on.
    check("usage: bind" in out, out)
    # Commands starting with e are still commands.
    out, _ = lib.run_ok("help expect\nhelp ev\n")
    check("usage: expect" in out and "usage: events" in out, out)


def test_help_errors_lists_every_explained_errno():
    out, _ = lib.run_ok("help errors\n")
    names = re.findall(r"^  (E[A-Z]+) ", out, re.M)
    check("ECONNREFUSED" in names and "EPIPE" in names, out)
    # Each has a page of its own.
    out2, _ = lib.run_ok("".join("help %s\n" % n for n in names))
    check(out2.count("What to do:") == len(names), out2)


def test_epipe_hint_tells_of_sigpipe():
    out, err = lib.run_ok("socketpair\nshutdown wr\nsend x\n", status=1)
    check("= -1 EPIPE" in out, out)
    check("send: EPIPE: you shut down writing" in err, err)
    check("SIGPIPE" in err and "MSG_NOSIGNAL" in err and "SIG_IGN" in err,
          err)
    # The peer closed: the same advice.
    srv = lib.listener()
    port = srv.getsockname()[1]
    s = lib.Session()
    try:
        s.send("connect 127.0.0.1 %d" % port)
        s.expect(r"^connect\(3, .*\) = 0")
        conn, _ = srv.accept()
        conn.close()
        # The first send meets the peer's RST; a later one EPIPE.
        for _ in range(4):
            s.send("sleep 0.1")
            s.send("send a")
        st, text = s.close()
        check("EPIPE: this side can no longer send" in text and
              "SIGPIPE" in text, text)
    finally:
        s.kill()
        srv.close()


def run_unprivileged(script):
    """sockrepl as an unprivileged user: as root, through setpriv."""
    args = [lib.SOCKREPL]
    if os.geteuid() == 0:
        args = [lib.need_program("setpriv"), "--reuid=65534",
                "--regid=65534", "--clear-groups", lib.SOCKREPL]
    p = __import__("subprocess").run(args, input=script.encode(),
                                     capture_output=True, timeout=lib.TIMEOUT)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def test_eacces_below_1024_suggests_a_higher_port():
    with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
        start = int(f.read())
    if start <= 1:
        raise lib.Skip("this kernel lets anyone bind port 1")
    st, out, err = run_unprivileged("bind 127.0.0.1 1\n")
    check(st == 1 and "= -1 EACCES" in out, (st, out, err))
    check("bind: EACCES: ports below 1024 are for privileged programs: "
          "bind a port above 1023" in err and "CAP_NET_BIND_SERVICE" in err,
          err)


def test_eacces_on_a_path_speaks_of_the_directory():
    d = lib.tempdir()
    ro = os.path.join(d, "ro")
    os.mkdir(ro, 0o555)
    os.chmod(d, 0o755)
    try:
        st, out, err = run_unprivileged("bind %s/s\n" % ro)
        check(st == 1 and "= -1 EACCES" in out, (st, out, err))
        check("you may not make a file in that directory" in err, err)
        check("1024" not in err, err)
    finally:
        os.rmdir(ro)
        os.rmdir(d)


def test_econnrefused_on_a_path_is_a_stale_file():
    d = lib.tempdir()
    path = os.path.join(d, "s")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(1)
    srv.close()   # the file stays: a server that went away
    try:
        out, err = lib.run_ok("connect %s\n" % path, status=1)
        check("= -1 ECONNREFUSED" in out, out)
        check("the socket file is stale" in err, err)
        check("port" not in err, err)
    finally:
        os.unlink(path)
        os.rmdir(d)


def test_python_bytes_literals_are_data():
    out, err = lib.run_ok(
        "socketpair\n"
        "send b'hello'\n"
        "on 4 recv\n"
        "send b'hi\\n' B\"x\\x41\" b'it\\'s'\n"
        "on 4 recv\n"
        "send bhello 'b'\n"
        "on 4 recv\n"
        "send b''\n"
        "sendline b'GET /'\n"
        "on 4 recvuntil b'\\n'\n"
        "on 4 expect \"GET /\\n\"\n")
    check('send(3, "hello", 5, 0) = 5' in out, out)
    check('recv(4, "hello", 65536, 0) = 5' in out, out)
    check('send(3, "hi\\n xA it\'s", 11, 0) = 11' in out, out)
    # Only a b right before the quote, at the start of a word.
    check('send(3, "bhello b", 8, 0) = 8' in out, out)
    # Raw bytes literals keep every byte, backslashes too, as Python's.
    out, err = lib.run_ok(
        "socketpair\n"
        "send rb'\\x41'\n"
        "on 4 recv\n"
        "send Br\"a\\n$x\" bR'it\\'s' rB'z'\n"
        "on 4 recv\n"
        "send rbx 'rb'\n")
    check('send(3, "\\\\x41", 4, 0) = 4' in out, out)
    check('send(3, "a\\\\n$x it\\\\\'s z", 13, 0) = 13' in out, out)
    check('send(3, "rbx rb", 6, 0) = 6' in out, out)


def test_python_address_tuples():
    srv = lib.listener()
    port = srv.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(lib.TIMEOUT)
    uport = udp.getsockname()[1]
    try:
        out, err = lib.run_ok(
            "connect ('localhost', %d)\n"
            "socket\n"
            "connect (\"127.0.0.1\",%d)\n"
            "socket udp\n"
            "sendto b'dgram' ('127.0.0.1', %d)\n"
            "socket\n"
            "bind ('', 0)\n" % (port, port, uport))
        check(out.count("{AF_INET, 127.0.0.1:%d}, 16) = 0" % port) == 2, out)
        check("sendto(5, \"dgram\", 5, 0, {AF_INET, 127.0.0.1:%d}, 16) = 5"
              % uport in out, out)
        check("bind(6, {AF_INET, 0.0.0.0:0}, 16) = 0" in out, out)
        check(udp.recv(100) == b"dgram", "datagram")
        # What cannot be read says how to write it, and no call is made.
        st, out, err = lib.run("connect ('localhost' %d)\n"
                               "connect(('localhost', %d))\n"
                               "sock.send(b'hi')\n" % (port, port))
        check(st == 1 and out == "", out)
        check("connect: address \"(localhost %d)\": write HOST PORT, as "
              "in connect localhost 6565" % port in err, err)
        # The message quotes what was typed, quotes and all.
        check("unknown command \"connect(('localhost', %d))\": write the "
              "command and then its arguments" % port in err and
              "connect ADDR" in err, err)
        check("unknown command \"sock.send(b'hi')\"" in err, err)
        check("help send shows how: send [-m FLAGS] DATA" in err, err)
    finally:
        srv.close()
        udp.close()


def test_library_calls_in_section_3():
    # sockatmark and the resolver are C library functions, not syscalls.
    for cmd, head in (("sockatmark", "sockatmark(3) can fail with:"),
                      ("getaddrinfo", "getaddrinfo(3) can fail with:"),
                      ("bind", "bind(2) can fail with:")):
        st, out, err = lib.run("help %s\n" % cmd)
        check(st == 0 and head in out, out)
    st, out, err = lib.run("help sockatmark\n")
    check("ENOTTY" in out and "only a TCP socket" in out, out)
    st, out, err = lib.run("help EAI_NONAME\n")
    check(st == 0 and "getaddrinfo(3)" in out and "getaddrinfo(2)" not in out,
          out + err)


def man_synopsis(call):
    """The prototype of call in this machine's man page (section 2 or 3),
    rendered by mandoc and put on one line; None if the page is absent."""
    import gzip
    for sec in ("2", "3"):
        path = "/usr/share/man/man%s/%s.%s.gz" % (sec, call, sec)
        if not os.path.exists(path):
            continue
        with gzip.open(path) as f:
            text = f.read().decode()
        if text.startswith(".so "):
            with gzip.open("/usr/share/man/%s.gz" % text.split()[1]) as f:
                text = f.read().decode()
        p = __import__("subprocess").run(
            ["mandoc", "-T", "ascii", "-O", "width=1000"], input=text,
            capture_output=True, text=True, timeout=lib.TIMEOUT)
        out = re.sub(r".\x08", "", p.stdout)
        if "SYNOPSIS" not in out or "DESCRIPTION" not in out:
            return None
        syn = " ".join(out[out.index("SYNOPSIS"):
                           out.index("DESCRIPTION")].split())
        m = re.search(r"[A-Za-z_][\w ]*?\**\b%s\([^;]*\);" %
                      re.escape(call), syn)
        return m.group(0) if m else None
    return None


def classic_c(proto):
    """A man page's prototype as C99 writes it: without man-pages 6's
    _Nullable and restrict, and with void buf[.len] as void *buf."""
    proto = re.sub(r"\b(_Nullable|_Nonnull|restrict)\b ?", "", proto)
    proto = re.sub(r"\b(\w+)\[[^]]*\.[^]]*\]", r"*\1", proto)
    return re.sub(r"\s+", " ", proto).replace(" )", ")")


def test_prototypes_are_the_man_pages():
    """Every prototype help gives is the one in the system's man page
    (as classic C: man-pages 6 annotations taken out)."""
    if __import__("shutil").which("mandoc") is None or not os.path.exists(
            "/usr/share/man/man2/bind.2.gz"):
        raise lib.Skip("no mandoc or no section 2 manuals (manpages-dev)")
    out, _ = lib.run_ok("help\n")
    names = re.findall(r"^  (\S+)", out, re.M)
    out, _ = lib.run_ok("".join("help %s\n" % n for n in names))
    protos = sorted(set(re.findall(r"^  In C: +(.*)$", out, re.M)))
    check(len(protos) >= 15, protos)
    compared, problems = 0, []
    for proto in protos:
        call = re.search(r"(\w+)\(", proto).group(1)
        man = man_synopsis(call)
        if man is None:
            continue
        compared += 1
        if classic_c(man) != proto:
            problems.append("%s:\n  help: %s\n  man:  %s" % (
                call, proto, classic_c(man)))
    check(compared >= 15, "only %d prototypes found in the manuals" %
          compared)
    check(not problems, "\n".join(problems))


if __name__ == "__main__":
    lib.main()
