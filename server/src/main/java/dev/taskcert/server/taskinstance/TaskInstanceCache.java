package dev.taskcert.server.taskinstance;

import com.github.benmanes.caffeine.cache.Cache;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.cache.CacheFactory;
import dev.taskcert.server.cache.InvalidationBus;
import dev.taskcert.server.cache.SharedLoadCache;
import dev.taskcert.server.db.Transactions;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Task instances by (dag, run, task, map index), cached for at most the configured TTL and dropped
 * at once when any replica changes a try's state or number (PostgreSQL NOTIFY {@code ti:<id>}).
 */
@Singleton
public final class TaskInstanceCache implements InvalidationBus.Listener {
  private static final String PREFIX = "ti:";

  private record Key(String dagId, String runId, String taskId, int mapIndex) {
    static Key of(TaskIdentity identity) {
      return new Key(identity.dagId(), identity.runId(), identity.taskId(), identity.mapIndex());
    }
  }

  private final Transactions transactions;
  private final SharedLoadCache<Key, Optional<TaskInstanceRow>> cache;

  @Inject
  TaskInstanceCache(Transactions transactions, CacheFactory caches, InvalidationBus bus) {
    this.transactions = transactions;
    this.cache = caches.create("task_instance");
    bus.register(this);
  }

  /** The task instance the identity belongs to (any try), if it exists. */
  public Optional<TaskInstanceRow> find(TaskIdentity identity) {
    return cache.get(Key.of(identity), key -> Optional.ofNullable(transactions.withMapper(
        TaskInstanceMapper.class, mapper -> mapper.find(key.dagId(), key.runId(), key.taskId(), key.mapIndex()))));
  }

  /** Drops the cached row of this task instance (after a local write). */
  public void invalidate(TaskIdentity identity) {
    cache.invalidate(Key.of(identity));
  }

  @Override
  public void onNotification(String payload) {
    if (payload.startsWith(PREFIX)) {
      try {
        long id = Long.parseLong(payload.substring(PREFIX.length()));
        cache.invalidateValuesIf(row -> row.isPresent() && row.get().id() == id);
      } catch (NumberFormatException e) {
        cache.invalidateAll();
      }
    }
  }

  @Override
  public void onResync() {
    cache.invalidateAll();
  }
}
