"""Shared fixtures: one `codemock` binary per test session, reset before each test.

The binary is the one `make test` built (CODEMOCK_BIN), started on a free port with a manual
clock; tests reach it through CODEMOCK_ENDPOINT, as any CI sidecar user would.
"""

import json
import os
import shutil
import subprocess
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _binary():
    explicit = os.environ.get("CODEMOCK_BIN")
    if explicit:
        return explicit
    return os.path.join(ROOT, "target", "debug", "codemock")


@pytest.fixture(scope="session")
def endpoint():
    if os.environ.get("CODEMOCK_ENDPOINT"):
        yield os.environ["CODEMOCK_ENDPOINT"]
        return
    proc = subprocess.Popen(
        [_binary(), "--port", "0", "--clock", "manual"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline().strip()
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError(f"codemock did not start: {line!r}")
    url = line.split(" ", 1)[1]
    os.environ["CODEMOCK_ENDPOINT"] = url
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def reset(endpoint):
    req = urllib.request.Request(endpoint + "/_codemock/reset", data=b"", method="POST")
    urllib.request.urlopen(req).read()
    yield


@pytest.fixture
def client(endpoint):
    import boto3
    from botocore.config import Config

    def make(service, region="us-east-1", access_key="AKIDTEST", validate=True):
        # validate=False skips botocore's client-side checks, so the server's own are tested.
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key="secret",
            config=Config(parameter_validation=validate),
        )

    return make


def control(endpoint, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(endpoint + path, data=data, method="POST" if data is not None else "GET")
    return json.loads(urllib.request.urlopen(req).read())


@pytest.fixture
def cli(endpoint, tmp_path):
    """The AWS CLI against the server (CODEMOCK_AWS_CLI, else `aws` on PATH): `cli("s3", "ls")`
    answers stdout and fails the test on a non-zero exit."""
    exe = os.environ.get("CODEMOCK_AWS_CLI") or shutil.which("aws")
    if not exe:
        pytest.skip("no AWS CLI: set CODEMOCK_AWS_CLI or put `aws` on PATH")
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="AKIDTEST",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
    )

    def run(*args):
        done = subprocess.run(
            [exe, "--endpoint-url", endpoint, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"aws {' '.join(args)}: {done.stderr}"
        return done.stdout

    return run
