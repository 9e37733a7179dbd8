#!/usr/bin/env python3
"""sockrepl's benchmarks, side by side on this machine (make bench).

(a) 50,000 send/recv pairs over one loopback TCP connection, as a script:
    sockrepl, against bench/floor (the same calls in C, a trace line each)
    and against the same conversation fed to python3 -i.
(b) 1 GiB sent with sendall < FILE and received with recvall > FILE over
    loopback, against socat doing the same transfer.
(c) list of 10,000 sockets (5,000 loopback TCP connections, both ends in
    the table) with the kernel's view, output to a file, against ss(8)
    reading the same sockets; and the cost of a send/recv pair with 10 and
    with 10,000 sockets in the table. BENCH_BASELINE names an older
    sockrepl binary to run beside this one.
(d) a file of BENCH_SF_MB MiB (default 256) sent over loopback TCP with
    sendfile FILE (sendfile(2): the kernel copies) against sendall < FILE
    (read(2) into sockrepl, then send(2)), and the same two ways by
    bench/sendfloor (plain C), to a python3 receiver that copies the bytes
    (recv_into BENCH_SF_RBUF bytes, default 1 MiB) and to one that drops
    them in the kernel (MSG_TRUNC); with the CPU time of each side.

Loopback only, temp files under /tmp (deleted after), nothing installed.
Prints seconds and ratios; bench/README.md records what was measured.
"""
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOCKREPL = os.environ.get("SOCKREPL") or os.path.join(HERE, "..", "sockrepl")
FLOOR = os.path.join(HERE, "floor")
PAIRS = int(os.environ.get("BENCH_PAIRS", "50000"))
SIZE_MB = int(os.environ.get("BENCH_MB", "1024"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
CONNS = int(os.environ.get("BENCH_CONNS", "5000"))
BASELINE = os.environ.get("BENCH_BASELINE")
LIMIT = 300


def free_port():
    """An ephemeral port the kernel just handed out (bench only: a test
    would read the port back from sockrepl instead)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def best(fn, fresh=None):
    """Best of RUNS wall-clock times of fn(); the file fresh is removed
    before each run, so no run pays for truncating the last one's output."""
    times = []
    for _ in range(RUNS):
        if fresh is not None and os.path.exists(fresh):
            os.unlink(fresh)
        os.sync()  # earlier runs' dirty pages must not be written back now
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def timed(fn):
    """Wall-clock seconds of one run of fn(), after a sync."""
    os.sync()
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def run_to_file(argv, stdin_path, out):
    with open(stdin_path, "rb") as i, open(out, "wb") as o:
        p = subprocess.run(argv, stdin=i, stdout=o, stderr=subprocess.PIPE,
                           timeout=LIMIT)
    if p.returncode != 0:
        sys.exit("%s failed (%d): %s" % (argv[0], p.returncode,
                                         p.stderr.decode()[-500:]))


def bench_pairs(tmp):
    port = free_port()
    script = os.path.join(tmp, "pairs.sr")
    with open(script, "w") as f:
        f.write("bind 127.0.0.1 %d\nlisten 1\nsocket\n"
                "connect 127.0.0.1 %d\non 3 accept\n" % (port, port))
        f.write("on 4 send x\non 5 recv 16\n" * PAIRS)
    py = os.path.join(tmp, "pairs.py")
    with open(py, "w") as f:
        f.write("import socket\n"
                "l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)\n"
                "c = socket.create_connection(l.getsockname())\n"
                "a, _ = l.accept()\n")
        line = ("print('send(4, \"x\", 1, 0) =', c.send(b'x'))\n"
                "print('recv(5, %r, 16, 0) = 1' % a.recv(16))\n")
        f.write(line * PAIRS)
    out = os.path.join(tmp, "pairs.out")
    # Floor and sockrepl take turns, so a slow spell of a shared machine
    # falls on both: best of each, and the median of the paired ratios.
    floors, repls = [], []
    for _ in range(RUNS):
        floors.append(timed(lambda: run_to_file([FLOOR, str(PAIRS)],
                                                os.devnull, out)))
        repls.append(timed(lambda: run_to_file([SOCKREPL], script, out)))
    t_floor, t_repl = min(floors), min(repls)
    ratios = sorted(r / f for r, f in zip(repls, floors))
    t_py = best(lambda: run_to_file(["python3", "-i"], py, out))
    print("(a) %d send/recv pairs over loopback TCP, output to a file, "
          "best of %d:" % (PAIRS, RUNS))
    print("    floor (C)   %7.3f s" % t_floor)
    print("    sockrepl    %7.3f s   %.2fx the floor (target: within 1.3x); "
          "median of paired runs %.2fx"
          % (t_repl, t_repl / t_floor, ratios[len(ratios) // 2]))
    print("    python3 -i  %7.3f s   %.2fx the floor; sockrepl takes %.2fx "
          "python's time" % (t_py, t_py / t_floor, t_repl / t_py))


def wait_for(stream, text):
    """Read lines until one holds text: the peer's readiness handshake."""
    while True:
        line = stream.readline()
        if not line:
            sys.exit("the receiver ended before printing %r" % text)
        if text in line:
            return


def transfer_sockrepl(src, dst):
    port = free_port()
    rx = subprocess.Popen([SOCKREPL], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    rx.stdin.write("bind 127.0.0.1 %d\nlisten 1\naccept\n"
                   "recvall > %s\n" % (port, dst))
    rx.stdin.close()
    wait_for(rx.stdout, "listen(")
    tx = subprocess.run([SOCKREPL], input="connect 127.0.0.1 %d\n"
                        "sendall < %s\nclose\n" % (port, src),
                        capture_output=True, text=True, timeout=LIMIT)
    rest = rx.stdout.read()
    if rx.wait(LIMIT) != 0 or tx.returncode != 0:
        sys.exit("sockrepl transfer failed:\n%s%s%s" % (rest, tx.stdout,
                                                        tx.stderr))


def transfer_socat(src, dst, extra):
    port = free_port()
    rx = subprocess.Popen(["socat", "-d", "-d", "-u", *extra,
                           "TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr" % port,
                           "CREATE:%s" % dst],
                          stderr=subprocess.PIPE, text=True)
    wait_for(rx.stderr, "listening on")
    tx = subprocess.run(["socat", "-u", *extra, "OPEN:%s" % src,
                         "TCP:127.0.0.1:%d" % port], timeout=LIMIT)
    rx.stderr.read()
    if rx.wait(LIMIT) != 0 or tx.returncode != 0:
        sys.exit("socat transfer failed")


def same(a, b):
    return subprocess.run(["cmp", "-s", a, b]).returncode == 0


def bench_transfer(tmp):
    print("(b) %d MiB over loopback TCP, file to file, best of %d "
          "(interleaved):" % (SIZE_MB, RUNS))
    have_socat = subprocess.run(["sh", "-c", "command -v socat"],
                                capture_output=True).returncode == 0
    src = os.path.join(tmp, "in.bin")
    dst = os.path.join(tmp, "out.bin")
    block = os.urandom(1 << 20)
    with open(src, "wb") as f:
        for _ in range(SIZE_MB):
            f.write(block)
    tools = [("sockrepl", lambda: transfer_sockrepl(src, dst))]
    if have_socat:
        tools.append(("socat", lambda: transfer_socat(src, dst, [])))
        tools.append(("socat -b 262144",
                      lambda: transfer_socat(src, dst, ["-b", "262144"])))
    # One untimed transfer first, so that no tool pays for a cold cache,
    # then the tools take turns, so that none always runs first.
    transfer_sockrepl(src, dst)
    times = {name: [] for name, _ in tools}
    for _ in range(RUNS):
        for name, fn in tools:
            os.unlink(dst)
            os.sync()  # no run pays for writing back the last one's file
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
            if not same(src, dst):
                sys.exit("%s: the received file differs from the sent one"
                         % name)
    os.unlink(dst)
    t_repl = min(times["sockrepl"])
    print("    %-16s %7.3f s  %6.0f MiB/s" % ("sockrepl", t_repl,
                                              SIZE_MB / t_repl))
    if not have_socat:
        print("    socat: SKIPPED, not installed (apt-get install socat)")
        return
    for name in ("socat", "socat -b 262144"):
        t = min(times[name])
        print("    %-16s %7.3f s  %6.0f MiB/s   sockrepl takes %.2fx its "
              "time%s" % (name, t, SIZE_MB / t, t_repl / t,
                          " (target: at most 1x)" if name == "socat" else ""))


def table_script(conns):
    """A listener and conns connections, both ends in the table. SO_LINGER
    0 on each client: the exit resets them, so no run leaves thousands of
    connections in TIME_WAIT for the next to walk past."""
    return ("bind 127.0.0.1 0\nlisten 4096\nset p $port\n" +
            "socket\nconnect 127.0.0.1 $p\nsetsockopt SO_LINGER on 0\n"
            "on 3 accept\n" * conns)


def per_run(binary, tmp, setup, body, n):
    """Seconds per repetition of body: the setup alone and the setup with
    body n times, best of RUNS each, the difference over n."""
    paths = []
    for i, text in enumerate((setup, setup + body * n)):
        path = os.path.join(tmp, "c%d.sr" % i)
        with open(path, "w") as f:
            f.write(text)
        paths.append(path)
    out = os.path.join(tmp, "c.out")
    t0 = best(lambda: run_to_file([binary], paths[0], out), out)
    t1 = best(lambda: run_to_file([binary], paths[1], out), out)
    return max(t1 - t0, 0) / n


def bench_table(tmp):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * CONNS + 64
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            print("(c) SKIPPED: needs %d open files, the limit is %d"
                  % (need, hard))
            return
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    lists = 20
    pairs = 20000
    contenders = [("sockrepl", SOCKREPL)]
    if BASELINE:
        contenders.append(("baseline", BASELINE))
    print("(c) list of %d sockets, output to a file (ms per list):"
          % (2 * CONNS + 1))
    for name, binary in contenders:
        t = per_run(binary, tmp, table_script(CONNS), "list\n", lists)
        print("    %-12s %7.1f ms" % (name, t * 1000))
    # ss reading the same sockets, while a sockrepl holds them open.
    script = os.path.join(tmp, "hold.sr")
    with open(script, "w") as f:
        f.write(table_script(CONNS) + "sleep 30\n")
    p = subprocess.Popen([SOCKREPL, script], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.2)
        while subprocess.run(["ss", "-tanH", "state", "established"],
                             capture_output=True).stdout.count(b"\n") < \
                2 * CONNS:
            time.sleep(0.2)
        t = best(lambda: subprocess.run(["ss", "-tan"],
                                        stdout=subprocess.DEVNULL))
        print("    %-12s %7.1f ms   (ss -tan, the same dump, all sockets)"
              % ("ss", t * 1000))
    finally:
        p.kill()
        p.wait()
    print("(c) a send/recv pair with 10 and with %d sockets in the table "
          "(us per pair):" % (2 * CONNS + 1))
    body = "on 4 send x\non 5 recv 16\n"
    for name, binary in contenders:
        small = per_run(binary, tmp, table_script(4), body, pairs)
        large = per_run(binary, tmp, table_script(CONNS), body, pairs)
        print("    %-12s %6.2f us  %6.2f us   %.2fx" % (
            name, small * 1e6, large * 1e6, large / small if small else 0))


SF_MB = int(os.environ.get("BENCH_SF_MB", "256"))
SF_RBUF = int(os.environ.get("BENCH_SF_RBUF", str(1 << 20)))
SENDFLOOR = os.path.join(HERE, "sendfloor")


def send_with(kind, how, path, discard):
    """sockrepl (kind "sockrepl", how a command) or bench/sendfloor (kind
    "C", how sendfile or readsend) sends path to a python3 receiver that
    recv_into()s SF_RBUF bytes at a time, or with discard drops them in
    the kernel (MSG_TRUNC: no copy). Returns (seconds, CPU seconds of the
    sender, CPU seconds of the receiver)."""
    import threading
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    got = []

    def drain():
        c, _ = srv.accept()
        cpu = time.thread_time()
        buf = bytearray(SF_RBUF)
        flags = socket.MSG_TRUNC if discard else 0
        n = 0
        while True:
            k = c.recv_into(buf, 0, flags)
            if k == 0:
                break
            n += k
        got.append((n, time.thread_time() - cpu))
        c.close()
    t = threading.Thread(target=drain)
    t.start()
    port = srv.getsockname()[1]
    if kind == "C":
        argv, script = [SENDFLOOR, how, path, str(port)], None
    else:
        argv = [SOCKREPL, "-q"]
        script = "connect 127.0.0.1 %d\n%s %s\nclose\n" % (port, how, path)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run(argv, input=script, capture_output=True, text=True,
                       timeout=LIMIT)
    t.join(LIMIT)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    srv.close()
    if p.returncode != 0 or [n for n, _ in got] != [os.path.getsize(path)]:
        sys.exit("%s %s failed: %s %s %r" % (kind, how, p.stdout, p.stderr,
                                              got))
    return (took, after.ru_utime + after.ru_stime - before.ru_utime -
            before.ru_stime, got[0][1])


def bench_sendfile(tmp):
    import statistics
    src = os.path.join(tmp, "sf.bin")
    block = os.urandom(1 << 20)
    with open(src, "wb") as f:
        for _ in range(SF_MB):
            f.write(block)
    senders = [("sockrepl sendall <", "sockrepl", "sendall <"),
               ("sockrepl sendfile", "sockrepl", "sendfile"),
               ("C read+send", "C", "readsend"),
               ("C sendfile", "C", "sendfile")]
    send_with("C", "sendfile", src, False)	# warm the page cache for all
    for discard in (False, True):
        print("(d) a %d MiB file over loopback TCP to a python3 receiver %s, "
              "median of %d (interleaved):" % (
                  SF_MB, "discarding (recv MSG_TRUNC: no copy)" if discard
                  else "copying (recv_into %d KiB)" % (SF_RBUF >> 10), RUNS))
        runs = {name: [] for name, _, _ in senders}
        for _ in range(RUNS):
            for name, kind, how in senders:
                runs[name].append(send_with(kind, how, src, discard))
        print("    %-20s %7s  %10s   CPU: sender  receiver" %
              ("", "time", "rate"))
        for name, _, _ in senders:
            t, cs, cr = (statistics.median(r[i] for r in runs[name])
                         for i in range(3))
            print("    %-20s %5.3f s  %5.0f MiB/s        %5.3f s   %5.3f s"
                  % (name, t, SF_MB / t, cs, cr))

        def ratio(a, b):
            return statistics.median(x[0] / y[0]
                                     for x, y in zip(runs[a], runs[b]))
        print("    sendfile takes %.2fx the time of read+send in sockrepl, "
              "%.2fx in C (median of the paired runs)" % (
                  ratio("sockrepl sendfile", "sockrepl sendall <"),
                  ratio("C sendfile", "C read+send")))
    os.unlink(src)


def main():
    for path in (SOCKREPL, FLOOR, SENDFLOOR):
        if not os.access(path, os.X_OK):
            sys.exit("%s is missing: run make bench" % path)
    with tempfile.TemporaryDirectory(prefix="sockrepl-bench-",
                                     dir="/tmp") as tmp:
        which = sys.argv[1:] or ["a", "b", "c", "d"]
        if "a" in which:
            bench_pairs(tmp)
        if "b" in which:
            bench_transfer(tmp)
        if "c" in which:
            bench_table(tmp)
        if "d" in which:
            bench_sendfile(tmp)


if __name__ == "__main__":
    main()
