"""Policy fuzzing (issue 11): ≥ 2,000 mutated policies per run, every one either valid or a
clean PolicyError that renders in 中文 and English and encodes as UTF-8 — never another
exception — and a sample through the real CLI, which must exit 0 or 2 without a traceback.

The seed changes every run (YBGUARD_FUZZ_SEED repeats one); a failure names the seed and the
document, so it can be turned into a regression case."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

from policyfuzz import documents

from ybguard.checks import ALL_CHECKS
from ybguard.policy import PolicyError, dump_policy, parse_policy_text

COUNT = 2000
CLI_SAMPLE = 8
SEED = int(os.environ.get("YBGUARD_FUZZ_SEED") or random.SystemRandom().randrange(1 << 31))
IDS = tuple(c.id for c in ALL_CHECKS)


def test_mutated_policies_end_valid_or_as_clean_policy_errors() -> None:
    start = time.monotonic()
    outcomes = {"valid": 0, "error": 0}
    for n, text in enumerate(documents(SEED, COUNT)):
        try:
            policy = parse_policy_text(text, "fuzz.yaml", known_checks=IDS)
        except PolicyError as exc:
            outcomes["error"] += 1
            for lang in ("zh", "en"):
                message = exc.render(lang)
                assert message.startswith("fuzz.yaml"), (SEED, n, message)
                message.encode("utf-8")  # a lone surrogate here would lose the whole report
            continue
        except Exception as exc:  # noqa: BLE001 - exactly what must never happen
            raise AssertionError(f"seed {SEED} document {n}: {type(exc).__name__}: {exc}\n{text!r}") from None
        outcomes["valid"] += 1
        dump_policy(policy).encode("utf-8")  # policy show must work on whatever validated
    elapsed = time.monotonic() - start
    print(f"policy fuzz: seed {SEED}, {COUNT} documents, {outcomes}, {elapsed:.1f} s")
    assert sum(outcomes.values()) == COUNT
    assert outcomes["valid"] and outcomes["error"]  # the generator exercises both sides


def test_a_sample_through_the_cli(tmp_path: Path) -> None:
    for n, text in enumerate(documents(SEED + 1, CLI_SAMPLE)):
        path = tmp_path / f"p{n}.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        run = subprocess.run([sys.executable, "-m", "ybguard", "policy", "validate", str(path)],
                             capture_output=True, timeout=60, env=dict(os.environ, LANG="zh_CN.UTF-8"))
        stderr = run.stderr.decode("utf-8", "replace")
        assert run.returncode in (0, 2), (SEED + 1, n, run.returncode, stderr, text)
        assert "Traceback" not in stderr and "internal error" not in stderr, (SEED + 1, n, stderr)
