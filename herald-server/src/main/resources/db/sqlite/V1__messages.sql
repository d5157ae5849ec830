-- Herald message store, SQLite. Keep in step with db/postgresql/V1__messages.sql: the SQL that
-- JdbcMessageStore runs is the same for both databases.
-- Ids (ULIDs) sort in publish order as plain strings (BINARY collation).
-- Flags are 0/1 integers, timestamps ms since the epoch.

-- One row per stored message, everything needed to rebuild a StoredMessage.
CREATE TABLE messages (
    id              TEXT    NOT NULL PRIMARY KEY,
    ts              INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    data            TEXT    NOT NULL,
    users           TEXT,              -- JSON array of recipient user ids as published; NULL for none
    topics          TEXT,              -- JSON array of topics as published; NULL for none
    to_all          INTEGER NOT NULL,  -- 1: kept in the broadcast stream
    idempotency_key TEXT
) WITHOUT ROWID;
-- The first message with a key wins; later ones are answered with its id (INSERT ... ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX messages_idempotency_key ON messages (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- Purge past retention.
CREATE INDEX messages_expires_at ON messages (expires_at);

-- The streams a message is kept in: 'u:<user id>', 't:<topic>', '*' (broadcast). Replay reads one
-- stream in id order; the stream cap and the TTL delete rows here (the message itself stays for its receipt).
CREATE TABLE stream_entries (
    stream     TEXT    NOT NULL,
    message_id TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,       -- the message's, copied so TTL trimming needs no join
    PRIMARY KEY (stream, message_id)
) WITHOUT ROWID;
CREATE INDEX stream_entries_expires_at ON stream_entries (expires_at);

-- Per recipient user: delivery status (0 accepted, 1 delivered, 2 acked, 3 read; only moves forward).
CREATE TABLE recipients (
    message_id      TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    status          INTEGER NOT NULL DEFAULT 0,
    delivered_at    INTEGER,
    acked_at        INTEGER,
    read_at         INTEGER,
    dropped         INTEGER NOT NULL DEFAULT 0,  -- 1: the inbox cap pushed it out
    expired_counted INTEGER NOT NULL DEFAULT 0,  -- 1: counted as expired (when the TTL took it out of the inbox)
    PRIMARY KEY (message_id, user_id)
) WITHOUT ROWID;

-- The greatest id the cap or the TTL removed from a stream: a reader behind it has a gap.
CREATE TABLE streams (
    stream          TEXT NOT NULL PRIMARY KEY,
    trimmed_through TEXT NOT NULL
) WITHOUT ROWID;
