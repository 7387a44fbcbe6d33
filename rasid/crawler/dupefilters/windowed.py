"""WindowedRedisDupeFilter: scrapy-redis's shared duplicate filter, with fingerprints that expire.

Workers share one filter so no two fetch the same page at once. rasid's own memory of what is stored is the
database, so fingerprints only need to live for a window: a request lost with a killed worker is asked for
again at a later poll instead of being filtered forever.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy_redis.dupefilter import RFPDupeFilter


class WindowedRedisDupeFilter(RFPDupeFilter):
    def __init__(self, server: Any, key: str, debug: bool = False, window: float = 600.0) -> None:
        super().__init__(server, key, debug)
        self.window = max(float(window), 1.0)

    @classmethod
    def from_spider(cls, spider: Any) -> WindowedRedisDupeFilter:
        base = super().from_spider(spider)
        window = spider.crawler.settings.getfloat("RASID_DUPEFILTER_WINDOW", 600.0)
        return cls(base.server, key=base.key, debug=base.debug, window=window)

    def _keys(self) -> tuple[str, str]:
        slot = int(time.time() // self.window)
        return f"{self.key}:{slot}", f"{self.key}:{slot - 1}"

    def request_seen(self, request: Any) -> bool:
        fp = self.request_fingerprint(request)
        current, previous = self._keys()
        with self.server.pipeline() as pipe:
            pipe.sismember(previous, fp)
            pipe.sadd(current, fp)
            pipe.expire(current, int(self.window * 2) + 1)
            in_previous, added, _ = pipe.execute()
        return bool(in_previous) or added == 0

    def clear(self) -> None:
        current, previous = self._keys()
        self.server.delete(current, previous)
