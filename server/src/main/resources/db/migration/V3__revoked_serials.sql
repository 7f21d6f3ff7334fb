-- Revocations of certificates this server did not issue (for example operator certificates made
-- offline with taskcert-ca issue), so that every serial can be revoked, not only recorded ones.
create table revoked_serial (
  serial_hex text primary key check (serial_hex ~ '^[0-9a-f]{1,64}$'),
  revoked_at timestamptz not null,
  reason     text
);

create function taskcert_notify_revoked_serial() returns trigger language plpgsql as $$
begin
  perform pg_notify('taskcert_invalidate', 'revoked:' || new.serial_hex);
  return new;
end $$;

create trigger serial_revoked after insert on revoked_serial
  for each row execute function taskcert_notify_revoked_serial();
