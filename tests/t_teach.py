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


if __name__ == "__main__":
    lib.main()
