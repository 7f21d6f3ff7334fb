package dev.taskcert.pki.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PassphraseTest {
  private static final String SECRET = "correct horse battery staple";

  @TempDir Path temp;

  @Test
  void readsAnEnvironmentVariableExactlyAsSet() throws Exception {
    Passphrase passphrase = Passphrase.fromEnv("CA_PASS", Map.of("CA_PASS", SECRET + " "));
    assertArrayEquals((SECRET + " ").toCharArray(), passphrase.characters());
    assertEquals("environment variable CA_PASS", passphrase.source());
  }

  @Test
  void namesAMissingOrEmptyEnvironmentVariable() {
    CaLoadException missing = assertThrows(CaLoadException.class, () -> Passphrase.fromEnv("CA_PASS", Map.of()));
    assertEquals("environment variable CA_PASS is not set", missing.getMessage());
    CaLoadException empty =
        assertThrows(CaLoadException.class, () -> Passphrase.fromEnv("CA_PASS", Map.of("CA_PASS", "")));
    assertEquals("environment variable CA_PASS is empty", empty.getMessage());
  }

  @Test
  void refusesAShortPassphrase() {
    CaLoadException e =
        assertThrows(CaLoadException.class, () -> Passphrase.fromEnv("CA_PASS", Map.of("CA_PASS", "short")));
    assertTrue(e.getMessage().contains("at least " + Passphrase.MIN_LENGTH), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "\n", "\r\n"})
  void readsAnOwnerOnlyFileIgnoringOneTrailingNewline(String ending) throws Exception {
    Path file = privateFile(SECRET + ending);
    assertArrayEquals(SECRET.toCharArray(), Passphrase.fromFile(file).characters());
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-r-----", "rw----r--", "rw-rw----", "rw-r--r--"})
  void refusesAPassphraseFileOthersCanRead(String permissions) throws Exception {
    Path file = privateFile(SECRET);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    CaLoadException e = assertThrows(CaLoadException.class, () -> Passphrase.fromFile(file));
    assertTrue(e.getMessage().contains("readable by group or others"), e.getMessage());
    assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
  }

  @Test
  void refusesAMissingPassphraseFile() {
    CaLoadException e = assertThrows(CaLoadException.class, () -> Passphrase.fromFile(temp.resolve("absent")));
    assertTrue(e.getMessage().endsWith("does not exist"), e.getMessage());
  }

  @Test
  void refusesAPassphraseFileOfSeveralLines() throws Exception {
    Path file = privateFile(SECRET + "\nsecond line\n");
    CaLoadException e = assertThrows(CaLoadException.class, () -> Passphrase.fromFile(file));
    assertTrue(e.getMessage().contains("single line"), e.getMessage());
  }

  @Test
  void neverShowsThePassphraseInToString() throws Exception {
    Passphrase passphrase = Passphrase.fromEnv("CA_PASS", Map.of("CA_PASS", SECRET));
    assertFalse(passphrase.toString().contains(SECRET));
    assertFalse(KeyProtection.passphrase(passphrase).toString().contains(SECRET));
  }

  private Path privateFile(String content) throws Exception {
    Path file = temp.resolve("passphrase");
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(CaFiles.OWNER_ONLY));
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }
}
