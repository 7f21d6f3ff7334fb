package dev.taskcert.bench.issuance;

import dev.taskcert.bench.SuiteSettings;
import dev.taskcert.bench.environment.JvmClassPath;
import dev.taskcert.bench.jwt.JwtAlgorithm;
import dev.taskcert.bench.jwt.JwtVerifyMicroBenchmark;
import dev.taskcert.bench.report.Section;
import dev.taskcert.bench.report.TargetCheck;
import java.util.ArrayList;
import dev.taskcert.pki.crypto.SignatureProvider;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the JMH micro-benchmarks (certificate signing, CSR work and the supervisor's keys with each
 * {@code crypto.provider} choice, ECDSA in each JCA provider side by side, JWT verification) and
 * reports operations per second with JMH's 99.9 % error. JMH forks a JVM per benchmark unless the
 * settings say 0 forks; when this JVM was started by a tool that hides the class path, the class path
 * is recovered from the class loader for the forks.
 *
 * <p>Every row of the section has the same columns: {@code operation}, {@code provider} (the JCA
 * provider that did the work), {@code ops_per_s}, {@code error_ops_per_s} and {@code micros_per_op}.
 * {@link #providers} turns its ECDSA rows into a table of providers side by side.
 */
public final class MicroBenchmarks {
  private static final Logger log = LoggerFactory.getLogger(MicroBenchmarks.class);
  /** The operation of the provider rows, followed by " sign" or " verify". */
  static final String ECDSA = "ECDSA P-256 SHA-256";

  private MicroBenchmarks() {}

  /** Runs them and adds the signing-ratio check. */
  public static Section run(SuiteSettings settings, List<TargetCheck> targets) throws Exception {
    Section section = new Section("micro", "3a. Cryptography per operation (JMH)",
        "One thread, throughput mode, " + settings.jmhForks() + " fork(s), " + settings.jmhWarmupIterations()
            + " warmup and " + settings.jmhIterations() + " measured iteration(s) of "
            + settings.jmhIterationTime().toMillis() / 1000.0 + " s. The error is JMH's 99.9 % confidence "
            + "half-interval (NaN with a single iteration). Issuance, CSR and key rows run once with each "
            + "crypto.provider choice; the ECDSA rows sign and verify in each JCA provider with its own keys.");
    List<String> providers = ProviderMicroBenchmark.available();
    Options options = new OptionsBuilder()
        .include(SigningMicroBenchmark.class.getName())
        .include(CsrMicroBenchmark.class.getName())
        .include(ProviderMicroBenchmark.class.getName())
        .include(JwtVerifyMicroBenchmark.class.getName())
        .param("provider", providers.toArray(new String[0]))
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
      byName.put(name(result), result);
    }
    List<String> order = new ArrayList<>();
    for (String algorithm : List.of("EC_P256", "RSA_3072")) {
      for (SignatureProvider.Choice choice : SignatureProvider.Choice.values()) {
        order.add("SigningMicroBenchmark.issueClient " + algorithm + " " + choice.word());
      }
    }
    for (String operation : List.of("validateCsr", "generateKey", "signCsr")) {
      for (SignatureProvider.Choice choice : SignatureProvider.Choice.values()) {
        order.add("CsrMicroBenchmark." + operation + " " + choice.word());
      }
    }
    for (String provider : providers) {
      order.add("ProviderMicroBenchmark.sign " + provider);
      order.add("ProviderMicroBenchmark.verify " + provider);
    }
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
      section.row("operation", describe(name), "provider", providerOf(name), "ops_per_s", score,
          "error_ops_per_s", Double.isNaN(error) ? "NaN" : error, "micros_per_op", 1e6 / score);
      log.info("jmh {}: {} ops/s", name, Math.round(score));
    }
    double ec = byName.get("SigningMicroBenchmark.issueClient EC_P256 native").getPrimaryResult().getScore();
    double rsa = byName.get("SigningMicroBenchmark.issueClient RSA_3072 native").getPrimaryResult().getScore();
    double ecJdk = byName.get("SigningMicroBenchmark.issueClient EC_P256 jdk").getPrimaryResult().getScore();
    section.note(String.format(Locale.ROOT, "Signing with an EC P-256 intermediate is %.1fx the rate of RSA-3072 "
        + "(informational; no target).", ec / rsa));
    section.note(String.format(Locale.ROOT, "Issuing with crypto.provider=native (%s) is %.1fx the rate of jdk "
        + "(%s), the fallback where the native provider does not load.", label(SignatureProvider.Choice.NATIVE),
        ec / ecJdk, label(SignatureProvider.Choice.JDK)));
    for (String provider : List.of("SunEC", "BC", "Conscrypt", "ACCP")) {
      if (!providers.contains(provider)) {
        section.note(provider + " does not load on this machine: its ECDSA rows are left out.");
      }
    }
    return section;
  }

  /**
   * The ECDSA rows of {@code micro} (a section {@link #run} returned) as a table of providers side by
   * side: one row per provider, with columns {@code provider}, {@code sign_per_s},
   * {@code sign_error_per_s}, {@code verify_per_s}, {@code verify_error_per_s}.
   */
  public static Section providers(Section micro) {
    Section section = new Section("signature_providers", "3c. Signature providers side by side (JMH)",
        "ECDSA P-256 with SHA-256 in each JCA provider, one thread, each with its own key objects: the JDK's "
            + "SunEC, BouncyCastle (crypto.provider=jdk), Conscrypt (BoringSSL, for comparison) and the Amazon "
            + "Corretto Crypto Provider (crypto.provider=native). Same JMH settings as 3a.");
    Map<String, Map<String, Object>> sign = new LinkedHashMap<>();
    Map<String, Map<String, Object>> verify = new LinkedHashMap<>();
    for (Map<String, Object> row : micro.rows()) {
      if ((ECDSA + " sign").equals(row.get("operation"))) {
        sign.put((String) row.get("provider"), row);
      } else if ((ECDSA + " verify").equals(row.get("operation"))) {
        verify.put((String) row.get("provider"), row);
      }
    }
    for (Map.Entry<String, Map<String, Object>> entry : sign.entrySet()) {
      Map<String, Object> verified = verify.getOrDefault(entry.getKey(), Map.of());
      section.row("provider", entry.getKey(),
          "sign_per_s", entry.getValue().get("ops_per_s"), "sign_error_per_s", entry.getValue().get("error_ops_per_s"),
          "verify_per_s", verified.getOrDefault("ops_per_s", "NaN"),
          "verify_error_per_s", verified.getOrDefault("error_ops_per_s", "NaN"));
    }
    return section;
  }

  /**
   * The benchmark's short name and its parameter values in JMH's order of parameter names (for
   * example {@code SigningMicroBenchmark.issueClient EC_P256 native}).
   */
  private static String name(RunResult result) {
    String benchmark = result.getParams().getBenchmark();
    StringBuilder name = new StringBuilder(benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1));
    for (String key : new TreeSet<>(result.getParams().getParamsKeys())) {
      name.append(' ').append(result.getParams().getParam(key));
    }
    return name.toString();
  }

  /** The provider a row's work ran in, as its name and version. */
  private static String providerOf(String name) {
    if (name.startsWith("ProviderMicroBenchmark.")) {
      return ProviderMicroBenchmark.describe(name.substring(name.lastIndexOf(' ') + 1));
    }
    if (name.startsWith("JwtVerifyMicroBenchmark.")) {
      return "JDK defaults (jjwt)";
    }
    return label(SignatureProvider.Choice.parse(name.substring(name.lastIndexOf(' ') + 1)));
  }

  /** What {@code choice} puts in force here, for example {@code native: AmazonCorrettoCryptoProvider 2.5.0}. */
  private static String label(SignatureProvider.Choice choice) {
    SignatureProvider selection = SignatureProvider.select(choice);
    return choice.word() + (selection.fallbackReason().isPresent() ? " (fallback)" : "") + ": " + selection.name() + " "
        + selection.version();
  }

  private static String describe(String name) {
    String withoutParameter = name.contains(" ") ? name.substring(0, name.lastIndexOf(' ')) : name;
    return switch (withoutParameter) {
      case "SigningMicroBenchmark.issueClient EC_P256" -> "issue client certificate, EC P-256 intermediate";
      case "SigningMicroBenchmark.issueClient RSA_3072" -> "issue client certificate, RSA-3072 intermediate";
      case "CsrMicroBenchmark.validateCsr" -> "server: validate CSR (EC P-256)";
      case "CsrMicroBenchmark.generateKey" -> "supervisor: generate EC P-256 key";
      case "CsrMicroBenchmark.signCsr" -> "supervisor: sign CSR";
      case "ProviderMicroBenchmark.sign" -> ECDSA + " sign";
      case "ProviderMicroBenchmark.verify" -> ECDSA + " verify";
      default -> name.startsWith("JwtVerifyMicroBenchmark.verify ")
          ? "verify JWT " + JwtAlgorithm.valueOf(name.substring(name.lastIndexOf(' ') + 1)).label()
          : name;
    };
  }
}
