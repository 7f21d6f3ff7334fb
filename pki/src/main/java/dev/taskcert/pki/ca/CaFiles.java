package dev.taskcert.pki.ca;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * File handling shared by everything that writes CA material: atomic writes with explicit modes
 * (0600 for secrets, 0644 for certificates, both further limited by the umask), private
 * directories (0700), and the check that a secret file is private to its owner.
 */
public final class CaFiles {
  /** {@code rw-------}: private keys and passphrase files. */
  public static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  /** {@code rw-r--r--}: certificates, bundles and CRLs. */
  public static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

  private static final Set<PosixFilePermission> GROUP_OR_OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private CaFiles() {}

  /** Writes a secret (mode 0600), replacing the file atomically. */
  public static void writeSecret(Path file, String content) throws IOException {
    write(file, content.getBytes(StandardCharsets.US_ASCII), OWNER_ONLY);
  }

  /** Writes public text such as certificates (mode 0644), replacing the file atomically. */
  public static void writePublic(Path file, String content) throws IOException {
    write(file, content.getBytes(StandardCharsets.US_ASCII), PUBLIC);
  }

  /** Writes public bytes such as a DER CRL (mode 0644), replacing the file atomically. */
  public static void writePublic(Path file, byte[] content) throws IOException {
    write(file, content, PUBLIC);
  }

  /** Creates {@code directory} and missing parents with mode 0700; an existing one is left as is. */
  public static void createPrivateDirectories(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      Files.createDirectories(
          directory,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  /**
   * Refuses a secret file that group or others may read, write or execute.
   *
   * @param what how to name the file in the message
   */
  public static void requireOwnerOnly(Path file, String what) throws IOException, CaLoadException {
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    Set<PosixFilePermission> excess = EnumSet.noneOf(PosixFilePermission.class);
    excess.addAll(permissions);
    excess.retainAll(GROUP_OR_OTHERS);
    if (!excess.isEmpty()) {
      throw new CaLoadException(
          what + " is readable by group or others (" + PosixFilePermissions.toString(permissions)
              + "); run chmod 600 on it");
    }
  }

  /**
   * The bytes of a CA file.
   *
   * @throws CaLoadException naming the file when it is missing or cannot be read (for example a
   *     directory in its place, or an I/O error)
   */
  public static byte[] read(Path file) throws CaLoadException {
    if (!Files.exists(file)) {
      throw new CaLoadException(file + " does not exist");
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CaLoadException(file + " cannot be read: " + e.getMessage());
    }
  }

  private static void write(Path target, byte[] content, Set<PosixFilePermission> permissions)
      throws IOException {
    Path directory = target.toAbsolutePath().getParent();
    Path temp =
        Files.createTempFile(
            directory, "." + target.getFileName(), ".tmp",
            PosixFilePermissions.asFileAttribute(permissions));
    try {
      Files.write(temp, content);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
