package dev.taskcert.server.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets at rest: bound to their record, to the server key, and to a key file only the server reads. */
class SecretBoxTest {
  private final SecureRandom random = new SecureRandom();
  @TempDir
  Path directory;

  private SecretBox box(String name) throws IOException {
    return SecretBox.loadOrCreate(directory.resolve(name), random);
  }

  @Test
  void opensWhatItSealedForTheSameRecord() throws IOException {
    SecretBox box = box("key");
    byte[] sealed = box.seal("s3cret", "warehouse");
    assertEquals("s3cret", box.open(sealed, "warehouse"));
    assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("s3cret"));
    assertNotEquals(Arrays.toString(sealed), Arrays.toString(box.seal("s3cret", "warehouse")),
        "a fresh nonce each time");
  }

  @Test
  void aCiphertextCopiedToAnotherRecordDoesNotOpen() throws IOException {
    SecretBox box = box("key");
    byte[] sealed = box.seal("s3cret", "warehouse");
    assertEquals("s3cret", box.open(sealed, "warehouse"));
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> box.open(sealed, "smtp"));
    assertTrue(refused.getMessage().contains("does not decrypt"), refused.getMessage());
  }

  @Test
  void aCiphertextDoesNotOpenUnderAnotherKeyOrWhenTamperedWith() throws IOException {
    SecretBox box = box("key");
    byte[] sealed = box.seal("s3cret", "warehouse");
    assertEquals("s3cret", box.open(sealed, "warehouse"));
    assertThrows(IllegalStateException.class, () -> box("other-key").open(sealed, "warehouse"));
    for (int i = 0; i < sealed.length; i++) {
      byte[] tampered = sealed.clone();
      tampered[i] ^= 0x01;
      assertThrows(IllegalStateException.class, () -> box.open(tampered, "warehouse"), "byte " + i);
    }
    assertThrows(IllegalStateException.class, () -> box.open(Arrays.copyOf(sealed, 20), "warehouse"));
  }

  @Test
  void createsItsKeyFileForTheOwnerOnly() throws IOException {
    box("created");
    Path key = directory.resolve("created");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertEquals(32, Base64.getDecoder().decode(Files.readString(key).trim()).length);
  }

  @Test
  void refusesAKeyFileOthersCanReadOrThatIsNotAKey() throws IOException {
    Path key = directory.resolve("key");
    box("key");
    assertEquals("s3cret", SecretBox.load(key, random).open(box("key").seal("s3cret", "r"), "r"));
    for (String mode : new String[] {"rw-r-----", "rw----r--", "rw-rw-rw-"}) {
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString(mode));
      IOException refused = assertThrows(IOException.class, () -> SecretBox.load(key, random), mode);
      assertTrue(refused.getMessage().contains("readable by group or others"), refused.getMessage());
    }
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    Files.writeString(key, Base64.getEncoder().encodeToString(new byte[16]));
    assertTrue(assertThrows(IOException.class, () -> SecretBox.load(key, random)).getMessage().contains("32 bytes"));
    Files.writeString(key, "not base64 !");
    assertTrue(assertThrows(IOException.class, () -> SecretBox.load(key, random)).getMessage().contains("not base64"));
    assertTrue(assertThrows(IOException.class, () -> SecretBox.load(directory.resolve("missing"), random))
        .getMessage().contains("does not exist"));
  }

  @Test
  void aDirectoryInPlaceOfTheKeyIsNamedAsSuch() throws IOException {
    Path misplaced = Files.createDirectory(directory.resolve("secret.key"));
    IOException refused = assertThrows(IOException.class, () -> SecretBox.load(misplaced, random, "secret_key_file " + misplaced));
    assertTrue(refused.getMessage().startsWith("secret_key_file " + misplaced + " is a directory, not a file: point it"),
        refused.getMessage());
  }

  @Test
  void aReadOnlyKeyOfTheServersGroupLoadsAsAKubernetesSecretWithAnFsGroup() throws IOException {
    Path key = directory.resolve("mounted");
    box("mounted");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--r-----"));
    assertEquals("s3cret", SecretBox.load(key, random).open(box("mounted").seal("s3cret", "r"), "r"));
  }
}
