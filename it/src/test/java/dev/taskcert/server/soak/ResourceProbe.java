package dev.taskcert.server.soak;

import dev.taskcert.server.metrics.ServerMetrics;
import io.grpc.InternalChannelz;
import io.grpc.InternalInstrumented;
import io.grpc.InternalWithLogId;
import io.netty.util.internal.PlatformDependent;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Takes {@link ResourceSample}s: heap retained after full collections, threads, direct memory, gRPC
 * channels and server connections (from channelz, where grpc-java registers every one it opens
 * until it terminates) and the server's cache sizes (from its metrics).
 */
final class ResourceProbe {
  private static final String RENEWAL_THREAD = "taskcert-renewal";
  private static final List<String> POOLS = List.of("grpc-default-executor", "ForkJoinPool.commonPool");
  private static final int PAGE = 1000;

  private final ServerMetrics metrics;

  ResourceProbe(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  ResourceSample sample(Duration at, int sessions) throws InterruptedException {
    long heap = retainedHeap();
    ThreadCount threads = threads();
    return new ResourceSample(at, sessions, heap, metaspace(),
        ManagementFactory.getClassLoadingMXBean().getLoadedClassCount(), threads.all(), threads.renewal(),
        threads.pooled(), directMemory(), clientChannels(), serverConnections(), cacheEntries("revocation"),
        cacheEntries("task_instance"), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted(),
        residentMemory());
  }

  /**
   * Heap in use right after full collections. Three collections a little apart: objects that
   * wait for finalization (native TLS contexts do) are freed only by the collection after their
   * finalizer ran. The usage is what each pool held right after the last collection, so objects
   * the running workload allocated since then do not count.
   */
  static long retainedHeap() throws InterruptedException {
    long before = collections();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    if (collections() == before) {
      throw new IllegalStateException("System.gc() collected nothing: is -XX:+DisableExplicitGC set?");
    }
    long retained = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage afterCollection = pool.getCollectionUsage();
      if (pool.getType() == MemoryType.HEAP && afterCollection != null) {
        retained += afterCollection.getUsed();
      }
    }
    return retained;
  }

  private static long collections() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
  }

  private static long metaspace() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getName().equals("Metaspace"))
        .mapToLong(pool -> pool.getUsage().getUsed())
        .findFirst().orElse(-1);
  }

  private record ThreadCount(int all, int renewal, int pooled) {}

  private static ThreadCount threads() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    int all = 0;
    int renewal = 0;
    int pooled = 0;
    for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info != null) {
        all++;
        String name = info.getThreadName();
        if (name.equals(RENEWAL_THREAD)) {
          renewal++;
        } else if (POOLS.stream().anyMatch(name::startsWith)) {
          pooled++;
        }
      }
    }
    return new ThreadCount(all, renewal, pooled);
  }

  /** JDK direct buffers plus what Netty allocates past the JDK's accounting (when it does). */
  private static long directMemory() {
    long jdk = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct"))
        .mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    return jdk + Math.max(0, PlatformDependent.usedDirectMemory());
  }

  /** Client channels registered in channelz: created and not yet terminated. */
  static int clientChannels() {
    InternalChannelz channelz = InternalChannelz.instance();
    int count = 0;
    long from = 0;
    while (true) {
      InternalChannelz.RootChannelList page = channelz.getRootChannels(from, PAGE);
      count += page.channels.size();
      if (page.end || page.channels.isEmpty()) {
        return count;
      }
      from = lastId(page.channels) + 1;
    }
  }

  /** Connections every gRPC server in this JVM holds open. */
  static int serverConnections() {
    InternalChannelz channelz = InternalChannelz.instance();
    int count = 0;
    long fromServer = 0;
    while (true) {
      InternalChannelz.ServerList servers = channelz.getServers(fromServer, PAGE);
      for (InternalInstrumented<?> server : servers.servers) {
        long fromSocket = 0;
        while (true) {
          InternalChannelz.ServerSocketsList sockets =
              channelz.getServerSockets(server.getLogId().getId(), fromSocket, PAGE);
          if (sockets == null) {
            break;
          }
          count += sockets.sockets.size();
          if (sockets.end || sockets.sockets.isEmpty()) {
            break;
          }
          fromSocket = lastId(sockets.sockets) + 1;
        }
      }
      if (servers.end || servers.servers.isEmpty()) {
        return count;
      }
      fromServer = lastId(servers.servers) + 1;
    }
  }

  private static long lastId(List<? extends InternalWithLogId> page) {
    return page.get(page.size() - 1).getLogId().getId();
  }

  /** The server's {@code taskcert_cache_<name>_entries} gauge. */
  private long cacheEntries(String name) {
    String metric = "taskcert_cache_" + name + "_entries";
    for (MetricSnapshot snapshot : metrics.registry().scrape(metric::equals)) {
      if (snapshot instanceof GaugeSnapshot gauge && !gauge.getDataPoints().isEmpty()) {
        return (long) gauge.getDataPoints().get(0).getValue();
      }
    }
    throw new IllegalStateException("the server exports no " + metric);
  }

  /** VmRSS from /proc, where there is one. */
  private static long residentMemory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
