package dev.taskcert.pki.ca;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which secret files the server accepts: private to its owner, or read-only and readable by the
 * process's own group and nobody else (a Kubernetes Secret mounted with the pod's fsGroup).
 */
class CaFilesTest {
  @TempDir Path temp;

  private Path secret(String permissions) throws Exception {
    Path file = Files.createTempFile(temp, "secret", ".pem");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    return file;
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-------", "r--------"})
  void acceptsAFileOnlyItsOwnerCanRead(String permissions) throws Exception {
    Path file = secret(permissions);
    assertDoesNotThrow(() -> CaFiles.requirePrivate(file, "key"));
  }

  @Test
  void acceptsAReadOnlyFileOfThisProcesssGroupAsKubernetesMountsASecretWithAnFsGroup() throws Exception {
    long group = CaFiles.processGroup();
    assertTrue(group >= 0, "this process's group is known");
    Path file = secret("r--r-----");
    assertEquals(group, ((Number) Files.getAttribute(file, "unix:gid")).longValue(),
        "a new file takes this process's group");
    assertDoesNotThrow(() -> CaFiles.requirePrivate(file, "key"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-r-----", "r--rw----", "r--r-x---", "r--r----x", "r--r--r--", "r-----r--", "rw-rw-rw-"})
  void refusesEveryOtherFileThatGroupOrOthersMayUse(String permissions) throws Exception {
    Path file = secret(permissions);
    CaLoadException refused = assertThrows(CaLoadException.class, () -> CaFiles.requirePrivate(file, "the key"));
    assertEquals("the key is readable by group or others (" + permissions + "); run chmod 600 on it",
        refused.getMessage());
  }

  @Test
  void refusesAReadOnlyGroupReadableFileOfAnotherGroup() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "giving a file another group needs root");
    Path file = secret("r--r-----");
    Files.setAttribute(file, "unix:gid", (int) (CaFiles.processGroup() + 4242));
    CaLoadException refused = assertThrows(CaLoadException.class, () -> CaFiles.requirePrivate(file, "the key"));
    assertTrue(refused.getMessage().contains("readable by group or others (r--r-----)"), refused.getMessage());
  }

  @Test
  void refusesADirectoryInPlaceOfTheFile() throws Exception {
    Path directory = Files.createDirectory(temp.resolve("key.pem"));
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    CaLoadException refused = assertThrows(CaLoadException.class, () -> CaFiles.requirePrivate(directory, "the key"));
    assertEquals("the key is a directory, not a file", refused.getMessage());
  }
}
