"""``docs/deploy.md`` is run, block by block, in the order of the page.

Each fenced block carries a marker in the HTML comment before it:

- ``run [postgis|spatialite] [root]``: run in one bash session (variables carry over
  from block to block), on the named backend only if one is named; ``root`` blocks
  need ``runuser -u postgres`` (CI runs as root);
- ``serve``: a one-line command started in the background; the next blocks run once
  ``/healthz`` answers, and it is stopped with SIGTERM at the end;
- ``nginx-site``: the site file; the test starts nginx with it (on loopback ports, with
  a self-signed certificate) and the next blocks go through it;
- ``skip REASON``: not run, and the reason says what tests it instead.

The page's example names (role, database, paths, ports) are replaced by scratch ones
through ``substitutions``; every replaced text must still occur in the page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from cesp.storage.settings import REPO_ROOT
from tests.api.live_server import free_port

DOC = REPO_ROOT / "docs" / "deploy.md"
BLOCK = re.compile(
    r"^<!-- doc-test: (?P<kind>[a-z-]+)(?P<args>[^>]*?) -->\n```(?P<lang>\w+)\n(?P<text>.*?)^```$",
    re.M | re.S,
)
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)
DOC_ROLE_PASSWORD = "CHANGE-ME"
NGINX_WRAPPER = """
worker_processes 1;
user root;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/site.conf;
}}
"""


@dataclass(frozen=True)
class Block:
    """One fenced block of the page and its marker."""

    kind: str
    args: tuple[str, ...]
    lang: str
    text: str
    line: int


def blocks(page: str) -> list[Block]:
    """Every fenced block with a language, and its marker (one without is an error)."""
    fences = [f for f in FENCE.finditer(page) if f.group(1)]
    found = [
        Block(
            m["kind"],
            tuple(m["args"].split()),
            m["lang"],
            m["text"],
            page[: m.start()].count("\n") + 1,
        )
        for m in BLOCK.finditer(page)
    ]
    assert len(found) == len(fences), "a block of docs/deploy.md has no doc-test marker"
    return found


def substitute(text: str, table: dict[str, str]) -> str:
    """Replace every key of ``table`` in one pass, longest first (no re-replacement)."""
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))
    return pattern.sub(lambda m: table[m.group(0)], text)


def can_be_postgres_superuser() -> bool:
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return False
    done = subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-qAtc", "SELECT 1"],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def as_postgres(sql: str) -> None:
    subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
        capture_output=True,
    )


def drop_doc_database(name: str) -> None:
    for db in (f"{name}_restored", name):
        as_postgres(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    as_postgres(f"DROP ROLE IF EXISTS {name}")


def substitutions(
    database_url: str, work: Path, data_dir: Path, port: int, tls_port: int, user: str
) -> dict[str, str]:
    """The page's example values and what the test uses instead."""
    table = {
        "/srv/cesp/data": str(data_dir),
        "/srv/cesp": str(work / "srv"),
        "/opt/cesp": str(work / "opt"),
        "/var/cache/cesp": str(work / "cache"),
        "/usr/local/bin/cesp": str(work / "bin" / "cesp"),
        "https://forge.example.gouv.fr/cesp/cesp-zones.git": f"file://{REPO_ROOT}",
        "id -u cesp ": f"id -u {user} ",
        "--shell /usr/sbin/nologin cesp": f"--shell /usr/sbin/nologin {user}",
        "-o cesp -g cesp": f"-o {user} -g {user}",
        "chgrp cesp ": f"chgrp {user} ",
        "/etc/cesp": str(work / "etc"),
        "/etc/ssl/cesp": str(work / "tls"),
        "127.0.0.1:8000": f"127.0.0.1:{port}",
        "--port 8000": f"--port {port}",
        "https://127.0.0.1/": f"https://127.0.0.1:{tls_port}/",
        "listen 443 ssl;": f"listen 127.0.0.1:{tls_port} ssl;",
        # All of France takes minutes on CI; the suite loads it through the same
        # function (tests/conftest.py reference_engine).
        "cesp geo load\n": "cesp geo load --region 11\n",
    }
    url = make_url(database_url)
    name = f"{url.database}_doc"
    doc_url = f"cesp:{DOC_ROLE_PASSWORD}@127.0.0.1:5432/cesp"
    ours = f"{name}:{DOC_ROLE_PASSWORD}@{url.host or '127.0.0.1'}:{url.port or 5432}/{name}"
    table |= {
        "CREATE ROLE cesp LOGIN": f"CREATE ROLE {name} LOGIN",
        "createdb --owner cesp cesp_restored": f"createdb --owner {name} {name}_restored",
        "createdb --owner cesp cesp": f"createdb --owner {name} {name}",
        "-d cesp_restored -c": f"-d {name}_restored -c",
        "-d cesp -c": f"-d {name} -c",
        f"postgresql+psycopg://{doc_url}_restored": f"postgresql+psycopg://{ours}_restored",
        f"postgresql+psycopg://{doc_url}": f"postgresql+psycopg://{ours}",
        f"postgresql://{doc_url}": f"postgresql://{ours}",
    }
    return table


def script(page_blocks: list[Block], backend: str, work: Path, port: int) -> tuple[str, list]:
    """The bash script running the page, and the blocks left out with their reasons."""
    lines = [
        "set -euo pipefail",
        "SERVE_PID=",
        "NGINX=",
        "cleanup() {",
        '  if [ -n "$NGINX" ]; then $NGINX -s quit || true; fi',
        '  if [ -n "$SERVE_PID" ]; then',
        '    kill -TERM "$SERVE_PID" || true; wait "$SERVE_PID" || true',
        "  fi",
        "}",
        "trap cleanup EXIT",
        # The page links the installed command into /usr/local/bin, here into the
        # test's own bin/: every later `cesp` is the copy the page installed.
        f'mkdir -p "{work}/bin"',
        f'export PATH="{work}/bin:$PATH"',
    ]
    left_out = []
    other = "spatialite" if backend == "postgis" else "postgis"
    for block in page_blocks:
        lines.append(f"echo '== docs/deploy.md line {block.line}: {block.kind}' >&2")
        if block.kind == "skip":
            left_out.append((block.line, " ".join(block.args)))
            continue
        if block.kind == "run":
            if other in block.args:
                left_out.append((block.line, f"{other} only"))
                continue
            lines.append(block.text)
        elif block.kind == "serve":
            command = block.text.strip()
            assert "\n" not in command, "a serve block is one command"
            lines += [
                f'{command} > "{work}/serve.log" 2>&1 &',
                "SERVE_PID=$!",
                "for _ in $(seq 1 240); do",
                f"  curl -fsS -o /dev/null http://127.0.0.1:{port}/healthz && break",
                '  kill -0 "$SERVE_PID"',
                "  sleep 0.5",
                "done",
                f"curl -fsS -o /dev/null http://127.0.0.1:{port}/healthz",
            ]
        elif block.kind == "nginx-site":
            nginx = work / "nginx"
            nginx.mkdir()
            (nginx / "site.conf").write_text(block.text)
            (nginx / "nginx.conf").write_text(NGINX_WRAPPER.format(dir=nginx))
            tls = work / "tls"
            tls.mkdir()
            lines += [
                "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                f'-keyout "{tls}/privkey.pem" -out "{tls}/fullchain.pem" 2>/dev/null',
                f'nginx -p "{nginx}" -c "{nginx}/nginx.conf" -t',
                f'nginx -p "{nginx}" -c "{nginx}/nginx.conf"',
                f'NGINX="nginx -p {nginx} -c {nginx}/nginx.conf"',
            ]
        else:
            raise AssertionError(f"line {block.line}: unknown marker {block.kind}")
    return "\n".join(lines) + "\n", left_out


def test_every_block_has_a_marker_and_every_skip_a_reason() -> None:
    found = blocks(DOC.read_text())
    assert found, "no block found"
    kinds = {b.kind for b in found}
    assert kinds <= {"run", "serve", "nginx-site", "skip"}
    assert all(b.args for b in found if b.kind == "skip"), "a skip says why"
    assert sum(b.kind == "serve" for b in found) == 1


def test_deploy_doc_runs(backend: str, database_url: str, data_dir: Path, tmp_path: Path) -> None:
    for tool in ("nginx", "curl", "jq", "openssl", "sqlite3"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (.ci/run installs it)")
    if os.geteuid() != 0:
        pytest.skip("the page creates the service user and its folders as root (CI runs as root)")
    superuser = backend == "postgis" and can_be_postgres_superuser()
    if backend == "postgis" and not superuser:
        pytest.skip("the page creates its role and database as the postgres superuser (root)")
    page = DOC.read_text()
    port, tls_port = free_port(), free_port()
    user = f"cespdoc{os.getpid() % 100000}"
    table = substitutions(database_url, tmp_path, data_dir, port, tls_port, user)
    unused = [key for key in table if key not in page]
    assert not unused, f"substitutions no longer matching docs/deploy.md: {unused}"
    page_blocks = [
        Block(b.kind, b.args, b.lang, substitute(b.text, table), b.line) for b in blocks(page)
    ]
    body, left_out = script(page_blocks, backend, tmp_path, port)
    (tmp_path / "deploy.sh").write_text(body)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("CESP_", "VIRTUAL_ENV", "PYTHON"))
    }
    name = f"{make_url(database_url).database}_doc"
    if superuser:
        drop_doc_database(name)
    try:
        done = subprocess.run(
            ["bash", str(tmp_path / "deploy.sh")],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    finally:
        if superuser:
            drop_doc_database(name)
        subprocess.run(["userdel", user], capture_output=True, check=False)
    print("\n".join(f"not run: line {line}: {why}" for line, why in left_out))
    assert done.returncode == 0, f"{done.stderr[-4000:]}\n{done.stdout[-2000:]}"
    assert "Arrêté" in done.stdout or "12-209" in done.stdout
    served = (tmp_path / "serve.log").read_text().splitlines()
    not_json = [line for line in served if line.strip() and not line.lstrip().startswith("{")]
    assert not not_json, f"server log lines that are not JSON: {not_json[:5]}"
    access = [json.loads(line) for line in served if line.strip()]
    statuses = {(a.get("path"), a.get("status")) for a in access if a["logger"] == "cesp.access"}
    assert ("/api/v1/zones", 304) in statuses, "the caching block's 304 is in the JSON log"
    assert ("/metrics", 200) in statuses
