package dev.taskcert.bench.percall;

import com.google.common.util.concurrent.ListenableFuture;
import dev.taskcert.bench.SuiteSettings;
import dev.taskcert.bench.environment.BenchChannels;
import dev.taskcert.bench.environment.BenchEnvironment;
import dev.taskcert.bench.environment.RunningTask;
import dev.taskcert.bench.jwt.JwtAlgorithm;
import dev.taskcert.bench.jwt.JwtAuthenticationInterceptor;
import dev.taskcert.bench.jwt.JwtKeys;
import dev.taskcert.bench.load.ClosedLoopLoad;
import dev.taskcert.bench.load.LoadResult;
import dev.taskcert.bench.report.Section;
import dev.taskcert.bench.report.Spread;
import dev.taskcert.bench.report.TargetCheck;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.GetVariableResponse;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.server.grpc.TlsContexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerInterceptor;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Benchmark 1: the cost of authenticating each call. The same GetVariable RPC, answered with the
 * same database read, is called over an established mutual-TLS connection of the real server
 * (certificate verified once per connection, authorization from warm caches on each call), over
 * plaintext with a bearer JWT verified by an interceptor on every call (the shared-secret design,
 * one server per signature algorithm), over server-authenticated TLS with an HS512 JWT, and over
 * plaintext with no authentication at all. Every caller is a task with its own connection and its
 * own credential.
 */
public final class PerCallAuthBenchmark {
  private static final Logger log = LoggerFactory.getLogger(PerCallAuthBenchmark.class);

  /** Name of the real server's variant in rows and ratios. */
  public static final String MUTUAL_TLS = "mTLS (taskcert)";
  /** Name of the unauthenticated plaintext variant. */
  public static final String PLAINTEXT = "plaintext, no auth";

  private static final GetVariableRequest REQUEST =
      GetVariableRequest.newBuilder().setKey(BenchEnvironment.TEAM_VARIABLE).build();

  private record Variant(String name, String transport, List<ManagedChannel> channels,
      List<Supplier<ListenableFuture<GetVariableResponse>>> callers) {}

  private PerCallAuthBenchmark() {}

  /** Runs every variant at every concurrency of {@code settings} and adds the target checks. */
  public static Section run(BenchEnvironment environment, List<RunningTask> tasks, SuiteSettings settings,
      List<TargetCheck> targets) throws Exception {
    Section section = new Section("per_call_authentication", "1. Per-call authentication cost",
        "Authorized GetVariable of the task's own team variable. Each caller is one task with its own "
            + "connection and credential; closed loop (next call when the previous returns). Per point, each "
            + "variant is warmed up for " + settings.warmup().toMillis() / 1000.0 + " s, then measured for "
            + settings.measure().toMillis() / 1000.0 + " s in " + settings.rounds() + " windows, the variants "
            + "taking turns (rotated order), so drifting background load hits them alike. Every variant does the same database read (the real server's "
            + "VariableMapper query through its HikariCP pool on the same PostgreSQL).");
    int callers = settings.concurrencies().stream().mapToInt(Integer::intValue).max().orElse(1);
    List<BaselineServer> servers = new ArrayList<>();
    List<Variant> variants = new ArrayList<>();
    try {
      BaselineServer plaintext = BaselineServer.start(environment.transactions(), null, List.of());
      servers.add(plaintext);
      variants.add(variant(PLAINTEXT, "h2c", callers, i -> BenchChannels.plaintext(plaintext.target()), null));
      variants.add(mutualTls(tasks.subList(0, callers)));
      Map<JwtAlgorithm, JwtKeys> keys = new LinkedHashMap<>();
      for (JwtAlgorithm algorithm : JwtAlgorithm.values()) {
        JwtKeys algorithmKeys = algorithm.generateKeys();
        keys.put(algorithm, algorithmKeys);
        BaselineServer server = BaselineServer.start(environment.transactions(), null,
            List.<ServerInterceptor>of(new JwtAuthenticationInterceptor(algorithmKeys.verifier())));
        servers.add(server);
        variants.add(variant("JWT " + algorithm.label(), "h2c", callers,
            i -> BenchChannels.plaintext(server.target()), algorithmKeys));
      }
      BaselineServer tlsServer = BaselineServer.start(environment.transactions(),
          TlsContexts.serverOnly(environment.ca()),
          List.<ServerInterceptor>of(new JwtAuthenticationInterceptor(keys.get(JwtAlgorithm.HS512).verifier())));
      servers.add(tlsServer);
      variants.add(variant("JWT HS512 over TLS", "TLS, server auth", callers,
          i -> BenchChannels.serverAuthTls(tlsServer.target(), environment.ca().current().bundle().roots()),
          keys.get(JwtAlgorithm.HS512)));
      for (Variant variant : variants) {
        prime(variant);
      }

      int smallest = settings.concurrencies().stream().mapToInt(Integer::intValue).min().orElse(1);
      for (int concurrency : settings.concurrencies()) {
        Map<String, List<Supplier<ListenableFuture<GetVariableResponse>>>> callersByVariant = new LinkedHashMap<>();
        for (Variant variant : variants) {
          callersByVariant.put(variant.name(), variant.callers().subList(0, concurrency));
        }
        int runs = concurrency == smallest ? Math.max(1, settings.latencyRuns()) : 1;
        List<Map<String, LoadResult>> repeated = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
          repeated.add(ClosedLoopLoad.interleaved(callersByVariant, settings.warmup(), settings.measure(),
              settings.rounds()));
        }
        Map<String, LoadResult> point = repeated.get(0);
        point.forEach((name, result) -> log.info("per-call {} x{}: {} calls/s, p50 {} ms, p99 {} ms, {} errors", name,
            concurrency, Math.round(result.callsPerSecond()), fmt(result.p50Millis()), fmt(result.p99Millis()),
            result.errors()));
        LoadResult mutual = point.get(MUTUAL_TLS);
        LoadResult open = point.get(PLAINTEXT);
        for (Variant variant : variants) {
          LoadResult result = point.get(variant.name());
          section.row("callers", concurrency, "variant", variant.name(), "transport", variant.transport(),
              "calls_per_s", result.callsPerSecond(), "p50_ms", result.p50Millis(), "p99_ms", result.p99Millis(),
              "errors", result.errors(),
              "x_plaintext", result.callsPerSecond() / open.callsPerSecond(),
              "mtls_x_this", mutual.callsPerSecond() / result.callsPerSecond());
        }
        List<RunRatios> ratios = repeated.stream().map(RunRatios::of).toList();
        if (runs > 1) {
          repeatedRuns(section, concurrency, ratios);
        }
        addTargets(targets, concurrency, ratios);
      }
    } finally {
      for (Variant variant : variants) {
        if (!variant.name().equals(MUTUAL_TLS)) {
          variant.channels().forEach(ManagedChannel::shutdownNow);
        }
      }
      for (BaselineServer server : servers) {
        server.close();
      }
    }
    section.note("The mTLS variant runs the real server's full path on every call: certificate validity and "
        + "revocation check, live-try gate (task-instance cache), DAG ownership (cache), the team policy, "
        + "metrics, then the read. The JWT baselines verify signature, issuer, audience, not-before and expiry "
        + "on every call and then only read; the plaintext baseline only reads.");
    section.note("x_plaintext = calls/s of the row / calls/s of plaintext-no-auth at the same concurrency; "
        + "mtls_x_this = calls/s of mTLS / calls/s of the row.");
    return section;
  }

  private static Variant mutualTls(List<RunningTask> tasks) {
    List<ManagedChannel> channels = tasks.stream().map(RunningTask::channel).toList();
    List<Supplier<ListenableFuture<GetVariableResponse>>> callers = new ArrayList<>();
    for (ManagedChannel channel : channels) {
      VariablesGrpc.VariablesFutureStub stub = VariablesGrpc.newFutureStub(channel);
      callers.add(() -> stub.withDeadlineAfter(10, TimeUnit.SECONDS).getVariable(REQUEST));
    }
    return new Variant(MUTUAL_TLS, "TLS, mutual", channels, callers);
  }

  private static Variant variant(String name, String transport, int count, Function<Integer, ManagedChannel> open,
      JwtKeys jwt) {
    List<ManagedChannel> channels = new ArrayList<>();
    List<Supplier<ListenableFuture<GetVariableResponse>>> callers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ManagedChannel channel = open.apply(i);
      channels.add(channel);
      VariablesGrpc.VariablesFutureStub stub = VariablesGrpc.newFutureStub(channel);
      if (jwt != null) {
        Metadata headers = new Metadata();
        headers.put(JwtAuthenticationInterceptor.AUTHORIZATION,
            "Bearer " + jwt.mint(UUID.randomUUID(), Instant.now(), Duration.ofHours(1)));
        stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      }
      VariablesGrpc.VariablesFutureStub callerStub = stub;
      callers.add(() -> callerStub.withDeadlineAfter(10, TimeUnit.SECONDS).getVariable(REQUEST));
    }
    return new Variant(name, transport, channels, callers);
  }

  /** Connects every caller and checks that it is answered correctly before anything is timed. */
  private static void prime(Variant variant) throws Exception {
    for (Supplier<ListenableFuture<GetVariableResponse>> caller : variant.callers()) {
      GetVariableResponse response = caller.get().get(30, TimeUnit.SECONDS);
      if (!response.getKey().equals(BenchEnvironment.TEAM_VARIABLE)) {
        throw new IllegalStateException(variant.name() + " answered " + response);
      }
    }
  }

  /** The two ratios the targets judge, from one measured point. */
  private record RunRatios(double vsPlaintext, double vsFastestJwt, String fastestJwt) {
    static RunRatios of(Map<String, LoadResult> point) {
      double mutual = rate(point, MUTUAL_TLS);
      String fastest = null;
      double fastestRate = Double.NaN;
      for (Map.Entry<String, LoadResult> entry : point.entrySet()) {
        if (entry.getKey().startsWith("JWT") && !entry.getKey().contains("TLS")) {
          double rate = rate(point, entry.getKey());
          if (!(rate <= fastestRate)) {
            fastestRate = rate;
            fastest = entry.getKey();
          }
        }
      }
      return new RunRatios(mutual / rate(point, PLAINTEXT), mutual / fastestRate, fastest);
    }

    /** Calls per second of {@code variant}, or NaN when it was not measured or answered with errors only. */
    private static double rate(Map<String, LoadResult> point, String variant) {
      LoadResult result = point.get(variant);
      return result == null ? Double.NaN : result.callsPerSecond();
    }
  }

  /** A row per repeated run at one concurrency, so the spread of the ratios is shown, not one draw. */
  private static void repeatedRuns(Section section, int concurrency, List<RunRatios> ratios) {
    for (int run = 0; run < ratios.size(); run++) {
      RunRatios ratio = ratios.get(run);
      section.row("callers", concurrency, "variant", "run " + (run + 1) + " of " + ratios.size(), "transport",
          "mTLS x plaintext / x fastest JWT (" + ratio.fastestJwt() + ")", "calls_per_s", "", "p50_ms", "",
          "p99_ms", "", "errors", "", "x_plaintext", ratio.vsPlaintext(), "mtls_x_this", ratio.vsFastestJwt());
    }
  }

  /**
   * The throughput targets at one concurrency: judged on the median run when the point was repeated,
   * with the lowest and highest run shown beside it.
   */
  private static void addTargets(List<TargetCheck> targets, int concurrency, List<RunRatios> runs) {
    String suffix = concurrency + " caller(s)";
    double vsPlaintext = Spread.median(runs.stream().mapToDouble(RunRatios::vsPlaintext).toArray());
    double vsJwt = Spread.median(runs.stream().mapToDouble(RunRatios::vsFastestJwt).toArray());
    String spread = runs.size() == 1 ? "" : "; median of " + runs.size() + " runs, ";
    targets.add(TargetCheck.atLeast("mTLS-authorized throughput >= 0.8x plaintext-no-auth, " + suffix, vsPlaintext,
        0.8, "%.2fx", "GetVariable calls/s, same run, same database read"
            + (runs.size() == 1 ? "" : spread + Spread.range(runs.stream().mapToDouble(RunRatios::vsPlaintext)
                .toArray(), "%.2fx"))));
    targets.add(TargetCheck.atLeast("mTLS-authorized throughput >= JWT-per-call baseline, " + suffix, vsJwt, 1.0,
        "%.2fx (against the fastest, " + runs.get(0).fastestJwt() + ")",
        "ratio to every plaintext JWT variant; the lowest is shown"
            + (runs.size() == 1 ? "" : spread + Spread.range(runs.stream().mapToDouble(RunRatios::vsFastestJwt)
                .toArray(), "%.2fx"))));
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }
}
