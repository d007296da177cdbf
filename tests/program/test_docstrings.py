"""Field docs read once per module (program/docstrings.py) are exactly pydantic's own."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

DUMP = textwrap.dedent("""
    import importlib, inspect, json, pkgutil, sys

    import pydantic
    from pydantic._internal import _fields

    import specql_deploy.program as program

    hook = _fields.extract_docstrings_from_cls
    if sys.argv[1] == "pydantic":
        _fields.extract_docstrings_from_cls = hook.__wrapped__  # pydantic's own, for every model below
    names = sorted(info.name for info in pkgutil.iter_modules(program.__path__) if info.name != "__main__")
    docs = {}
    for name in names:
        module = importlib.import_module(f"specql_deploy.program.{name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, pydantic.BaseModel) and cls.__module__ == module.__name__:
                docs[f"{name}.{cls.__qualname__}"] = {
                    field: info.description for field, info in cls.model_fields.items()
                }
    from specql_deploy.program.model import ResolvedDeployment
    from specql_deploy.program.schema import manifest_schema
    print(json.dumps({
        "hooked": hasattr(hook, "__wrapped__"),
        "docs": docs,
        "resolved": ResolvedDeployment.model_json_schema(),
        "manifest": manifest_schema(),
    }, sort_keys=True, default=str))
""")


def dump(mode: str) -> dict:
    output = subprocess.run([sys.executable, "-c", DUMP, mode], capture_output=True, text=True, check=True).stdout
    return json.loads(output)


def test_field_docs_read_once_per_module_are_pydantics_own():
    # GIVEN every pydantic model of program/, its field docs read by pydantic class by class
    theirs = dump("pydantic")
    # WHEN they are read through the per-module index instead
    ours = dump("index")
    # THEN the hook is in place, and every description and both JSON Schemas are the same
    assert ours["hooked"]
    assert sum(1 for fields in ours["docs"].values() for doc in fields.values() if doc) > 100
    assert ours["docs"] == theirs["docs"]
    assert ours["resolved"] == theirs["resolved"]
    assert ours["manifest"] == theirs["manifest"]
