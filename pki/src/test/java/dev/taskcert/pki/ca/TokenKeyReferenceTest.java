package dev.taskcert.pki.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.identity.TrustDomain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a CA directory says about a key in a token ({@code intermediate-key.pkcs11}), and the PIN
 * that opens the token. The token itself is exercised against SoftHSM2 in the integration tests.
 */
class TokenKeyReferenceTest {
  @TempDir Path temp;

  @Test
  void aReferenceIsWrittenAndReadBack() throws Exception {
    Path file = temp.resolve(CaDirectory.INTERMEDIATE_KEY_REFERENCE);
    new TokenKeyReference("taskcert-intermediate-2025.1").write(file);
    assertEquals(new TokenKeyReference("taskcert-intermediate-2025.1"), TokenKeyReference.read(file));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-starts-with-dash", "has space", "a/b", "label\nnext"})
  void aLabelAShellOrTokenCouldMangleIsRefused(String label) {
    assertThrows(IllegalArgumentException.class, () -> new TokenKeyReference(label));
  }

  @Test
  void aReferenceWithoutALabelNamesTheFile() throws Exception {
    Path file = temp.resolve(CaDirectory.INTERMEDIATE_KEY_REFERENCE);
    Files.writeString(file, "# nothing here\n");
    CaLoadException e = assertThrows(CaLoadException.class, () -> TokenKeyReference.read(file));
    assertEquals(file + " names no key: it has no pkcs11.label line", e.getMessage());
  }

  @Test
  void aCaDirectoryWithAReferenceIsInitializedAndRefusesToLoadWithoutAToken() throws Exception {
    CaDirectory ca = new CaDirectory(temp.resolve("ca"));
    ca.write(CaHierarchy.create(new TrustDomain("hsm.example"), KeyAlgorithm.EC_P256,
        Instant.now(), new SecureRandom()));
    Files.delete(temp.resolve("ca").resolve(CaDirectory.INTERMEDIATE_KEY));
    assertFalse(ca.isInitialized());
    new TokenKeyReference("intermediate-1").write(temp.resolve("ca").resolve(CaDirectory.INTERMEDIATE_KEY_REFERENCE));
    assertTrue(ca.isInitialized());
    CaLoadException e = assertThrows(CaLoadException.class, ca::loadIntermediate);
    assertEquals("the intermediate's key is in a PKCS#11 token under label 'intermediate-1' ("
        + CaDirectory.INTERMEDIATE_KEY_REFERENCE + "), but no token is configured", e.getMessage());
  }

  @Test
  void aPinComesFromAPrivateFileWithoutItsNewline() throws Exception {
    Path file = temp.resolve("pin");
    Files.writeString(file, "1234-pin\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    TokenPin pin = TokenPin.fromFile(file);
    assertArrayEquals("1234-pin".toCharArray(), pin.characters());
    assertEquals("TokenPin[from PIN file " + file + "]", pin.toString());

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    CaLoadException readable = assertThrows(CaLoadException.class, () -> TokenPin.fromFile(file));
    assertTrue(readable.getMessage().contains("readable by group or others"), readable.getMessage());
  }

  @Test
  void aPinFromTheEnvironmentMustBeSetAndLongEnough() {
    assertEquals("environment variable PIN is not set",
        assertThrows(CaLoadException.class, () -> TokenPin.fromEnv("PIN", Map.of())).getMessage());
    assertEquals("the PIN from environment variable PIN is 3 characters long; at least 4 are required",
        assertThrows(CaLoadException.class, () -> TokenPin.fromEnv("PIN", Map.of("PIN", "123"))).getMessage());
  }
}
