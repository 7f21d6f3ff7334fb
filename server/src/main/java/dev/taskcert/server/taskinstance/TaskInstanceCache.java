package dev.taskcert.server.taskinstance;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.cache.CacheFactory;
import dev.taskcert.server.cache.InvalidationBus;
import dev.taskcert.server.cache.SharedLoadCache;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Task instances by (dag, run, task, map index), cached for at most the configured TTL and dropped
 * at once when any replica changes a try's state or number (PostgreSQL NOTIFY {@code ti:<id>}).
 * A miss is loaded with the caller's other facts ({@link dev.taskcert.server.authz.CallerFacts}).
 */
@Singleton
public final class TaskInstanceCache implements InvalidationBus.Listener {
  private static final String PREFIX = "ti:";

  private record Key(String dagId, String runId, String taskId, int mapIndex) {
    static Key of(TaskIdentity identity) {
      return new Key(identity.dagId(), identity.runId(), identity.taskId(), identity.mapIndex());
    }
  }

  private final SharedLoadCache<Key, Optional<TaskInstanceRow>> cache;

  @Inject
  TaskInstanceCache(CacheFactory caches, InvalidationBus bus) {
    this.cache = caches.create("task_instance");
    bus.register(this);
  }

  /**
   * The cached row of the identity's task instance, or a claim to load it along with the caller's
   * other facts (see {@link dev.taskcert.server.authz.CallerFacts}).
   */
  public SharedLoadCache.Claim<Optional<TaskInstanceRow>> claim(TaskIdentity identity) {
    return cache.claim(Key.of(identity));
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
