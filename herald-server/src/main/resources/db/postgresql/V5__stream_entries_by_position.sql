-- Stream entries keyed by their position, and fewer B-tree pages written per message. Keep in step with
-- db/sqlite/V5__stream_entries_by_position.sql.
-- Until V4 an entry had two per-stream indexes, the primary key (stream, message_id) and the unique
-- (stream, position): every message to a user wrote a leaf page of each. Now (stream, position) is the primary
-- key and the only per-stream index. The id of an entry is not indexed per stream: an id cursor (the older way
-- to resume) reads the stream's entries, at most the stream cap of them (StoreReads#positionOf).

ALTER TABLE stream_entries DROP CONSTRAINT stream_entries_pkey;
DROP INDEX stream_entries_position;
ALTER TABLE stream_entries ADD CONSTRAINT stream_entries_pkey PRIMARY KEY (stream, position);
