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

  private CacheAndXComBenchmark() {}

  /** Measures the warm/cold authorization points; returns its section. */
  public static Section cache(BenchEnvironment environment, List<RunningTask> tasks, SuiteSettings settings,
      List<TargetCheck> targets) throws Exception {
    Section section = new Section("authorization_cache", "5a. Authorization with a warm and a cold cache",
        "GetVariable over mutual TLS as in benchmark 1. Warm: the server's default cache.ttl (PT5S). Cold: a second "
            + "replica on the same database and CA with cache.ttl=PT0S, so each call also reads the revocation "
            + "state, the task instance and the DAG's ownership from PostgreSQL. Both serve calls for "
            + settings.warmup().multipliedBy(10).toSeconds() + " s before the first point, so that the cold "
            + "replica's own code is compiled as far as the warm server's, which has served benchmark 1.");
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
      Map<String, List<Supplier<ListenableFuture<?>>>> paths = new LinkedHashMap<>();
      paths.put("warm", warmCallers);
      paths.put("cold", coldCallers);
      compile(paths, settings);
      for (int concurrency : settings.cacheConcurrencies()) {
        Map<String, ClosedLoopLoad.Metered<CpuMeter.Usage>> point = takingTurns(environment, atConcurrency(paths, concurrency), settings);
        ClosedLoopLoad.Metered<CpuMeter.Usage> warm = point.get("warm");
        ClosedLoopLoad.Metered<CpuMeter.Usage> coldResult = point.get("cold");
        log.info("cache x{}: warm {}/s, cold {}/s", concurrency, Math.round(warm.load().callsPerSecond()),
            Math.round(coldResult.load().callsPerSecond()));
        for (var entry : List.of(Map.entry("warm (cache.ttl=PT5S)", warm), Map.entry("cold (cache.ttl=PT0S)", coldResult))) {
          LoadResult result = entry.getValue().load();
          section.row("callers", concurrency, "cache", entry.getKey(), "calls_per_s", result.callsPerSecond(),
              "p50_ms", result.p50Millis(), "p99_ms", result.p99Millis(), "errors", result.errors(),
              "x_warm", result.callsPerSecond() / warm.load().callsPerSecond(),
              "jvm_cores", entry.getValue().meter().jvmCores(), "postgres_cores", entry.getValue().meter().postgresCores());
        }
        targets.add(TargetCheck.ratioAtLeast("cold-cache GetVariable >= 0.6x the warm rate, " + concurrency
                + " callers", coldResult.load().callsPerSecond(), warm.load().callsPerSecond(), 0.6,
            "second replica with cache.ttl=PT0S against the default cache, same run, taking turns")
            .and(warm.load().errors() + coldResult.load().errors() == 0,
                warm.load().errors() + coldResult.load().errors() + " calls failed"));
      }
    } finally {
      coldChannels.forEach(ManagedChannel::shutdownNow);
    }
    cpuNote(section, settings);
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
      Map<String, List<Supplier<ListenableFuture<?>>>> paths = new LinkedHashMap<>();
      paths.put("server", server);
      paths.put("direct", direct);
      compile(paths, settings);
      for (int concurrency : settings.cacheConcurrencies()) {
        Map<String, ClosedLoopLoad.Metered<CpuMeter.Usage>> point = takingTurns(environment, atConcurrency(paths, concurrency), settings);
        ClosedLoopLoad.Metered<CpuMeter.Usage> viaServer = point.get("server");
        ClosedLoopLoad.Metered<CpuMeter.Usage> viaJdbc = point.get("direct");
        double ofDirect = viaServer.load().callsPerSecond() / viaJdbc.load().callsPerSecond();
        log.info("xcom x{}: server {}/s, direct {}/s", concurrency, Math.round(viaServer.load().callsPerSecond()),
            Math.round(viaJdbc.load().callsPerSecond()));
        row(section, concurrency, "SetXCom through the server (mTLS)", viaServer, ofDirect);
        row(section, concurrency, "same upsert, direct (pool + MyBatis)", viaJdbc, 1.0);
        targets.add(TargetCheck.ratioAtLeast("SetXCom through the server >= 0.8x the same upsert issued directly, "
                + concurrency + " callers", viaServer.load().callsPerSecond(), viaJdbc.load().callsPerSecond(), 0.8,
            "writes/s, same run, the two paths taking turns")
            .and(viaServer.load().errors() + viaJdbc.load().errors() == 0,
                viaServer.load().errors() + viaJdbc.load().errors() + " writes failed"));
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    cpuNote(section, settings);
    return section;
  }

  private static void row(Section section, int concurrency, String path, ClosedLoopLoad.Metered<CpuMeter.Usage> measured,
      double ofDirect) {
    LoadResult result = measured.load();
    section.row("callers", concurrency, "path", path, "writes_per_s", result.callsPerSecond(),
        "p50_ms", result.p50Millis(), "p99_ms", result.p99Millis(), "errors", result.errors(),
        "x_direct", ofDirect, "jvm_cores", measured.meter().jvmCores(), "postgres_cores", measured.meter().postgresCores());
  }

  private static void cpuNote(Section section, SuiteSettings settings) {
    section.note("The paths take turns in " + settings.rounds() + " windows per point. jvm_cores / "
        + "postgres_cores: CPU the benchmark JVM (server and load generator) and PostgreSQL used in the windows "
        + "(ramp included), divided by their length; the machine has "
        + Runtime.getRuntime().availableProcessors() + " cores.");
  }

  /**
   * Runs every path for ten times the warmup before its first point, so that each path's own code
   * is compiled by the JIT as far as any other's: the server's warm path has already served
   * benchmark 1 when this one starts, the cold replica and the XCom writes have not.
   */
  private static void compile(Map<String, List<Supplier<ListenableFuture<?>>>> paths, SuiteSettings settings)
      throws InterruptedException {
    for (List<Supplier<ListenableFuture<?>>> callers : paths.values()) {
      ClosedLoopLoad.window(callers, Duration.ZERO, settings.warmup().multipliedBy(10));
    }
  }

  private static Map<String, List<Supplier<ListenableFuture<?>>>> atConcurrency(
      Map<String, List<Supplier<ListenableFuture<?>>>> paths, int concurrency) {
    Map<String, List<Supplier<ListenableFuture<?>>>> point = new LinkedHashMap<>();
    paths.forEach((name, callers) -> point.put(name, callers.subList(0, concurrency)));
    return point;
  }

  /**
   * Measures the paths of one point against each other, taking turns, with the CPU of the
   * benchmark JVM and of PostgreSQL read around each window.
   */
  private static Map<String, ClosedLoopLoad.Metered<CpuMeter.Usage>> takingTurns(BenchEnvironment environment,
      Map<String, List<Supplier<ListenableFuture<?>>>> paths, SuiteSettings settings) throws InterruptedException {
    return ClosedLoopLoad.interleaved(paths, settings.warmup(), settings.measure(), settings.rounds(),
        () -> CpuMeter.start(environment.databaseDirectory())::stop, CpuMeter.Usage::sum);
  }

  private static Supplier<ListenableFuture<?>> reader(ManagedChannel channel) {
    VariablesGrpc.VariablesFutureStub stub = VariablesGrpc.newFutureStub(channel);
    return () -> stub.withDeadlineAfter(10, TimeUnit.SECONDS).getVariable(READ);
  }
}
