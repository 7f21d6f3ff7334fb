package dev.taskcert.pki.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.pem.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaDirectoryTest {
  private static final TrustDomain DOMAIN = new TrustDomain("taskcert.example");
  private final SecureRandom random = new SecureRandom();

  @TempDir Path temp;

  @Test
  void initializesOnceAndReloadsTheSameIntermediate() throws Exception {
    CaDirectory directory = new CaDirectory(temp.resolve("ca"));
    assertFalse(directory.isInitialized());
    IntermediateCa first = directory.loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, Instant.now(), random);
    IntermediateCa second = directory.loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, Instant.now(), random);
    assertArrayEquals(first.certificate().getEncoded(), second.certificate().getEncoded());
    assertEquals(first.root(), directory.loadTrustBundle().roots().get(0));
  }

  @Test
  void writesPrivateKeysReadableByOwnerOnly() throws Exception {
    CaDirectory directory = new CaDirectory(temp);
    directory.loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, Instant.now(), random);
    for (String key : new String[] {CaDirectory.ROOT_KEY, CaDirectory.INTERMEDIATE_KEY}) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(temp.resolve(key))));
    }
  }

  @Test
  void refusesGroupReadableKey() throws Exception {
    CaDirectory directory = new CaDirectory(temp);
    directory.loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, Instant.now(), random);
    Files.setPosixFilePermissions(temp.resolve(CaDirectory.INTERMEDIATE_KEY), PosixFilePermissions.fromString("rw-r-----"));
    CaLoadException e = assertThrows(CaLoadException.class, directory::loadIntermediate);
    assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
  }

  @Test
  void refusesKeyThatDoesNotMatchItsCertificate() throws Exception {
    CaDirectory directory = new CaDirectory(temp);
    directory.loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, Instant.now(), random);
    Files.writeString(temp.resolve(CaDirectory.INTERMEDIATE_KEY),
        Pem.privateKey(KeyAlgorithm.EC_P256.generate(random).getPrivate()));
    CaLoadException e = assertThrows(CaLoadException.class, directory::loadIntermediate);
    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
  }

  @Test
  void reportsMissingFilesClearly() throws Exception {
    CaDirectory directory = new CaDirectory(temp);
    directory.loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, Instant.now(), random);
    Files.delete(temp.resolve(CaDirectory.BUNDLE));
    CaLoadException e = assertThrows(CaLoadException.class, directory::loadIntermediate);
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void refusesToOverwriteAnExistingCa() throws Exception {
    CaDirectory directory = new CaDirectory(temp);
    directory.loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, Instant.now(), random);
    assertThrows(java.io.IOException.class,
        () -> directory.write(CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, Instant.now(), random)));
  }
}
