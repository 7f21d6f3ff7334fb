package dev.taskcert.bench.scale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.taskcert.bench.environment.ProcessStats;
import dev.taskcert.bench.load.ClosedLoopLoad;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.proto.execution.v1.StartTaskRequest;
import dev.taskcert.proto.execution.v1.TaskInstancesGrpc;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The supervisor side of the scale benchmark, run as its own JVM so that the server process holds
 * only the server's sockets. It opens one mutual-TLS connection per supervisor with the supervisor
 * library's channel factory, starts each try, reports {@code READY}, and on {@code GO} sends
 * heartbeats open loop: supervisor {@code i} heartbeats every interval, all of them spread evenly,
 * each latency measured from the heartbeat's scheduled time (so a stalled server is not hidden).
 * It prints {@code RESULT <json>} and exits on {@code EXIT} or when its input closes.
 *
 * <p>Arguments: target, credentials file, heartbeat interval ms, warmup ms, measured ms.
 */
public final class ScaleSupervisors {
  /** Host name the supervisors report. */
  public static final String HOSTNAME = "scale-worker";

  private ScaleSupervisors() {}

  /** Entry point of the supervisor process. */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    String target = args[0];
    List<TaskCredentials> credentials = CredentialFile.read(Path.of(args[1]));
    long intervalNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[2]));
    long warmupNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[3]));
    long measureNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[4]));
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    long connectStart = System.nanoTime();
    List<ManagedChannel> channels = new ArrayList<>(credentials.size());
    List<TaskInstancesGrpc.TaskInstancesFutureStub> stubs = new ArrayList<>(credentials.size());
    for (TaskCredentials credential : credentials) {
      ManagedChannel channel = ClientTls.mutualTlsChannel(target, credential);
      channels.add(channel);
      stubs.add(TaskInstancesGrpc.newFutureStub(channel));
    }
    double channelSeconds = (System.nanoTime() - connectStart) / 1e9;
    long startFailures = startAll(stubs);
    double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
    long heapAfterGc = ProcessStats.heapUsedAfterGc();
    long resident = ProcessStats.residentBytes();
    out.println("READY " + (stubs.size() - startFailures) + " " + startFailures + " " + connectSeconds + " "
        + channelSeconds);

    Map<String, Object> result = new LinkedHashMap<>();
    try {
      if (waitFor(in, "GO")) {
        result = heartbeats(stubs, intervalNanos, warmupNanos, measureNanos);
      }
      result.put("supervisors", stubs.size());
      result.put("start_failures", startFailures);
      result.put("connect_and_start_seconds", connectSeconds);
      result.put("channel_build_seconds", channelSeconds);
      result.put("heap_after_gc_bytes", heapAfterGc);
      result.put("resident_bytes", resident);
      result.put("heap_max_bytes", ProcessStats.heapMax());
      out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
      waitFor(in, "EXIT");
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
      for (ManagedChannel channel : channels) {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    System.exit(0);
  }

  /** Starts every try (which also opens and handshakes its connection), 64 at a time. */
  private static long startAll(List<TaskInstancesGrpc.TaskInstancesFutureStub> stubs) throws InterruptedException {
    Semaphore inFlight = new Semaphore(64);
    AtomicLong failures = new AtomicLong();
    for (int i = 0; i < stubs.size(); i++) {
      inFlight.acquire();
      ListenableFuture<?> started = stubs.get(i).withDeadlineAfter(60, TimeUnit.SECONDS).startTask(
          StartTaskRequest.newBuilder().setHostname(HOSTNAME).setPid(i + 1).setUnixUser("airflow").build());
      started.addListener(() -> {
        try {
          started.get();
        } catch (ExecutionException e) {
          if (failures.getAndIncrement() == 0) {
            System.err.println("first StartTask failure: " + e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        inFlight.release();
      }, MoreExecutors.directExecutor());
    }
    inFlight.acquire(64);
    return failures.get();
  }

  private static Map<String, Object> heartbeats(List<TaskInstancesGrpc.TaskInstancesFutureStub> stubs,
      long intervalNanos, long warmupNanos, long measureNanos) throws InterruptedException {
    int count = stubs.size();
    double periodNanos = (double) intervalNanos / count;
    Recorder recorder = new Recorder(3);
    AtomicLong errors = new AtomicLong();
    AtomicLong outstanding = new AtomicLong();
    long start = System.nanoTime();
    long measureFrom = start + warmupNanos;
    long end = measureFrom + measureNanos;
    long sent = 0;
    for (long k = 0; ; k++) {
      long scheduled = start + (long) (k * periodNanos);
      if (scheduled >= end) {
        break;
      }
      long wait = scheduled - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      int index = (int) (k % count);
      boolean measured = scheduled >= measureFrom;
      outstanding.incrementAndGet();
      sent++;
      ListenableFuture<?> call = stubs.get(index).withDeadlineAfter(10, TimeUnit.SECONDS)
          .heartbeat(HeartbeatRequest.newBuilder().setHostname(HOSTNAME).setPid(index + 1).build());
      call.addListener(() -> {
        long latency = System.nanoTime() - scheduled;
        try {
          call.get();
          if (measured) {
            recorder.recordValue(latency);
          }
        } catch (ExecutionException e) {
          if (measured && errors.getAndIncrement() == 0) {
            System.err.println("first heartbeat failure: " + e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        outstanding.decrementAndGet();
      }, MoreExecutors.directExecutor());
    }
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (outstanding.get() > 0 && System.nanoTime() < drainUntil) {
      Thread.sleep(10);
    }
    Histogram histogram = recorder.getIntervalHistogram();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("heartbeats_per_s_offered", 1e9 / periodNanos);
    result.put("heartbeats_sent", sent);
    result.put("heartbeats_measured", histogram.getTotalCount());
    result.put("heartbeat_errors", errors.get());
    result.put("heartbeats_unanswered", outstanding.get());
    result.put("p50_ms", ClosedLoopLoad.millis(histogram, 50));
    result.put("p99_ms", ClosedLoopLoad.millis(histogram, 99));
    result.put("p999_ms", ClosedLoopLoad.millis(histogram, 99.9));
    result.put("max_ms", histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue() / 1e6);
    return result;
  }

  private static boolean waitFor(BufferedReader in, String word) throws java.io.IOException {
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.trim().equals(word)) {
        return true;
      }
    }
    return false;
  }
}
