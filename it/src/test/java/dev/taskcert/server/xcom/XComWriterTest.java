package dev.taskcert.server.xcom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.DemoData;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.testing.TestEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Group commit of XCom writes against the real database: concurrent writes all land, each caller
 * returns only after its value is committed, a write of the same XCom later in a batch wins, and a
 * write the database refuses fails alone while the rest of its batch is written.
 */
class XComWriterTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  private static final String DAG = DemoData.ANALYTICS.dagId();
  private static final String RUN = DemoData.RUN_ID;

  private static XComWrite write(String taskId, String key, String value) {
    return new XComWrite(DAG, RUN, taskId, -1, key, value, null, false);
  }

  private static String stored(String taskId, String key) {
    XComRow row = env.instance(Transactions.class).withMapper(XComMapper.class,
        mapper -> mapper.find(DAG, RUN, taskId, -1, key));
    return row == null ? null : row.value();
  }

  /**
   * Runs {@code count} writers, released together so their writes meet in batches, and hands back
   * their outcomes in order; the pool is gone when {@code check} returns.
   */
  private static <T> void together(int count, IntFunction<Callable<T>> writer, ThrowingCheck<T> check)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<T>> done = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Callable<T> work = writer.apply(i);
        done.add(pool.submit(() -> {
          start.await();
          return work.call();
        }));
      }
      start.countDown();
      check.accept(done);
    } finally {
      pool.shutdownNow();
    }
  }

  /** What a test checks of its writers' outcomes. */
  private interface ThrowingCheck<T> {
    void accept(List<Future<T>> outcomes) throws Exception;
  }

  @Test
  void concurrentWritesAllLandAndAreCommittedWhenTheCallReturns() throws Exception {
    XComWriter writer = env.instance(XComWriter.class);
    int writers = 48;
    together(writers, n -> () -> {
      for (int round = 0; round < 20; round++) {
        writer.write(write("group_commit", "key_" + n, "{\"n\": " + n + ", \"round\": " + round + "}"));
        // Committed before write returned: visible to a new transaction right away.
        String seen = stored("group_commit", "key_" + n);
        if (!("{\"n\": " + n + ", \"round\": " + round + "}").equals(seen)) {
          return "key_" + n + " round " + round + " read back " + seen;
        }
      }
      return null;
    }, outcomes -> {
      for (Future<String> outcome : outcomes) {
        assertEquals(null, outcome.get(2, TimeUnit.MINUTES));
      }
    });
    assertEquals(writers, env.count("select count(*) from xcom where task_id = 'group_commit'"));
  }

  @Test
  void theLaterOfTwoWritesOfOneXComInABatchStands() {
    XComWriter writer = env.instance(XComWriter.class);
    // Same key twice: whatever batches they fall into, the one written last is the value.
    writer.write(write("twice", "k", "1"));
    writer.write(write("twice", "k", "2"));
    assertEquals("2", stored("twice", "k"));
  }

  @Test
  void aWriteTheDatabaseRefusesFailsAloneAndTheOthersLand() throws Exception {
    XComWriter writer = env.instance(XComWriter.class);
    int writers = 16;
    together(writers, n -> {
      // Writer 0 names a dag run that does not exist: its row cannot be written.
      XComWrite write = n == 0
          ? new XComWrite(DAG, "no_such_run", "refused", -1, "k", "0", null, false)
          : write("refused_batch", "key_" + n, Integer.toString(n));
      return () -> {
        writer.write(write);
        return null;
      };
    }, outcomes -> {
      ExecutionException refused = assertThrows(ExecutionException.class,
          () -> outcomes.get(0).get(1, TimeUnit.MINUTES));
      assertTrue(refused.getCause() instanceof RuntimeException, "refused with " + refused.getCause());
      for (Future<Object> outcome : outcomes.subList(1, writers)) {
        outcome.get(1, TimeUnit.MINUTES);
      }
    });
    assertEquals(writers - 1, env.count("select count(*) from xcom where task_id = 'refused_batch'"));
    assertEquals(0, env.count("select count(*) from xcom where task_id = 'refused'"));
  }
}
