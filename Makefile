# ybguard — two commands: `make scan` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# command:Debian-package pairs the test suite needs; installed only when missing.
SYSTEM_TOOLS := ip:iproute2 tcpdump:tcpdump nft:nftables iptables:iptables debootstrap:debootstrap \
                tcpreplay:tcpreplay modprobe:kmod ps:procps sha256sum:coreutils rpm:rpm rpmbuild:rpm lz4:lz4 \
                busybox:busybox dash:dash \
                chromium:chromium pdftoppm:poppler-utils pdftotext:poppler-utils pdfinfo:poppler-utils \
                systemd-analyze:systemd losetup:mount nsenter:util-linux
# fleet: dashboard in headless Chromium (screenshot colours, PDF text), promtool, sshd "terminals"
SYSTEM_TOOLS += convert:imagemagick promtool:prometheus sshd:openssh-server
# ansible-core from PyPI, in its own venv (it pins its own Jinja2/PyYAML); the fleet Ansible test drives it
ANSIBLE_VENV ?= .venv-ansible
ANSIBLE := $(ANSIBLE_VENV)/bin/ansible-playbook

.PHONY: all scan test lint unit sysdeps venv bench docs clean wine-deps dist-windows unit-py39 wheelhouse ansible

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

sysdeps:
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
	  cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null 2>&1 || [ -x /usr/sbin/$$cmd ] || [ -x /sbin/$$cmd ] || missing="$$missing $$pkg"; \
	done; \
	[ -e /usr/lib/x86_64-linux-gnu/libpcap.so.0.8 ] || ls /usr/lib/*/libpcap.so* >/dev/null 2>&1 || missing="$$missing libpcap0.8"; \
	[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1 || missing="$$missing wine64"; \
	[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing="$$missing fonts-noto-cjk"; \
	[ -x /lib/systemd/systemd-journal-remote ] || missing="$$missing systemd-journal-remote"; \
	command -v utmpdump >/dev/null 2>&1 || missing="$$missing util-linux"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi; \
	fi

# A real scan of this host with the built-in default policy. A non-compliant host is a
# result (exit 1/3 are shown, not turned into a make error); 2 (a usage error) fails.
scan: $(STAMP)
	@$(BIN)/ybguard scan --format console; rc=$$?; \
	case $$rc in 0) echo "exit 0: compliant";; 1) echo "exit 1: non-compliant (see above)";; \
	  3) echo "exit 3: incomplete (some checks could not read their facts)";; *) exit $$rc;; esac

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy src

# pytest exits 5 when it collects no test at all; that is "nothing to run", not a failure.
PYTEST := $(BIN)/pytest -q; rc=$$?; [ $$rc -eq 5 ] && { echo "pytest: no tests collected"; rc=0; }; exit $$rc

unit: $(STAMP)
	@$(PYTEST)

$(ANSIBLE):
	$(PYTHON) -m venv $(ANSIBLE_VENV)
	$(ANSIBLE_VENV)/bin/python -m pip install -q ansible-core

ansible: $(ANSIBLE)

test: sysdeps wine-deps $(STAMP) $(ANSIBLE) lint dist-windows
	@$(PYTEST)
	@$(MAKE) --no-print-directory unit-py39

# --- Windows: the Wine harness and the portable build (docs/windows.md) ----------------------
# Debian's wine64 (+ wine), and the zh_CN / en_US / zh_TW UTF-8 locales Wine needs to pick code
# pages 936, 1252 and 950; all installed only when missing.
WINE_LOCALES := zh_CN.UTF-8 en_US.UTF-8 zh_TW.UTF-8
wine-deps:
	@missing=""; command -v wine >/dev/null 2>&1 || missing="wine64 wine"; \
	command -v locale-gen >/dev/null 2>&1 || missing="$$missing locales"; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 \
	    install -y -qq --no-install-recommends $$missing >/dev/null; fi; \
	for l in $(WINE_LOCALES); do n=$$(echo $$l | sed 's/UTF-8/utf8/'); \
	  locale -a 2>/dev/null | grep -qx "$$n" && continue; \
	  grep -qx "$$l UTF-8" /etc/locale.gen 2>/dev/null || echo "$$l UTF-8" | $$( [ "$$(id -u)" = 0 ] || echo sudo ) tee -a /etc/locale.gen >/dev/null; \
	  need=1; done; \
	if [ -n "$$need" ]; then $$( [ "$$(id -u)" = 0 ] || echo sudo ) locale-gen >/dev/null; fi

# dist/ybguard-VERSION-windows-amd64.zip: embeddable CPython 3.9 (pinned sha256), win_amd64
# wheels resolved by a real Python 3.9, ybguard, ybguard.cmd. Downloads cached in .cache/.
dist-windows: $(STAMP)
	@$(BIN)/python tools/dist_windows.py 2>&1 | grep -v "is ignored: it is neither" || true
	@ls dist/ybguard-*-windows-amd64.zip >/dev/null

# The unit suite (no namespaces, no Wine) on the lowest supported Python, found, not assumed.
VENV39 ?= .venv39
# Tests that re-run ybguard as an unprivileged user: pyenv's 3.9 is built --enable-shared under
# /root, whose libpython3.9.so that user cannot load. They run on the main interpreter.
PY39_UNPRIVILEGED := not unreadable_shadow_is_error_not_pass and not cannot_be_stat_ed_is_an_error \
  and not hidden_access_point_daemon and not hidden_processes_are_an_error \
  and not unprivileged_scan_runs_from_a_private_checkout and not home_the_scan_cannot_enter
unit-py39: $(STAMP)
	@py39=$$($(BIN)/python -c 'import sys; sys.path.insert(0, "tools"); from dist_windows import find_python39; print(find_python39())') || exit 1; \
	if [ ! -x $(VENV39)/bin/python ] || [ pyproject.toml -nt $(VENV39)/.installed ]; then \
	  $$py39 -m venv $(VENV39) && $(VENV39)/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "is ignored" ; \
	  $(VENV39)/bin/python -m pip install -q -e '.[dev]' 2>&1 | grep -v "is ignored"; touch $(VENV39)/.installed; fi; \
	echo "unit suite on $$($(VENV39)/bin/python --version)"; \
	$(VENV39)/bin/pytest -q -p no:cacheprovider -m "not netns and not wine and not slow" \
	  -k "$(PY39_UNPRIVILEGED)" tests; rc=$$?; \
	[ $$rc -eq 5 ] && rc=0; exit $$rc

bench: $(STAMP)
	$(BIN)/python bench/run.py

docs: $(STAMP)
	$(BIN)/ybguard checks --format markdown > docs/checks.md

# Wheels for terminals without Internet (docs/deployment.md): ybguard plus every dependency for
# each platform and Python version below, installable with pip install --no-index --find-links.
WHEELHOUSE      ?= wheelhouse
WHEEL_PYTHONS   ?= 3.9 3.10 3.11 3.12 3.13
WHEEL_PLATFORMS ?= manylinux_2_17_x86_64 manylinux_2_17_aarch64 win_amd64
wheelhouse: $(STAMP)
	mkdir -p $(WHEELHOUSE)
	rm -f $(WHEELHOUSE)/ybguard-*.whl
	$(BIN)/python -m pip wheel -q --no-deps -w $(WHEELHOUSE) .
	$(BIN)/python tools/wheelhouse.py $(WHEELHOUSE) $(foreach v,$(WHEEL_PYTHONS),--python $(v)) \
	  $(foreach p,$(WHEEL_PLATFORMS),--platform $(p))

clean:
	rm -rf $(VENV) $(ANSIBLE_VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
