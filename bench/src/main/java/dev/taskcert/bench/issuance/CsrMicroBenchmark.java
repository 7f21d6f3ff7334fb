package dev.taskcert.bench.issuance;

import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.issuance.CsrRejectedException;
import dev.taskcert.pki.issuance.CsrValidator;
import dev.taskcert.supervisor.credentials.TaskKeys;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
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
 * The other per-enrollment cryptography, one thread each: the server's CSR check (decode, policy,
 * signature verification) and the supervisor's key generation and CSR signing, each through the
 * signature provider {@code crypto.provider} (and the supervisor's {@code taskcert.crypto.provider})
 * would put in force: {@code native} or {@code jdk}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CsrMicroBenchmark {
  /** The signature provider, as {@code crypto.provider} names it. */
  @Param({"native", "jdk"})
  public String crypto;

  private final SecureRandom random = new SecureRandom();
  private SignatureProvider signatures;
  private CsrValidator validator;
  private byte[] csr;
  private KeyPair keys;

  /** Makes one supervisor CSR. */
  @Setup
  public void makeCsr() {
    signatures = SignatureProvider.select(SignatureProvider.Choice.parse(crypto));
    validator = new CsrValidator(signatures);
    keys = TaskKeys.generate(random, signatures);
    csr = TaskKeys.csr(keys, signatures);
  }

  /** Server: validates a CSR and extracts its key. */
  @Benchmark
  public PublicKey validateCsr() throws CsrRejectedException {
    return validator.validate(csr);
  }

  /** Supervisor: generates an EC P-256 key pair. */
  @Benchmark
  public KeyPair generateKey() {
    return TaskKeys.generate(random, signatures);
  }

  /** Supervisor: signs a CSR. */
  @Benchmark
  public byte[] signCsr() {
    return TaskKeys.csr(keys, signatures);
  }
}
