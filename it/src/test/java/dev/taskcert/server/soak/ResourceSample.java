package dev.taskcert.server.soak;

import java.time.Duration;

/**
 * What the JVM holds at one moment of the soak (server and supervisors share it).
 *
 * @param at time since the supervisors started calling
 * @param sessions supervisor sessions open
 * @param retainedHeap heap still in use right after full collections, in bytes
 * @param metaspace class metadata in use, in bytes
 * @param loadedClasses classes loaded now
 * @param threads live threads
 * @param renewalThreads live certificate-renewal threads (one per open session)
 * @param pooledThreads threads of the shared pools that grow and shrink with load (gRPC's default
 *     executor, which runs the server's call handlers, and the common fork-join pool)
 * @param directMemory direct buffer memory (JDK buffers and Netty's own), in bytes
 * @param clientChannels gRPC client channels not yet terminated
 * @param serverConnections connections the gRPC servers hold open
 * @param revocationEntries entries of the server's revocation cache
 * @param taskInstanceEntries entries of the server's task-instance cache
 * @param committedHeap heap the JVM has reserved from the system, in bytes; informative only
 * @param residentMemory the process's resident set, in bytes (-1 where unknown); informative only
 */
record ResourceSample(
    Duration at,
    int sessions,
    long retainedHeap,
    long metaspace,
    long loadedClasses,
    int threads,
    int renewalThreads,
    int pooledThreads,
    long directMemory,
    int clientChannels,
    int serverConnections,
    long revocationEntries,
    long taskInstanceEntries,
    long committedHeap,
    long residentMemory) {

  /** Threads that are neither renewal threads nor in a shared pool: their number should be constant. */
  int otherThreads() {
    return threads - renewalThreads - pooledThreads;
  }

  /** One progress-line fragment. */
  String describe() {
    return String.format("sessions=%d heap=%s metaspace=%s classes=%d threads=%d (renewal %d, pooled %d) direct=%s "
            + "channels=%d connections=%d cache revocation=%d task_instance=%d heap-committed=%s rss=%s",
        sessions, mib(retainedHeap), mib(metaspace), loadedClasses, threads, renewalThreads, pooledThreads, mib(directMemory),
        clientChannels, serverConnections, revocationEntries, taskInstanceEntries, mib(committedHeap),
        mib(residentMemory));
  }

  static String mib(long bytes) {
    return bytes < 0 ? "?" : String.format("%.1fMiB", bytes / 1024.0 / 1024.0);
  }
}
