"""The prompt, driven through a real pseudo-terminal: completion, live socket
notices over a half-typed line, Ctrl-C, Ctrl-D, history across sessions,
colour.

Every session gets TERM=xterm and a private HOME and XDG_STATE_HOME, so the
user's own history is never read or written.
"""
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import socket
import stat
import struct
import termios
import time

import lib
from lib import check

CSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>]")
SGR = re.compile(rb"\x1b\[[0-9;]*m")
UP = "\x1b[A"
PROMPT = r"sockrepl(?:\[[^\]\n]*\])?> "


class Pty:
    """sockrepl on a pseudo-terminal, read with a select loop."""

    def __init__(self, args=(), env=None, home=None):
        self.home = home or lib.tempdir()
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
             "TERM": "xterm", "HOME": self.home,
             "XDG_STATE_HOME": os.path.join(self.home, "state"),
             "INPUTRC": "/dev/null", "LC_ALL": "C"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            if k in os.environ:
                e[k] = os.environ[k]
        if env:
            for k, v in env.items():
                if v is None:
                    e.pop(k, None)
                else:
                    e[k] = v
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                # Only the terminal: an fd inherited from whoever runs the
                # suite (flock's lock, say) would take fd 3 from the tests.
                os.closerange(3, os.sysconf("SC_OPEN_MAX"))
                os.execve(lib.SOCKREPL, [lib.SOCKREPL, *args], e)
            finally:
                os._exit(127)
        # Wide, so nothing wraps and the text can be matched as typed.
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ,
                    struct.pack("HHHH", 50, 200, 0, 0))
        self.raw = b""
        self.mark = 0
        self.status = None

    def _read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            raise lib.TestFailure("sockrepl ended; screen:\n" + self.text())
        self.raw += chunk
        return True

    def text(self, start=0):
        t = CSI.sub(b"", self.raw[start:]).replace(b"\r", b"")
        t = t.replace(b"\x07", b"")
        return t.decode("latin-1")

    def expect(self, pattern, timeout=lib.TIMEOUT):
        """Wait until the output since the last match matches; return it."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            # The mark indexes the cleaned text, whose past never changes.
            m = rx.search(self.text(), self.mark)
            if m:
                self.mark = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise lib.TestFailure("timed out waiting for %r; screen:\n%s"
                                      % (pattern, self.text()[self.mark:]))
            self._read(left)

    def type(self, keys):
        os.write(self.fd, keys.encode("latin-1"))

    def line(self, keys):
        """Type a line and Enter; wait for the next prompt."""
        self.type(keys + "\r")
        self.expect(re.escape(keys) + r"\n(?:.*\n)*?" + PROMPT)

    def drain(self, settle=0.05):
        while self._read(settle):
            pass

    def syscall(self):
        try:
            with open("/proc/%d/syscall" % self.pid) as f:
                return f.read().split()[0]
        except (OSError, IndexError):
            return None

    def wait_blocked(self, idle):
        """Wait until the program sits in a system call other than idle's."""
        deadline = time.monotonic() + lib.TIMEOUT
        while time.monotonic() < deadline:
            s = self.syscall()
            if s is None:
                time.sleep(0.2)
                return
            # Still in it a moment later: blocked, not passing through
            # a write of the echo on the way to the call.
            if s != idle and s != "running":
                time.sleep(0.05)
                if self.syscall() == s:
                    return
                continue
            time.sleep(0.01)
        raise lib.TestFailure("never blocked; screen:\n" + self.text())

    def cpu_ticks(self):
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def finish(self, timeout=lib.TIMEOUT):
        """Ctrl-D, then wait for the exit; return (status, screen)."""
        if self.status is None:
            self.type("\x04")
            deadline = time.monotonic() + timeout
            while True:
                pid, st = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.status = os.waitstatus_to_exitcode(st)
                    break
                if time.monotonic() > deadline:
                    raise lib.TestFailure("did not exit:\n" + self.text())
                try:
                    self._read(0.05)
                except lib.TestFailure:
                    pass
            try:
                while self._read(0.01):
                    pass
            except lib.TestFailure:
                pass
        lib.no_sanitizer_report(self.text())
        check(self.status != 99, "sanitizer exit status:\n" + self.text())
        return self.status, self.text()

    def kill(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.status = -9
        try:
            os.close(self.fd)
        except OSError:
            pass
        shutil.rmtree(self.home, ignore_errors=True)


def session(fn, **kw):
    p = Pty(**kw)
    try:
        p.expect(r"sockrepl> $")
        fn(p)
    finally:
        p.kill()


def bound_listener(p):
    """bind + listen in sockrepl; return the port."""
    p.type("bind 127.0.0.1 0\r")
    port = int(p.expect(r"127\.0\.0\.1:(\d+)\}, \[16\]\) = 0").group(1))
    p.expect(r"> $")
    p.line("listen 5")
    return port


def test_complete_command_name():
    def body(p):
        p.type("getp\t")
        p.expect(r"getpeername $")
        p.type("\x15lis\t")         # list and listen: the common part
        p.expect(r"list$")
        p.type("\x15send\t\t")      # the second Tab shows the choices
        p.expect(r"send\s+sendall\s+sendfile\s+sendline\s+sendmsg\s+sendto\s*\n" +
                 PROMPT + "send$")
        p.type("\x15list\r")
        p.expect(r"no sockets")
    session(body)


def test_complete_fd_and_on():
    def body(p):
        p.line("socketpair")
        p.type("use \t\t")
        p.expect(r"3\s+4")
        p.type("4\r")
        p.expect(r"sockrepl\[4 stream connected\]> $")
        p.type("on 3 sendt\t")
        p.expect(r"on 3 sendto $")
        p.type("\x15on 3 send ")
        p.type("x\r")
        p.expect(r'send\(3, "x", 1, 0\) = 1')
        p.type("recv 10 pe\t")
        p.expect(r"recv 10 peek $")
        p.type("\x15")  # kill the line
        p.type("shutdown \t\t")
        p.expect(r"rdwr")
        p.type("\x15getsockopt SO_RCVB\t")
        p.expect(r"getsockopt SO_RCVBUF $")
        p.type("\x15socket SOCK_D\t")
        p.expect(r"socket SOCK_DGRAM $")
        p.type("\x15")
    session(body)


def test_complete_stops_after_last_argument():
    def body(p):
        p.line("socket udp")
        p.type("use \t\tZ")        # use takes one FD: no second one
        p.expect(r"use 3 Z$")
        p.type("\x15on 3 close 3 \tZ")
        p.expect(r"on 3 close 3 Z$")
        p.type("\x15shutdown rd \tZ")
        p.expect(r"shutdown rd Z$")
        p.type("\x15")
    session(body)


def test_notices_keep_half_typed_line():
    def body(p):
        port = bound_listener(p)
        c = socket.create_connection(("127.0.0.1", port), timeout=lib.TIMEOUT)
        try:
            p.expect(r"\[fd 3\] a connection is waiting \(accept will not "
                     r"block\), backlog 5\n")
            p.line("accept")
            # Half a line, the cursor moved back into it: "send hlo|" with
            # the cursor before "lo".
            p.type("send hlo\x1b[D\x1b[D")
            p.expect(r"send hlo\x08\x08$")
            c.sendall(b"ping")
            p.expect(r"\[fd 4\] 4 bytes waiting \(recv will not block\)\n"
                     r"sockrepl\[4 tcp connected\]> send hlo")
            c.sendall(b"pong")
            p.expect(r"\[fd 4\] 8 bytes waiting \(4 new\)\n"
                     r"sockrepl\[4 tcp connected\]> send hlo")
            check(p.text().count("[fd 4]") == 2,
                  "told more than once:\n" + p.text())
            p.type("el\r")
            p.expect(r'send\(4, "hello", 5, 0\) = 5')
            check(c.recv(10) == b"hello", "peer did not get hello")
            p.expect(r"> $")
            p.line("recv 100")
            check('"pingpong"' in p.text(), p.text())
            # Idle with a socket announced: no CPU.
            c.sendall(b"unread")
            p.expect(r"\[fd 4\] 6 bytes waiting")
            before = p.cpu_ticks()
            time.sleep(1.0)
            used = p.cpu_ticks() - before
            check(used <= 3, "idle used %d CPU ticks" % used)
            c.close()
            p.expect(r"\[fd 4\] the peer closed its end \(EOF\): recv "
                     r"returns 0 after the 6 bytes waiting")
            st, out = p.finish()
            check(st == 0, "status %d" % st)
        finally:
            c.close()
    session(body)


def test_notice_reset_and_datagram():
    def body(p):
        port = bound_listener(p)
        c = socket.create_connection(("127.0.0.1", port), timeout=lib.TIMEOUT)
        p.expect(r"a connection is waiting")
        p.line("accept")
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        c.close()
        p.expect(r"\[fd 4\] the connection was reset or failed \(the next "
                 r"send or recv reports it, after any data still waiting\)\n"
                 + PROMPT + "$")
        p.line("recv")      # the error was left for it
        check(re.search(r"recv\(4, buf, 65536, 0\) = -1 ECONNRESET",
                        p.text()), p.text())
        check(p.text().endswith("sockrepl[4 tcp failed]> "), p.text())
        p.line("socket udp")
        p.type("bind 127.0.0.1 0\r")
        uport = int(p.expect(r"127\.0\.0\.1:(\d+)\}, \[16\]\) = 0").group(1))
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        u.sendto(b"hi!", ("127.0.0.1", uport))
        p.expect(r"\[fd 5\] a datagram is waiting: 3 bytes from "
                 r"127\.0\.0\.1:%d" % u.getsockname()[1])
        u.close()
    session(body)


def test_notice_background_connect():
    lst = lib.listener()
    dead = lib.listener()
    dead_port = dead.getsockname()[1]
    dead.close()

    def body(p):
        p.line("socket")
        p.line("setblocking false")
        p.line("connect 127.0.0.1 %d" % lst.getsockname()[1])
        p.expect(r"\[fd 3\] connect finished: connected to 127\.0\.0\.1:%d"
                 % lst.getsockname()[1])
        p.line("socket")
        p.line("setblocking false")
        p.line("connect 127.0.0.1 %d" % dead_port)
        p.expect(r"\[fd 4\] connect failed: ECONNREFUSED")
        p.type("list\r")
        p.expect(r"failed .*ECONNREFUSED")
    try:
        session(body)
    finally:
        lst.close()


def test_events_off_and_on():
    def body(p):
        p.line("socketpair")
        p.type("send hi\r")
        p.expect(r"\[fd 4\] 2 bytes waiting \(recv will not block\)\n"
                 + PROMPT + "$")
        p.line("events off")
        p.line("send there")
        p.line("fileno")
        check("[fd 4] 7" not in p.text(), "told while off:\n" + p.text())
        p.line("events on")
        check(re.search(r"events on\n\[fd 4\] 7 bytes waiting \(5 new\)\n",
                        p.text()), p.text())
        p.line("events")
        check("nothing new on any socket (live notices are on)" in p.text(),
              p.text())
        # A connection that came while notices were off is told once.
        p.line("socket")
        port = bound_listener(p)
        p.line("events off")
        c = socket.create_connection(("127.0.0.1", port), timeout=lib.TIMEOUT)
        try:
            p.type("events on\r")
            p.expect(r"\[fd 5\] a connection is waiting")
            p.line("fileno")
            check(p.text().count("[fd 5]") == 1, p.text())
        finally:
            c.close()
    session(body)


def test_ctrl_c_blocking_accept_and_recv():
    def body(p):
        bound_listener(p)
        idle = p.syscall()
        p.type("accept\r")
        p.wait_blocked(idle)
        p.type("\x03")
        p.expect(r"accept\(3, &addr, \[128\]\) = -1 EINTR")
        p.expect(r"sockrepl\[3 tcp listening\]> $")
        p.line("socketpair")
        p.type("recv\r")
        p.wait_blocked(idle)
        p.type("\x03")
        p.expect(r"recv\(4, buf, 65536, 0\) = -1 EINTR")
        p.expect(r"> $")
        p.type("list\r")
        p.expect(r"3 +inet .*listening(.*\n)+.*4 +unix(.*\n)+.*5 +unix")
        # The prompt before Ctrl-D: typed ahead while list still runs, the
        # terminal takes it as end of a line, not as a key readline sees.
        p.expect(PROMPT)
        st, out = p.finish()
        check(st == 0, "status %d" % st)
        check(re.search(r"closing 3 \(tcp listening\), 4 \(stream "
                        r"connected\), 5 \(stream connected\)", out), out)
    session(body)


def test_resize_does_not_interrupt_a_call():
    def body(p):
        port = bound_listener(p)
        idle = p.syscall()
        p.type("accept\r")
        p.wait_blocked(idle)
        # The kernel sends SIGWINCH to the program on the terminal.
        fcntl.ioctl(p.fd, termios.TIOCSWINSZ,
                    struct.pack("HHHH", 40, 160, 0, 0))
        c = socket.create_connection(("127.0.0.1", port), timeout=lib.TIMEOUT)
        try:
            p.expect(r"accept\(3, \{AF_INET, 127\.0\.0\.1:\d+\}, \[16\]\) "
                     r"= 4")
            check("EINTR" not in p.text(), p.text())
            fcntl.ioctl(p.fd, termios.TIOCSWINSZ,
                        struct.pack("HHHH", 50, 200, 0, 0))
            p.line("fileno")
        finally:
            c.close()
    session(body)


def test_ctrl_c_abandons_line():
    def body(p):
        p.type("bogus")
        p.expect(r"bogus$")
        p.type("\x03")
        p.expect(r"\^C\n")
        p.type("list\r")
        p.expect(r"no sockets")
        check("unknown command" not in p.text(), p.text())
    session(body)


def test_ctrl_d_says_what_it_closes():
    def body(p):
        p.line("socketpair")
        st, out = p.finish()
        check(st == 0, "status %d" % st)
        check("closing 3 (stream connected), 4 (stream connected)" in out,
              out)
    session(body)


def test_history_across_sessions():
    home = lib.tempdir()
    state = os.path.join(home, "state")
    try:
        p = Pty(home=home)
        try:
            p.expect(r"sockrepl> $")
            p.line("socket udp")
            p.line(" fileno")           # leading space: not kept
            p.line("socket udp")        # a repeat after another line
            p.finish()
        finally:
            p.status = p.status if p.status is not None else -1
            os.close(p.fd)
        path = os.path.join(state, "sockrepl", "history")
        mode = stat.S_IMODE(os.stat(path).st_mode)
        check(mode == 0o600, "history mode %o" % mode)
        with open(path) as f:
            lines = f.read().split("\n")
        check("socket udp" in lines and " fileno" not in lines, lines)
        p = Pty(home=home)
        try:
            p.expect(r"sockrepl> $")
            p.type(UP)
            p.expect(r"socket udp$")
            p.type("\r")
            # The prompt first: typed before it, the line would be echoed
            # by the terminal and matched before history's output.
            p.expect(r"socket\(AF_INET, SOCK_DGRAM, IPPROTO_UDP\) = 3\n" +
                     PROMPT)
            p.line("history")
            check(re.search(r"\n +1  socket udp\n", p.text()), p.text())
            p.finish()
        finally:
            p.kill()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_history_home_fallback():
    home = lib.tempdir()
    path = os.path.join(home, ".sockrepl_history")
    # A file left readable by others, and a umask that lets all through.
    with open(path, "w") as f:
        f.write("list\n")
    os.chmod(path, 0o644)
    old = os.umask(0)
    try:
        p = Pty(home=home, env={"XDG_STATE_HOME": None})
        try:
            p.expect(r"sockrepl> $")
            p.type(UP)
            p.expect(r"list$")
            p.type("\x15fileno\r")
            p.expect(r"fileno\n(?:.*\n)*?" + PROMPT)
            p.finish()
        finally:
            os.close(p.fd)
        mode = stat.S_IMODE(os.stat(path).st_mode)
        check(mode == 0o600, "history mode %o" % mode)
        with open(path) as f:
            check(f.read().split() == ["list", "fileno"], "not appended")
    finally:
        os.umask(old)
        shutil.rmtree(home, ignore_errors=True)


def test_history_never_follows_a_symlink():
    home = lib.tempdir()
    target = os.path.join(home, "elsewhere")
    with open(target, "w") as f:
        f.write("not history\n")
    os.chmod(target, 0o644)
    os.symlink(target, os.path.join(home, ".sockrepl_history"))
    p = Pty(home=home, env={"XDG_STATE_HOME": None})
    try:
        p.expect(r"history: .*/\.sockrepl_history: it is a symbolic link, "
                 r"which sockrepl does not follow; history is not kept")
        p.expect(PROMPT)
        p.line("list")
        p.finish()
        mode = stat.S_IMODE(os.stat(target).st_mode)
        check(mode == 0o644, "the link's target was made %o" % mode)
        with open(target) as f:
            check(f.read() == "not history\n",
                  "the link's target was written")
    finally:
        p.kill()


def test_history_is_bounded():
    home = lib.tempdir()
    path = os.path.join(home, "state", "sockrepl", "history")
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as f:
        f.write("".join("sleep 0.%d\n" % i for i in range(1500)))
    try:
        p = Pty(home=home)
        try:
            p.expect(r"sockrepl> $")
            p.type(UP)
            p.expect(r"sleep 0\.1499$")
            p.type("\x15fileno\r")
            p.expect(r"fileno\n(?:.*\n)*?" + PROMPT)
            p.finish()
        finally:
            os.close(p.fd)
        with open(path) as f:
            lines = f.read().split("\n")[:-1]
        check(len(lines) == 1000 and lines[-1] == "fileno", len(lines))
    finally:
        shutil.rmtree(home, ignore_errors=True)


def colour_run(args=(), env=None):
    p = Pty(args=args, env=env)
    try:
        p.expect(r"sockrepl> $")
        p.line("socketpair")
        p.line("send hi")
        p.line("on 4 recv")
        p.line("bogus")
        p.finish()
        return p.raw
    finally:
        p.kill()


def test_colour_only_where_wanted():
    raw = colour_run()
    check(SGR.search(raw), "no colour on a terminal:\n%r" % raw)
    for args, env in (((), {"NO_COLOR": "1"}), (("--no-color",), None),
                      ((), {"TERM": "dumb"})):
        raw = colour_run(args, env)
        check(not SGR.search(raw), "colour with %r %r:\n%r" % (args, env, raw))


def test_script_sigint_exits_130():
    import subprocess
    proc = subprocess.Popen([lib.SOCKREPL], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        proc.stdin.write(b"socketpair\nrecv\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        check(b"socketpair(" in line, line)
        # Wait until it sits in recv, then interrupt it.
        deadline = time.monotonic() + lib.TIMEOUT
        while time.monotonic() < deadline:
            try:
                with open("/proc/%d/wchan" % proc.pid) as f:
                    w = f.read()
                with open("/proc/%d/syscall" % proc.pid) as f:
                    sc = f.read().split()[0]
            except OSError:
                time.sleep(0.2)
                break
            if sc not in ("0", "running") and w:
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=lib.TIMEOUT)
        check(proc.returncode == 130, "status %d: %r" % (proc.returncode, err))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_script_mode_is_quiet_and_events_asks():
    st, out, err = lib.run("socketpair\nsend hi\nsleep 0.1\nevents\n"
                           "on 4 recv\nevents\nevents off\n")
    check(st == 0, err)
    check(out.count("[fd 4]") == 1, out)
    check("[fd 4] 2 bytes waiting" in out, out)
    check("nothing new on any socket (live notices are off)" in out, out)
    check("\x1b" not in out + err, "escape codes in a script")


if __name__ == "__main__":
    lib.main()
