"""JupyterLab smoke test: the collection opens and runs in JupyterLab as a reader would use it.

Starts ``jupyter lab`` (no browser) on a free local port with a random token, opens
``notebooks/01_cleaning.ipynb`` through the REST API, starts a kernel in the notebook's folder,
runs every code cell over the kernel's websocket channel and checks that no cell failed; then
shuts the kernel down and stops the server (by its own pid). Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "notebooks/01_cleaning.ipynb"
START_TIMEOUT = 60  # seconds for the server to answer
CELL_TIMEOUT = 120  # seconds for one cell
STOP_TIMEOUT = 10  # seconds between terminate and kill

pytestmark = pytest.mark.jupyterlab


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """A JupyterLab server started for this test, spoken to over HTTP and websockets."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "jupyterlab.log"
        env = {
            **os.environ,
            "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),  # keep server files out of $HOME
            "PYTHONHASHSEED": "0",
            "MPLBACKEND": "Agg",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            "--allow-root",
            f"--ServerApp.root_dir={ROOT}",
        ]
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def log_tail(self) -> str:
        self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]

    def request(self, method: str, path: str, body: dict | None = None, timeout: float = 10):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"token {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=timeout) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if self.request("GET", "/api/status", timeout=2)[0] == 200:
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        pytest.fail(f"jupyter lab did not answer in {START_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT)
        self.log.close()


class KernelChannel:
    """The kernel's websocket (JSON messages, Jupyter messaging protocol 5.3)."""

    def __init__(self, lab: Lab, kernel_id: str):
        import websocket  # websocket-client, installed with jupyter

        self.session = uuid.uuid4().hex
        url = f"ws://127.0.0.1:{lab.port}/api/kernels/{kernel_id}/channels"
        self.ws = websocket.create_connection(
            f"{url}?session_id={self.session}",
            header=[f"Authorization: token {lab.token}"],
            timeout=CELL_TIMEOUT,
            suppress_origin=True,
        )

    def execute(self, code: str) -> tuple[dict, list[dict]]:
        """Run code; return the execute_reply content and the cell's iopub messages."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "username": "test",
            "session": self.session,
            "version": "5.3",
        }
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        }
        message = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
        self.ws.send(json.dumps({**message, "channel": "shell", "buffers": []}))
        reply, iopub, idle = None, [], False
        deadline = time.monotonic() + CELL_TIMEOUT
        while reply is None or not idle:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no reply in {CELL_TIMEOUT} s to:\n{code}")
            self.ws.settimeout(remaining)
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if msg.get("channel") == "shell" and kind == "execute_reply":
                reply = msg["content"]
            elif msg.get("channel") == "iopub":
                iopub.append(msg)
                idle = idle or (kind == "status" and msg["content"]["execution_state"] == "idle")
        return reply, iopub

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def lab(tmp_path):
    server = Lab(tmp_path)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_notebook_runs_in_jupyterlab(lab):
    status, model = lab.request("GET", f"/api/contents/{NOTEBOOK}")
    assert status == 200 and model["type"] == "notebook", model and model.get("type")
    cells = [c for c in model["content"]["cells"] if c["cell_type"] == "code"]
    assert cells, f"{NOTEBOOK} has no code cells"

    folder = str(Path(NOTEBOOK).parent)
    status, kernel = lab.request("POST", "/api/kernels", {"name": "python3", "path": folder})
    assert status == 201, kernel
    channel = None
    try:
        channel = KernelChannel(lab, kernel["id"])
        reply, iopub = channel.execute("import os\nprint(os.getcwd())")
        printed = "".join(m["content"].get("text", "") for m in iopub if m["msg_type"] == "stream")
        assert reply["status"] == "ok", reply
        assert Path(printed.strip()) == ROOT / folder, "kernel not started in the notebook folder"
        for number, cell in enumerate(cells, start=1):
            source = cell["source"]
            source = "".join(source) if isinstance(source, list) else source
            reply, iopub = channel.execute(source)
            errors = [m["content"] for m in iopub if m["msg_type"] == "error"]
            assert reply["status"] == "ok" and not errors, (
                f"code cell {number} of {NOTEBOOK} failed in JupyterLab: "
                f"{reply.get('ename')}: {reply.get('evalue')}\n{source}"
            )
    finally:
        if channel is not None:
            channel.close()
        status, _ = lab.request("DELETE", f"/api/kernels/{kernel['id']}", timeout=STOP_TIMEOUT)
        assert status == 204
    status, running = lab.request("GET", "/api/kernels")
    assert all(k["id"] != kernel["id"] for k in running), "kernel still running after shutdown"
