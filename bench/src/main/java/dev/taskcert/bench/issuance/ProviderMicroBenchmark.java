package dev.taskcert.bench.issuance;

import dev.taskcert.pki.crypto.BouncyCastle;
import dev.taskcert.pki.crypto.SignatureProvider;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.conscrypt.Conscrypt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * ECDSA P-256 with SHA-256, sign and verify, side by side in the JCA providers that could do the
 * work outside the TLS handshake: the JDK's SunEC, BouncyCastle (the pure-Java fallback), Conscrypt
 * (BoringSSL) and the Amazon Corretto Crypto Provider (AWS-LC, the native provider in force). Each
 * provider signs with its own key object, as the CA does after converting its key once; the message
 * is the size of a task certificate's to-be-signed part.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ProviderMicroBenchmark {
  /** Bytes signed: about a task certificate's TBSCertificate. */
  static final int MESSAGE_BYTES = 420;

  /** The provider; {@link #available()} lists those that load on this machine. */
  @Param({"SunEC", "BC", "Conscrypt", "ACCP"})
  public String provider;

  private final byte[] message = new byte[MESSAGE_BYTES];
  private Signature signer;
  private Signature verifier;
  private byte[] signature;

  /** Generates the provider's own P-256 key pair and one signature to verify. */
  @Setup
  public void keys() throws GeneralSecurityException {
    Provider jca = provider(provider);
    new SecureRandom().nextBytes(message);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", jca);
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    signer = Signature.getInstance("SHA256withECDSA", jca);
    signer.initSign(keys.getPrivate());
    verifier = Signature.getInstance("SHA256withECDSA", jca);
    verifier.initVerify(keys.getPublic());
    signature = sign();
    if (!verify()) {
      throw new IllegalStateException(provider + " does not verify its own signature");
    }
  }

  /** Signs the message (the signer stays initialised with its key). */
  @Benchmark
  public byte[] sign() throws GeneralSecurityException {
    signer.update(message);
    return signer.sign();
  }

  /** Verifies one signature of the message. */
  @Benchmark
  public boolean verify() throws GeneralSecurityException {
    verifier.update(message);
    return verifier.verify(signature);
  }

  /** The provider {@code name} stands for. */
  static Provider provider(String name) {
    return switch (name) {
      case "SunEC" -> Security.getProvider("SunEC");
      case "BC" -> BouncyCastle.PROVIDER;
      case "Conscrypt" -> Conscrypt.newProvider();
      case "ACCP" -> {
        SignatureProvider selection = SignatureProvider.select(SignatureProvider.Choice.NATIVE);
        if (!selection.isNative()) {
          throw new IllegalStateException("the Corretto provider does not load here: "
              + selection.fallbackReason().orElse(""));
        }
        yield selection.provider();
      }
      default -> throw new IllegalArgumentException("unknown provider " + name);
    };
  }

  /** The values of {@link #provider} that load on this machine, in the order above. */
  static List<String> available() {
    List<String> names = new ArrayList<>(List.of("SunEC", "BC"));
    if (isConscryptAvailable()) {
      names.add("Conscrypt");
    }
    if (SignatureProvider.select(SignatureProvider.Choice.NATIVE).isNative()) {
      names.add("ACCP");
    }
    return names;
  }

  private static boolean isConscryptAvailable() {
    try {
      return Conscrypt.isAvailable();
    } catch (LinkageError e) {
      return false;
    }
  }

  /** The provider's name and version (Conscrypt's release, which its provider object does not report). */
  static String describe(String name) {
    Provider jca = provider(name);
    if (name.equals("Conscrypt")) {
      Conscrypt.Version version = Conscrypt.version();
      return jca.getName() + " " + version.major() + "." + version.minor() + "." + version.patch();
    }
    return jca.getName() + " " + jca.getVersionStr();
  }
}
