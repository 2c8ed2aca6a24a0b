"""`RedisSession`: conversation history in Redis, one list of JSON items per session.

Keys (with the default prefix, for session id "user:1"):
- `agents:session:{user%3A1}:messages` — the items, oldest first (a Redis list);
- `agents:session:{user%3A1}:ops` — the tokens of the last 64 writes (see below).

The session id is percent-encoded (everything but letters, digits and `_.-~`), so an id can
never contain the `:` separator or a glob or hash-tag character: ids such as "a:b", "*" or "{x}"
each get their own keys and never reach another session's. The encoded id sits in a hash tag
(`{...}`) so a session's keys share one Redis Cluster slot.

Writes are Lua scripts, so each is atomic: `add_items` pushes every item and refreshes the TTL,
or does nothing. redis-py retries a command whose connection broke; if the break came after
Redis had run the script, the retry would write twice. Each write therefore carries a random
token that the script records, and a retried write whose token is already recorded is skipped:
a connection failure can make `add_items` raise, but never duplicate or half-write.

The `redis` package is imported only when a client is created from a URL.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Optional, Union
from urllib.parse import quote

from ..exceptions import UserError
from ..items import TResponseInputItem
from .session import (
    SessionABC,
    SessionSettings,
    check_session_id,
    coerce_session_settings,
    decode_item,
    encode_items,
    resolve_session_limit,
)

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["RedisSession", "escape_key_part"]

_RECENT_OPS = 64
_PUSH_CHUNK = 1000  # Lua's unpack() has a stack limit of a few thousand values

# KEYS: messages, ops. ARGV: token, ttl seconds (0 = none), item...
# LPOS (Redis >= 6.0.6) finds a token in C; older servers fall back to a Lua loop.
_ADD_SCRIPT = """
local token = ARGV[1]
local found = redis.pcall('LPOS', KEYS[2], token)
if type(found) == 'table' and found.err then
  found = false
  for _, done in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
    if done == token then found = true end
  end
end
if found then return -1 end
local n = #ARGV
for i = 3, n, CHUNK do
  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + CHUNK - 1, n)))
end
redis.call('LPUSH', KEYS[2], token)
redis.call('LTRIM', KEYS[2], 0, KEEP)
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[2], ttl)
end
return n - 2
""".replace("CHUNK", str(_PUSH_CHUNK)).replace("KEEP", str(_RECENT_OPS - 1))

# KEYS: messages, ops. ARGV: token, ttl, index (negative), expected value.
# Returns {1, value} when removed (or already removed by this token), {0} when the element
# changed under us (the caller looks again).
_POP_SCRIPT = """
local token = ARGV[1]
for _, done in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  if string.sub(done, 1, 32) == token then return {1, string.sub(done, 33)} end
end
local index = tonumber(ARGV[3])
if redis.call('LINDEX', KEYS[1], index) ~= ARGV[4] then return {0} end
if index == -1 then
  redis.call('RPOP', KEYS[1])
else
  local marker = '\\0agents_lite:pop:' .. token
  redis.call('LSET', KEYS[1], index, marker)
  redis.call('LREM', KEYS[1], -1, marker)
end
redis.call('LPUSH', KEYS[2], token .. ARGV[4])
redis.call('LTRIM', KEYS[2], 0, KEEP)
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ttl) end
  redis.call('EXPIRE', KEYS[2], ttl)
end
return {1, ARGV[4]}
""".replace("KEEP", str(_RECENT_OPS - 1))

_POP_WINDOW = 16


def escape_key_part(value: str) -> str:
    """Percent-encode `value` for use inside a Redis key: the result holds only letters, digits,
    `_.-~` and `%XX` escapes, and different values always give different results."""
    return quote(value, safe="", errors="surrogatepass")


def _new_token() -> str:
    return os.urandom(16).hex()


def _as_text(value: Union[str, bytes]) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class RedisSession(SessionABC):
    """A session stored in Redis.

    Args:
        session_id: the conversation's id; any string (it is escaped into the key).
        redis_client: a `redis.Redis` client (bytes or `decode_responses=True`); it stays yours:
            `close()` does not close it.
        key_prefix: namespace of the keys, default "agents:session".
        ttl: seconds the session lives after its last write (refreshed by every write); None
            keeps it until cleared.
        session_settings: defaults for reads (e.g. `SessionSettings(limit=50)`).

    Use `RedisSession.from_url(session_id, url="redis://localhost:6379/0")` to let the session
    create (and later close) its own client.
    """

    def __init__(
        self,
        session_id: str,
        *,
        redis_client: Redis,
        key_prefix: str = "agents:session",
        ttl: Optional[int] = None,
        session_settings: Union[SessionSettings, dict[str, Any], None] = None,
    ) -> None:
        self.session_id = check_session_id(session_id)
        if redis_client is None:
            raise UserError("RedisSession needs a redis_client (or use RedisSession.from_url)")
        if not isinstance(key_prefix, str) or not key_prefix:
            raise UserError("key_prefix must be a non-empty string")
        if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl <= 0):
            raise UserError(f"ttl must be a positive number of seconds or None, got {ttl!r}")
        self.session_settings = (
            coerce_session_settings(session_settings)
            if session_settings is not None
            else SessionSettings()
        )
        self.key_prefix = key_prefix
        self.ttl = ttl
        self._redis = redis_client
        self._owns_client = False
        base = f"{key_prefix}:{{{escape_key_part(session_id)}}}"
        self.messages_key = base + ":messages"
        """The Redis list holding this session's items."""
        self._ops_key = base + ":ops"
        self._add = redis_client.register_script(_ADD_SCRIPT)
        self._pop = redis_client.register_script(_POP_SCRIPT)

    @classmethod
    def from_url(
        cls,
        session_id: str,
        *,
        url: str,
        redis_kwargs: Optional[dict[str, Any]] = None,
        **kwargs: Any,
    ) -> RedisSession:
        """A session with its own client for `url` (e.g. "redis://localhost:6379/0" or
        "rediss://..."); `redis_kwargs` go to `redis.Redis.from_url`, `kwargs` (key_prefix, ttl,
        session_settings) to the constructor. `close()` closes this client."""
        try:
            import redis
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise UserError(
                "RedisSession needs the 'redis' package: pip install 'agents-lite[redis]'"
            ) from exc
        client = redis.Redis.from_url(url, **(redis_kwargs or {}))
        session = cls(session_id, redis_client=client, **kwargs)
        session._owns_client = True
        return session

    def __repr__(self) -> str:
        return f"RedisSession(session_id={self.session_id!r}, key={self.messages_key!r})"

    def get_items(self, limit: Optional[int] = None) -> list[TResponseInputItem]:
        """The history, oldest first; with `limit`, only the latest `limit` items.

        Elements that are not a JSON object are skipped with a warning naming the session and
        the list index.
        """
        limit = resolve_session_limit(limit, self.session_settings)
        if limit == 0:
            return []
        start = 0 if limit is None else -limit
        raw: list[Any] = self._redis.lrange(self.messages_key, start, -1)  # type: ignore[assignment]
        # With a limit the elements are the last len(raw): name them by negative index.
        base = 0 if limit is None else -len(raw)
        items: list[TResponseInputItem] = []
        for offset, value in enumerate(raw):
            item = decode_item(
                value, self.session_id, f"key {self.messages_key!r} index {base + offset}"
            )
            if item is not None:
                items.append(item)
        return items

    def add_items(self, items: list[TResponseInputItem]) -> None:
        """Append `items` atomically (all or none) and refresh the TTL."""
        encoded = encode_items(items)
        if not encoded:
            return
        self._add(
            keys=[self.messages_key, self._ops_key],
            args=[_new_token(), self.ttl or 0, *encoded],
        )

    def pop_item(self) -> Optional[TResponseInputItem]:
        """Remove and return the latest item, or None when there is none.

        Corrupt elements are not items: they are skipped (left in place, with a warning), and the
        latest readable item is the one removed.
        """
        token = _new_token()
        while True:
            found = self._latest_readable()
            if found is None:
                return None
            index, raw, item = found
            result = self._pop(
                keys=[self.messages_key, self._ops_key],
                args=[token, self.ttl or 0, index, raw],
            )
            if result and int(result[0]) == 1:
                return item
            # The list changed between the read and the script: look again.

    def _latest_readable(self) -> Optional[tuple[int, bytes, TResponseInputItem]]:
        end = -1
        while True:
            window: list[Any] = self._redis.lrange(  # type: ignore[assignment]
                self.messages_key, end - _POP_WINDOW + 1, end
            )
            if not window:
                return None
            for offset in range(len(window) - 1, -1, -1):
                index = end - (len(window) - 1 - offset)
                value = window[offset]
                item = decode_item(
                    value, self.session_id, f"key {self.messages_key!r} index {index}"
                )
                if item is not None:
                    raw = value if isinstance(value, bytes) else value.encode("utf-8")
                    return index, raw, item
            if len(window) < _POP_WINDOW:
                return None
            end -= _POP_WINDOW

    def clear_session(self) -> None:
        """Delete this session's keys."""
        self._redis.delete(self.messages_key, self._ops_key)

    def ping(self) -> bool:
        """Whether the Redis server answers."""
        try:
            return bool(self._redis.ping())
        except Exception:
            return False

    def close(self) -> None:
        """Close the client if this session created it (`from_url`); a client you passed in is
        left open."""
        if self._owns_client:
            self._redis.close()

