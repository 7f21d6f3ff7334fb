package dev.taskcert.server.grpc;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/**
 * Conversions between protobuf timestamps and {@link Instant}. A timestamp in a request must be in
 * the range protobuf defines for the type, 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z
 * with nanos from 0 to 999,999,999, which PostgreSQL {@code timestamptz} holds; anything else is
 * INVALID_ARGUMENT rather than a failure to store it.
 */
public final class Timestamps {
  /** Seconds of 0001-01-01T00:00:00Z, the earliest valid protobuf timestamp. */
  public static final long MIN_SECONDS = -62_135_596_800L;
  /** Seconds of 9999-12-31T23:59:59Z, the latest valid protobuf timestamp. */
  public static final long MAX_SECONDS = 253_402_300_799L;

  private Timestamps() {}

  /**
   * The instant of the timestamp in request field {@code field}.
   *
   * @throws dev.taskcert.server.refusal.Refusal an invalid request naming the field when the timestamp is
   *     outside the protobuf range
   */
  public static Instant toInstant(Timestamp timestamp, String field) {
    long seconds = timestamp.getSeconds();
    int nanos = timestamp.getNanos();
    if (seconds < MIN_SECONDS || seconds > MAX_SECONDS || nanos < 0 || nanos > 999_999_999) {
      throw RequestLimits.invalid(field + " must be a valid timestamp from 0001-01-01 to 9999-12-31 with nanos"
          + " from 0 to 999999999, got seconds=" + seconds + " nanos=" + nanos);
    }
    return Instant.ofEpochSecond(seconds, nanos);
  }

  public static Timestamp of(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }
}
