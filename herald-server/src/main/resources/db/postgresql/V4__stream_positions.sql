-- Stream positions and epochs: the store is the sequencer. Each stream numbers its entries 1, 2, 3… in commit
-- order (streams.head is the last position given out) and has an epoch, a random name for one unbroken history
-- of the stream: made with the stream, kept across restarts. Keep in step with db/sqlite/V4__stream_positions.sql.
-- Existing entries are numbered per stream in id order (their publish order) and every stream gets a new epoch.

ALTER TABLE streams ALTER COLUMN trimmed_through DROP NOT NULL;  -- NULL: nothing trimmed yet
ALTER TABLE streams ADD COLUMN epoch TEXT COLLATE "C";            -- 8 hex characters
ALTER TABLE streams ADD COLUMN head BIGINT NOT NULL DEFAULT 0;    -- the last position given out
INSERT INTO streams (stream) SELECT DISTINCT stream FROM stream_entries ON CONFLICT (stream) DO NOTHING;

ALTER TABLE stream_entries ADD COLUMN position BIGINT;            -- the entry's place in its stream: 1, 2, 3…
UPDATE stream_entries e SET position = n.position
    FROM (SELECT stream, message_id, ROW_NUMBER() OVER (PARTITION BY stream ORDER BY message_id) AS position
          FROM stream_entries) n
    WHERE e.stream = n.stream AND e.message_id = n.message_id;
ALTER TABLE stream_entries ALTER COLUMN position SET NOT NULL;
CREATE UNIQUE INDEX stream_entries_position ON stream_entries (stream, position);

UPDATE streams s SET epoch = substr(md5(random()::text || clock_timestamp()::text || s.stream), 1, 8),
                     head = COALESCE((SELECT MAX(e.position) FROM stream_entries e WHERE e.stream = s.stream), 0);
ALTER TABLE streams ALTER COLUMN epoch SET NOT NULL;
ALTER TABLE streams ALTER COLUMN head DROP DEFAULT;
