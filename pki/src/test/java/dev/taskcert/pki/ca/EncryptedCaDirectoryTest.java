package dev.taskcert.pki.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.pki.pem.EncryptedPem;
import dev.taskcert.pki.testsupport.Pkix;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedCaDirectoryTest {
  private static final TrustDomain DOMAIN = new TrustDomain("taskcert.example");
  private static final int FAST_ITERATIONS = EncryptedPem.MIN_ITERATIONS;

  private final SecureRandom random = new SecureRandom();
  private final Instant now = Instant.now();

  @TempDir Path temp;

  @Test
  void writesEncryptedPkcs8KeysOwnerOnlyAndLoadsThemBack() throws Exception {
    CaDirectory directory = encrypted(temp, "correct horse battery staple");
    IntermediateCa written = directory.loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, now, random);
    for (String key : new String[] {CaDirectory.ROOT_KEY, CaDirectory.INTERMEDIATE_KEY}) {
      Path file = temp.resolve(key);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      assertTrue(Files.readString(file).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), key);
    }
    IntermediateCa loaded = encrypted(temp, "correct horse battery staple").loadIntermediate();
    assertArrayEquals(written.privateKey().getEncoded(), loaded.privateKey().getEncoded());
  }

  @Test
  void refusesKeyEncryptedWithAnotherPassphrase() throws Exception {
    encrypted(temp, "correct horse battery staple").loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, now, random);
    CaLoadException e = assertThrows(CaLoadException.class,
        () -> encrypted(temp, "a different passphrase").loadIntermediate());
    assertTrue(e.getMessage().contains("wrong passphrase"), e.getMessage());
    assertTrue(e.getMessage().contains(CaDirectory.INTERMEDIATE_KEY), e.getMessage());
  }

  @Test
  void refusesEncryptedKeyWhenNoPassphraseIsConfigured() throws Exception {
    encrypted(temp, "correct horse battery staple").loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, now, random);
    CaLoadException e = assertThrows(CaLoadException.class, () -> new CaDirectory(temp).loadIntermediate());
    assertTrue(e.getMessage().contains("is encrypted, but no passphrase is configured"), e.getMessage());
  }

  @Test
  void refusesUnencryptedKeyWhenAPassphraseIsConfigured() throws Exception {
    new CaDirectory(temp).loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, now, random);
    CaLoadException e = assertThrows(CaLoadException.class,
        () -> encrypted(temp, "correct horse battery staple").loadIntermediate());
    assertTrue(e.getMessage().contains("is not encrypted, but a passphrase is configured"), e.getMessage());
  }

  @Test
  void keepsLoadingUnencryptedKeysWhenNoPassphraseIsConfigured() throws Exception {
    IntermediateCa written = new CaDirectory(temp).loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, now, random);
    assertTrue(Files.readString(temp.resolve(CaDirectory.INTERMEDIATE_KEY)).startsWith("-----BEGIN PRIVATE KEY-----"));
    assertArrayEquals(written.certificate().getEncoded(), new CaDirectory(temp).loadIntermediate().certificate().getEncoded());
  }

  @Test
  void refusesGroupReadableEncryptedKey() throws Exception {
    CaDirectory directory = encrypted(temp, "correct horse battery staple");
    directory.loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, now, random);
    Files.setPosixFilePermissions(temp.resolve(CaDirectory.INTERMEDIATE_KEY), PosixFilePermissions.fromString("rw-r-----"));
    CaLoadException e = assertThrows(CaLoadException.class, directory::loadIntermediate);
    assertTrue(e.getMessage().contains("readable by group or others"), e.getMessage());
  }

  @Test
  void refusesEncryptedKeyThatDoesNotMatchItsCertificate() throws Exception {
    CaDirectory directory = encrypted(temp, "correct horse battery staple");
    directory.loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, now, random);
    new PrivateKeyFile(temp.resolve(CaDirectory.INTERMEDIATE_KEY), directory.keyProtection())
        .write(KeyAlgorithm.EC_P256.generate(random).getPrivate(), random);
    CaLoadException e = assertThrows(CaLoadException.class, directory::loadIntermediate);
    assertTrue(e.getMessage().contains("does not match the public key of its certificate"), e.getMessage());
  }

  @Test
  void reportsAMissingKeyFile() throws Exception {
    CaDirectory directory = encrypted(temp, "correct horse battery staple");
    directory.loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, now, random);
    Files.delete(temp.resolve(CaDirectory.INTERMEDIATE_KEY));
    CaLoadException e = assertThrows(CaLoadException.class, directory::loadIntermediate);
    assertEquals(temp.resolve(CaDirectory.INTERMEDIATE_KEY) + " does not exist", e.getMessage());
  }

  @Test
  void keepsTheRootKeyOutOfTheOnlineDirectoryWhenWrittenElsewhere() throws Exception {
    Path online = temp.resolve("online");
    Path offline = temp.resolve("offline");
    CaDirectory directory = encrypted(online, "correct horse battery staple");
    RootKeyDirectory rootKeys = new RootKeyDirectory(offline, protection("a separate root passphrase"), random);
    CaHierarchy hierarchy = CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P384, now, random);
    directory.write(hierarchy, rootKeys);

    assertFalse(Files.exists(online.resolve(CaDirectory.ROOT_KEY)));
    assertFalse(Files.exists(online.resolve(CaDirectory.ROOT)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(offline)));
    assertArrayEquals(hierarchy.rootKey().getEncoded(), rootKeys.load().privateKey().getEncoded());
    assertThrows(CaLoadException.class,
        () -> new RootKeyDirectory(offline, protection("correct horse battery staple"), random).load());
    assertEquals(KeyAlgorithm.EC_P384, KeyAlgorithm.of(directory.loadIntermediate().certificate().getPublicKey()));
  }

  @Test
  void runsAnRsa3072HierarchyEndToEnd() throws Exception {
    CaDirectory directory = encrypted(temp, "correct horse battery staple");
    directory.loadOrInitialize(DOMAIN, KeyAlgorithm.RSA_3072, now, random);
    IntermediateCa ca = encrypted(temp, "correct horse battery staple").loadIntermediate();
    assertEquals(KeyAlgorithm.RSA_3072, KeyAlgorithm.of(ca.certificate().getPublicKey()));
    assertEquals("SHA256withRSA", ca.certificate().getSigAlgName());

    CertificateIssuer issuer = new CertificateIssuer(ca, new SpiffeIdCodec(DOMAIN), IssuancePolicy.DEFAULT, random);
    IssuedCertificate leaf = issuer.issueClient(
        KeyAlgorithm.EC_P256.generate(random).getPublic(), new TaskIdentity("dag", "run", "task", -1, 1), now);
    Pkix.validate(leaf.chain(), directory.loadTrustBundle().roots(), now);
  }

  @Test
  void reportsAKeyFileThatHoldsNoKey() throws Exception {
    CaDirectory directory = encrypted(temp, "correct horse battery staple");
    directory.loadOrInitialize(DOMAIN, KeyAlgorithm.EC_P256, now, random);
    Files.writeString(temp.resolve(CaDirectory.INTERMEDIATE_KEY), "garbage", StandardCharsets.US_ASCII);
    CaLoadException e = assertThrows(CaLoadException.class, directory::loadIntermediate);
    assertTrue(e.getMessage().startsWith(temp.resolve(CaDirectory.INTERMEDIATE_KEY) + ": "), e.getMessage());
  }

  private CaDirectory encrypted(Path path, String passphrase) throws CaLoadException {
    return new CaDirectory(path, protection(passphrase), random);
  }

  private static KeyProtection protection(String passphrase) throws CaLoadException {
    return new KeyProtection.Encrypted(
        Passphrase.fromEnv("PASSPHRASE", Map.of("PASSPHRASE", passphrase)), FAST_ITERATIONS);
  }
}
