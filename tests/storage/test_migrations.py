"""Alembic migrations upgrade an existing database from the first revision without losing data."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from rasid.storage import Database, make_engine, upgrade


def test_upgrade_from_the_first_migration_keeps_every_row(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    with engine.begin() as c:
        c.execute(
            text(
                "insert into sources (id, name, homepage, created_at, consecutive_failures) "
                "values (1, 'عنب بلدي', 'https://www.enabbaladi.net/', :t, 0)"
            ),
            {"t": now},
        )
        c.execute(
            text(
                "insert into articles (id, source_id, url, title, text, content_hash, fetched_at) "
                "values (1, 1, 'https://www.enabbaladi.net/1', 'عنوان', 'نص', 'h', :t)"
            ),
            {"t": now},
        )
        c.execute(
            text(
                "insert into matches (id, article_id, topic, score, modality, evidence, created_at) "
                "values (1, 1, 'new_member', 2.5, 'asserted', '[]', :t)"
            ),
            {"t": now},
        )
        c.execute(
            text(
                "insert into alerts (id, match_id, article_id, topic, channel, status, attempts, "
                "next_attempt_at, created_at) values (1, 1, 1, 'new_member', 'desk', 'sent', 1, :t, :t)"
            ),
            {"t": now},
        )
    upgrade(engine, "head")
    upgrade(engine, "head")  # idempotent
    with engine.connect() as c:
        assert c.execute(text("select name from sources")).scalar() == "عنب بلدي"
        assert c.execute(text("select title from articles")).scalar() == "عنوان"
        assert c.execute(text("select score from matches")).scalar() == 2.5
        assert c.execute(text("select status from alerts")).scalar() == "sent"
        assert c.execute(text("select health from sources")).scalar() == "ok"
        # 0004: matches stored before confidence levels existed were all confident
        assert c.execute(text("select confidence, review_reason from matches")).one() == ("alert", None)
        version = c.execute(text("select version_num from alembic_version")).scalar()
    columns = {col["name"] for col in inspect(engine).get_columns("sources")}
    assert {"health", "health_since", "health_notified"} <= columns
    assert version == _head()
    engine.dispose()
    db = Database(db_url)  # the application opens the upgraded database as usual
    db.dispose()


def _head() -> str:
    from alembic.script import ScriptDirectory

    from rasid.storage.database import MIGRATIONS, alembic_config

    cfg = alembic_config(None)  # type: ignore[arg-type]
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def test_models_and_migrations_agree(db_url: str) -> None:
    """No model change without a migration: autogenerate finds nothing to do after `upgrade head`."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from rasid.storage import Base

    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    engine.dispose()
    relevant = [
        d for d in diff if not (isinstance(d, tuple) and d[0] in ("remove_index",) and "alembic" in str(d))
    ]
    assert relevant == [], relevant
