"""How much memory this process may still take, and the one check made before
allocating what a file's header or a design claims.

A header can claim anything (an ``.npz`` saying 48 GB, a 2 KB PNG of
30000 x 30000 pixels, a layer of a billion units); allocating first and
catching the failure afterwards may instead wake the kernel's OOM killer or
swap the machine to a halt. So every reader compares the claim with what is
free, here, before it allocates.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from designer.graph.summary import human_bytes

FALLBACK = 4 << 30  # when the system will not say: a conservative 4 GiB
_MEMINFO = Path("/proc/meminfo")
_CGROUP_FILES = (  # (limit, usage, statistics, reclaimable cache key) of this process's control group: v2, then v1
    (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory.current"), Path("/sys/fs/cgroup/memory.stat"), "inactive_file"),
    (
        Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
        Path("/sys/fs/cgroup/memory/memory.usage_in_bytes"),
        Path("/sys/fs/cgroup/memory/memory.stat"),
        "total_inactive_file",
    ),
)


def available_memory() -> int:
    """Bytes this process can still allocate: the kernel's MemAvailable, capped by
    a container's limit; elsewhere the machine's physical memory; else 4 GiB."""
    free = _meminfo_available()
    if free is None:
        free = _physical_memory()
    cgroup = _cgroup_room()
    if cgroup is not None:
        free = min(free, cgroup) if free is not None else cgroup
    return free if free is not None else FALLBACK


def memory_shortfall(nbytes: int) -> str | None:
    """None when ``nbytes`` fits in free memory, else the sentence saying how much
    is needed and how much is free (for the caller's one-line message)."""
    free = available_memory()
    if nbytes <= free:
        return None
    return f"needs {human_bytes(nbytes)} of memory, more than the {human_bytes(free)} free"


def check_memory(nbytes: int, what: str, error: type[Exception], advice: str = "") -> None:
    """Raise ``error("{what} needs N GB of memory, more than the M GB free: {advice}")``
    when ``nbytes`` will not fit; call it before allocating what a header claims."""
    short = memory_shortfall(nbytes)
    if short is not None:
        raise error(f"{what} {short}" + (f": {advice}" if advice else ""))


def _meminfo_available() -> int | None:
    try:
        text = _MEMINFO.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("MemAvailable:"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                return int(parts[1]) * 1024
    return None


def _physical_memory() -> int | None:
    if sys.platform == "win32":
        return _windows_available()
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def _windows_available() -> int | None:
    import ctypes

    class MemoryStatus(ctypes.Structure):
        _fields_ = [
            ("length", ctypes.c_ulong),
            ("load", ctypes.c_ulong),
            ("total_phys", ctypes.c_ulonglong),
            ("avail_phys", ctypes.c_ulonglong),
            ("total_page", ctypes.c_ulonglong),
            ("avail_page", ctypes.c_ulonglong),
            ("total_virtual", ctypes.c_ulonglong),
            ("avail_virtual", ctypes.c_ulonglong),
            ("avail_extended", ctypes.c_ulonglong),
        ]

    status = MemoryStatus()
    status.length = ctypes.sizeof(MemoryStatus)
    if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined]
        return None
    return int(status.avail_phys)


def _cgroup_room() -> int | None:
    """What a container's memory limit still leaves, or None without a limit.
    Its usage counts file cache too; the inactive part of it is given back on
    demand, so it counts as free (as the kernel's MemAvailable does)."""
    for limit_file, usage_file, stat_file, cache_key in _CGROUP_FILES:
        try:
            limit_text = limit_file.read_text().strip()
            usage = int(usage_file.read_text().strip())
        except (OSError, ValueError):
            continue
        if not limit_text.isdigit() or int(limit_text) >= 1 << 60:  # "max", or v1's "no limit" sentinel
            return None
        return max(0, int(limit_text) - usage + _stat_value(stat_file, cache_key))
    return None


def _stat_value(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key and value.strip().isdigit():
                return int(value)
    except OSError:
        pass
    return 0
