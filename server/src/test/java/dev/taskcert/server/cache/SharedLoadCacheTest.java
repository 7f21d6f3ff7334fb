package dev.taskcert.server.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Concurrent misses of one key run one load and all see its answer, or all see its failure. */
class SharedLoadCacheTest {
  private static final int CALLERS = 8;

  private final ExecutorService callers = Executors.newSingleThreadExecutor();
  private final SharedLoadCache<String, String> cache = new SharedLoadCache<>(
      Caffeine.newBuilder().executor(Runnable::run).<String, String>buildAsync());

  @AfterEach
  void stop() {
    callers.shutdownNow();
  }

  /**
   * Starts {@link #CALLERS} gets of {@code key}; the first one's load blocks until {@code release}.
   * Returns once every other caller is parked waiting for that load.
   */
  private List<Future<String>> concurrentGets(String key, AtomicInteger loads, CountDownLatch release,
      RuntimeException failure) throws Exception {
    CountDownLatch loading = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    results.add(callers.submit(() -> cache.get(key, k -> {
      loads.incrementAndGet();
      loading.countDown();
      await(release);
      if (failure != null) {
        throw failure;
      }
      return "value-" + k;
    })));
    assertEquals(true, loading.await(10, TimeUnit.SECONDS), "the first load never started");
    List<Thread> waiters = new ArrayList<>();
    for (int i = 1; i < CALLERS; i++) {
      FutureTask<String> waiter = new FutureTask<>(() -> cache.get(key, k -> {
        loads.incrementAndGet();
        return "second-load-" + k;
      }));
      Thread thread = new Thread(waiter, "waiter-" + i);
      thread.setDaemon(true);
      thread.start();
      waiters.add(thread);
      results.add(waiter);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!waiters.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
      assertEquals(true, System.nanoTime() < deadline, "the waiters never parked on the shared load");
      Thread.sleep(5);
    }
    return results;
  }

  @Test
  void concurrentMissesShareOneLoad() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    List<Future<String>> results = concurrentGets("k", loads, release, null);
    release.countDown();
    for (Future<String> result : results) {
      assertEquals("value-k", result.get(10, TimeUnit.SECONDS));
    }
    assertEquals(1, loads.get());
  }

  @Test
  void concurrentMissesShareOneFailureAndTheFailureIsNotCached() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    IllegalStateException databaseDown = new IllegalStateException("database down");
    List<Future<String>> results = concurrentGets("k", loads, release, databaseDown);
    release.countDown();
    for (Future<String> result : results) {
      Exception thrown = assertThrows(Exception.class, () -> result.get(10, TimeUnit.SECONDS));
      assertSame(databaseDown, thrown.getCause(), "a waiter saw something other than the shared failure");
    }
    assertEquals(1, loads.get(), "a waiter started its own load after the shared one failed");
    assertEquals("again-k", cache.get("k", k -> "again-" + k), "the failure was cached");
  }

  @Test
  void anEntryInvalidatedWhileLoadingIsNotStored() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    List<Future<String>> results = concurrentGets("k", loads, release, null);
    cache.invalidate("k");
    release.countDown();
    for (Future<String> result : results) {
      assertEquals("value-k", result.get(10, TimeUnit.SECONDS), "callers already waiting get the load they waited for");
    }
    assertEquals("fresh-k", cache.get("k", k -> "fresh-" + k));
  }

  @Test
  void aClaimSharesItsLoadWithEveryOtherMissOfTheKey() {
    SharedLoadCache.Claim<String> first = cache.claim("k");
    SharedLoadCache.Claim<String> second = cache.claim("k");
    assertTrue(first.isMine());
    assertFalse(second.isMine(), "a second miss waits for the first load");
    assertThrows(IllegalStateException.class, () -> second.complete("not mine"));
    first.complete("loaded");
    assertEquals("loaded", second.join());
    assertEquals("loaded", cache.get("k", k -> "loaded again"));
  }

  @Test
  void claimsOfSeveralKeysAreLoadedTogether() {
    SharedLoadCache.Claim<String> a = cache.claim("a");
    SharedLoadCache.Claim<String> b = cache.claim("b");
    assertTrue(a.isMine() && b.isMine());
    a.complete("one query");
    b.complete("one query");
    assertEquals("one query", cache.get("a", k -> "a second query"));
    assertEquals("one query", cache.get("b", k -> "a second query"));
  }

  @Test
  void aClaimInvalidatedOrReplacedWhileItLoadsIsNotStored() {
    SharedLoadCache.Claim<String> invalidated = cache.claim("k");
    cache.invalidate("k");
    invalidated.complete("stale");
    assertEquals("stale", invalidated.join(), "its caller still gets what it loaded");
    assertEquals("fresh", cache.get("k", k -> "fresh"));

    SharedLoadCache.Claim<String> replaced = cache.claim("r");
    cache.put("r", "told");
    replaced.complete("stale");
    assertEquals("told", cache.get("r", k -> "loaded"));
  }

  @Test
  void aFailedClaimFailsItsWaitersAndIsNotCached() {
    SharedLoadCache.Claim<String> mine = cache.claim("k");
    SharedLoadCache.Claim<String> waiting = cache.claim("k");
    IllegalStateException databaseDown = new IllegalStateException("database down");
    mine.fail(databaseDown);
    assertSame(databaseDown, assertThrows(IllegalStateException.class, waiting::join));
    assertTrue(cache.claim("k").isMine(), "the failure was cached");
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
