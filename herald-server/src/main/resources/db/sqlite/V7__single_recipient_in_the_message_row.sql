-- A message to one user keeps its recipient's delivery status in its own row. Keep in step with
-- db/postgresql/V7__single_recipient_in_the_message_row.sql: the SQL that JdbcMessageStore runs is the same for both.
-- Until V6 every message to a user wrote a recipients row (its 26-character id again, the user id, the status
-- columns: about 54 B of pages per message, dbstat of SqliteWriteBytesProbe's database) although the message row
-- already named the user. Now a message published to exactly one user (users as published, one element) holds that
-- user in messages.recipient instead of users (NULL then), and the user's status in the columns below, the
-- recipients table's; messages to several users keep users and a recipients row per distinct user as before, and
-- their status columns stay at their defaults (recipient NULL says they mean nothing). An integer 0 and a NULL cost
-- one byte of the row's header each.
ALTER TABLE messages ADD COLUMN recipient TEXT;                        -- the one user; NULL: users and recipients rows
ALTER TABLE messages ADD COLUMN status INTEGER NOT NULL DEFAULT 0;     -- as recipients.status
ALTER TABLE messages ADD COLUMN delivered_at INTEGER;
ALTER TABLE messages ADD COLUMN acked_at INTEGER;
ALTER TABLE messages ADD COLUMN read_at INTEGER;
ALTER TABLE messages ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN expired_counted INTEGER NOT NULL DEFAULT 0;

-- Existing messages to one user move their recipient row into the message row.
UPDATE messages SET recipient = r.user_id, users = NULL, status = r.status, delivered_at = r.delivered_at,
                    acked_at = r.acked_at, read_at = r.read_at, dropped = r.dropped, expired_counted = r.expired_counted
    FROM recipients r
    WHERE r.message_id = messages.id AND json_array_length(messages.users) = 1;
DELETE FROM recipients WHERE message_id IN (SELECT id FROM messages WHERE recipient IS NOT NULL);
