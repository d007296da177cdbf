"""`--emulate`: a throwaway moto server standing in for AWS.

moto implements the AWS APIs in memory. `MotoServer` starts moto's server (with the
CBOR bridge of :mod:`.emulate_server`) on 127.0.0.1 at a free port and stops it afterwards; `aws_provider_config` points the
aws provider at it (every service endpoint, no credential or account lookups,
path-style S3) so a program can be exercised with no AWS account.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any, Self

from .errors import DeployError

START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
"""moto accepts any credentials; these make sure real ones are never sent to it."""

# Services the project's components call; the aws provider takes one endpoint per service.
EMULATED_SERVICES = (
    "acm",
    "apigateway",
    "applicationautoscaling",
    "autoscaling",
    "backup",
    "cloudfront",
    "cloudwatch",
    "cloudwatchlogs",
    "dynamodb",
    "ec2",
    "ecr",
    "ecs",
    "efs",
    "elasticache",
    "elb",
    "elbv2",
    "events",
    "iam",
    "kms",
    "lambda",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "sts",
    "wafv2",
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def moto_available() -> None:
    """Raise the install hint when moto's server or the CBOR codec is missing."""
    from importlib.util import find_spec

    if find_spec("moto") is None or find_spec("werkzeug") is None or find_spec("cbor2") is None:
        raise DeployError("--emulate needs moto's server and cbor2: pip install 'moto[server]' cbor2")


EMULATOR_ENVIRONMENT = {
    # AWS-managed IAM policies (AmazonRDSEnhancedMonitoringRole, ...) exist in every real
    # account; moto creates them only when asked.
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
}


class MotoServer:
    """`with MotoServer() as moto:` → `moto.endpoint` is `http://127.0.0.1:<port>`."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen | None = None

    def start(self) -> Self:
        moto_available()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "specql_deploy.automation.emulate_server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **DUMMY_CREDENTIALS, **EMULATOR_ENVIRONMENT},
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise DeployError(f"moto_server exited at start (code {self._process.returncode})")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/reset", data=b"", timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise DeployError(f"moto_server did not answer on {self.endpoint} within {START_TIMEOUT_SECONDS}s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def reset(self) -> None:
        """Forget every resource the emulator holds (a fresh account, same endpoint)."""
        with urllib.request.urlopen(f"{self.endpoint}/moto-api/reset", data=b"", timeout=STOP_TIMEOUT_SECONDS):
            pass

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def environment(self, region: str) -> dict[str, str]:
        """Environment for processes talking to the emulator (AWS SDKs honour these)."""
        return {
            **DUMMY_CREDENTIALS,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ENDPOINT_URL": self.endpoint,
        }


def aws_provider_config(endpoint: str) -> dict[str, Any]:
    """Stack config (paths for set_all_config(path=True)) pointing the aws provider at moto."""
    config: dict[str, Any] = {
        "aws:skipCredentialsValidation": True,
        "aws:skipRequestingAccountId": True,
        "aws:skipMetadataApiCheck": True,
        "aws:s3UsePathStyle": True,
        "aws:accessKey": DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws:secretKey": DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }
    for service in EMULATED_SERVICES:
        config[f"aws:endpoints[0].{service}"] = endpoint
    return config
