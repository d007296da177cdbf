"""A Kubernetes control plane on 127.0.0.1 for the real-provider tier: etcd,
kube-apiserver and kube-controller-manager, with generated certificates and a kubeconfig.

The binaries come from `scripts/install-etcd.sh` and `scripts/install-kube-control-plane.sh`
(cached under ~/.cache/specql-deploy); nothing is downloaded at test time. There is no
kubelet and no scheduler: pods are admitted (Pod Security `restricted` is enforced on
them) and stay Pending, which is all the tier needs — the API server's validation and
admission of every object, and controllers that turn Deployments into ReplicaSets and
Pods, finalise namespaces and collect garbage on destroy.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
CONTROL_PLANE_BINARIES = ("kube-apiserver", "kube-controller-manager", "kubectl")
SERVICE_CIDR = "10.96.0.0/24"
"""ClusterIP range; the addresses exist only in the API server's allocator (no kube-proxy)."""
READY_TIMEOUT_SECONDS = 120
"""A loaded two-core machine can take a minute to bring kube-apiserver up."""
STOP_TIMEOUT_SECONDS = 20


# ----------------------------------------------------------------------------- binaries


def cache_root() -> Path:
    return Path(os.environ.get("SPECQL_CACHE") or Path.home() / ".cache" / "specql-deploy")


def _from_env_or_cache(variable: str, pattern: str, names: Sequence[str]) -> Path | None:
    """A folder holding every one of `names`: $variable if set, else the newest cached build."""
    configured = os.environ.get(variable)
    if configured:
        folder = Path(configured)
        return folder if all((folder / name).is_file() for name in names) else None
    for folder in sorted(cache_root().glob(pattern), reverse=True):
        if all((folder / name).is_file() for name in names):
            return folder
    return None


@dataclass(frozen=True)
class Binaries:
    kube_bin: Path
    """Folder of kube-apiserver, kube-controller-manager and kubectl."""
    etcd_bin: Path
    """Folder of etcd."""
    provider_bin: Path
    """Folder of pulumi-resource-kubernetes."""

    @property
    def kubectl(self) -> Path:
        return self.kube_bin / "kubectl"


def find_binaries() -> tuple[Binaries | None, list[str]]:
    """The three folders, or None and what is missing with the script that builds it."""
    kube = _from_env_or_cache("SPECQL_KUBE_BIN", "kubernetes-v*/bin", CONTROL_PLANE_BINARIES)
    etcd = _from_env_or_cache("SPECQL_ETCD_BIN", "etcd-v*/bin", ("etcd",))
    provider = _from_env_or_cache(
        "SPECQL_KUBERNETES_PROVIDER_BIN", "pulumi-kubernetes-*/bin", ("pulumi-resource-kubernetes",)
    )
    missing = []
    if kube is None:
        missing.append("kube-apiserver, kube-controller-manager and kubectl (scripts/install-kube-control-plane.sh)")
    if etcd is None:
        missing.append("etcd (scripts/install-etcd.sh)")
    if provider is None:
        missing.append("pulumi-resource-kubernetes (scripts/install-kubernetes-provider.sh)")
    if missing:
        return None, missing
    return Binaries(kube, etcd, provider), []  # type: ignore[arg-type]


# --------------------------------------------------------------------------- certificates


def _write_key(path: Path, key: Any) -> None:
    from cryptography.hazmat.primitives import serialization

    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    path.chmod(0o600)


def _certificate(
    subject: Any,
    issuer: Any,
    public_key: Any,
    signing_key: Any,
    *,
    ca: bool,
    sans: Sequence[Any] = (),
    client: bool = False,
    server: bool = False,
) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID

    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        usages = [
            usage
            for usage, wanted in ((ExtendedKeyUsageOID.CLIENT_AUTH, client), (ExtendedKeyUsageOID.SERVER_AUTH, server))
            if wanted
        ]
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False
    )
    return builder.sign(signing_key, hashes.SHA256())


@dataclass(frozen=True)
class Pki:
    folder: Path

    ca = property(lambda self: self.folder / "ca.crt")
    server_cert = property(lambda self: self.folder / "apiserver.crt")
    server_key = property(lambda self: self.folder / "apiserver.key")
    admin_cert = property(lambda self: self.folder / "admin.crt")
    admin_key = property(lambda self: self.folder / "admin.key")
    service_account_key = property(lambda self: self.folder / "sa.key")
    service_account_pub = property(lambda self: self.folder / "sa.pub")


def make_pki(folder: Path) -> Pki:
    """A CA, the API server's serving certificate, an admin client certificate
    (group system:masters) and the service-account signing key pair."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID

    folder.mkdir(parents=True, exist_ok=True)
    pki = Pki(folder)

    def name(common: str, organization: str | None = None) -> Any:
        attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common)]
        if organization:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
        return x509.Name(attributes)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name("specql-deploy test CA")
    ca_cert = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
    pki.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))

    server_key = ec.generate_private_key(ec.SECP256R1())
    first_service_ip = next(ipaddress.ip_network(SERVICE_CIDR).hosts())
    sans = [
        x509.DNSName("localhost"),
        x509.DNSName("kubernetes"),
        x509.DNSName("kubernetes.default"),
        x509.DNSName("kubernetes.default.svc"),
        x509.DNSName("kubernetes.default.svc.cluster.local"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(first_service_ip),
    ]
    server = _certificate(
        name("kube-apiserver"), ca_name, server_key.public_key(), ca_key, ca=False, sans=sans, server=True
    )
    pki.server_cert.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    _write_key(pki.server_key, server_key)

    admin_key = ec.generate_private_key(ec.SECP256R1())
    admin = _certificate(
        name("specql-admin", "system:masters"), ca_name, admin_key.public_key(), ca_key, ca=False, client=True
    )
    pki.admin_cert.write_bytes(admin.public_bytes(serialization.Encoding.PEM))
    _write_key(pki.admin_key, admin_key)

    service_accounts = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _write_key(pki.service_account_key, service_accounts)
    pki.service_account_pub.write_bytes(
        service_accounts.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return pki


def write_kubeconfig(path: Path, server: str, pki: Pki, context: str = "specql-test") -> Path:
    def data(file: Path) -> str:
        return base64.b64encode(file.read_bytes()).decode()

    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": context, "cluster": {"server": server, "certificate-authority-data": data(pki.ca)}}],
        "users": [
            {
                "name": context,
                "user": {"client-certificate-data": data(pki.admin_cert), "client-key-data": data(pki.admin_key)},
            }
        ],
        "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
        "current-context": context,
    }
    path.write_text(json.dumps(config, indent=2))
    path.chmod(0o600)
    return path


# ------------------------------------------------------------------------------ processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(text[-lines:])


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the test process dies (even by SIGKILL),
    so an aborted run leaves no control plane behind (Linux prctl PR_SET_PDEATHSIG)."""
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def start(name: str, command: Sequence[str], logs: Path) -> Process:
    log = logs / f"{name}.log"
    handle = log.open("w")
    # Its own session: stopping it never signals pytest, and nothing outlives the group.
    popen = subprocess.Popen(
        list(command),
        stdout=handle,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    handle.close()
    return Process(name, popen, log)


def stop(processes: Sequence[Process]) -> list[str]:
    """SIGTERM each process (last started first), SIGKILL what does not exit in time.
    Returns the names of those that had to be killed."""
    killed = []
    for process in reversed(processes):
        if process.popen.poll() is not None:
            continue
        process.popen.terminate()
        try:
            process.popen.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.popen.wait(timeout=STOP_TIMEOUT_SECONDS)
            killed.append(process.name)
    return killed


class ControlPlaneError(RuntimeError):
    pass


@dataclass
class Cluster:
    """A running control plane; `kubectl(...)` talks to it with the admin kubeconfig."""

    root: Path
    binaries: Binaries
    server: str
    kubeconfig: Path
    pki: Pki
    processes: list[Process] = field(default_factory=list)
    version: str = ""

    def kubectl(
        self, *args: str, input: str | None = None, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess:
        completed = subprocess.run(
            [str(self.binaries.kubectl), "--kubeconfig", str(self.kubeconfig), *args],
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and completed.returncode != 0:
            raise AssertionError(
                f"kubectl {' '.join(args)} exited {completed.returncode}:\n{completed.stdout}\n{completed.stderr}"
            )
        return completed

    def get(self, *args: str) -> dict[str, Any]:
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)

    def exists(self, *args: str) -> bool:
        return self.kubectl("get", *args, check=False).returncode == 0

    def request(self, path: str, timeout: float = 5) -> tuple[int, str]:
        context = ssl.create_default_context(cafile=str(self.pki.ca))
        context.load_cert_chain(str(self.pki.admin_cert), str(self.pki.admin_key))
        try:
            with urllib.request.urlopen(self.server + path, context=context, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def diagnostics(self) -> str:
        return "\n".join(
            f"--- {process.name} (exit {process.popen.poll()}) ---\n{process.tail()}" for process in self.processes
        )

    def wait_for(self, what: str, check, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.popen.poll() is not None:
                    raise ControlPlaneError(f"{process.name} exited while waiting for {what}:\n{self.diagnostics()}")
            try:
                if check():
                    return
            except (OSError, ssl.SSLError, urllib.error.URLError):
                pass
            time.sleep(0.5)
        raise ControlPlaneError(f"timed out after {timeout:.0f}s waiting for {what}:\n{self.diagnostics()}")

    def stop(self) -> list[str]:
        return stop(self.processes)


def etcd_command(binaries: Binaries, data: Path, client: int, peer: int) -> list[str]:
    return [
        str(binaries.etcd_bin / "etcd"),
        "--name",
        "test",
        "--data-dir",
        str(data),
        "--listen-client-urls",
        f"http://127.0.0.1:{client}",
        "--advertise-client-urls",
        f"http://127.0.0.1:{client}",
        "--listen-peer-urls",
        f"http://127.0.0.1:{peer}",
        "--initial-advertise-peer-urls",
        f"http://127.0.0.1:{peer}",
        "--initial-cluster",
        f"test=http://127.0.0.1:{peer}",
        "--log-level",
        "warn",
        # A throwaway store: durability costs fsyncs the tests do not need.
        "--unsafe-no-fsync",
    ]


def apiserver_command(binaries: Binaries, pki: Pki, etcd: int, port: int) -> list[str]:
    return [
        str(binaries.kube_bin / "kube-apiserver"),
        "--etcd-servers",
        f"http://127.0.0.1:{etcd}",
        "--bind-address",
        "127.0.0.1",
        "--advertise-address",
        "127.0.0.1",
        "--secure-port",
        str(port),
        "--tls-cert-file",
        str(pki.server_cert),
        "--tls-private-key-file",
        str(pki.server_key),
        "--client-ca-file",
        str(pki.ca),
        "--service-account-issuer",
        "https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file",
        str(pki.service_account_pub),
        "--service-account-signing-key-file",
        str(pki.service_account_key),
        "--service-cluster-ip-range",
        SERVICE_CIDR,
        "--authorization-mode",
        "RBAC",
        # On by default since 1.25; named so the tier fails if a build ever lacks it.
        "--enable-admission-plugins",
        "PodSecurity",
        "--allow-privileged=false",
        "--profiling=false",
        "--v=1",
    ]


def controller_manager_command(binaries: Binaries, pki: Pki, kubeconfig: Path) -> list[str]:
    return [
        str(binaries.kube_bin / "kube-controller-manager"),
        "--kubeconfig",
        str(kubeconfig),
        # No serving port: readiness is read from what the controllers do.
        "--secure-port",
        "0",
        "--leader-elect=false",
        "--use-service-account-credentials=false",
        "--root-ca-file",
        str(pki.ca),
        "--service-account-private-key-file",
        str(pki.service_account_key),
        "--controllers",
        "*",
        "--concurrent-gc-syncs",
        "5",
        "--v=1",
    ]


def start_cluster(root: Path, binaries: Binaries) -> Cluster:
    """Start etcd, kube-apiserver and kube-controller-manager; return once all serve."""
    root.mkdir(parents=True, exist_ok=True)
    logs = root / "logs"
    logs.mkdir(exist_ok=True)
    pki = make_pki(root / "pki")
    etcd_client, etcd_peer, api_port = free_port(), free_port(), free_port()
    server = f"https://127.0.0.1:{api_port}"
    kubeconfig = write_kubeconfig(root / "kubeconfig", server, pki)
    cluster = Cluster(root=root, binaries=binaries, server=server, kubeconfig=kubeconfig, pki=pki)
    try:
        cluster.processes.append(start("etcd", etcd_command(binaries, root / "etcd", etcd_client, etcd_peer), logs))
        cluster.wait_for(
            "etcd", lambda: urllib.request.urlopen(f"http://127.0.0.1:{etcd_client}/health", timeout=2).status == 200
        )
        cluster.processes.append(start("kube-apiserver", apiserver_command(binaries, pki, etcd_client, api_port), logs))
        cluster.wait_for("kube-apiserver /readyz", lambda: cluster.request("/readyz")[0] == 200)
        cluster.processes.append(
            start("kube-controller-manager", controller_manager_command(binaries, pki, kubeconfig), logs)
        )
        # The service-account controller gives every namespace its `default` account.
        cluster.wait_for(
            "kube-controller-manager (the default ServiceAccount)",
            lambda: cluster.request("/api/v1/namespaces/default/serviceaccounts/default")[0] == 200,
        )
        cluster.version = json.loads(cluster.request("/version")[1])["gitVersion"]
    except BaseException:
        cluster.stop()
        raise
    return cluster


# ----------------------------------------------------------------------------- the plugin


def install_provider_plugin(binaries: Binaries, pulumi_home: Path, version: str, env: Mapping[str, str]) -> None:
    """`pulumi plugin install resource kubernetes VERSION --file ...` into an isolated PULUMI_HOME."""
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise ControlPlaneError("pulumi is not on PATH")
    completed = subprocess.run(
        [
            pulumi,
            "plugin",
            "install",
            "resource",
            "kubernetes",
            version,
            "--file",
            str(binaries.provider_bin / "pulumi-resource-kubernetes"),
            "--non-interactive",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **env, "PULUMI_HOME": str(pulumi_home), "PULUMI_SKIP_UPDATE_CHECK": "true"},
    )
    if completed.returncode != 0:
        raise ControlPlaneError(f"pulumi plugin install --file failed:\n{completed.stdout}\n{completed.stderr}")


def wait_until(check, timeout: float, what: str, interval: float = 1.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return None
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)
