"""Messages for the windows area: key -> (中文, English)."""

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {}
