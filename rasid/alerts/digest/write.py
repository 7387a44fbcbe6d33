"""Writing a week's digest folder: digest.html, digest.md, digest.json, activity.png and schema.json."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rasid.alerts.digest.chart import render_chart
from rasid.alerts.digest.collect import TopicInfo, collect_week
from rasid.alerts.digest.model import Digest
from rasid.alerts.digest.render_html import render_html
from rasid.alerts.digest.render_markdown import CHART_FILE, render_markdown
from rasid.alerts.digest.schema import schema_text
from rasid.alerts.digest.week import Week
from rasid.storage import Database


@dataclass(frozen=True)
class DigestFiles:
    """Where a written digest lives, and what it says."""

    folder: Path
    digest: Digest

    @property
    def html(self) -> Path:
        return self.folder / "digest.html"

    @property
    def markdown(self) -> Path:
        return self.folder / "digest.md"

    @property
    def json(self) -> Path:
        return self.folder / "digest.json"

    @property
    def chart(self) -> Path:
        return self.folder / CHART_FILE

    @property
    def schema(self) -> Path:
        return self.folder / "schema.json"

    @property
    def all(self) -> list[Path]:
        return [self.html, self.markdown, self.json, self.chart, self.schema]


def digest_json(digest: Digest) -> str:
    return json.dumps(digest.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _write(path: Path, data: bytes) -> None:
    """Replace `path` atomically: readers see the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_digest(digest: Digest, digest_dir: Path) -> DigestFiles:
    """Render `digest` into `<digest_dir>/<week>/`; the same digest always gives the same bytes."""
    files = DigestFiles(digest_dir / digest.week.label, digest)
    files.folder.mkdir(parents=True, exist_ok=True)
    chart = render_chart(digest)
    _write(files.chart, chart)
    _write(files.html, render_html(digest, chart).encode("utf-8"))
    _write(files.markdown, render_markdown(digest).encode("utf-8"))
    _write(files.json, digest_json(digest).encode("utf-8"))
    _write(files.schema, schema_text().encode("utf-8"))
    return files


def build_digest(db: Database, week: Week, topics: Sequence[TopicInfo], digest_dir: Path) -> DigestFiles:
    """Read `week` from the database and write its folder."""
    return write_digest(collect_week(db, week, topics), digest_dir)
