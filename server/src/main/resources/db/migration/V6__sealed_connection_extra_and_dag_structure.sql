-- Connection extras are sealed at rest like passwords (AES-256-GCM under the server key, bound to
-- the row). The key is outside the database, so rows written before this migration keep their
-- plaintext `extra` (still served) until the connection is set again through the Admin API, which
-- seals it into `extra_sealed` and clears the plaintext column to '{}'.
alter table connection add column extra_sealed bytea;
