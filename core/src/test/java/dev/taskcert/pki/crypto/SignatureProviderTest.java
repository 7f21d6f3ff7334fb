package dev.taskcert.pki.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.crypto.SignatureProvider.Choice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SignatureProviderTest {
  private static final String CORRETTO = "AmazonCorrettoCryptoProvider";

  @Test
  void nativeIsTheCorrettoProviderRegisteredLastWithoutChangingDefaults() throws Exception {
    SignatureProvider selection = SignatureProvider.select(Choice.NATIVE);

    assertTrue(selection.isNative(), selection.describe());
    assertEquals(CORRETTO, selection.name());
    assertEquals("2.5.0", selection.version());
    assertEquals(CORRETTO, selection.certPathProvider());
    assertTrue(selection.fallbackReason().isEmpty());
    List<String> names = Arrays.stream(Security.getProviders()).map(Provider::getName).toList();
    assertTrue(names.indexOf(CORRETTO) > names.indexOf("SunEC"), names.toString());
    assertNotEquals(CORRETTO, Signature.getInstance("SHA256withECDSA").getProvider().getName(),
        "the JVM's default ECDSA provider must stay as it was");
    assertSame(selection, SignatureProvider.preferred(), "the provider is loaded once per process");
    signAndVerify(selection.provider());
  }

  @Test
  void jdkIsPureJavaAndAsked() throws Exception {
    SignatureProvider selection = SignatureProvider.select(Choice.JDK);

    assertFalse(selection.isNative());
    assertSame(BouncyCastle.PROVIDER, selection.provider());
    assertNull(selection.certPathProvider(), "certificate paths use the JDK's own providers");
    assertTrue(selection.fallbackReason().isEmpty());
    assertEquals(Choice.JDK, selection.requested());
    signAndVerify(selection.provider());
  }

  @Test
  void aNativeLibraryThatCannotLoadFallsBackWithItsReason() throws Exception {
    SignatureProvider selection = SignatureProvider.select(Choice.NATIVE, () -> {
      throw new IllegalStateException("cannot load", new UnsatisfiedLinkError("no libfoo in java.library.path\n"));
    });

    assertFalse(selection.isNative());
    assertEquals(Choice.NATIVE, selection.requested());
    assertSame(BouncyCastle.PROVIDER, selection.provider());
    assertNull(selection.certPathProvider());
    String reason = selection.fallbackReason().orElseThrow();
    assertTrue(reason.contains("UnsatisfiedLinkError") && reason.contains("no libfoo"), reason);
    assertFalse(reason.contains("\n"), "one line");
    assertTrue(selection.describe().startsWith("jdk"), selection.describe());
    signAndVerify(selection.provider());
  }

  @Test
  void aLinkageErrorFallsBackToo() {
    SignatureProvider selection = SignatureProvider.select(Choice.NATIVE, () -> {
      throw new NoClassDefFoundError("com/amazon/corretto/crypto/provider/AmazonCorrettoCryptoProvider");
    });

    assertFalse(selection.isNative());
    assertTrue(selection.fallbackReason().orElseThrow().contains("NoClassDefFoundError"));
  }

  @Test
  void aProviderWithoutEcdsaFallsBack() {
    Provider empty = new Provider("EmptyTestProvider", "1", "offers nothing") {
      private static final long serialVersionUID = 1L;
    };

    SignatureProvider selection = SignatureProvider.select(Choice.NATIVE, () -> empty);

    assertFalse(selection.isNative());
    assertEquals("EmptyTestProvider offers no Signature.SHA256withECDSA", selection.fallbackReason().orElseThrow());
    assertNull(Security.getProvider("EmptyTestProvider"), "a refused provider is not registered");
  }

  @Test
  void jdkAskedNeverLoadsTheNativeProvider() {
    SignatureProvider selection = SignatureProvider.select(Choice.JDK, () -> {
      throw new AssertionError("must not be called");
    });

    assertFalse(selection.isNative());
  }

  @Test
  void choicesParse() {
    assertEquals(Choice.NATIVE, Choice.parse("native"));
    assertEquals(Choice.JDK, Choice.parse(" JDK "));
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Choice.parse("openssl"));
    assertEquals("must be native or jdk, got 'openssl'", refused.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Choice.parse(null));
  }

  /**
   * A JVM where the Corretto provider's native library really does not load: the provider's own
   * switch makes it skip the library in its jar and look on java.library.path, where there is none,
   * as on a platform its jar has no library for.
   */
  @Test
  void aJvmWithoutTheNativeLibraryFallsBackAndSaysSoOnce() throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dcom.amazon.corretto.crypto.provider.useExternalLib=true",
        "-cp", System.getProperty("java.class.path"), FallbackProbe.class.getName()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the probe JVM did not finish");
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertEquals(0, process.exitValue(), output);
    assertTrue(output.contains("native=false requested=NATIVE name=BC"), output);
    assertTrue(output.contains("reason=") && output.contains("native library"), output);
    long warnings = output.lines()
        .filter(line -> line.contains("WARN") && line.contains("Native signature provider unavailable")).count();
    assertEquals(1, warnings, "logged once, on one line:\n" + output);
  }

  private static void signAndVerify(Provider provider) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", provider);
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    Signature signer = Signature.getInstance("SHA256withECDSA", provider);
    signer.initSign(keys.getPrivate());
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(keys.getPublic());
    verifier.update(new byte[] {1, 2, 3});
    assertTrue(verifier.verify(signature), "a signature of " + provider.getName() + " verifies with the JDK");
  }
}
