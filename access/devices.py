"""A session's device in plain words, read from the browser's user agent by ua-parser (its rules are
maintained against real browsers; hand-written patterns would drift)."""

from functools import lru_cache

from ua_parser import parse

UNKNOWN_DEVICE = "Unknown browser"


@lru_cache(maxsize=256)
def describe_device(user_agent: str | None) -> str:
    """Like "Chrome 131 on Windows 10" or "Mobile Safari 17 on iOS 17.5 (iPhone)"."""
    if not user_agent:
        return UNKNOWN_DEVICE
    parsed = parse(user_agent)
    if parsed.user_agent is None:
        return UNKNOWN_DEVICE
    text = " ".join(part for part in (parsed.user_agent.family, parsed.user_agent.major) if part)
    if parsed.os is not None and parsed.os.family != "Other":
        version = ".".join(part for part in (parsed.os.major, parsed.os.minor) if part)
        text += " on " + " ".join(part for part in (parsed.os.family, version) if part)
    if parsed.device is not None and parsed.device.family not in ("Other", "Mac", "Spider"):
        text += f" ({parsed.device.family})"
    return text
