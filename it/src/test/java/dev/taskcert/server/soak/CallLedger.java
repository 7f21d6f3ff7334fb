package dev.taskcert.server.soak;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What became of every call of the soak: succeeded (by operation), refused as an injected fault
 * explains (by fault), or failed without explanation. The first few unexplained failures are kept
 * word for word, and printed as they happen.
 */
final class CallLedger {
  private static final int KEPT = 20;

  private final Map<Operation, LongAdder> succeeded = new EnumMap<>(Operation.class);
  private final Map<Fault, LongAdder> refused = new EnumMap<>(Fault.class);
  private final LongAdder unexplained = new LongAdder();
  private final AtomicInteger kept = new AtomicInteger();
  private final Queue<String> firstUnexplained = new ConcurrentLinkedQueue<>();

  CallLedger() {
    for (Operation operation : Operation.values()) {
      succeeded.put(operation, new LongAdder());
    }
    for (Fault fault : Fault.values()) {
      refused.put(fault, new LongAdder());
    }
  }

  void recordSuccess(Operation operation) {
    succeeded.get(operation).increment();
  }

  void recordRefusal(Fault fault) {
    refused.get(fault).increment();
  }

  void recordUnexplained(String what) {
    unexplained.increment();
    if (kept.getAndIncrement() < KEPT) {
      firstUnexplained.add(what);
      System.out.println("soak UNEXPLAINED " + what);
    }
  }

  long succeeded() {
    return succeeded.values().stream().mapToLong(LongAdder::sum).sum();
  }

  long succeeded(Operation operation) {
    return succeeded.get(operation).sum();
  }

  long refused() {
    return refused.values().stream().mapToLong(LongAdder::sum).sum();
  }

  long refused(Fault fault) {
    return refused.get(fault).sum();
  }

  long unexplained() {
    return unexplained.sum();
  }

  List<String> firstUnexplained() {
    return List.copyOf(firstUnexplained);
  }
}
