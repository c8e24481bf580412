"""``python run_with_demo.py ARGS`` = ``ybguard ARGS`` with the demo checks installed."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import demo  # noqa: E402

demo.install()
from ybguard.cli import main  # noqa: E402

main(sys.argv[1:])
