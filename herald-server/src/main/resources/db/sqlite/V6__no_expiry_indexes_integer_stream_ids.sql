-- Nothing indexed by expiry, and integer stream ids. The first part is db/postgresql/V6__no_expiry_indexes.sql.
-- messages_expires_at and stream_entries_expires_at cost every message about 60 B of pages (45 B and 17 B, dbstat of
-- SqliteWriteBytesProbe's database), plus the rewritten tail page of each at every commit, only for maintenance.
-- Maintenance now walks what is indexed anyway (StoreMaintenance): the TTL takes each stream's expired front along
-- (stream, position), the purge reads messages in id order (ids begin with the publish time) up to the bound
-- before which a message may be due. Readers filter on expires_at as before, so nothing expired is served.
DROP INDEX messages_expires_at;
DROP INDEX stream_entries_expires_at;

-- Integer stream ids (SQLite only: its writer keeps every stream's head, so naming streams by a number costs no
-- lookup on the write path). An entry and its (stream, position) index entry carried the stream's name
-- ('u:<user id>', about 10-40 B) twice per message; now they carry the stream's id, a 1-3 B integer.
-- stream_entries.stream keeps its name and holds streams.id, so the SQL stays the PostgreSQL store's.
CREATE TABLE streams_v6 (
    id              INTEGER PRIMARY KEY,     -- what stream_entries.stream holds
    stream          TEXT    NOT NULL UNIQUE, -- 'u:<user id>', 't:<topic>', '*' (broadcast)
    epoch           TEXT    NOT NULL,
    head            INTEGER NOT NULL,        -- a lower bound of the head (SqliteStreamHeads)
    trimmed_through TEXT
);
INSERT INTO streams_v6 (stream, epoch, head, trimmed_through)
    SELECT stream, epoch, head, trimmed_through FROM streams ORDER BY stream;

CREATE TABLE stream_entries_v6 (
    stream     INTEGER NOT NULL,   -- streams.id
    position   INTEGER NOT NULL,   -- the entry's place in its stream: 1, 2, 3…
    message_id TEXT    NOT NULL,
    expires_at INTEGER NOT NULL    -- the message's, copied so TTL trimming needs no join
);
INSERT INTO stream_entries_v6 (stream, position, message_id, expires_at)
    SELECT s.id, e.position, e.message_id, e.expires_at FROM stream_entries e JOIN streams_v6 s ON s.stream = e.stream
    ORDER BY e.rowid;
DROP TABLE stream_entries;
ALTER TABLE stream_entries_v6 RENAME TO stream_entries;
CREATE UNIQUE INDEX stream_entries_position ON stream_entries (stream, position);
DROP TABLE streams;
ALTER TABLE streams_v6 RENAME TO streams;
