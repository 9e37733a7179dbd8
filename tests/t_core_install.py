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
        st, out = make("uninstall", "DESTDIR=" + d, "PREFIX=/opt/sr")
        check(st == 0, out)
        check(not os.path.exists(binary) and not os.path.exists(page),
              "uninstall left files")
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    lib.main()
