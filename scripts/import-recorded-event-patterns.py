#!/usr/bin/env python3
"""Regenerates the AWS-recorded rows of tests/data/event-patterns.json.

The source is LocalStack's AWS-validated TestEventPattern suite (localstack/localstack,
tests/aws/services/events/): every template in event_pattern_templates/ was sent to real AWS as
`TestEventPattern(Event=json.dumps(t["Event"]), EventPattern=json.dumps(t["EventPattern"]))`;
the outcome is in the file name (`_NEG`: Result false, `_EXC`: an error, otherwise Result
true) and, for errors, the message AWS gave is in test_events_patterns.snapshot.json. The dates
AWS last confirmed each case are in test_events_patterns.validation.json.

Usage: import-recorded-event-patterns.py <localstack checkout or bare git dir> [fixture file]
Rows of the fixture file whose "recorded" field starts with "localstack " are replaced; the
hand-written rows are kept as they are. Needs the `json5` package (the templates are JSON5).
"""

import json
import subprocess
import sys
from pathlib import Path

import json5

EVENTS = "tests/aws/services/events"
TEMPLATES = f"{EVENTS}/event_pattern_templates"
REASON = "Event pattern is not valid. Reason: "


def reader(repo):
    """Reads a file at HEAD from a work tree or a bare git directory."""
    repo = Path(repo)
    if (repo / EVENTS).exists():
        return lambda path: (repo / path).read_text()

    def show(path):
        return subprocess.run(
            ["git", "-C", str(repo), "show", f"HEAD:{path}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    return show


def list_templates(repo):
    repo = Path(repo)
    if (repo / TEMPLATES).exists():
        return sorted(p.name for p in (repo / TEMPLATES).iterdir())
    out = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "--name-only", "HEAD", f"{TEMPLATES}/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted(Path(line).name for line in out.splitlines())


def main():
    repo = sys.argv[1]
    fixture = Path(sys.argv[2] if len(sys.argv) > 2 else "tests/data/event-patterns.json")
    read = reader(repo)
    snapshot = json.loads(read(f"{EVENTS}/test_events_patterns.snapshot.json"))
    validation = json.loads(read(f"{EVENTS}/test_events_patterns.validation.json"))
    prefix = f"{EVENTS}/test_events_patterns.py::TestEventPattern::"

    def validated(test):
        entry = validation.get(prefix + test)
        return entry["last_validated_date"][:10] if entry else None

    rows = []
    for name in list_templates(repo):
        if not name.endswith(".json5"):
            continue
        label = name[: -len(".json5")]
        test = f"test_event_pattern[{label}]"
        date = validated(test)
        if date is None:
            continue
        template = json5.loads(read(f"{TEMPLATES}/{name}"))
        row = {
            "section": "AWS-recorded: " + label,
            "recorded": f"localstack {TEMPLATES}/{name}, AWS-validated {date}",
            "pattern": json.dumps(template["EventPattern"]),
            "event": json.dumps(template["Event"]),
        }
        if label.endswith("_EXC"):
            error = snapshot[prefix + test]["recorded-content"][label]["exception_message"]["Error"]
            message = error["Message"].split("\n")[0]
            assert error["Code"] == "InvalidEventPatternException", (label, error)
            assert message.startswith(REASON), (label, message)
            row["expect"] = "invalid"
            row["reason"] = message[len(REASON) :]
        else:
            row["expect"] = "no_match" if label.endswith("_NEG") else "match"
        rows.append(row)

    # The cases of the same suite that are written out in the test code rather than as templates.
    base = {
        "id": "1",
        "source": "test-source",
        "detail-type": "test-detail-type",
        "account": "123456789012",
        "region": "us-east-2",
        "time": "2022-07-13T13:48:01Z",
    }
    date = validated("test_event_pattern_with_multi_key")
    if date:
        rows.append(
            {
                "section": "AWS-recorded: test_event_pattern_with_multi_key",
                "recorded": f"localstack {EVENTS}/test_events_patterns.py"
                f"::test_event_pattern_with_multi_key, AWS-validated {date}",
                # Sent as raw text: the pattern repeats the key "location".
                "pattern": read(f"{TEMPLATES}/complex_multi_key_event_pattern.json"),
                "event": read(f"{TEMPLATES}/complex_multi_key_event.json"),
                "expect": "match",
            }
        )
    date = validated("test_event_pattern_with_escape_characters")
    if date:
        rows.append(
            {
                "section": "AWS-recorded: test_event_pattern_with_escape_characters",
                "recorded": f"localstack {EVENTS}/test_events_patterns.py"
                f"::test_event_pattern_with_escape_characters, AWS-validated {date}",
                "pattern": r'{"detail": {"escape_star": ["*"], "escape_backslash": ["\\"]}}',
                "event": json.dumps(
                    {**base, "detail": {"escape_star": "*", "escape_backslash": "\\"}}
                ),
                "expect": "match",
            }
        )
    date = validated("test_event_pattern_source")
    if date:
        event = json.dumps(
            {
                "id": "1",
                "source": "order",
                "detail-type": "Test",
                "account": "123456789012",
                "region": "us-east-1",
                "time": "2024-01-01T00:00:00Z",
            }
        )
        for source, expect in (("order", "match"), ("shipment", "no_match")):
            rows.append(
                {
                    "section": "AWS-recorded: test_event_pattern_source",
                    "recorded": f"localstack {EVENTS}/test_events_patterns.py"
                    f"::test_event_pattern_source, AWS-validated {date}",
                    "pattern": json.dumps({"source": [source], "detail-type": ["Test"]}),
                    "event": event,
                    "expect": expect,
                }
            )
    date = validated("test_event_with_large_and_complex_payload")
    if date:
        payload = json.dumps(json.loads(read(f"{EVENTS}/test_payloads/large_complex_payload.json")))
        for pattern in (
            {"detail-type": ["cmd.documents.generate"]},
            {"detail": {"payload.nested.another-level.deep": {"inside-list": [{"prefix": "q-test"}]}}},
        ):
            rows.append(
                {
                    "section": "AWS-recorded: test_event_with_large_and_complex_payload",
                    "recorded": f"localstack {EVENTS}/test_events_patterns.py"
                    f"::test_event_with_large_and_complex_payload, AWS-validated {date}",
                    "pattern": json.dumps(pattern),
                    "event": payload,
                    "expect": "match",
                }
            )

    existing = json.loads(fixture.read_text()) if fixture.exists() else []
    kept = [r for r in existing if not r.get("recorded", "").startswith("localstack ")]
    with fixture.open("w") as out:
        out.write("[\n")
        lines = [json.dumps(r, ensure_ascii=False) for r in kept + rows]
        out.write(",\n".join("  " + line for line in lines))
        out.write("\n]\n")
    print(f"{len(kept)} hand-written rows kept, {len(rows)} recorded rows written to {fixture}")


if __name__ == "__main__":
    main()
