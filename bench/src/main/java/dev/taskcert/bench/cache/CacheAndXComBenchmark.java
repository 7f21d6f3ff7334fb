package dev.taskcert.bench.cache;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import dev.taskcert.bench.SuiteSettings;
import dev.taskcert.bench.environment.BenchChannels;
import dev.taskcert.bench.environment.BenchEnvironment;
import dev.taskcert.bench.environment.CpuMeter;
import dev.taskcert.bench.environment.RunningTask;
import dev.taskcert.bench.load.ClosedLoopLoad;
import dev.taskcert.bench.load.LoadResult;
import dev.taskcert.bench.report.Section;
import dev.taskcert.bench.report.TargetCheck;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.proto.execution.v1.XComsGrpc;
import dev.taskcert.server.ServerRuntime;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.xcom.XComMapper;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Benchmark 5: authorization with a cold cache (a second replica on the same database with
 * {@code cache.ttl=PT0S}, so every call reads the task instance and DAG ownership from PostgreSQL)
 * against the default warm cache, and XCom writes per second through the server against the same
 * upsert issued directly through the server's own connection pool (what PostgreSQL alone allows).
 */
public final class CacheAndXComBenchmark {
  private static final Logger log = LoggerFactory.getLogger(CacheAndXComBenchmark.class);
  private static final GetVariableRequest READ =
      GetVariableRequest.newBuilder().setKey(BenchEnvironment.TEAM_VARIABLE).build();
  private static final int XCOM_KEYS_PER_TASK = 8;
  private static final Duration RAMP = Duration.ofMillis(250);

  private CacheAndXComBenchmark() {}

  /** Measures the warm/cold authorization points; returns its section. */
  public static Section cache(BenchEnvironment environment, List<RunningTask> tasks, SuiteSettings settings,
      List<TargetCheck> targets) throws Exception {
    Section section = new Section("authorization_cache", "5a. Authorization with a warm and a cold cache",
        "GetVariable over mutual TLS as in benchmark 1. Warm: the server's default cache.ttl (PT5S). Cold: a second "
            + "replica on the same database and CA with cache.ttl=PT0S, so each call also reads the revocation "
            + "state, the task instance and the DAG's ownership from PostgreSQL.");
    ServerRuntime cold = environment.startReplica(builder -> builder.cacheTtl(Duration.ZERO));
    String coldTarget = "127.0.0.1:" + cold.executionPort();
    int callers = settings.cacheConcurrencies().stream().mapToInt(Integer::intValue).max().orElse(1);
    List<ManagedChannel> coldChannels = new ArrayList<>();
    try {
      List<Supplier<ListenableFuture<?>>> warmCallers = new ArrayList<>();
      List<Supplier<ListenableFuture<?>>> coldCallers = new ArrayList<>();
      for (RunningTask task : tasks.subList(0, callers)) {
        warmCallers.add(reader(task.channel()));
        ManagedChannel channel = BenchChannels.mutualTls(coldTarget, task.credentials());
        coldChannels.add(channel);
        coldCallers.add(reader(channel));
      }
      for (Supplier<ListenableFuture<?>> caller : coldCallers) {
        caller.get().get(30, TimeUnit.SECONDS);
      }
      for (int concurrency : settings.cacheConcurrencies()) {
        Map<String, List<Supplier<ListenableFuture<?>>>> variants = new LinkedHashMap<>();
        variants.put("warm", warmCallers.subList(0, concurrency));
        variants.put("cold", coldCallers.subList(0, concurrency));
        Map<String, LoadResult> point =
            ClosedLoopLoad.interleaved(variants, settings.warmup(), settings.measure(), settings.rounds());
        LoadResult warm = point.get("warm");
        LoadResult coldResult = point.get("cold");
        log.info("cache x{}: warm {}/s, cold {}/s", concurrency, Math.round(warm.callsPerSecond()),
            Math.round(coldResult.callsPerSecond()));
        for (var entry : List.of(List.of("warm (cache.ttl=PT5S)", warm), List.of("cold (cache.ttl=PT0S)", coldResult))) {
          LoadResult result = (LoadResult) entry.get(1);
          section.row("callers", concurrency, "cache", entry.get(0), "calls_per_s", result.callsPerSecond(),
              "p50_ms", result.p50Millis(), "p99_ms", result.p99Millis(), "errors", result.errors(),
              "x_warm", result.callsPerSecond() / warm.callsPerSecond());
        }
        targets.add(TargetCheck.ratioAtLeast("cold-cache GetVariable >= 0.6x the warm rate, " + concurrency
                + " callers", coldResult.callsPerSecond(), warm.callsPerSecond(), 0.6,
            "second replica with cache.ttl=PT0S against the default cache, same run, taking turns"));
      }
    } finally {
      coldChannels.forEach(ManagedChannel::shutdownNow);
    }
    return section;
  }

  /** Measures XCom writes; returns its section. */
  public static Section xcom(BenchEnvironment environment, List<RunningTask> tasks, SuiteSettings settings,
      List<TargetCheck> targets) throws Exception {
    Section section = new Section("xcom_writes", "5b. XCom writes",
        "SetXCom over mutual TLS (each caller a running task writing its own XComs, " + XCOM_KEYS_PER_TASK
            + " keys each, upserted in turn; the server writes concurrent values together, one statement for "
            + "many) against the same upsert statement issued directly, one autocommitted statement a write, with the "
            + "server's MyBatis mapper and HikariCP pool (pool size " + environment.config().database().maxPoolSize()
            + ") by as many threads, with no gRPC, TLS or authorization: the rate PostgreSQL allows here.");
    Transactions transactions = environment.transactions();
    int callers = settings.cacheConcurrencies().stream().mapToInt(Integer::intValue).max().orElse(1);
    ListeningExecutorService pool = MoreExecutors.listeningDecorator(Executors.newFixedThreadPool(callers));
    try {
      List<Supplier<ListenableFuture<?>>> server = new ArrayList<>();
      List<Supplier<ListenableFuture<?>>> direct = new ArrayList<>();
      for (RunningTask task : tasks.subList(0, callers)) {
        XComsGrpc.XComsFutureStub stub = XComsGrpc.newFutureStub(task.channel());
        AtomicLong counter = new AtomicLong();
        server.add(() -> {
          long n = counter.incrementAndGet();
          return stub.withDeadlineAfter(10, TimeUnit.SECONDS).setXCom(SetXComRequest.newBuilder()
              .setKey("bench_" + (n % XCOM_KEYS_PER_TASK)).setValueJson("{\"n\": " + n + "}").build());
        });
        TaskIdentity identity = task.identity();
        AtomicLong directCounter = new AtomicLong();
        direct.add(() -> pool.submit(() -> {
          long n = directCounter.incrementAndGet();
          return transactions.oneStatement(XComMapper.class, mapper -> mapper.upsert(identity.dagId(), identity.runId(),
              identity.taskId(), identity.mapIndex(), "bench_" + (n % XCOM_KEYS_PER_TASK), "{\"n\": " + n + "}", null, false));
        }));
      }
      for (int concurrency : settings.cacheConcurrencies()) {
        List<Supplier<ListenableFuture<?>>> serverCallers = server.subList(0, concurrency);
        List<Supplier<ListenableFuture<?>>> directCallers = direct.subList(0, concurrency);
        ClosedLoopLoad.window(serverCallers, Duration.ZERO, settings.warmup());
        ClosedLoopLoad.window(directCallers, Duration.ZERO, settings.warmup());
        ClosedLoopLoad.Window serverWindows = null;
        ClosedLoopLoad.Window directWindows = null;
        CpuMeter.Usage serverUsage = null;
        CpuMeter.Usage directUsage = null;
        Duration slice = settings.measure().dividedBy(settings.rounds());
        for (int round = 0; round < settings.rounds(); round++) {
          CpuMeter serverCpu = CpuMeter.start(environment.databaseDirectory());
          ClosedLoopLoad.Window serverWindow = ClosedLoopLoad.window(serverCallers, RAMP, slice);
          serverUsage = CpuMeter.Usage.sum(serverUsage, serverCpu.stop());
          serverWindows = serverWindows == null ? serverWindow : serverWindows.plus(serverWindow);
          CpuMeter directCpu = CpuMeter.start(environment.databaseDirectory());
          ClosedLoopLoad.Window directWindow = ClosedLoopLoad.window(directCallers, RAMP, slice);
          directUsage = CpuMeter.Usage.sum(directUsage, directCpu.stop());
          directWindows = directWindows == null ? directWindow : directWindows.plus(directWindow);
        }
        LoadResult viaServer = serverWindows.result(concurrency);
        LoadResult viaJdbc = directWindows.result(concurrency);
        log.info("xcom x{}: server {}/s, direct {}/s", concurrency, Math.round(viaServer.callsPerSecond()),
            Math.round(viaJdbc.callsPerSecond()));
        row(section, concurrency, "SetXCom through the server (mTLS)", viaServer, serverUsage,
            viaServer.callsPerSecond() / viaJdbc.callsPerSecond());
        row(section, concurrency, "same upsert, direct (pool + MyBatis)", viaJdbc, directUsage, 1.0);
        targets.add(TargetCheck.ratioAtLeast("SetXCom through the server >= 0.8x the same upsert issued directly, "
                + concurrency + " callers", viaServer.callsPerSecond(), viaJdbc.callsPerSecond(), 0.8,
            "writes/s, same run, the two paths taking turns"));
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    section.note("The two paths take turns in " + settings.rounds() + " windows per point. jvm_cores / "
        + "postgres_cores: CPU the benchmark JVM (server and load generator) and PostgreSQL used in the windows "
        + "(ramp included), divided by their length; the machine has "
        + Runtime.getRuntime().availableProcessors() + " cores.");
    return section;
  }

  private static void row(Section section, int concurrency, String path, LoadResult result, CpuMeter.Usage usage,
      double ofDirect) {
    section.row("callers", concurrency, "path", path, "writes_per_s", result.callsPerSecond(),
        "p50_ms", result.p50Millis(), "p99_ms", result.p99Millis(), "errors", result.errors(),
        "x_direct", ofDirect, "jvm_cores", usage.jvmCores(), "postgres_cores", usage.postgresCores());
  }

  private static Supplier<ListenableFuture<?>> reader(ManagedChannel channel) {
    VariablesGrpc.VariablesFutureStub stub = VariablesGrpc.newFutureStub(channel);
    return () -> stub.withDeadlineAfter(10, TimeUnit.SECONDS).getVariable(READ);
  }
}
