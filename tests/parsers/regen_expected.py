"""Write `<name>.expected.json` beside each saved WordPress page from the current parsers.

    .venv/bin/python -m tests.parsers.regen_expected [--force]

Without --force only missing files are written. An expected file is a claim about what
is right: read a new or changed one before committing it, and change behaviour by
editing the expected file first.
"""

from __future__ import annotations

import json
import sys

from tests.parsers.fixture_pages import expected_path, parsed_json, saved_pages


def main(argv: list[str]) -> int:
    force = "--force" in argv
    for path in saved_pages():
        target = expected_path(path)
        if target.exists() and not force:
            continue
        text = json.dumps(parsed_json(path), ensure_ascii=False, indent=1, sort_keys=False)
        target.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
