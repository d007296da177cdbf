"""Sizes and times as Kubernetes writes them: CPU and memory quantities, container
resources, the hour and minute a backup window opens."""

from __future__ import annotations

from typing import Any


def cpu_quantity(vcpu: float) -> str:
    """vCPU as a Kubernetes quantity: `0.5` → `500m`, `2` → `2`."""
    millicores = int(round(vcpu * 1000))
    return str(millicores // 1000) if millicores % 1000 == 0 else f"{millicores}m"


def memory_quantity(mib: int) -> str:
    """MiB as a Kubernetes quantity: `512` → `512Mi`, `2048` → `2Gi`."""
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def resources(vcpu: float, memory_mib: int) -> dict[str, Any]:
    """Container resources with limits equal to requests (Guaranteed QoS: never evicted first,
    never throttled below what was scheduled)."""
    amounts = {"cpu": cpu_quantity(vcpu), "memory": memory_quantity(memory_mib)}
    return {"requests": dict(amounts), "limits": dict(amounts)}


def daily_time(window: str) -> tuple[int, int]:
    """(hour, minute) at which a `HH:MM-HH:MM` window opens."""
    start = window.split("-", 1)[0]
    hour, minute = start.split(":")
    return int(hour), int(minute)
