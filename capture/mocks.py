"""Running a Pulumi program under recording mocks: no engine, no cloud account, no network.

The mock monitor records each registration (type, name, URN, parent, dependencies,
provider, protect and retain flags, output property names) as a
:class:`~.graph.CapturedResource` with its inputs as the engine receives them, and
returns a :class:`~.graph.ResourceGraph`.

An ``outputs_for`` hook decides what each mocked resource returns. By default every
resource returns its inputs plus its id; the OpenTofu exporter passes a hook that
returns HCL reference text for every output property, so inputs built from other
resources' outputs arrive already written as HCL interpolations. Data-source calls are
answered from :mod:`.answers` unless the run passes its own ``calls``.
"""

from __future__ import annotations

import collections.abc
import functools
import sys
import threading
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .answers import ANSWERS, CallHandler
from .graph import MASK, CapturedResource, ResourceGraph

if TYPE_CHECKING:
    from ..program.model import ResolvedDeployment

# Special keys of Pulumi's wire format (pulumi.runtime.rpc).
_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

_LOCK = threading.Lock()  # the Pulumi runtime is process-global: one capture at a time


OutputsHook = Callable[[CapturedResource], Mapping[str, Any]]


def capture(
    resolved: ResolvedDeployment,
    *,
    outputs_for: OutputsHook | None = None,
    calls: Mapping[str, CallHandler] | None = None,
) -> ResourceGraph:
    """Run the deployment's Pulumi program under mocks (`calls`: see :func:`run_under_mocks`)."""
    from ..program import build

    return run_under_mocks(
        lambda: build(resolved, offline=True),
        project=resolved.deployment.name,
        stack=resolved.deployment.environment,
        outputs_for=outputs_for,
        calls=calls,
    )


def run_under_mocks(
    program: Callable[[], None],
    *,
    project: str = "specql",
    stack: str = "test",
    outputs_for: OutputsHook | None = None,
    calls: Mapping[str, CallHandler] | None = None,
) -> ResourceGraph:
    """Run any Pulumi program function under mocks and return what it registered.

    `calls` answers data-source calls (token → handler) for this run only, over the
    default answers; nothing global changes, so two captures cannot see each other's.
    """
    import pulumi
    from pulumi.runtime import mocks, settings
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    with _LOCK:
        recorder = _Recorder(outputs_for, calls or {})
        monitor = _RecordingMonitor(recorder, project, stack)
        settings.set_root_resource(None)  # type: ignore[arg-type]  # the runtime's own reset
        mocks.set_mocks(recorder, project=project, stack=stack, preview=False, monitor=monitor)  # type: ignore[arg-type]
        settings.SETTINGS.rpc_manager.clear()
        settings.SETTINGS.outputs.clear()
        exported: dict[str, Any] = {}

        def wrapped() -> None:
            pulumi.runtime.register_stack_transformation(recorder.remember_class)
            program()

        try:
            _sync_await(run_pulumi_func(wrapped))
            root = settings.get_root_resource()
            for key, value in sorted(getattr(root, "outputs", {}).items()):
                exported[key] = _sync_await(_resolve_output(value))
        finally:
            settings.set_root_resource(None)  # type: ignore[arg-type]
        return ResourceGraph(resources=tuple(recorder.resources), outputs=exported)


async def _resolve_output(value: Any) -> Any:
    import pulumi

    output = pulumi.Output.from_input(value)
    if await output.is_secret():
        return MASK
    return await output.future()


class _Recorder:
    """pulumi Mocks that remembers everything and asks the hook for outputs."""

    def __init__(self, outputs_for: OutputsHook | None, calls: Mapping[str, CallHandler]):
        self.outputs_for = outputs_for
        self.calls = calls  # this run's own answers, over the shared ones (answers.ANSWERS)
        self.resources: list[CapturedResource] = []
        self.classes: dict[tuple[str, str], type] = {}

    def remember_class(self, args: Any) -> None:
        """Stack transformation: note each resource's Python class (its output names)."""
        self.classes[(args.type_, args.name)] = type(args.resource)
        return None

    def output_shape(self, type_token: str, name: str) -> OutputShape:
        cls = self.classes.get((type_token, name))
        return output_shape(cls) if cls is not None else OutputShape((), {})

    def state_of(self, resource: CapturedResource) -> tuple[str, dict]:
        """What a mocked resource returns: the hook's answer, or its inputs and an id."""
        if self.outputs_for:
            state = dict(self.outputs_for(resource))
        else:
            state = dict(resource.inputs)
            if "arn" in resource.output_names and "arn" not in state:
                state["arn"] = f"arn:aws:offline:::{resource.name}"
        identifier = state.pop("id", None) or f"{resource.name}-id"
        return str(identifier), state

    def region_of(self, provider_ref: str | None) -> str:
        urn = provider_ref.rsplit("::", 1)[0] if provider_ref else None
        for resource in self.resources:
            if resource.urn == urn and resource.is_provider:
                return str(resource.inputs.get("region") or "us-east-1")
        return "us-east-1"

    # pulumi.runtime.Mocks protocol
    def new_resource(self, args: Any) -> tuple[str, dict]:  # pragma: no cover - the monitor answers first
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: Any) -> tuple[dict, list]:
        handler = self.calls.get(args.token) or ANSWERS.get(args.token)
        return (handler(args.args, self.region_of(args.provider)) if handler else {}), []


def _make_monitor_class():
    from pulumi.runtime.mocks import MockMonitor

    class RecordingMonitor(MockMonitor):
        """MockMonitor that records parents, dependencies and options before registering."""

        def __init__(self, recorder: _Recorder, project: str, stack: str):
            super().__init__(recorder)  # type: ignore[arg-type]  # it speaks the Mocks protocol
            self.recorder = recorder
            self.project, self.stack = project, stack

        def make_urn(self, parent: str, type_: str, name: str) -> str:
            """URNs as the engine writes them: the full parent type chain, no Stack type."""
            if parent and "::pulumi:pulumi:Stack::" not in parent:
                type_ = parent.split("::")[2] + "$" + type_
            return f"urn:pulumi:{self.stack}::{self.project}::{type_}::{name}"

        def RegisterResource(self, request: Any) -> Any:
            if request.type != "pulumi:pulumi:Stack":
                from google.protobuf import json_format

                urn = self.make_urn(request.parent, request.type, request.name)
                raw = json_format.MessageToDict(request.object, preserving_proto_field_name=True)
                secrets: list[str] = []
                inputs = _decode(raw, "", secrets)
                shape = self.recorder.output_shape(request.type, request.name)
                self.recorder.resources.append(
                    CapturedResource(
                        type=request.type,
                        name=request.name,
                        urn=urn,
                        parent=request.parent or None,
                        dependencies=tuple(sorted(set(request.dependencies))),
                        inputs=inputs,
                        provider=(request.provider.rsplit("::", 1)[0] if request.provider else None),
                        custom=bool(request.custom),
                        protect=bool(getattr(request, "protect", False)),
                        retain_on_delete=bool(getattr(request, "retainOnDelete", False)),
                        secret_paths=tuple(secrets),
                        output_names=shape.names,
                        list_outputs=shape.list_objects,
                    )
                )
                if not request.custom:
                    # Components have no provider: register without asking the mocks.
                    return _component_response(urn)
                return self._answer(urn, self.recorder.resources[-1])
            return super().RegisterResource(request)

        def _answer(self, urn: str, resource: CapturedResource) -> Any:
            from pulumi.runtime import rpc
            from pulumi.runtime.mocks import _ensure_event_loop
            from pulumi.runtime.proto import resource_pb2
            from pulumi.runtime.sync_await import _sync_await

            _ensure_event_loop()
            identifier, state = self.recorder.state_of(resource)
            wire = _sync_await(rpc.serialize_properties(state, {}))
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, identifier, state)
            return resource_pb2.RegisterResourceResponse(urn=urn, id=identifier, object=wire)

    return RecordingMonitor


def _component_response(urn: str) -> Any:
    from pulumi.runtime.proto import resource_pb2

    return resource_pb2.RegisterResourceResponse(urn=urn)


_RecordingMonitorClass: Any = None


def _RecordingMonitor(recorder: _Recorder, project: str, stack: str) -> Any:
    global _RecordingMonitorClass
    if _RecordingMonitorClass is None:
        _RecordingMonitorClass = _make_monitor_class()
    return _RecordingMonitorClass(recorder, project, stack)


# --------------------------------------------------------------------- output shapes


@dataclass(frozen=True)
class OutputShape:
    """What a resource class returns, read from its SDK getters."""

    names: tuple[str, ...]
    """Every output property, as the engine spells it."""
    list_objects: Mapping[str, tuple[str, ...]]
    """Output properties typed as a list of objects → the fields of one object."""


@functools.cache
def output_shape(cls: type) -> OutputShape:
    """The output properties of a Pulumi resource class, from the `@pulumi.getter`s of the
    class and of the output types its list-valued properties hold."""
    names: set[str] = set()
    list_objects: dict[str, tuple[str, ...]] = {}
    for pulumi_name, getter in _getters(cls):
        names.add(pulumi_name)
        item = _list_item_type(getter)
        if item is not None:
            fields = tuple(sorted(field_name for field_name, _ in _getters(item)))
            if fields:
                list_objects[pulumi_name] = fields
    names.discard("urn")
    return OutputShape(tuple(sorted(names)), dict(sorted(list_objects.items())))


def _getters(cls: type) -> list[tuple[str, Any]]:
    found: dict[str, Any] = {}
    for klass in cls.__mro__:
        for attribute in vars(klass).values():
            getter = getattr(attribute, "fget", None)
            pulumi_name = getattr(getter, "_pulumi_name", None)
            if pulumi_name and pulumi_name not in found:
                found[pulumi_name] = getter
    return list(found.items())


def _list_item_type(getter: Any) -> type | None:
    """`Output[Sequence[X]]` (or `Sequence[X]`, optional or not) → X when X is a class."""
    try:
        hint = typing.get_type_hints(getter, globalns=vars(sys.modules[getter.__module__]))["return"]
    except Exception:  # noqa: BLE001 - an annotation that does not evaluate: no shape
        return None
    while True:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin is typing.Union or origin is types.UnionType:
            rest = [arg for arg in args if arg is not type(None)]
            if len(rest) != 1:
                return None
            hint = rest[0]
        elif origin is not None and getattr(origin, "__name__", "") == "Output" and args:
            hint = args[0]
        elif origin in (list, tuple, collections.abc.Sequence) and args:
            item = args[0]
            return item if isinstance(item, type) else None
        else:
            return None


# ------------------------------------------------------------------------ wire format


def _decode(value: Any, path: str, secrets: list[str]) -> Any:
    """Wire-format values → plain Python, recording secret paths."""
    if isinstance(value, dict):
        signature = value.get(_SIG)
        if signature == _SECRET_SIG:
            secrets.append(path)
            return _decode(value.get("value"), path, [])
        if signature == _OUTPUT_SIG:
            if value.get("secret"):
                secrets.append(path)
            return _decode(value.get("value", UNKNOWN), path, [])
        if signature == _RESOURCE_SIG:
            return value.get("id") or value.get("urn")
        if signature is not None:
            return {key: item for key, item in value.items() if key != _SIG}
        # protobuf map order varies between processes: sort so every consumer is stable
        return {key: _decode(value[key], f"{path}.{key}" if path else key, secrets) for key in sorted(value)}
    if isinstance(value, list):
        return [_decode(item, f"{path}[{index}]", secrets) for index, item in enumerate(value)]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
