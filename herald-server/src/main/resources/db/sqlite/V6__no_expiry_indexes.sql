-- Nothing indexed by expiry. Keep in step with db/postgresql/V6__no_expiry_indexes.sql.
-- messages_expires_at and stream_entries_expires_at cost every message about 60 B of pages (45 B and 17 B, dbstat of
-- SqliteWriteBytesProbe's database), plus the rewritten tail page of each at every commit, only for maintenance.
-- Maintenance now walks what is indexed anyway (StoreMaintenance): the TTL takes each stream's expired front along
-- (stream, position), the purge reads messages in id order (ids begin with the publish time) up to the bound
-- before which a message may be due. Readers filter on expires_at as before, so nothing expired is served.
DROP INDEX messages_expires_at;
DROP INDEX stream_entries_expires_at;
