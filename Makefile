# printmail: one non-recursive GNU Makefile.
#   make            build printmail
#   make check      every test: unit (cmocka), scripted SMTP dialogues,
#                   and end to end against a private Postfix on loopback
#   make demo       send a demo message through a private Postfix
#   make bench      printmail vs curl vs msmtp (bench/RESULTS.md)
#   make install    PREFIX, DESTDIR honoured
# Knobs: CC CFLAGS CPPFLAGS LDFLAGS PREFIX DESTDIR SYSCONFDIR,
#        SANITIZER=address|undefined, WERROR=1, VALGRIND=1.

VERSION    := 0.1.0
LOAD_PER_SENDER ?= 100
LOAD_JOBS       ?= 500
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
PPDDIR     ?= $(PREFIX)/share/ppd/printmail
MANDIR     ?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= /lib/systemd/system
TMPFILESDIR ?= /usr/lib/tmpfiles.d
DATADIR    ?= $(PREFIX)/share/printmail
LOCALEDIR  ?= $(PREFIX)/share/locale
LANGS      := vi
I18N_SRC   := $(sort $(wildcard common/*.c filter/*.c backend/*.c))
UNITS      := printmail-queue.service printmail-queue.path printmail-queue.timer \
	printmail-refresh.service printmail-refresh.timer
DOCDIR     ?= $(PREFIX)/share/doc/printmail
CUPS_SERVERBIN ?= $(shell cups-config --serverbin 2>/dev/null || echo /usr/lib/cups)
SYSCONFDIR ?= /etc
LIBEXECDIR ?= $(PREFIX)/lib/printmail
QUEUEDIR   ?= /var/spool/printmail
STATEDIR   ?= /var/lib/printmail
DESTDIR    ?=

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wvla
ifeq ($(WERROR),1)
WARN    += -Werror
endif
ifneq ($(SANITIZER),)
CFLAGS  += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZER)
endif

PKG_CONFIG ?= pkg-config
# libcurl: headers only; it is loaded at run time when OAuth needs it.
SSL_CFLAGS := $(shell $(PKG_CONFIG) --cflags openssl libcurl json-c 2>/dev/null)
SSL_LIBS   := $(shell $(PKG_CONFIG) --libs openssl json-c 2>/dev/null || echo -lssl -lcrypto -ljson-c) -ldl -lresolv
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

ALL_CPPFLAGS := -D_GNU_SOURCE -Icommon -Ifilter -Ibackend -DPM_VERSION='"$(VERSION)"' \
	-DPM_SYSCONFDIR='"$(SYSCONFDIR)"' -DPM_LIBEXECDIR='"$(LIBEXECDIR)"' \
	-DPM_QUEUE_DIR='"$(QUEUEDIR)"' -DPM_STATE_DIR='"$(STATEDIR)"' -DPM_PPD='"$(PPDDIR)/printmail.ppd"' \
	-DPM_LOCALEDIR='"$(LOCALEDIR)"' $(CPPFLAGS)
ALL_CFLAGS   := $(WARN) $(CFLAGS) $(SSL_CFLAGS)

B := build
MO_FILES := $(LANGS:%=$(B)/locale/%/LC_MESSAGES/printmail.mo)
COMMON_SRC := common/err.c common/outcome.c common/util.c common/log.c \
	common/conf.c common/reply.c common/dotstuff.c common/smtp.c \
	common/header.c common/xport_tls.c common/session.c \
	common/mime.c common/advice.c common/oauth.c \
	common/throttle.c common/queue.c common/token.c common/i18n.c \
	common/job.c common/jobmsg.c
COMMON_OBJ := $(COMMON_SRC:%.c=$(B)/%.o)
FILTER_SRC := filter/printmail.c filter/spool.c filter/rewrite.c filter/flush.c \
	filter/authorize.c filter/status.c filter/setup.c
FILTER_OBJ := $(FILTER_SRC:%.c=$(B)/%.o)
BACKEND_SRC := backend/email.c
BACKEND_OBJ := $(BACKEND_SRC:%.c=$(B)/%.o)

UNIT_TESTS := test_conf test_reply test_header test_dotstuff test_smtp \
	test_spool test_mime test_job test_advice test_oauth test_throttle \
	test_rasterpdf
# test_alloc replaces malloc, as a sanitizer does: only without one.
ifeq ($(SANITIZER),)
UNIT_TESTS += test_alloc
endif
UNIT_BINS  := $(UNIT_TESTS:%=$(B)/tests/%)

# Fuzz targets: libFuzzer with clang for `make fuzz`; the same targets with
# a replay driver (tests/fuzz/replay.c) for `make check`, so the seed corpus
# and every input that ever crashed (tests/fuzz/regress/TARGET/) run always.
FUZZ_TARGETS := fuzz_reply fuzz_conf fuzz_message fuzz_job fuzz_encode fuzz_queue \
	fuzz_smtp
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_LIBSRC  := $(COMMON_SRC) filter/spool.c filter/rewrite.c
REPLAY_BINS  := $(FUZZ_TARGETS:%=$(B)/fuzz-replay/%)

.PHONY: pot all check unit integration demo bench bench-queue bench-ipp install uninstall clean deps deb fuzz \
	load check-valgrind
# Keep test objects: no "rm" lines after the closing test summary.
.SECONDARY:
# The printer application (PAPPL), built where pkg-config finds PAPPL;
# install-deps installs libpappl-dev.
# make check needs it and installs PAPPL first (deps): the flags are
# looked up when used, not when this file is read.
PAPPL_CFLAGS = $(shell $(PKG_CONFIG) --cflags pappl 2>/dev/null)
PAPPL_LIBS   = $(shell $(PKG_CONFIG) --libs pappl 2>/dev/null || echo -lpappl -lcups)
IPP_SRC := ipp/printmail-ipp.c ipp/rasterpdf.c
IPP_OBJ := $(IPP_SRC:%.c=$(B)/%.o)
IPP_BIN := $(if $(shell $(PKG_CONFIG) --exists pappl && echo y),$(B)/printmail-ipp)

$(B)/ipp/%.o: ipp/%.c $(wildcard common/*.h ipp/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Iipp $(PAPPL_CFLAGS) $(ALL_CFLAGS) -c -o $@ $<

all: $(B)/printmail $(B)/email $(B)/printmail-enqueue $(MO_FILES) $(IPP_BIN)

$(B)/printmail-ipp: $(IPP_OBJ) $(B)/libprintmail.a
	$(CC) $(LDFLAGS) -o $@ $(IPP_OBJ) $(B)/libprintmail.a $(PAPPL_LIBS) \
		-lz $(SSL_LIBS)

# Translations (gettext): po/LANG.po must translate every message the
# sources mark, without fuzzy entries, or the build fails.  The catalogue
# of the build tree is $(B)/locale (tests: PRINTMAIL_LOCALEDIR).
$(B)/po/printmail.pot: $(I18N_SRC)
	@mkdir -p $(dir $@)
	xgettext --keyword=_ --keyword=N_ --keyword=ngettext:1,2 \
		--keyword=err_set:3 \
		--keyword=err_sys:3 --keyword=err_append:2 --keyword=log_msg:2 \
		--keyword=WARN --flag=err_set:3:c-format \
		--flag=err_sys:3:c-format --flag=err_append:2:c-format \
		--flag=log_msg:2:c-format --from-code=UTF-8 --add-comments=TRANSLATORS: \
		--package-name=printmail --package-version=$(VERSION) \
		--msgid-bugs-address=packaging@printmail.example -o $@ $(I18N_SRC)
$(B)/locale/%/LC_MESSAGES/printmail.mo: po/%.po $(B)/po/printmail.pot
	@mkdir -p $(dir $@)
	msgfmt --check --statistics -o $@.tmp $< 2>$@.stats; \
	    st=$$?; cat $@.stats; \
	    if [ $$st -ne 0 ] || grep -q 'untranslated\|fuzzy' $@.stats; then \
		echo "$<: every message must be translated" >&2; \
		rm -f $@.tmp; exit 1; fi
	msgcmp $< $(B)/po/printmail.pot
	mv $@.tmp $@

# make pot: po/printmail.pot from the sources, for translators.
pot: $(B)/po/printmail.pot
	cp $< po/printmail.pot

$(B)/%.o: %.c $(wildcard common/*.h filter/*.h backend/*.h tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libprintmail.a: $(COMMON_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/printmail: $(FILTER_OBJ) $(B)/libprintmail.a
	$(CC) $(LDFLAGS) -o $@ $(FILTER_OBJ) $(B)/libprintmail.a $(SSL_LIBS)

# The queue's setgid helper: only the queue code, no TLS, no config.
$(B)/printmail-enqueue: $(B)/filter/enqueue.o $(B)/common/queue.o \
		$(B)/common/header.o $(B)/common/util.o $(B)/common/err.o \
		$(B)/common/log.o
	$(CC) $(LDFLAGS) -o $@ $^ $(SSL_LIBS)

# Test builds with crash points (PM_CRASH_POINTS): SIGKILL at a named step
# of a commit or a delivery.  Never installed.
CRASH_SRC := $(COMMON_SRC) $(FILTER_SRC)
$(B)/crash/%.o: %.c $(wildcard common/*.h filter/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -DPM_CRASH_POINTS $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/printmail-crash: $(CRASH_SRC:%.c=$(B)/crash/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(SSL_LIBS)

$(B)/tests/printmail-enqueue-crash: $(B)/crash/filter/enqueue.o \
		$(B)/crash/common/queue.o $(B)/crash/common/header.o \
		$(B)/crash/common/util.o $(B)/crash/common/err.o \
		$(B)/crash/common/log.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(SSL_LIBS)

$(B)/email: $(BACKEND_OBJ) $(B)/libprintmail.a
	$(CC) $(LDFLAGS) -o $@ $(BACKEND_OBJ) $(B)/libprintmail.a $(SSL_LIBS)

$(B)/fuzz-replay/%: $(B)/tests/fuzz/%.o $(B)/tests/fuzz/replay.o \
		$(B)/filter/spool.o $(B)/filter/rewrite.o $(B)/libprintmail.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(SSL_LIBS)

$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIBSRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CPPFLAGS) $(FUZZ_FLAGS) $(SSL_CFLAGS) -std=c11 \
		-o $@ $< $(FUZZ_LIBSRC) $(SSL_LIBS)

# make fuzz FUZZ_SECONDS=N: each target for N seconds from its seeds; new
# inputs go to build/fuzz/corpus, a crash stops with its input in build/fuzz/
# (copy it to tests/fuzz/regress/TARGET/ once fixed).
fuzz: deps $(FUZZ_TARGETS:%=$(B)/fuzz/%)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(B)/fuzz/corpus/$$t tests/fuzz/regress/$$t; \
		echo "=== $$t ($(FUZZ_SECONDS) s)"; \
		rc=0; $(B)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=1024 -print_final_stats=1 \
			-artifact_prefix=$(B)/fuzz/$$t- \
			$(B)/fuzz/corpus/$$t tests/fuzz/corpus/$$t \
			tests/fuzz/regress/$$t >$(B)/fuzz/$$t.log 2>&1 || rc=$$?; \
		grep -E "^(stat::number_of_executed_units|SUMMARY)" \
			$(B)/fuzz/$$t.log || true; \
		if [ $$rc -ne 0 ]; then \
			echo "not ok - $$t stopped on a crash, leak or timeout:"; \
			grep -E "^(==|SUMMARY|artifact_prefix|Test unit written)" \
				$(B)/fuzz/$$t.log | head -20; \
			echo "fuzz: 0 passed, 1 failed"; exit 1; fi; \
	done; echo "fuzz: $(words $(FUZZ_TARGETS)) passed, 0 failed"

# Test servers, built for the suites (not installed).
$(B)/tests/fake_m365: $(B)/tests/fake_m365.o
	$(CC) $(LDFLAGS) -o $@ $^ $(SSL_LIBS)

$(B)/tests/relay: $(B)/tests/relay.o
	$(CC) $(LDFLAGS) -o $@ $^

$(B)/tests/test_alloc: $(B)/tests/test_alloc.o \
		$(B)/filter/spool.o $(B)/filter/rewrite.o $(B)/libprintmail.a
	$(CC) $(LDFLAGS) -o $@ $^ $(SSL_LIBS)

$(B)/tests/test_smtp: $(B)/tests/test_smtp.o $(B)/tests/fake_xport.o $(B)/libprintmail.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(SSL_LIBS)

$(B)/tests/test_spool: $(B)/tests/test_spool.o $(B)/filter/spool.o $(B)/libprintmail.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(SSL_LIBS)

$(B)/tests/test_rasterpdf: $(B)/tests/test_rasterpdf.o $(B)/ipp/rasterpdf.o \
		$(B)/libprintmail.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lz $(SSL_LIBS)
$(B)/tests/test_rasterpdf.o: ALL_CPPFLAGS += -Iipp

# test_advice reads the build tree's catalogue.
$(B)/tests/test_advice.o: ALL_CPPFLAGS += -DPM_BUILD_DIR='"$(CURDIR)/$(B)"'
$(B)/tests/test_advice.o: $(MO_FILES)

$(B)/tests/test_%: $(B)/tests/test_%.o $(B)/libprintmail.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(SSL_LIBS)

# Tests install what they need first (as root), or say the exact command.
deps:
	@sh packaging/install-deps --check-or-install

unit: deps $(UNIT_BINS) $(MO_FILES)
	@sh tests/run-unit $(UNIT_BINS)

integration: deps $(B)/printmail
	@bash tests/integration.sh $(B)/printmail

check: deps $(UNIT_BINS) $(B)/printmail $(B)/email $(MO_FILES) $(B)/tests/fake_m365 \
		$(B)/tests/relay $(B)/printmail-enqueue \
		$(B)/tests/printmail-crash $(B)/tests/printmail-enqueue-crash \
		$(REPLAY_BINS) $(B)/printmail-ipp
	@SANITIZER='$(SANITIZER)' bash tests/run-all $(B)/printmail $(UNIT_BINS)

demo: deps $(B)/printmail $(B)/email
	@bash tests/demo.sh $(B)/printmail

# make check-valgrind: the printmail suite with every run under valgrind,
# and the backend suite with its direct backend runs under valgrind.
check-valgrind: deps $(B)/printmail $(B)/email
	@VALGRIND=1 bash tests/integration.sh $(B)/printmail
	@VALGRIND=1 bash tests/suite-backend.sh $(B)/printmail

# make load: 1,000 messages from 10 senders and 500 print jobs to 3 queues,
# each delivered exactly once.  LOAD_PER_SENDER and LOAD_JOBS size it.
load: deps $(B)/printmail $(B)/email $(B)/printmail-enqueue
	@bash tests/load.sh $(B)/printmail $(LOAD_PER_SENDER) $(LOAD_JOBS)

bench: deps $(B)/printmail
	@bash bench/run $(B)/printmail

# make bench-ipp: printmail-ipp per job (1 MB, 100 MB PDF, A4 JPEG): time
# to delivery and the server's peak RSS; bench/RESULTS-ipp.md.
bench-ipp: deps $(B)/printmail $(B)/printmail-ipp
	@bash bench/ipp $(B)/printmail

# make bench-queue: the runner on one connection vs a process per message
# (printmail, msmtp); bench/RESULTS-queue.md.
bench-queue: deps $(B)/printmail $(B)/printmail-enqueue
	@bash bench/queue $(B)/printmail

# The backend is installed 0700 so that CUPS runs it as root: it reads the
# config (readable by root only) and then switches to lp (README.md).
install: $(B)/printmail $(B)/email $(B)/printmail-enqueue $(MO_FILES) $(IPP_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(CUPS_SERVERBIN)/backend \
		$(DESTDIR)$(PPDDIR)
	install -m 0755 $(B)/printmail $(DESTDIR)$(BINDIR)/printmail
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(B)/printmail-enqueue $(DESTDIR)$(LIBEXECDIR)/printmail-enqueue
	install -m 0700 $(B)/email $(DESTDIR)$(CUPS_SERVERBIN)/backend/email
	install -m 0644 packaging/printmail.ppd $(DESTDIR)$(PPDDIR)/printmail.ppd
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)/examples
	install -m 0644 packaging/man/printmail.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 packaging/man/printmail.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 packaging/man/printmail-backend.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 packaging/printmail.conf.example \
		$(DESTDIR)$(DOCDIR)/examples/printmail.conf
	install -D -m 0644 packaging/printmail.conf.example \
		$(DESTDIR)$(DATADIR)/printmail.conf.example
	install -m 0755 packaging/setup-system $(DESTDIR)$(LIBEXECDIR)/setup-system
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(TMPFILESDIR)
	for u in $(UNITS); do \
		sed 's|/usr/bin/printmail|$(BINDIR)/printmail|g' \
		    packaging/systemd/$$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done
	install -m 0644 packaging/debian/printmail.tmpfiles \
		$(DESTDIR)$(TMPFILESDIR)/printmail.conf
	@# The printer application, when it was built (PAPPL).
	if [ -x $(B)/printmail-ipp ]; then \
		install -m 0755 $(B)/printmail-ipp $(DESTDIR)$(BINDIR)/ && \
		install -m 0644 packaging/man/printmail-ipp.8 \
		    $(DESTDIR)$(MANDIR)/man8/ && \
		sed 's|/usr/bin/printmail|$(BINDIR)/printmail|g' \
		    packaging/systemd/printmail-ipp.service \
		    >$(DESTDIR)$(SYSTEMDUNITDIR)/printmail-ipp.service || exit 1; \
	fi
	for l in $(LANGS); do \
		install -D -m 0644 $(B)/locale/$$l/LC_MESSAGES/printmail.mo \
		    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/printmail.mo || exit 1; \
	done
	@# Installed on this machine (not into DESTDIR): the user, the queue,
	@# the setgid helper and a first config, as the package's postinst.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
		echo "packaging/setup-system: the printmail user, the queue," \
		    "the setgid helper"; \
		sh packaging/setup-system --helper $(LIBEXECDIR)/printmail-enqueue \
		    --example $(DATADIR)/printmail.conf.example \
		    --sysconfdir $(SYSCONFDIR); \
	elif [ -z "$(DESTDIR)" ]; then \
		echo "not root: run $(LIBEXECDIR)/setup-system --helper" \
		    "$(LIBEXECDIR)/printmail-enqueue as root for the queue"; \
	fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/printmail \
		$(DESTDIR)$(LIBEXECDIR)/printmail-enqueue \
		$(DESTDIR)$(CUPS_SERVERBIN)/backend/email \
		$(DESTDIR)$(PPDDIR)/printmail.ppd \
		$(DESTDIR)$(MANDIR)/man1/printmail.1 \
		$(DESTDIR)$(MANDIR)/man5/printmail.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/printmail-backend.8 \
		$(DESTDIR)$(DOCDIR)/examples/printmail.conf \
		$(DESTDIR)$(DATADIR)/printmail.conf.example \
		$(DESTDIR)$(LIBEXECDIR)/setup-system \
		$(DESTDIR)$(TMPFILESDIR)/printmail.conf \
		$(LANGS:%=$(DESTDIR)$(LOCALEDIR)/%/LC_MESSAGES/printmail.mo) \
		$(UNITS:%=$(DESTDIR)$(SYSTEMDUNITDIR)/%) \
		$(DESTDIR)$(BINDIR)/printmail-ipp \
		$(DESTDIR)$(MANDIR)/man8/printmail-ipp.8 \
		$(DESTDIR)$(SYSTEMDUNITDIR)/printmail-ipp.service
	@for d in $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(PPDDIR) \
	    $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR); do \
		rmdir "$$d" 2>/dev/null || true; \
	done
	@echo "kept: /etc/printmail.conf, the queue $(QUEUEDIR), the user" \
	    "printmail and any print queues using email:/ (lpadmin -x QUEUE)"

# make deb: a binary package built with debhelper in a copy of the tree;
# the .deb lands in build/deb/ and is checked with lintian.
deb:
	rm -rf $(B)/deb
	mkdir -p $(B)/deb/printmail-$(VERSION)
	tar --exclude=./build --exclude=./.git -cf - . | \
		tar -C $(B)/deb/printmail-$(VERSION) -xf -
	cp -r packaging/debian $(B)/deb/printmail-$(VERSION)/debian
	cd $(B)/deb/printmail-$(VERSION) && dpkg-buildpackage -b -uc -us
	lintian --fail-on error,warning $(B)/deb/printmail_$(VERSION)-1_*.deb \
		$(B)/deb/printmail-mta_$(VERSION)-1_all.deb \
		$(B)/deb/printmail-ipp_$(VERSION)-1_*.deb
	@ls $(B)/deb/*.deb

clean:
	rm -rf $(B)
