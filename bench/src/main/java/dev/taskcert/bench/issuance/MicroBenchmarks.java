package dev.taskcert.bench.issuance;

import dev.taskcert.bench.SuiteSettings;
import dev.taskcert.bench.environment.JvmClassPath;
import dev.taskcert.bench.jwt.JwtAlgorithm;
import dev.taskcert.bench.jwt.JwtVerifyMicroBenchmark;
import dev.taskcert.bench.report.Section;
import dev.taskcert.bench.report.TargetCheck;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the JMH micro-benchmarks (certificate signing, CSR work, JWT verification) and reports
 * operations per second with JMH's 99.9 % error. JMH forks a JVM per benchmark unless the settings
 * say 0 forks; when this JVM was started by a tool that hides the class path, the class path is
 * recovered from the class loader for the forks.
 */
public final class MicroBenchmarks {
  private static final Logger log = LoggerFactory.getLogger(MicroBenchmarks.class);

  private MicroBenchmarks() {}

  /** Runs them and adds the signing-ratio check. */
  public static Section run(SuiteSettings settings, List<TargetCheck> targets) throws Exception {
    Section section = new Section("micro", "3a. Cryptography per operation (JMH)",
        "One thread, throughput mode, " + settings.jmhForks() + " fork(s), " + settings.jmhWarmupIterations()
            + " warmup and " + settings.jmhIterations() + " measured iteration(s) of "
            + settings.jmhIterationTime().toMillis() / 1000.0 + " s. The error is JMH's 99.9 % confidence "
            + "half-interval (NaN with a single iteration).");
    Options options = new OptionsBuilder()
        .include(SigningMicroBenchmark.class.getName())
        .include(CsrMicroBenchmark.class.getName())
        .include(JwtVerifyMicroBenchmark.class.getName())
        .forks(settings.jmhForks())
        .warmupIterations(settings.jmhWarmupIterations())
        .warmupTime(TimeValue.milliseconds(settings.jmhIterationTime().toMillis()))
        .measurementIterations(settings.jmhIterations())
        .measurementTime(TimeValue.milliseconds(settings.jmhIterationTime().toMillis()))
        .threads(1)
        .shouldFailOnError(true)
        .verbosity(VerboseMode.SILENT)
        .jvmArgsAppend("-Xmx1g")
        .build();
    String savedClassPath = System.getProperty("java.class.path");
    Collection<RunResult> results;
    try {
      if (settings.jmhForks() > 0) {
        System.setProperty("java.class.path", JvmClassPath.current());
      }
      results = new Runner(options).run();
    } finally {
      System.setProperty("java.class.path", savedClassPath);
    }
    Map<String, RunResult> byName = new TreeMap<>();
    for (RunResult result : results) {
      String benchmark = result.getParams().getBenchmark();
      String shortName = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
      String parameter = result.getParams().getParamsKeys().isEmpty() ? ""
          : result.getParams().getParam(result.getParams().getParamsKeys().iterator().next());
      byName.put(shortName + (parameter.isEmpty() ? "" : " " + parameter), result);
    }
    List<String> order = new ArrayList<>(List.of(
        "SigningMicroBenchmark.issueClient EC_P256", "SigningMicroBenchmark.issueClient RSA_3072",
        "CsrMicroBenchmark.validateCsr", "CsrMicroBenchmark.generateKey", "CsrMicroBenchmark.signCsr"));
    for (JwtAlgorithm algorithm : JwtAlgorithm.values()) {
      order.add("JwtVerifyMicroBenchmark.verify " + algorithm.name());
    }
    for (String name : order) {
      RunResult result = byName.get(name);
      if (result == null) {
        throw new IllegalStateException("JMH produced no result for " + name + "; got " + byName.keySet());
      }
      double score = result.getPrimaryResult().getScore();
      double error = result.getPrimaryResult().getScoreError();
      section.row("operation", describe(name), "ops_per_s", score, "error_ops_per_s", Double.isNaN(error) ? "NaN" : error,
          "micros_per_op", 1e6 / score);
      log.info("jmh {}: {} ops/s", name, Math.round(score));
    }
    double ec = byName.get("SigningMicroBenchmark.issueClient EC_P256").getPrimaryResult().getScore();
    double rsa = byName.get("SigningMicroBenchmark.issueClient RSA_3072").getPrimaryResult().getScore();
    section.note(String.format(Locale.ROOT, "Signing with an EC P-256 intermediate is %.1fx the rate of RSA-3072 "
        + "(informational; no target).", ec / rsa));
    return section;
  }

  private static String describe(String name) {
    return switch (name) {
      case "SigningMicroBenchmark.issueClient EC_P256" -> "issue client certificate, EC P-256 intermediate";
      case "SigningMicroBenchmark.issueClient RSA_3072" -> "issue client certificate, RSA-3072 intermediate";
      case "CsrMicroBenchmark.validateCsr" -> "server: validate CSR (EC P-256)";
      case "CsrMicroBenchmark.generateKey" -> "supervisor: generate EC P-256 key";
      case "CsrMicroBenchmark.signCsr" -> "supervisor: sign CSR";
      default -> name.startsWith("JwtVerifyMicroBenchmark.verify ")
          ? "verify JWT " + JwtAlgorithm.valueOf(name.substring(name.lastIndexOf(' ') + 1)).label()
          : name;
    };
  }
}
