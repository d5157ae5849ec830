-- Herald message store, PostgreSQL. Keep in step with db/sqlite/V1__messages.sql: the SQL that
-- JdbcMessageStore runs is the same for both databases.
-- Ids and stream names use the "C" collation so they sort as plain strings (ULIDs in publish order),
-- whatever the database's locale. Flags are 0/1 smallints (as in SQLite), timestamps ms since the epoch.

-- One row per stored message, everything needed to rebuild a StoredMessage.
CREATE TABLE messages (
    id              TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    ts              BIGINT   NOT NULL,
    expires_at      BIGINT   NOT NULL,
    data            TEXT     NOT NULL,
    users           TEXT,              -- JSON array of recipient user ids as published; NULL for none
    topics          TEXT,              -- JSON array of topics as published; NULL for none
    to_all          SMALLINT NOT NULL, -- 1: kept in the broadcast stream
    idempotency_key TEXT
);
-- The first message with a key wins, across nodes too: INSERT ... ON CONFLICT DO NOTHING waits for a
-- concurrent insert of the same key to commit, then yields to it.
CREATE UNIQUE INDEX messages_idempotency_key ON messages (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- Purge past retention.
CREATE INDEX messages_expires_at ON messages (expires_at);

-- The streams a message is kept in: 'u:<user id>', 't:<topic>', '*' (broadcast). Replay reads one
-- stream in id order; the stream cap and the TTL delete rows here (the message itself stays for its receipt).
CREATE TABLE stream_entries (
    stream     TEXT COLLATE "C" NOT NULL,
    message_id TEXT COLLATE "C" NOT NULL,
    expires_at BIGINT NOT NULL,        -- the message's, copied so TTL trimming needs no join
    PRIMARY KEY (stream, message_id)
);
CREATE INDEX stream_entries_expires_at ON stream_entries (expires_at);

-- Per recipient user: delivery status (0 accepted, 1 delivered, 2 acked, 3 read; only moves forward).
CREATE TABLE recipients (
    message_id      TEXT COLLATE "C" NOT NULL,
    user_id         TEXT COLLATE "C" NOT NULL,
    status          SMALLINT NOT NULL DEFAULT 0,
    delivered_at    BIGINT,
    acked_at        BIGINT,
    read_at         BIGINT,
    dropped         SMALLINT NOT NULL DEFAULT 0,  -- 1: the inbox cap pushed it out
    expired_counted SMALLINT NOT NULL DEFAULT 0,  -- 1: counted as expired (when the TTL took it out of the inbox)
    PRIMARY KEY (message_id, user_id)
);

-- The greatest id the cap or the TTL removed from a stream: a reader behind it has a gap.
CREATE TABLE streams (
    stream          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    trimmed_through TEXT COLLATE "C" NOT NULL
);
