-- Stream entries keyed by their position, and fewer B-tree pages written per message. Keep in step with
-- db/postgresql/V5__stream_entries_by_position.sql.
-- Until V4 an entry was a WITHOUT ROWID row keyed (stream, message_id), with a second per-stream index
-- (stream, position): every message to a user wrote a leaf page of each of the two per-stream B-trees, a page
-- of its own for nearly every message of a group, since the group's users are spread over the key space.
-- Now the entry is an ordinary rowid row, appended at the end of the table (one hot page for the whole group),
-- and the only per-stream B-tree is the index (stream, position), whose entries (stream, position, rowid) are
-- small, so more streams share a leaf page. The id of an entry is not indexed per stream: an id cursor (the
-- older way to resume) reads the stream's entries, at most the stream cap of them (StoreReads#positionOf).
-- Exact bytes written per message (JdbcMessageStore, 100-byte message to one user, groups of 100, synchronous=FULL,
-- wal_autocheckpoint=1000): 6,537 -> 3,200 B with users in round robin, 26,962 -> 14,151 B with users at random
-- out of 10,000 (herald-bench dev.herald.bench.sqlite.SchemaBytes gives the same within 4 B).

CREATE TABLE stream_entries_v5 (
    stream     TEXT    NOT NULL,   -- 'u:<user id>', 't:<topic>', '*' (broadcast)
    position   INTEGER NOT NULL,   -- the entry's place in its stream: 1, 2, 3…
    message_id TEXT    NOT NULL,
    expires_at INTEGER NOT NULL    -- the message's, copied so TTL trimming needs no join
);
INSERT INTO stream_entries_v5 (stream, position, message_id, expires_at)
    SELECT stream, position, message_id, expires_at FROM stream_entries ORDER BY message_id;
DROP TABLE stream_entries;
ALTER TABLE stream_entries_v5 RENAME TO stream_entries;
-- Replay by position, the head's entries, the cap (oldest positions first), id cursors (a scan of one stream).
CREATE UNIQUE INDEX stream_entries_position ON stream_entries (stream, position);
-- TTL trimming and the purge; appended near its end, since most messages take the default TTL.
CREATE INDEX stream_entries_expires_at ON stream_entries (expires_at);
