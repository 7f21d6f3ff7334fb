package dev.taskcert.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.taskcert.server.refusal.Refusal;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TimestampsTest {
  private static Timestamp timestamp(long seconds, int nanos) {
    return Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build();
  }

  @Test
  void acceptsTheWholeProtobufRangeInclusive() {
    assertEquals(Instant.parse("0001-01-01T00:00:00Z"),
        Timestamps.toInstant(timestamp(Timestamps.MIN_SECONDS, 0), "start_date"));
    assertEquals(Instant.parse("9999-12-31T23:59:59.999999999Z"),
        Timestamps.toInstant(timestamp(Timestamps.MAX_SECONDS, 999_999_999), "start_date"));
  }

  @ParameterizedTest
  @CsvSource({
    "9223372036854775807, 0",  // beyond what Instant holds
    "9300000000000, 0",        // an Instant, but beyond PostgreSQL timestamptz
    "253402300800, 0",         // 10000-01-01
    "-62135596801, 0",         // just before 0001-01-01
    "1800000000, -1",
    "1800000000, 1000000000"})
  void refusesTimestampsOutsideTheProtobufRangeNamingTheField(long seconds, int nanos) {
    Refusal e = assertThrows(Refusal.class,
        () -> Timestamps.toInstant(timestamp(seconds, nanos), "reschedule_date"));
    assertEquals(Refusal.Kind.INVALID_REQUEST, e.kind());
    assertTrue(e.getMessage().startsWith("reschedule_date must be a valid timestamp"),
        e.getMessage());
  }
}
