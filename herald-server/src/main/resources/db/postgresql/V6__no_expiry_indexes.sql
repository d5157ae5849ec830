-- Nothing indexed by expiry. Keep in step with the first part of db/sqlite/V6__no_expiry_indexes_integer_stream_ids.sql.
-- messages_expires_at and stream_entries_expires_at were there only for maintenance, and each cost every message
-- an index update (a WAL record and a page touched per row). Maintenance now walks what is indexed anyway
-- (StoreMaintenance): the TTL takes each stream's expired front along the primary key (stream, position), the
-- purge reads messages in id order (ids begin with the publish time) up to the bound before which a message may
-- be due. Readers filter on expires_at as before, so nothing expired is served.
DROP INDEX messages_expires_at;
DROP INDEX stream_entries_expires_at;
