-- Stream positions and epochs: the store is the sequencer. Each stream numbers its entries 1, 2, 3… in commit
-- order (streams.head is the last position given out) and has an epoch, a random name for one unbroken history
-- of the stream: made with the stream, kept across restarts. Keep in step with db/postgresql/V4__stream_positions.sql.
-- Existing entries are numbered per stream in id order (their publish order) and every stream gets a new epoch.
-- SQLite cannot relax NOT NULL in place, so both tables are rebuilt.

CREATE TABLE streams_v4 (
    stream          TEXT    NOT NULL PRIMARY KEY,
    epoch           TEXT    NOT NULL,  -- 8 hex characters; a new one means the stream's earlier positions are void
    head            INTEGER NOT NULL,  -- the last position given out, 0 before the first entry
    trimmed_through TEXT               -- the greatest id the cap or the TTL removed; NULL for none yet
) WITHOUT ROWID;
INSERT INTO streams_v4 (stream, epoch, head, trimmed_through)
    SELECT stream, lower(hex(randomblob(4))), 0, MAX(trimmed_through)
    FROM (SELECT stream, trimmed_through FROM streams UNION ALL SELECT DISTINCT stream, NULL FROM stream_entries)
    GROUP BY stream;

CREATE TABLE stream_entries_v4 (
    stream     TEXT    NOT NULL,
    message_id TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,       -- the message's, copied so TTL trimming needs no join
    position   INTEGER NOT NULL,       -- the entry's place in its stream: 1, 2, 3…
    PRIMARY KEY (stream, message_id)
) WITHOUT ROWID;
INSERT INTO stream_entries_v4 (stream, message_id, expires_at, position)
    SELECT stream, message_id, expires_at, ROW_NUMBER() OVER (PARTITION BY stream ORDER BY message_id)
    FROM stream_entries;
DROP TABLE stream_entries;
ALTER TABLE stream_entries_v4 RENAME TO stream_entries;
CREATE INDEX stream_entries_expires_at ON stream_entries (expires_at);
CREATE UNIQUE INDEX stream_entries_position ON stream_entries (stream, position);

UPDATE streams_v4 SET head = COALESCE((SELECT MAX(e.position) FROM stream_entries e WHERE e.stream = streams_v4.stream), 0);
DROP TABLE streams;
ALTER TABLE streams_v4 RENAME TO streams;
