-- Revoking a try voids its unredeemed enrollment tokens with a flag, not by moving their expiry to
-- the revoking replica's clock: a replica whose clock lags would still find such a token unexpired.
alter table enrollment_token add column voided_at timestamptz;
