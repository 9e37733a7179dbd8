"""make install and uninstall honour PREFIX and DESTDIR."""
import os
import shutil
import subprocess

import lib
from lib import check

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def make(*args):
    p = subprocess.run(["make", "-s", "-C", TOP, *args], capture_output=True,
                       timeout=60)
    return p.returncode, p.stdout.decode() + p.stderr.decode()


def test_install_uninstall_destdir():
    if not os.path.exists(os.path.join(TOP, "man", "sockrepl.1")):
        raise lib.Skip("no man page in this tree (the sanitizer copy)")
    d = lib.tempdir()
    try:
        st, out = make("install", "DESTDIR=" + d, "PREFIX=/opt/sr")
        check(st == 0, out)
        binary = os.path.join(d, "opt/sr/bin/sockrepl")
        page = os.path.join(d, "opt/sr/share/man/man1/sockrepl.1")
        check(os.access(binary, os.X_OK), "no executable " + binary)
        check(os.path.isfile(page), "no man page " + page)
        check(oct(os.stat(page).st_mode & 0o777) == "0o644", "page mode")
        p = subprocess.run([binary, "--version"], capture_output=True,
                           timeout=lib.TIMEOUT)
        check(p.returncode == 0 and p.stdout.startswith(b"sockrepl "),
              p.stdout)
        # The tour's lessons, found by the installed program beside
        # itself: DESTDIR moved it, and the path it was built for is empty.
        lessons = os.path.join(d, "opt/sr/share/sockrepl/lessons")
        shipped = sorted(f for f in os.listdir(os.path.join(TOP, "lessons"))
                         if f.endswith(".txt"))
        check(len(shipped) >= 6 and sorted(
            f for f in os.listdir(lessons) if f.endswith(".txt")) == shipped,
            "lessons installed: %r" % os.listdir(lessons))
        check(os.path.isfile(os.path.join(lessons, "README.md")),
              "no lessons/README.md installed")
        check(all(oct(os.stat(os.path.join(lessons, f)).st_mode & 0o777) ==
                  "0o644" for f in shipped), "lesson modes")
        env = {k: v for k, v in os.environ.items()
               if k != "SOCKREPL_LESSONS"}
        p = subprocess.run([binary], input=b"tour\ntour 1\n",
                           capture_output=True, timeout=lib.TIMEOUT, env=env)
        out_t = p.stdout.decode()
        check(p.returncode == 0, p.stderr)
        check("The lessons are in %s/opt/sr/bin/../share/sockrepl/lessons."
              % d in out_t, out_t)
        check(out_t.count("\n   %d  " % len(shipped)) == 1 and
              "Lesson 1, step 1 of" in out_t, out_t)
        # Alone, away from them, the program says where it looked
        # (unless this machine has them where the build put DATADIR).
        if os.path.isdir("/usr/local/share/sockrepl/lessons"):
            return
        alone = os.path.join(d, "alone")
        os.mkdir(alone)
        shutil.copy(binary, alone)
        p = subprocess.run([os.path.join(alone, "sockrepl")],
                           input=b"tour\n", capture_output=True,
                           timeout=lib.TIMEOUT, env=env)
        check(p.returncode == 1 and b"tour: " in p.stderr and
              b"/share/sockrepl/lessons" in p.stderr and
              b"SOCKREPL_LESSONS" in p.stderr, p.stderr)
        st, out = make("uninstall", "DESTDIR=" + d, "PREFIX=/opt/sr")
        check(st == 0, out)
        check(not os.path.exists(binary) and not os.path.exists(page),
              "uninstall left files")
        check(not os.path.exists(os.path.join(d, "opt/sr/share/sockrepl")),
              "uninstall left the lessons")
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    lib.main()
