-- Herald message store: the request hash next to the idempotency key. Keep in step with
-- db/sqlite/V3__request_hash.sql.
-- A repeat of a key with the same hash is a retry (answered with the first message's id); with another
-- hash the key was reused for a different request (422 idempotency_key_reused). Hex SHA-256 of the request
-- (PublishRequest#fingerprint); NULL for messages stored before this column existed, which match any repeat.
ALTER TABLE messages ADD COLUMN request_hash TEXT;
