# handoff: top-level build. `make` builds the module and the agent;
# `make check` installs what it needs and runs every test.
KVER ?= $(shell tests/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := $(CURDIR)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
PREFIX ?= /usr/local

.PHONY: all module agent probe unit check check-kernel check-compat check-xen demo bench \
	install install-dkms install-agent uninstall clean

all: module agent probe

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

agent:
	$(MAKE) -C agent BUILD=$(BUILD)

probe:
	$(MAKE) -C tests/lab BUILD=$(BUILD)

unit:
	$(MAKE) -C agent BUILD=$(BUILD) unit
	$(MAKE) -C tests/lab BUILD=$(BUILD) unit

# Everything, from a fresh Debian 12 machine: deps, build, unit tests, DKMS,
# then the kernel suite in QEMU. Ends with one "N passed, N failed" line.
check:
	@tests/check.sh

# The module on Debian 11's kernel (5.10: kmod/compat.h) in QEMU, built from
# bullseye's packages (fetched, not installed). COMPAT_TESTS="t-a t-b" or "all".
check-compat:
	@tests/compat.sh

# The migration lab, without and with handoff, as a table (LAB=name filters).
demo:
	@tests/lab/demo.sh

# Benchmarks in QEMU (2 vCPUs), side by side in one run: a table and
# build/bench/results.json. BENCH_REPS (5) / BENCH_CUTOVERS (12) set repetitions.
bench:
	@tests/bench/bench.sh

# Real Xen 4.17 under QEMU: xl migrate to localhost without and with handoff
# (tests/xen/run.sh; XEN_RUNS, XEN_MODES). A table and build/xen/results.json.
check-xen:
	@tests/xen/run.sh

# Only the kernel suite (assumes `make check` ran once): T=name filters.
check-kernel:
	@tests/check.sh --kernel-only $(T)

install: install-dkms install-agent

install-dkms:
	tests/dkms.sh $(KVER)

install-agent: agent probe
	install -D -m 0755 $(BUILD)/agent/handoffctl $(DESTDIR)$(PREFIX)/sbin/handoffctl
	install -D -m 0755 $(BUILD)/agent/handoffd $(DESTDIR)$(PREFIX)/sbin/handoffd
	install -D -m 0755 agent/hooks/handoff-migrate $(DESTDIR)$(PREFIX)/sbin/handoff-migrate
	install -D -m 0755 agent/hooks/xapi-vm-pre-migrate \
		$(DESTDIR)$(PREFIX)/share/handoff/xapi-vm-pre-migrate
	install -D -m 0755 agent/hooks/libvirt-libxl $(DESTDIR)$(PREFIX)/share/handoff/libvirt-libxl
	install -D -m 0644 agent/systemd/handoffd.service \
		$(DESTDIR)/etc/systemd/system/handoffd.service
	sed -i 's#/usr/local/sbin/#$(PREFIX)/sbin/#g' $(DESTDIR)/etc/systemd/system/handoffd.service
	install -D -m 0644 agent/handoffd.conf.example \
		$(DESTDIR)$(PREFIX)/share/handoff/handoffd.conf.example
	install -D -m 0644 agent/man/handoffctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/handoffctl.8
	install -D -m 0644 agent/man/handoffd.8 $(DESTDIR)$(PREFIX)/share/man/man8/handoffd.8
	install -D -m 0644 agent/man/handoff.7 $(DESTDIR)$(PREFIX)/share/man/man7/handoff.7
	install -D -m 0755 $(BUILD)/lab/handoff-probe $(DESTDIR)$(PREFIX)/bin/handoff-probe

uninstall:
	-dkms remove -m handoff -v $(VERSION) --all
	rm -rf /usr/src/handoff-$(VERSION)
	rm -f $(DESTDIR)$(PREFIX)/sbin/handoffctl $(DESTDIR)$(PREFIX)/sbin/handoffd \
		$(DESTDIR)$(PREFIX)/sbin/handoff-migrate $(DESTDIR)/etc/systemd/system/handoffd.service \
		$(DESTDIR)$(PREFIX)/share/man/man8/handoffctl.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/handoffd.8 $(DESTDIR)$(PREFIX)/share/man/man7/handoff.7
	rm -rf $(DESTDIR)$(PREFIX)/share/handoff

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
