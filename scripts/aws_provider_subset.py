"""Cut a writable copy of terraform-provider-aws down to the services our ejects use.

Why: the whole provider compiles 265 AWS SDK service packages, which takes most of an
hour on two cores; the ejected stacks touch about twenty services. The provider's
generated registries are the only places that name every service:
`internal/provider/sdkv2/service_packages_gen.go` (the resources each service adds) and
`internal/conns/awsclient_gen.go` (one typed SDK client getter per service). Dropping
the services we do not use from the first, and then every getter that no remaining
package calls from the second, leaves a provider whose resources we use behave exactly
as upstream's: their code is not touched.

    python scripts/aws_provider_subset.py MODULE_DIR SERVICES_FILE

MODULE_DIR is the writable copy; SERVICES_FILE lists internal/service package names,
one a line (`#` comments). The cut is checked by the build itself: a getter a kept
package still needs is never dropped, because its name is found in the kept code.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

MODULE = "github.com/hashicorp/terraform-provider-aws"
SERVICE_IMPORT = re.compile(r'^\t(?:(\w+) )?"' + re.escape(MODULE) + r'/internal/service/(\w+)"$')
REGISTRATION = re.compile(r"^\t\t(\w+)\.ServicePackage\(ctx\),$")
GETTER = re.compile(r"^func \(c \*AWSClient\) (\w+Client)\(ctx context\.Context\) \*(\w+)\.Client \{$")
SDK_IMPORT = re.compile(r'^\t(?:(\w+) )?"github\.com/aws/aws-sdk-go-v2/service/([\w/]+)"$')


def read_services(path: Path) -> set[str]:
    names = {line.split("#", 1)[0].strip() for line in path.read_text().splitlines()}
    return {name for name in names if name}


def cut_service_packages(source: str, keep: set[str]) -> tuple[str, set[str]]:
    """Keep the imports and registrations of the kept services only."""
    aliases: dict[str, str] = {}
    out: list[str] = []
    for line in source.splitlines():
        if match := SERVICE_IMPORT.match(line):
            alias, package = match.group(1) or match.group(2), match.group(2)
            aliases[alias] = package
            if package not in keep:
                continue
        elif (match := REGISTRATION.match(line)) and aliases.get(match.group(1), match.group(1)) not in keep:
            continue
        out.append(line)
    unknown = keep - set(aliases.values())
    if unknown:
        raise SystemExit(f"aws_provider_subset: no such service package: {', '.join(sorted(unknown))}")
    return "\n".join(out) + "\n", set(aliases.values())


def cut_client_getters(source: str, used: set[str]) -> str:
    """Drop every client getter nobody calls, then the SDK imports left unused."""
    lines = source.splitlines()
    kept: list[str] = []
    index = 0
    while index < len(lines):
        match = GETTER.match(lines[index])
        if match and match.group(1) not in used:
            index += 3  # signature, return, closing brace
            if index < len(lines) and not lines[index]:
                index += 1
            continue
        kept.append(lines[index])
        index += 1
    body = "\n".join(line for line in kept if not SDK_IMPORT.match(line))
    final: list[str] = []
    for line in kept:
        match = SDK_IMPORT.match(line)
        if match:
            name = match.group(1) or match.group(2).rsplit("/", 1)[-1]
            if not re.search(r"\b" + re.escape(name) + r"\.", body):
                continue
        final.append(line)
    return "\n".join(final) + "\n"


def module_package_dirs(module_dir: Path) -> list[Path]:
    """Directories of the module's own packages the provider binary compiles."""
    listing = subprocess.run(
        ["go", "list", "-deps", "-json=ImportPath,Dir", "."],
        cwd=module_dir,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    decoder = json.JSONDecoder()
    dirs: list[Path] = []
    position = 0
    while position < len(listing):
        while position < len(listing) and listing[position].isspace():
            position += 1
        if position >= len(listing):
            break
        item, position = decoder.raw_decode(listing, position)
        if item["ImportPath"] == MODULE or item["ImportPath"].startswith(MODULE + "/"):
            dirs.append(Path(item["Dir"]))
    return dirs


def called_getters(dirs: list[Path], getters: set[str], skip: Path) -> set[str]:
    pattern = re.compile(r"\b(" + "|".join(sorted(getters)) + r")\(")
    used: set[str] = set()
    for directory in dirs:
        for path in directory.glob("*.go"):
            if path.name.endswith("_test.go") or path == skip:
                continue
            used.update(pattern.findall(path.read_text(errors="replace")))
    return used


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    module_dir, keep = Path(argv[1]).resolve(), read_services(Path(argv[2]))
    registry = module_dir / "internal/provider/sdkv2/service_packages_gen.go"
    text, every = cut_service_packages(registry.read_text(), keep)
    registry.write_text(text)
    clients = module_dir / "internal/conns/awsclient_gen.go"
    source = clients.read_text()
    getters = {match.group(1) for line in source.splitlines() if (match := GETTER.match(line))}
    used = called_getters(module_package_dirs(module_dir), getters, clients)
    clients.write_text(cut_client_getters(source, used))
    print(
        f"aws_provider_subset: {len(keep)} of {len(every)} services, {len(used)} of {len(getters)} SDK clients",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
