"""Shipping: one version, written in the Makefile only; make dist makes a
tarball that builds and installs on its own; the man page documents every
variable the program reads; debian/ builds a package of the same version."""
import os
import re
import shutil
import subprocess
import tarfile

import lib
from lib import check

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What make dist ships; without them this is not the whole source tree
# (make check-sanitize copies only part of it into .san/).
SHIPPED = ("Makefile", "README.md", ".ci", "bench", "debian", "lessons",
           "man", "src", "tests")
BUILD_TIMEOUT = 120


def need_source_tree():
    missing = [f for f in SHIPPED if not os.path.exists(os.path.join(TOP, f))]
    if missing:
        raise lib.Skip("not the whole source tree (no %s)"
                       % ", ".join(missing))


def run(args, cwd=TOP, timeout=BUILD_TIMEOUT, env=None):
    """Run a command; fail the test, with its output, unless it exits 0."""
    p = subprocess.run(args, cwd=cwd, capture_output=True, text=True,
                       timeout=timeout, env=env)
    check(p.returncode == 0, "%s exited %d:\n%s%s" % (
        " ".join(args), p.returncode, p.stdout[-3000:], p.stderr[-3000:]))
    return p.stdout


def makefile_version():
    with open(os.path.join(TOP, "Makefile")) as f:
        m = re.search(r"^VERSION\s*=\s*(\S+)\s*$", f.read(), re.M)
    check(m is not None, "no VERSION = line in the Makefile")
    return m.group(1)


def read(path):
    with open(os.path.join(TOP, path)) as f:
        return f.read()


def test_version_comes_from_the_makefile():
    version = makefile_version()
    st, out, _ = lib.run("", ["--version"])
    check(st == 0 and out.startswith("sockrepl %s (" % version),
          "--version says %r, the Makefile %s" % (out, version))
    out, _ = lib.run_ok("help\n")
    check(out.startswith("sockrepl %s: " % version),
          "help's first line: %r" % out.splitlines()[:1])
    # No second copy to fall out of step: the build must pass it in.
    check(not re.search(r"#\s*define\s+SOCKREPL_VERSION",
                        read("src/sockrepl.h")),
          "src/sockrepl.h defines SOCKREPL_VERSION itself")


def test_debian_changelog_version_is_the_makefiles():
    need_source_tree()
    first = read("debian/changelog").splitlines()[0]
    m = re.match(r"^sockrepl \(([^)]+)\) ", first)
    check(m is not None, "debian/changelog's first line: %r" % first)
    # A native package: the version has no Debian revision.
    check(m.group(1) == makefile_version(),
          "debian/changelog says %s, the Makefile VERSION = %s"
          % (m.group(1), makefile_version()))


def getenv_names():
    """Every variable the C sources read with getenv or secure_getenv."""
    names = set()
    src = os.path.join(TOP, "src")
    for f in sorted(os.listdir(src)):
        if f.endswith((".c", ".h")):
            with open(os.path.join(src, f)) as fh:
                names.update(re.findall(
                    r"\b(?:secure_)?getenv\s*\(\s*\"([^\"]+)\"", fh.read()))
    return names


def man_section(name):
    text = read("man/sockrepl.1")
    m = re.search(r"^\.Sh %s\n(.*?)(?=^\.Sh |\Z)" % re.escape(name), text,
                  re.M | re.S)
    check(m is not None, "man page lacks section " + name)
    return m.group(1)


def test_man_environment_names_every_getenv():
    need_source_tree()
    names = getenv_names()
    check(len(names) >= 4, "found only getenv(%s) in src/" % sorted(names))
    listed = set(re.findall(r"^\.It Ev (\S+)", man_section("ENVIRONMENT"),
                            re.M))
    missing = sorted(names - listed)
    check(not missing, "src/ reads %s with getenv, but the man page's "
          "ENVIRONMENT has no .It Ev entry for it" % ", ".join(missing))
    # The history file's rules are in FILES too.
    files = man_section("FILES")
    for want in ("sockrepl/history", ".sockrepl_history", "0600", "1000"):
        check(want in files, "FILES does not mention " + want)
    man_section("CAVEATS")


_dist = {}


def dist_tarball():
    """make dist into a temp dir, once for this file; the tarball's path."""
    if "path" not in _dist:
        d = lib.tempdir()
        _dist["dir"] = d
        run(["make", "-s", "dist", "DISTDIR=" + d])
        _dist["path"] = os.path.join(d, "sockrepl-%s.tar.gz"
                                     % makefile_version())
    return _dist["path"]


def unpack(tarball, into):
    """Unpack as a user would; the path of the tree."""
    run(["tar", "xzf", tarball], cwd=into)
    return os.path.join(into, "sockrepl-" + makefile_version())


def files_under(d):
    out = set()
    for root, dirs, files in os.walk(d):
        for f in files:
            out.add(os.path.relpath(os.path.join(root, f), d))
    return out


def test_dist_builds_and_installs_on_its_own():
    need_source_tree()
    version = makefile_version()
    tarball = dist_tarball()
    check(os.path.isfile(tarball), "make dist made no " + tarball)
    with tarfile.open(tarball) as t:
        names = t.getnames()
    top = "sockrepl-%s" % version
    outside = [n for n in names if n != top and not n.startswith(top + "/")]
    check(not outside, "outside %s/: %r" % (top, outside[:5]))
    rel = {n[len(top) + 1:] for n in names if n.startswith(top + "/")}
    for want in ("Makefile", "README.md", "man/sockrepl.1", "src/main.c",
                 "src/sockrepl.h", "tests/run.sh", "tests/lib.py",
                 "tests/unit.c", "debian/control", "debian/rules",
                 "debian/changelog", "debian/copyright", ".ci/run",
                 "bench/bench.py"):
        check(want in rel, "the tarball lacks " + want)
    junk = [n for n in rel if n.endswith(".o") or n == "sockrepl" or
            n.startswith(".git/") or n == ".git" or "__pycache__" in n or
            n in ("tests/unit", "bench/floor", "bench/sendfloor") or
            n.endswith(".tar.gz") or
            n.startswith(("debian/sockrepl/", "debian/.debhelper/"))]
    check(not junk, "build outputs in the tarball: %r" % sorted(junk)[:10])

    d = lib.tempdir()
    try:
        tree = unpack(tarball, d)
        shipped = files_under(tree)
        # The user's own CFLAGS, and no SOCKREPL from the suite's run.
        env = dict(os.environ)
        env.pop("SOCKREPL", None)
        run(["make", "-s", "-j2"], cwd=tree, env=env)
        stage = os.path.join(d, "stage")
        run(["make", "-s", "install", "DESTDIR=" + stage, "PREFIX=/usr"],
            cwd=tree, env=env)
        binary = os.path.join(stage, "usr/bin/sockrepl")
        page = os.path.join(stage, "usr/share/man/man1/sockrepl.1")
        out = run([binary, "--version"], timeout=lib.TIMEOUT)
        check(out.startswith("sockrepl %s (" % version), "--version: %r" % out)
        with open(page) as f:
            text = f.read()
        check("This manual documents version %s." % version in text,
              "the installed man page does not give version " + version)
        check("@VERSION@" not in text, "@VERSION@ left in the man page")
        run(["make", "-s", "uninstall", "DESTDIR=" + stage, "PREFIX=/usr"],
            cwd=tree, env=env)
        left = files_under(stage)
        check(not left, "make uninstall left %r" % sorted(left))
        # make clean takes the tree back to what was shipped, tarball and
        # all.
        run(["make", "-s", "dist"], cwd=tree, env=env)
        check(os.path.isfile(os.path.join(tree, os.path.basename(tarball))),
              "make dist in the unpacked tree made no tarball")
        run(["make", "-s", "clean"], cwd=tree, env=env)
        now = files_under(tree)
        check(now == shipped, "after make clean, added %r, removed %r" % (
            sorted(now - shipped), sorted(shipped - now)))
    finally:
        shutil.rmtree(d)


def test_installed_man_page_lints_clean():
    need_source_tree()
    mandoc = lib.need_program("mandoc")
    d = lib.tempdir()
    try:
        run(["make", "-s", "install", "DESTDIR=" + d])
        page = os.path.join(d, "usr/local/share/man/man1/sockrepl.1")
        p = subprocess.run([mandoc, "-T", "lint", "-W", "all", page],
                           capture_output=True, text=True,
                           timeout=lib.TIMEOUT)
        # What depends on the manuals this machine has, not on the page.
        messages = [l for l in (p.stdout + p.stderr).splitlines()
                    if l.strip() and not re.search(
                        r"referenced manual not found|mandoc\.db|makewhatis",
                        l)]
        check(not messages, "mandoc -T lint -W all (installed page):\n" +
              "\n".join(messages))
    finally:
        shutil.rmtree(d)


def test_debian_package_builds():
    """
    dpkg-buildpackage on an unpacked tarball (it writes the .deb beside the
    tree, so never in the checkout). The package build is optional: missing
    tools skip the test, under CI too.
    """
    need_source_tree()
    for prog in ("dpkg-buildpackage", "dh", "dpkg-deb"):
        if shutil.which(prog) is None:
            raise lib.Skip("%s is not installed (debhelper, dpkg-dev)" % prog)
    p = subprocess.run(["dpkg-checkbuilddeps", "-P", "nocheck"], cwd=TOP,
                       capture_output=True, text=True, timeout=lib.TIMEOUT)
    if p.returncode != 0:
        raise lib.Skip("build dependencies missing: " + p.stderr.strip())
    version = makefile_version()
    d = lib.tempdir()
    try:
        tree = unpack(dist_tarball(), d)
        env = dict(os.environ)
        env.pop("SOCKREPL", None)
        # Not the suite again (this test is part of it): neither the tests
        # nor their build dependencies.
        env["DEB_BUILD_OPTIONS"] = "nocheck"
        # Nor the jobserver of the make check that runs this test.
        for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
            env.pop(k, None)
        # The tools' own temporary files (lintian's mldbm-*) go here too.
        env["TMPDIR"] = os.path.join(d, "tmp")
        os.mkdir(env["TMPDIR"])
        run(["dpkg-buildpackage", "-us", "-uc", "-b", "-Pnocheck"], cwd=tree,
            env=env, timeout=240)
        debs = [f for f in os.listdir(d) if f.endswith(".deb") and
                not f.startswith("sockrepl-dbgsym")]
        check(len(debs) == 1, "want one .deb, found %r" % os.listdir(d))
        deb = os.path.join(d, debs[0])
        got = run(["dpkg-deb", "-f", deb, "Version"]).strip()
        check(got == version, "the package's version is %s, not %s"
              % (got, version))
        contents = run(["dpkg-deb", "-c", deb])
        for want in ("./usr/bin/sockrepl", "./usr/share/man/man1/sockrepl.1.gz",
                     "./usr/share/doc/sockrepl/copyright"):
            check(re.search(r" %s$" % re.escape(want), contents, re.M),
                  "the package lacks %s:\n%s" % (want, contents))
        # lintian is slow and optional: errors fail, its absence does not.
        if shutil.which("lintian"):
            p = subprocess.run(["lintian", deb], capture_output=True, env=env,
                               text=True, timeout=240)
            errors = [l for l in p.stdout.splitlines() if l.startswith("E:")]
            check(not errors, "lintian:\n" + "\n".join(errors))
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    try:
        lib.main()
    finally:
        if "dir" in _dist:
            shutil.rmtree(_dist["dir"], ignore_errors=True)
