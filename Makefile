# ybguard — two commands: `make scan` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# command:Debian-package pairs the test suite needs; installed only when missing.
SYSTEM_TOOLS := ip:iproute2 tcpdump:tcpdump nft:nftables iptables:iptables debootstrap:debootstrap \
                tcpreplay:tcpreplay modprobe:kmod ps:procps sha256sum:coreutils rpm:rpm rpmbuild:rpm

.PHONY: all scan test lint unit sysdeps venv bench docs clean

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
	[ -x /lib/systemd/systemd-journal-remote ] || missing="$$missing systemd-journal-remote"; \
	command -v utmpdump >/dev/null 2>&1 || missing="$$missing util-linux"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi; \
	fi

# A real scan of this host with the built-in default policy. A non-compliant host is a
# result (exit 1/3 are shown, not turned into a make error); 2 (a usage error) fails.
scan: $(STAMP)
	@$(BIN)/ybguard scan --format console; rc=$$?; \
	case $$rc in 0) echo "exit 0: compliant";; 1) echo "exit 1: non-compliant (see above)";; \
	  3) echo "exit 3: incomplete (some checks could not read their facts)";; *) exit $$rc;; esac

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

# pytest exits 5 when it collects no test at all; that is "nothing to run", not a failure.
PYTEST := $(BIN)/pytest -q; rc=$$?; [ $$rc -eq 5 ] && { echo "pytest: no tests collected"; rc=0; }; exit $$rc

unit: $(STAMP)
	@$(PYTEST)

test: sysdeps $(STAMP) lint
	@$(PYTEST)

bench: $(STAMP)
	$(BIN)/python bench/run.py

docs: $(STAMP)
	$(BIN)/ybguard checks --format markdown > docs/checks.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
