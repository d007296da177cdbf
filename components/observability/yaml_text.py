"""YAML as the observability files write it: block style, keys in the order given."""

from __future__ import annotations

from typing import Any

import yaml

from ...program.building_blocks import YAML_LINE_WIDTH


class _Dumper(yaml.SafeDumper):
    """Writes a value shared by two keys twice instead of as an anchor and an alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: Any) -> str:
    """Block-style YAML, keys in the order given, lines never folded, no anchors."""
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=YAML_LINE_WIDTH, allow_unicode=True
    )
