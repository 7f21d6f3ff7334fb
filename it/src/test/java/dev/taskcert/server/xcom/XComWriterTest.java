package dev.taskcert.server.xcom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.DemoData;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.testing.TestEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

  @Test
  void concurrentWritesAllLandAndAreCommittedWhenTheCallReturns() throws Exception {
    XComWriter writer = env.instance(XComWriter.class);
    int writers = 48;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<String>> done = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        int n = i;
        done.add(pool.submit(() -> {
          start.await();
          for (int round = 0; round < 20; round++) {
            writer.write(write("group_commit", "key_" + n, "{\"n\": " + n + ", \"round\": " + round + "}"));
            // Committed before write returned: visible to a new transaction right away.
            String seen = stored("group_commit", "key_" + n);
            if (!("{\"n\": " + n + ", \"round\": " + round + "}").equals(seen)) {
              return "key_" + n + " round " + round + " read back " + seen;
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<String> future : done) {
        assertEquals(null, future.get(2, TimeUnit.MINUTES));
      }
    } finally {
      pool.shutdownNow();
    }
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
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        int n = i;
        // Writer 0 names a dag run that does not exist: its row cannot be written.
        XComWrite write = n == 0
            ? new XComWrite(DAG, "no_such_run", "refused", -1, "k", "0", null, false)
            : write("refused_batch", "key_" + n, Integer.toString(n));
        done.add(pool.submit(() -> {
          start.await();
          writer.write(write);
          return null;
        }));
      }
      start.countDown();
      java.util.concurrent.ExecutionException refused = assertThrows(java.util.concurrent.ExecutionException.class,
          () -> done.get(0).get(1, TimeUnit.MINUTES));
      assertTrue(refused.getCause() instanceof RuntimeException, "refused with " + refused.getCause());
      for (Future<?> future : done.subList(1, writers)) {
        future.get(1, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(writers - 1, env.count("select count(*) from xcom where task_id = 'refused_batch'"));
    assertEquals(0, env.count("select count(*) from xcom where task_id = 'refused'"));
  }
}
