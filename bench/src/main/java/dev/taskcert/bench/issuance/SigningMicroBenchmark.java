package dev.taskcert.bench.issuance;

import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Benchmark 3, pure signing: {@link CertificateIssuer#issueClient} under an intermediate whose key
 * is EC P-256 or RSA-3072, certifying a supervisor's EC P-256 key (one thread), signed through the
 * signature provider {@code crypto.provider} would put in force: {@code native} (the Corretto
 * provider, or its fallback where it does not load) or {@code jdk}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SigningMicroBenchmark {
  /** The intermediate CA's key algorithm. */
  @Param({"EC_P256", "RSA_3072"})
  public String caAlgorithm;

  /** The signature provider, as {@code crypto.provider} names it. */
  @Param({"native", "jdk"})
  public String crypto;

  private CertificateIssuer issuer;
  private PublicKey subjectKey;
  private TaskIdentity identity;

  /** Creates a fresh root and intermediate of the algorithm. */
  @Setup
  public void createCa() {
    SecureRandom random = new SecureRandom();
    TrustDomain trustDomain = new TrustDomain("bench.taskcert.local");
    CaHierarchy hierarchy = CaHierarchy.create(trustDomain, KeyAlgorithm.valueOf(caAlgorithm), Instant.now(), random);
    issuer = new CertificateIssuer(hierarchy.intermediate(), new SpiffeIdCodec(trustDomain), IssuancePolicy.DEFAULT,
        random, SignatureProvider.select(SignatureProvider.Choice.parse(crypto)));
    subjectKey = KeyAlgorithm.EC_P256.generate(random).getPublic();
    identity = new TaskIdentity("analytics_daily", "scheduled__2026-11-25T00:00:00+00:00", "extract_events", 7, 1);
  }

  /** Issues one client certificate. */
  @Benchmark
  public IssuedCertificate issueClient() {
    return issuer.issueClient(subjectKey, identity, Instant.now());
  }
}
