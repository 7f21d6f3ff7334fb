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
 * directories (0700), and the check that a secret file is private to the server.
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
   * Refuses a secret file that is not private to the server: a directory in its place, any
   * permission for others, group write or execute, and group read except in the one case below.
   *
   * <p>The group may read the file only when it is read-only (nobody may write it) and its group is
   * this process's own group. That is how Kubernetes mounts a Secret for a pod with an
   * {@code fsGroup} equal to its {@code runAsGroup}: {@code defaultMode: 0400} arrives as
   * {@code r--r-----}, owned by root, group the pod's; the server reads it through that group, and
   * no other user of the node can. Anything else group-readable is refused with the fix.
   *
   * @param what how to name the file in the message
   */
  public static void requirePrivate(Path file, String what) throws IOException, CaLoadException {
    if (Files.isDirectory(file)) {
      throw new CaLoadException(what + " is a directory, not a file");
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    Set<PosixFilePermission> excess = EnumSet.noneOf(PosixFilePermission.class);
    excess.addAll(permissions);
    excess.retainAll(GROUP_OR_OTHERS);
    if (excess.isEmpty() || groupReadableByThisProcessOnly(file, permissions, excess)) {
      return;
    }
    throw new CaLoadException(
        what + " is readable by group or others (" + PosixFilePermissions.toString(permissions)
            + "); run chmod 600 on it");
  }

  /** The Kubernetes fsGroup case of {@link #requirePrivate}: read-only, group read only, our group. */
  private static boolean groupReadableByThisProcessOnly(
      Path file, Set<PosixFilePermission> permissions, Set<PosixFilePermission> excess) throws IOException {
    if (!excess.equals(EnumSet.of(PosixFilePermission.GROUP_READ))
        || permissions.contains(PosixFilePermission.OWNER_WRITE)) {
      return false;
    }
    long processGroup = processGroup();
    return processGroup >= 0 && ((Number) Files.getAttribute(file, "unix:gid")).longValue() == processGroup;
  }

  /**
   * This process's (effective) group id, the one the kernel checks a file's group against, from
   * {@code /proc/self/status}; -1 where that cannot be read (not Linux), which leaves only the
   * owner-only rule. Read there, not from the user database: a container's user often has no
   * entry in it.
   */
  static long processGroup() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1)) {
        if (line.startsWith("Gid:")) {
          return Long.parseLong(line.substring("Gid:".length()).strip().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or an unexpected format
    }
    return -1;
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
