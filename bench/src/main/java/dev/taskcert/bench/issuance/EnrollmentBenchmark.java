package dev.taskcert.bench.issuance;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.taskcert.bench.SuiteSettings;
import dev.taskcert.bench.environment.BenchChannels;
import dev.taskcert.bench.environment.BenchEnvironment;
import dev.taskcert.bench.environment.CpuMeter;
import dev.taskcert.bench.load.FixedWorkLoad;
import dev.taskcert.bench.load.LoadResult;
import dev.taskcert.bench.report.Section;
import dev.taskcert.bench.report.TargetCheck;
import dev.taskcert.bench.scale.CredentialFile;
import dev.taskcert.proto.ca.v1.EnrollmentGrpc;
import dev.taskcert.proto.ca.v1.EnrollRequest;
import dev.taskcert.proto.ca.v1.EnrollResponse;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.credentials.Enrollment;
import dev.taskcert.supervisor.credentials.TaskKeys;
import io.grpc.ManagedChannel;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Benchmark 3, end to end: Enroll through the real server's enrollment port (TLS), each call
 * verifying a CSR, consuming a single-use token, locking the task row, signing a certificate and
 * recording it and an audit event in PostgreSQL. Measured two ways: the server's capacity
 * (CSRs prepared beforehand, a few established connections, many enrollments in flight), and
 * the whole supervisor flow (a fresh key, a new TLS connection and Enroll, per supervisor). The
 * certificates of the capacity batch are handed to the scale benchmark.
 */
public final class EnrollmentBenchmark {
  private static final Logger log = LoggerFactory.getLogger(EnrollmentBenchmark.class);
  private static final int CHANNELS = 4;

  /** Task id of the scale benchmark's task instances (mapped, one per supervisor). */
  public static final String SCALE_TASK = "scale_probe";

  private EnrollmentBenchmark() {}

  /**
   * Runs both measurements; enrolls {@code settings.scaleSupervisors()} tries for the scale
   * benchmark and writes their credentials to the returned file.
   */
  public static Path run(BenchEnvironment environment, SuiteSettings settings, Section section,
      List<TargetCheck> targets) throws Exception {
    supervisorFlow(environment, settings, section);

    int measured = settings.scaleSupervisors();
    int total = measured + settings.enrollmentWarmup();
    long queueStart = System.nanoTime();
    List<QueuedTry> queued = environment.queueMapped(SCALE_TASK, total, 8);
    double queueSeconds = (System.nanoTime() - queueStart) / 1e9;
    log.info("queued {} tries in {} s", total, String.format(Locale.ROOT, "%.1f", queueSeconds));

    long prepareStart = System.nanoTime();
    List<KeyPair> keys = IntStream.range(0, total).parallel()
        .mapToObj(i -> TaskKeys.generate(new SecureRandom())).toList();
    List<ByteString> csrs = keys.parallelStream().map(k -> ByteString.copyFrom(TaskKeys.csr(k))).toList();
    double prepareSeconds = (System.nanoTime() - prepareStart) / 1e9;

    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < CHANNELS; i++) {
      channels.add(BenchChannels.serverAuthTls(environment.enrollmentTarget(), environment.ca().current().bundle().roots()));
    }
    AtomicReferenceArray<EnrollResponse> responses = new AtomicReferenceArray<>(total);
    try {
      int warmup = settings.enrollmentWarmup();
      FixedWorkLoad.run(warmup, settings.enrollmentConcurrency(), Duration.ofMinutes(5),
          i -> enroll(channels, queued.get(i), csrs.get(i), responses, i));
      CpuMeter cpu = CpuMeter.start(environment.databaseDirectory());
      LoadResult result = FixedWorkLoad.run(measured, settings.enrollmentConcurrency(), Duration.ofMinutes(10),
          i -> enroll(channels, queued.get(warmup + i), csrs.get(warmup + i), responses, warmup + i));
      CpuMeter.Usage usage = cpu.stop();
      log.info("enrolled {} in {} s: {}/s, p99 {} ms, {} errors", measured,
          String.format(Locale.ROOT, "%.1f", result.seconds()), Math.round(result.callsPerSecond()),
          result.p99Millis(), result.errors());
      section.row("measurement", "Enroll, server capacity (" + settings.enrollmentConcurrency() + " in flight over "
              + CHANNELS + " connections)", "count", measured, "per_s", result.callsPerSecond(),
          "p50_ms", result.p50Millis(), "p99_ms", result.p99Millis(), "errors", result.errors(),
          "jvm_cores", usage.jvmCores(), "postgres_cores", usage.postgresCores());
      section.note(String.format(Locale.ROOT, "Not timed: queuing the %d tries (%.1f s, %d at a time through the "
              + "server's TaskQueue) and generating their keys and CSRs (%.1f s); %d warmup enrollments before "
              + "the measured %d, so that the JIT has compiled the enrollment path before the window.", total,
          queueSeconds, 8, prepareSeconds, warmup, measured));
      section.note("jvm_cores / postgres_cores: CPU time the server JVM (which also runs the load generator) and "
          + "PostgreSQL used during the measured window, divided by its length (2 cores = both saturated).");
      targets.add(TargetCheck.atLeast(">= 2,200 enrollments/s end to end, stored and audited",
          result.callsPerSecond(), 2200, "%.0f/s",
          "Enroll through the real server: token looked up, CSR verified, certificate signed, then token consumed, "
              + "try locked and checked, issuance and audit rows written in one statement; load generator on the "
              + "same cores").and(result.errors() == 0, result.errors() + " enrollments failed"));
      return writeCredentials(environment, keys.subList(warmup, total), responses, warmup, total);
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  private static void supervisorFlow(BenchEnvironment environment, SuiteSettings settings, Section section)
      throws Exception {
    int count = settings.supervisorEnrollments();
    List<QueuedTry> queued = environment.queueMapped("enroll_probe", count, 8);
    SupervisorConfig config = environment.supervisorConfig();
    ListeningExecutorService pool = MoreExecutors.listeningDecorator(
        Executors.newFixedThreadPool(settings.enrollmentConcurrency()));
    try {
      int warmup = Math.max(1, count / 5);
      FixedWorkLoad.run(warmup, settings.enrollmentConcurrency(), Duration.ofMinutes(5),
          i -> pool.submit(() -> Enrollment.enroll(config, queued.get(i).enrollmentToken(), new SecureRandom())));
      CpuMeter cpu = CpuMeter.start(environment.databaseDirectory());
      LoadResult result = FixedWorkLoad.run(count - warmup, settings.enrollmentConcurrency(), Duration.ofMinutes(5),
          i -> pool.submit(() -> Enrollment.enroll(config, queued.get(warmup + i).enrollmentToken(),
              new SecureRandom())));
      CpuMeter.Usage usage = cpu.stop();
      section.row("measurement", "Enroll, whole supervisor flow (new key + new TLS connection + Enroll; "
              + settings.enrollmentConcurrency() + " supervisors at once)", "count", count - warmup,
          "per_s", result.callsPerSecond(), "p50_ms", result.p50Millis(), "p99_ms", result.p99Millis(),
          "errors", result.errors(), "jvm_cores", usage.jvmCores(), "postgres_cores", usage.postgresCores());
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static com.google.common.util.concurrent.ListenableFuture<EnrollResponse> enroll(
      List<ManagedChannel> channels, QueuedTry queued, ByteString csr, AtomicReferenceArray<EnrollResponse> responses,
      int index) {
    return Futures.transform(
        EnrollmentGrpc.newFutureStub(channels.get(index % channels.size()))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .enroll(EnrollRequest.newBuilder().setEnrollmentToken(queued.enrollmentToken()).setCsrDer(csr).build()),
        response -> {
          responses.set(index, response);
          return response;
        },
        MoreExecutors.directExecutor());
  }

  private static Path writeCredentials(BenchEnvironment environment, List<KeyPair> keys,
      AtomicReferenceArray<EnrollResponse> responses, int from, int to) throws Exception {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<PrivateKey> privateKeys = new ArrayList<>();
    List<List<X509Certificate>> chains = new ArrayList<>();
    for (int i = from; i < to; i++) {
      EnrollResponse response = responses.get(i);
      if (response == null) {
        continue;
      }
      List<X509Certificate> chain = new ArrayList<>();
      for (ByteString der : response.getCertificateChainDerList()) {
        chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der.toByteArray())));
      }
      privateKeys.add(keys.get(i - from).getPrivate());
      chains.add(chain);
    }
    Path file = CredentialFile.create();
    CredentialFile.write(file, environment.ca().current().bundle().roots(), privateKeys, chains);
    return file;
  }
}
