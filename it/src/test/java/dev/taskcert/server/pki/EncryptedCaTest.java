package dev.taskcert.server.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.ca.Passphrase;
import dev.taskcert.server.ServerRuntime;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.testing.TestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A server whose CA keys are encrypted at rest starts with the right passphrase and refuses to start otherwise. */
class EncryptedCaTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  @TempDir Path temp;


  private Path passphraseFile(String passphrase) throws Exception {
    Path file = temp.resolve("passphrase-" + passphrase.hashCode());
    Files.writeString(file, passphrase);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private ServerConfig config(Path caDirectory, Path passphraseFile) {
    ServerConfig dev = env.dev().config();
    return ServerConfig.builder()
        .trustDomain(dev.trustDomain())
        .executionPort(0).enrollmentPort(0)
        .caDirectory(caDirectory)
        .caPassphraseFile(passphraseFile)
        .allowUnencryptedCaKey(passphraseFile == null)
        .secretKeyFile(dev.secretKeyFile())
        .database(dev.database())
        .build();
  }

  @Test
  void startsWithTheRightPassphraseAndRefusesAWrongOne() throws Exception {
    Path caDirectory = temp.resolve("ca");
    Passphrase passphrase = Passphrase.of("correct horse battery staple".toCharArray());
    new CaDirectory(caDirectory, passphrase).loadOrInitialize(
        env.dev().config().trustDomain(), KeyAlgorithm.EC_P256, Instant.now(), new SecureRandom());
    assertTrue(Files.readString(caDirectory.resolve(CaDirectory.INTERMEDIATE_KEY)).contains("ENCRYPTED PRIVATE KEY"));

    try (ServerRuntime runtime = ServerRuntime.start(
        config(caDirectory, passphraseFile("correct horse battery staple")), env.clock)) {
      assertTrue(runtime.executionPort() > 0);
    }

    RuntimeException wrong = assertThrows(RuntimeException.class, () -> ServerRuntime.start(
        config(caDirectory, passphraseFile("wrong horse battery staple")), env.clock));
    assertTrue(rootMessage(wrong).contains("passphrase"), rootMessage(wrong));

    RuntimeException none = assertThrows(RuntimeException.class, () -> ServerRuntime.start(
        config(caDirectory, null), env.clock));
    assertTrue(rootMessage(none).contains("encrypted"), rootMessage(none));
  }

  @Test
  void refusesToStartWithoutItsCaFiles() {
    RuntimeException missing = assertThrows(RuntimeException.class, () -> ServerRuntime.start(
        config(temp.resolve("no-such-ca"), null), env.clock));
    assertTrue(rootMessage(missing).contains("does not exist"), rootMessage(missing));
  }

  @Test
  void refusesToStartWhenTheIntermediateKeyIsMissingCorruptOrUnreadable() throws Exception {
    Path caDirectory = temp.resolve("ca-damaged");
    new CaDirectory(caDirectory).loadOrInitialize(
        env.dev().config().trustDomain(), KeyAlgorithm.EC_P256, Instant.now(), new SecureRandom());
    Path key = caDirectory.resolve(CaDirectory.INTERMEDIATE_KEY);
    String intact = Files.readString(key);

    Files.delete(key);
    RuntimeException missing = assertThrows(RuntimeException.class, () -> ServerRuntime.start(
        config(caDirectory, null), env.clock));
    assertTrue(rootMessage(missing).contains(CaDirectory.INTERMEDIATE_KEY), rootMessage(missing));

    Files.writeString(key, intact.substring(0, intact.length() / 2));
    RuntimeException corrupt = assertThrows(RuntimeException.class, () -> ServerRuntime.start(
        config(caDirectory, null), env.clock));
    assertTrue(rootMessage(corrupt).contains(CaDirectory.INTERMEDIATE_KEY), rootMessage(corrupt));

    // A directory where the key file should be cannot be read, even by root (permissions would not stop root).
    Files.delete(key);
    Files.createDirectory(key);
    RuntimeException unreadable = assertThrows(RuntimeException.class, () -> ServerRuntime.start(
        config(caDirectory, null), env.clock));
    assertTrue(rootMessage(unreadable).contains(CaDirectory.INTERMEDIATE_KEY), rootMessage(unreadable));
  }

  private static String rootMessage(Throwable e) {
    StringBuilder messages = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append(" | ");
    }
    return messages.toString();
  }

  @Test
  void keepsThePassphraseOutOfTheConfigurationText() throws Exception {
    ServerConfig config = config(temp, passphraseFile("correct horse battery staple"));
    assertEquals(false, config.toString().contains("correct horse"));
  }
}
