package dev.taskcert.bench.jwt;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtParser;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
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
 * What the shared-secret design pays on every call before any work: verifying one task token
 * (signature and claims), one thread, per algorithm.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JwtVerifyMicroBenchmark {
  /** The token's signature algorithm. */
  @Param({"HS512", "RS256", "ES256", "EDDSA"})
  public String algorithm;

  private JwtParser verifier;
  private String token;

  /** Mints one token to verify repeatedly. */
  @Setup
  public void mint() {
    JwtKeys keys = JwtAlgorithm.valueOf(algorithm).generateKeys();
    verifier = keys.verifier();
    token = keys.mint(UUID.randomUUID(), Instant.now(), Duration.ofHours(1));
  }

  /** Verifies the token and returns its claims. */
  @Benchmark
  public Claims verify() {
    return verifier.parseSignedClaims(token).getPayload();
  }
}
