"""`rasid init [DIR]`: a commented configuration, the shipped watchlists and a state folder; no overwriting.

The files come from the package (`rasid/data/`: the shipped `config/rasid.toml` and `config/watchlists/`), so
`rasid init` works from a regular `pip install` as well as from a clone."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import click

STATE = "state"


def packaged(name: str) -> Path:
    """A file or folder shipped in `rasid/data/` (the watchlists, the configuration template)."""
    return Path(str(resources.files("rasid") / "data" / name))


def config_text() -> str:
    """The shipped configuration, its state in the new folder's `state/` unless $RASID_STATE_DIR is set."""
    text = packaged("rasid.toml").read_text(encoding="utf-8")
    text = text.replace("${RASID_STATE_DIR:-../data}", "${RASID_STATE_DIR:-" + STATE + "}")
    text = text.replace("${RASID_STATE_DIR:-..}/digests", "${RASID_STATE_DIR:-" + STATE + "}/digests")
    text = text.replace(
        "# rasid (راصد) — the shipped configuration.",
        "# rasid (راصد) — written by `rasid init`; edit freely, `rasid run --config` this file.",
    )
    text = text.replace(
        "else under ../data and ../digests beside this folder", "else under state/ beside this file"
    )
    return text.replace(
        'relative to THIS file (config/), so "../data" is the repository\'s data/ folder',
        ('relative to THIS file, so "state" is the state/ folder beside it'),
    )


@click.command("init")
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
def init_command(folder: Path) -> None:
    """Write FOLDER/rasid.toml (commented), FOLDER/watchlists/ and FOLDER/state/; refuse to overwrite.

    Then: set the channel secrets in the environment, uncomment a channel, and
    `rasid --config FOLDER/rasid.toml run`.
    """
    config, watchlists, state = folder / "rasid.toml", folder / "watchlists", folder / STATE
    existing = [p for p in (config, watchlists) if p.exists()]
    if existing:
        names = ", ".join(str(p) for p in existing)
        raise click.ClickException(
            f"{names} already exist(s); rasid init overwrites nothing (choose another DIR)"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copytree(packaged("watchlists"), watchlists)
        state.mkdir(exist_ok=True)
        config.write_text(config_text(), encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {folder}: {exc.strerror or exc}") from None
    click.echo(f"wrote {config}, {watchlists}/ and {state}/")
    click.echo(f"next: edit the channels in {config}, then `rasid --config {config} run`")
