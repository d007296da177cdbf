"""moto's server, taught the Smithy RPC v2 CBOR protocol the AWS SDK for Go sends to CloudWatch.

The AWS provider (terraform-provider-aws, and pulumi-aws, which bridges it) calls
CloudWatch with `smithy-protocol: rpc-v2-cbor`: a CBOR body POSTed to
`/service/<ServiceId>/operation/<Operation>`. moto answers only the older JSON and
query protocols of the same operations, so every alarm and dashboard would fail with a
404. This bridge re-encodes such a request as the equivalent awsJson1_0 request
(`X-Amz-Target: <ServiceId>.<Operation>`), lets moto handle it, and re-encodes moto's
answer as CBOR, converting timestamps and blobs by the operation's botocore model. It
changes the encoding only, never what moto answers.

It also fills the few answers moto leaves out that AWS always gives and the provider
reads a resource back by (:func:`fill_gaps`): without them a resource reads back
differently from how it was created, which only a `refresh` or an `import` shows.

    python -m specql_deploy.automation.emulate_server -H 127.0.0.1 -p 5000
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

OPERATION_PATH = re.compile(r"^/service/([A-Za-z0-9]+)/operation/([A-Za-z0-9]+)$")
CBOR = "application/cbor"
TIMESTAMP_TAG = 1
"""CBOR tag 1: a timestamp as seconds since the epoch (how rpcv2Cbor writes every timestamp)."""

StartResponse = Callable[..., Any]


def _to_json(value: Any) -> Any:
    """A decoded CBOR request → what the JSON protocol carries (epoch seconds, base64 blobs)."""
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _to_cbor(value: Any, shape: Any) -> Any:
    """A JSON answer → CBOR values, typed by the botocore output shape."""
    import cbor2

    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {key: _to_cbor(item, members.get(key)) for key, item in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_to_cbor(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: _to_cbor(item, shape.value) for key, item in value.items()}
    if kind == "timestamp":
        seconds = value if isinstance(value, (int, float)) else datetime.fromisoformat(str(value)).timestamp()
        return cbor2.CBORTag(TIMESTAMP_TAG, seconds)
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    return value


class RpcV2CborBridge:
    """WSGI middleware: rpc-v2-cbor requests in, JSON-protocol requests to moto, CBOR out."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]):
        self.app = app
        self._models: dict[str, Any] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        match = OPERATION_PATH.match(environ.get("PATH_INFO", ""))
        if match is None or environ.get("HTTP_SMITHY_PROTOCOL") != "rpc-v2-cbor":
            return self.app(environ, start_response)
        import cbor2

        service_id, operation = match.groups()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        body = json.dumps(_to_json(cbor2.loads(raw)) if raw else {}).encode()
        inner = {
            **environ,
            "PATH_INFO": "/",
            "CONTENT_TYPE": "application/x-amz-json-1.0",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_AMZ_TARGET": f"{service_id}.{operation}",
            "wsgi.input": io.BytesIO(body),
        }
        inner.pop("HTTP_SMITHY_PROTOCOL", None)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        answer = b"".join(self.app(inner, capture))
        status = captured["status"]
        document = json.loads(answer) if answer.strip() else {}
        # errors keep their JSON shape: `__type` and `message` read the same in both protocols
        ok = status.startswith("2")
        payload = _to_cbor(document, self._output_shape(service_id, operation)) if ok else document
        encoded = cbor2.dumps(payload)
        headers = [
            (name, value)
            for name, value in captured["headers"]
            if name.lower() not in ("content-type", "content-length")
        ]
        headers += [("Content-Type", CBOR), ("Content-Length", str(len(encoded))), ("smithy-protocol", "rpc-v2-cbor")]
        start_response(status, headers)
        return [encoded]

    def _output_shape(self, service_id: str, operation: str) -> Any:
        """The operation's output shape, from the botocore model whose target prefix is `service_id`."""
        if service_id not in self._models:
            import botocore.session

            session = botocore.session.get_session()
            by_prefix = {session.get_service_model(name).metadata.get("targetPrefix"): name for name in _CBOR_SERVICES}
            self._models[service_id] = session.get_service_model(by_prefix[service_id])
        return self._models[service_id].operation_model(operation).output_shape


_CBOR_SERVICES = ("cloudwatch",)
"""botocore names of the services whose Go SDK client speaks rpc-v2-cbor."""


NAT_GATEWAY_AVAILABILITY_MODE = "zonal"
"""What DescribeNatGateways answers for a gateway created in one subnet (every one, before regional ones)."""


def fill_gaps() -> None:
    """Answers AWS always gives that moto 5.2.5 leaves out, as AWS gives them.

    - A NAT gateway's `AvailabilityMode`: the AWS provider reads `subnet_id` and
      `allocation_id` back only for a `zonal` gateway, so an imported gateway would have
      neither and be replaced.
    """
    from moto.ec2.models.nat_gateways import NatGateway

    if not hasattr(NatGateway, "availability_mode"):
        NatGateway.availability_mode = NAT_GATEWAY_AVAILABILITY_MODE  # type: ignore[attr-defined]


def serve(host: str, port: int) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    fill_gaps()
    app = RpcV2CborBridge(DomainDispatcherApplication(create_backend_app))
    run_simple(host, port, app, threaded=True, request_handler=MotoRequestHandler)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv)
    serve(args.host, args.port)


if __name__ == "__main__":
    main()
