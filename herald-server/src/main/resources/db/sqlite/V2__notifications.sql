-- Herald notification store, SQLite. Keep in step with db/postgresql/V2__notifications.sql: the SQL that
-- JdbcMessageStore runs is the same for both databases (see SqlDialect for the one clause that differs).

-- One row per channel delivery (NotifyJob). Written with its message in the same transaction; never
-- joined to messages (a job outlives its message's retention until purgeFinished or deleteDead).
-- state: 'pending', 'waiting_ack', 'sent', 'dead', 'cancelled' (JobState.wireName()), readable in SQL.
CREATE TABLE notify_jobs (
    id            TEXT    NOT NULL PRIMARY KEY,  -- a ULID: dead letters page newest first by it
    message_id    TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    user_id       TEXT,                          -- NULL: an explicit destination not tied to a user
    dest_channel  TEXT,                          -- the explicit destination, or all three NULL for the user's contact
    dest_address  TEXT,
    dest_secret   TEXT,
    -- The Notification as one JSON object: written once, only ever read whole, never searched.
    content       TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,              -- next attempt; for a final state when it ended
    deadline      INTEGER NOT NULL,
    state         TEXT    NOT NULL,
    -- The latest attempts (at most NotifyJob.MAX_KEPT_ATTEMPTS) as a JSON array, not a table of their own:
    -- they are only ever read and written with their job (one row fetch per job, no join or second query
    -- for a page of dead letters), and the list is bounded, so rewriting it on an attempt stays small.
    attempts      TEXT,                          -- NULL: none yet
    attempt_count INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    lease_until   INTEGER NOT NULL DEFAULT 0     -- claimDue's lease: another claim skips the job until then
) WITHOUT ROWID;
-- claimDue: the live jobs of a channel in due order. Partial, so finished jobs and dead letters (the bulk
-- of the table over time) are not in it and "nothing due" is one probe of a small index. The WHERE must
-- read exactly as in the claim statement for SQLite to use it.
CREATE INDEX notify_jobs_due ON notify_jobs (channel, due_at, id) WHERE state IN ('pending', 'waiting_ack');
-- jobsOf (receipts) and cancelFallbacks (acks).
CREATE INDEX notify_jobs_message ON notify_jobs (message_id, user_id);
-- Dead letters, newest first, paged by id.
CREATE INDEX notify_jobs_dead ON notify_jobs (id) WHERE state = 'dead';
-- purgeFinished.
CREATE INDEX notify_jobs_finished ON notify_jobs (due_at) WHERE state IN ('sent', 'cancelled');

-- A user's addresses, one row per channel (Contacts). disabled_reason is set when the endpoint said
-- 410 Gone; writing the contacts again clears it.
CREATE TABLE contacts (
    user_id         TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    address         TEXT    NOT NULL,
    secret          TEXT,
    disabled_reason TEXT,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (user_id, channel)
) WITHOUT ROWID;
