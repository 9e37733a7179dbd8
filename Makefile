# sockrepl: type the BSD socket API, one call per command.

# The one place the version is written; everything else takes it from here.
VERSION = 0.1
PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANPREFIX = $(PREFIX)/share/man
# Run-time data files: the tour's lessons, installed in $(DATADIR)/lessons.
# The program looks beside itself first (the build tree's lessons/, or
# ../share/sockrepl/lessons from its bin/, so a DESTDIR or moved install
# works), then in the DATADIR it was built with (the -D below).
DATADIR = $(PREFIX)/share/sockrepl

CC ?= cc
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wpointer-arith -Wundef
CPPFLAGS += -D_GNU_SOURCE -DSOCKREPL_VERSION='"$(VERSION)"' \
	-DSOCKREPL_DATADIR='"$(DATADIR)"'
RL_CFLAGS != pkg-config --cflags readline 2>/dev/null || true
RL_LIBS != pkg-config --libs readline 2>/dev/null || echo -lreadline

# Optional parts, built in when pkg-config finds their library: TLS with
# OpenSSL's libssl (starttls), the wire view with libpcap (wire). Turn one
# off with make TLS=no or make PCAP=no; the program then says it was built
# without it. --version lists what this build has.
TLS ?= auto
PCAP ?= auto
TLS_FOUND != pkg-config --exists libssl libcrypto 2>/dev/null && echo yes || echo no
PCAP_FOUND != pkg-config --exists libpcap 2>/dev/null && echo yes || echo no
TLS_ON = $(TLS:auto=$(TLS_FOUND))
PCAP_ON = $(PCAP:auto=$(PCAP_FOUND))
TLS_CFLAGS_yes != pkg-config --cflags libssl libcrypto 2>/dev/null || true
TLS_LIBS_yes != pkg-config --libs libssl libcrypto 2>/dev/null || true
PCAP_CFLAGS_yes != pkg-config --cflags libpcap 2>/dev/null || true
PCAP_LIBS_yes != pkg-config --libs libpcap 2>/dev/null || true
FEAT_CFLAGS = $(TLS_CFLAGS_$(TLS_ON)) $(PCAP_CFLAGS_$(PCAP_ON))
FEAT_LIBS = $(TLS_LIBS_$(TLS_ON)) $(PCAP_LIBS_$(PCAP_ON))
FEAT_DEFS_TLS_yes = -DHAVE_TLS=1
FEAT_DEFS_PCAP_yes = -DHAVE_PCAP=1
CPPFLAGS += $(FEAT_DEFS_TLS_$(TLS_ON)) $(FEAT_DEFS_PCAP_$(PCAP_ON))

SRCS = src/main.c src/script.c src/interactive.c src/cmd.c src/cmd-life.c src/cmd-send.c src/cmd-recv.c \
	src/cmd-script.c src/cmd-expect.c src/cmd-repeat.c src/vars.c src/rbuf.c src/datain.c \
	src/cmd-opt.c src/cmd-info.c src/cmd-misc.c src/lex.c src/num.c \
	src/cmd-names.c src/cmd-evloop.c src/cmd-fd.c \
	src/addr.c src/names.c src/hints.c src/out.c src/table.c src/wait.c
SRCS += src/events.c src/complete.c src/history.c src/color.c
SRCS += src/cmd-kernel.c src/tcpinfo.c src/kernel.c
SRCS += src/buf.c src/outcome.c src/call.c src/call-names.c src/trace.c src/log.c src/export.c src/export-c.c src/export-py.c
SRCS += src/help-calls.c src/help-errno.c src/lesson.c src/cmd-tour.c
SRCS += src/cmd-msg.c
SRCS += src/wire.c src/wire-decode.c src/diagram.c src/cmd-wire.c
SRCS += src/tls.c src/cmd-tls.c
OBJS = $(SRCS:.c=.o)
# The pure parts, linked into the unit tests without the read loop.
LIB_OBJS = src/buf.o src/rbuf.o src/datain.o src/lex.o src/num.o src/addr.o src/names.o src/hints.o \
	src/out.o src/color.o src/table.o

all: sockrepl

sockrepl: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(RL_LIBS) $(FEAT_LIBS) -lm

.c.o:
	$(CC) $(CPPFLAGS) $(RL_CFLAGS) $(FEAT_CFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

# The Makefile too: it holds VERSION.
$(OBJS): src/sockrepl.h Makefile
src/lesson.o src/cmd-tour.o: src/lesson.h

tests/unit: tests/unit.c $(LIB_OBJS) src/sockrepl.h
	$(CC) $(CPPFLAGS) -Isrc $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit.c $(LIB_OBJS) -lm

check: sockrepl tests/unit
	sh tests/run.sh

# The whole suite again under AddressSanitizer and UBSan, in its own tree of
# objects so the normal build is left alone.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
check-sanitize:
	rm -rf .san && mkdir -p .san
	tar cf - --exclude='*.o' --exclude=tests/unit Makefile src tests man lessons README.md | \
		(cd .san && tar xf -)
	ASAN_OPTIONS=detect_leaks=1:exitcode=99 UBSAN_OPTIONS=exitcode=99 \
		$(MAKE) -C .san CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" check

# The suite again on a build without the optional parts (TLS=no PCAP=no),
# in its own tree of objects: their commands must say what is missing and
# everything else must pass as before.
check-minimal:
	rm -rf .min && mkdir -p .min
	tar cf - --exclude='*.o' --exclude=tests/unit Makefile src tests man lessons README.md | \
		(cd .min && tar xf -)
	$(MAKE) -C .min TLS=no PCAP=no check

# A libFuzzer target over the tokenizer and the dispatcher (tests/fuzz/,
# tests/README): clang only, with the optional parts the program has (TLS,
# PCAP as above), with the calls that could block, reach the network or
# leave the fuzzer's directory wrapped at link time; OpenSSL's calls that
# read and write the socket or load files too, and libpcap's pcap_create
# (no capture while fuzzing). Not part of check, and CI does not run it.
FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined
# A diagram keeps 20000 events; 40 here, so short inputs push events out.
FUZZ_DEFS = -DDIAGRAM_MAX=40
FUZZ_WRAP_TLS_yes = SSL_connect SSL_accept SSL_shutdown SSL_read SSL_peek \
	SSL_write SSL_CTX_use_certificate_chain_file \
	SSL_CTX_use_PrivateKey_file SSL_CTX_load_verify_locations
FUZZ_WRAP_PCAP_yes = pcap_create
FUZZ_WRAP = recv recvfrom recvmsg send sendto sendmsg accept accept4 \
	connect bind socket \
	ppoll poll nanosleep open fopen getaddrinfo \
	$(FUZZ_WRAP_TLS_$(TLS_ON)) $(FUZZ_WRAP_PCAP_$(PCAP_ON))
FUZZ_SRCS = $(filter-out src/main.c,$(SRCS)) tests/fuzz/fuzz.c
SECONDS = 60
fuzz: tests/fuzz/sockrepl-fuzz

tests/fuzz/sockrepl-fuzz: $(FUZZ_SRCS) src/sockrepl.h Makefile
	$(FUZZ_CC) -D_GNU_SOURCE -DSOCKREPL_VERSION='"$(VERSION)"' -Isrc \
		$(FEAT_DEFS_TLS_$(TLS_ON)) $(FEAT_DEFS_PCAP_$(PCAP_ON)) $(FUZZ_DEFS) \
		$(RL_CFLAGS) $(FEAT_CFLAGS) $(FUZZ_FLAGS) -o $@ $(FUZZ_SRCS) \
		$(FUZZ_WRAP:%=-Wl,--wrap=%) $(RL_LIBS) $(FEAT_LIBS) -lm

# make fuzz-run SECONDS=N: fuzz for N seconds from the seed corpus, new
# inputs kept in tests/fuzz/corpus.new (not in the tree), the dictionary
# made of tests/fuzz/sockrepl.dict and the program's command names.
fuzz-run: tests/fuzz/sockrepl-fuzz sockrepl
	mkdir -p tests/fuzz/corpus.new
	sh tests/fuzz/run.sh $(SECONDS)

# Side-by-side speed figures (bench/README.md); not part of check.
bench/floor: bench/floor.c
	$(CC) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ bench/floor.c

bench/sendfloor: bench/sendfloor.c
	$(CC) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ bench/sendfloor.c

bench: sockrepl bench/floor bench/sendfloor
	python3 bench/bench.py

# The installed man page says which version it documents, on the line the
# source marks with @VERSION@.
install: sockrepl
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1
	cp -f sockrepl $(DESTDIR)$(BINDIR)/sockrepl
	chmod 755 $(DESTDIR)$(BINDIR)/sockrepl
	sed 's/^.*@VERSION@.*$$/This manual documents version $(VERSION)./' \
		man/sockrepl.1 > \
		$(DESTDIR)$(MANPREFIX)/man1/sockrepl.1
	chmod 644 $(DESTDIR)$(MANPREFIX)/man1/sockrepl.1
	mkdir -p $(DESTDIR)$(DATADIR)/lessons
	cp -f lessons/*.txt lessons/README.md $(DESTDIR)$(DATADIR)/lessons/
	chmod 644 $(DESTDIR)$(DATADIR)/lessons/*

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sockrepl $(DESTDIR)$(MANPREFIX)/man1/sockrepl.1
	# The lessons this tree ships, not others added there by hand.
	for f in lessons/*.txt lessons/README.md; do \
		rm -f $(DESTDIR)$(DATADIR)/$$f; done
	-rmdir $(DESTDIR)$(DATADIR)/lessons $(DESTDIR)$(DATADIR) 2>/dev/null

# sockrepl-VERSION.tar.gz, in DISTDIR: what a user needs to build, test and
# install, named directory by directory so a new file in them is shipped
# without a list to update; build outputs are left out.
DIST = sockrepl-$(VERSION)
DISTDIR = .
DISTFILES = Makefile README.md .ci bench debian lessons man src tests
DISTEXCLUDE = --exclude='*.o' --exclude=tests/unit --exclude=bench/floor \
	--exclude=bench/sendfloor \
	--exclude=tests/fuzz/sockrepl-fuzz --exclude=tests/fuzz/corpus.new \
	--exclude=tests/fuzz/sockrepl.cmds.dict \
	--exclude=__pycache__ --exclude=debian/.debhelper \
	--exclude=debian/sockrepl --exclude=debian/tmp --exclude=debian/files \
	--exclude='debian/*.substvars' --exclude='debian/*.log' \
	--exclude=debian/debhelper-build-stamp
dist:
	rm -rf $(DISTDIR)/$(DIST)
	mkdir -p $(DISTDIR)/$(DIST)
	tar cf - $(DISTEXCLUDE) $(DISTFILES) | (cd $(DISTDIR)/$(DIST) && tar xf -)
	cd $(DISTDIR) && tar cf - $(DIST) | gzip -9n > $(DIST).tar.gz
	rm -rf $(DISTDIR)/$(DIST)

# What dpkg-buildpackage leaves in debian/ too (dh clean removes the same).
clean:
	rm -f sockrepl $(OBJS) tests/unit bench/floor bench/sendfloor \
		$(DIST).tar.gz \
		tests/fuzz/sockrepl-fuzz tests/fuzz/sockrepl.cmds.dict
	rm -rf tests/fuzz/corpus.new
	rm -rf .san .min $(DIST)
	rm -rf debian/.debhelper debian/sockrepl debian/tmp debian/files \
		debian/*.substvars debian/*.log debian/debhelper-build-stamp

.PHONY: all check check-sanitize check-minimal bench fuzz fuzz-run install uninstall dist clean
