"""The complete supervisor shown in the documentation runs as shown, against the real server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import List

import pytest

DOCUMENTS = ("docs/clients.md", "docs/airflow.md")
MAX_LINES = 40

#: The task: asks its supervisor for its team's variable and another team's, then writes an XCom.
TASK = """
import json, sys
own, other, results = sys.argv[1:4]
def ask(request):
    print(json.dumps(request), flush=True)
    return json.loads(sys.stdin.readline())
answers = [ask({"op": "get_variable", "key": own}), ask({"op": "get_variable", "key": other}),
           ask({"op": "set_xcom", "key": "doc_rows", "value": {"rows": 3}})]
with open(results, "w") as stream:
    json.dump(answers, stream)
"""


def supervisor_block(config: dict, document: str) -> str:
    with open(os.path.join(config["repository"], document), encoding="utf-8") as stream:
        text = stream.read()
    blocks = [block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "def supervise(" in block]
    assert len(blocks) == 1, f"{document} must show exactly one complete supervisor"
    return blocks[0]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_documented_supervisor_runs_a_try(document, config, server, queue, open_session, tmp_path) -> None:
    code = supervisor_block(config, document)
    assert len(code.strip().splitlines()) < MAX_LINES, f"the supervisor in {document} is {MAX_LINES} lines or more"
    script = tmp_path / "supervisor.py"
    script.write_text(code, encoding="utf-8")
    results = tmp_path / "answers.json"
    queued = queue("analytics")
    environment = dict(os.environ, TASKCERT_EXECUTION=server.execution_target,
                       TASKCERT_ENROLLMENT=server.enrollment_target, TASKCERT_TRUST_BUNDLE=config["trust_bundle"])
    run = subprocess.run(
        [sys.executable, str(script), sys.executable, "-c", TASK, server.teams["analytics"]["variable"],
         server.teams["payments"]["variable"], str(results)],
        input=queued.token + "\n", capture_output=True, text=True, env=environment, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr

    answers: List[dict] = json.loads(results.read_text(encoding="utf-8"))
    assert answers[0] == {"value": "s3://analytics-raw-events"}
    assert answers[1]["error"].startswith("NOT_FOUND: "), answers[1]
    assert answers[2] == {"ok": True}
    # Another task of the same run reads the XCom the task wrote through its supervisor.
    reader = open_session(queue("analytics").token)
    reader.client.task_instances.start("reader-host", 1)
    assert reader.client.xcoms.get(queued.task_id, "doc_rows").value == {"rows": 3}
