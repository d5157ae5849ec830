-- A message to one user keeps its recipient's delivery status in its own row. Keep in step with
-- db/sqlite/V7__single_recipient_in_the_message_row.sql (which says why): a message published to exactly one user
-- holds that user in messages.recipient instead of users (NULL then) and the user's status in the columns below,
-- with no recipients row; messages to several users keep users and a recipients row per distinct user.
ALTER TABLE messages
    ADD COLUMN recipient       TEXT COLLATE "C",
    ADD COLUMN status          SMALLINT NOT NULL DEFAULT 0,
    ADD COLUMN delivered_at    BIGINT,
    ADD COLUMN acked_at        BIGINT,
    ADD COLUMN read_at         BIGINT,
    ADD COLUMN dropped         SMALLINT NOT NULL DEFAULT 0,
    ADD COLUMN expired_counted SMALLINT NOT NULL DEFAULT 0;

-- Existing messages to one user move their recipient row into the message row.
UPDATE messages m SET recipient = r.user_id, users = NULL, status = r.status, delivered_at = r.delivered_at,
                      acked_at = r.acked_at, read_at = r.read_at, dropped = r.dropped, expired_counted = r.expired_counted
    FROM recipients r
    WHERE r.message_id = m.id AND json_array_length(m.users::json) = 1;
DELETE FROM recipients r USING messages m WHERE r.message_id = m.id AND m.recipient IS NOT NULL;
