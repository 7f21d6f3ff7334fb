package dev.taskcert.server.fault;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The sequence of writes to one key: the stored value must be the newest acknowledged or a later attempt. */
final class VariableWrites {
  private final Set<Long> unacknowledgedSinceNewest = ConcurrentHashMap.newKeySet();
  private volatile long newestAcknowledged = -1;

  void attempt(long value) {
    unacknowledgedSinceNewest.add(value);
  }

  void acknowledge(long value) {
    newestAcknowledged = value;
    unacknowledgedSinceNewest.clear();
  }

  void verify(String what, long stored) {
    assertTrue(newestAcknowledged >= 0, what + " was never written");
    assertTrue(stored == newestAcknowledged || unacknowledgedSinceNewest.contains(stored),
        what + " holds " + stored + ", but the newest acknowledged write was " + newestAcknowledged);
  }
}
