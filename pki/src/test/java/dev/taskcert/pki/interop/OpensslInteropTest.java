package dev.taskcert.pki.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaFiles;
import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.IntermediateCa;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.ca.KeyProtection;
import dev.taskcert.pki.ca.Passphrase;
import dev.taskcert.pki.ca.PrivateKeyFile;
import dev.taskcert.pki.ca.RootCa;
import dev.taskcert.pki.ca.RootKeyDirectory;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.pki.pem.EncryptedPem;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.revocation.CrlBuilder;
import dev.taskcert.pki.revocation.RevocationReason;
import dev.taskcert.pki.revocation.RevokedCertificate;
import dev.taskcert.pki.testsupport.OpensslCli;
import dev.taskcert.pki.testsupport.OpensslCli.Result;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenSSL, an independent implementation, must accept what the CA writes. Skipped without the openssl CLI. */
class OpensslInteropTest {
  private static final TrustDomain DOMAIN = new TrustDomain("taskcert.example");
  private static final String PASSPHRASE = "correct horse battery staple";
  private static final Map<String, String> ENVIRONMENT = Map.of("CA_PASSPHRASE", PASSPHRASE);

  private final SecureRandom random = new SecureRandom();
  // openssl checks validity against the real clock.
  private final Instant now = Instant.now();

  @TempDir Path temp;
  private CaDirectory ca;

  @BeforeEach
  void initialize() throws Exception {
    OpensslCli.assumeInstalled();
    KeyProtection fast = new KeyProtection.Encrypted(
        Passphrase.fromEnv("CA_PASSPHRASE", ENVIRONMENT), EncryptedPem.MIN_ITERATIONS);
    ca = new CaDirectory(temp.resolve("ca"), fast, random);
    ca.write(CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, now, random));
  }

  @Test
  void opensslVerifiesAnIssuedLeafAgainstTheBundleWithTheIntermediateUntrusted() throws Exception {
    IssuedCertificate leaf = issueTaskCertificate(ca.loadIntermediate());
    CaFiles.writePublic(temp.resolve("leaf.pem"), Pem.certificates(List.of(leaf.leaf())));

    Result result = OpensslCli.run(temp, "verify", "-purpose", "sslclient",
        "-CAfile", "ca/bundle.pem", "-untrusted", "ca/intermediate.pem", "leaf.pem");
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("leaf.pem: OK"), result.output());
  }

  @Test
  void opensslRejectsAnOldLeafOnceItsRootLeftTheBundle() throws Exception {
    IssuedCertificate oldLeaf = issueTaskCertificate(ca.loadIntermediate());
    CaFiles.writePublic(temp.resolve("old-leaf.pem"), Pem.certificates(List.of(oldLeaf.leaf())));
    CaFiles.writePublic(temp.resolve("old-intermediate.pem"), Pem.certificates(List.of(oldLeaf.chain().get(1))));
    String oldRoot = CertificateFingerprint.of(ca.loadTrustBundle().roots().get(0)).hex();

    RootCa newRoot = CaHierarchy.createRoot(DOMAIN, KeyAlgorithm.EC_P384, now, random);
    new RootKeyDirectory(temp.resolve("root-2"), ca.keyProtection(), random).write(newRoot);
    ca.writeTrustBundle(ca.loadTrustBundle().with(newRoot.certificate()));
    ca.installIntermediate(CaHierarchy.createIntermediate(
        DOMAIN, newRoot.certificate(), newRoot.privateKey(), KeyAlgorithm.EC_P256, now, random));
    IssuedCertificate newLeaf = issueTaskCertificate(ca.loadIntermediate());
    CaFiles.writePublic(temp.resolve("new-leaf.pem"), Pem.certificates(List.of(newLeaf.leaf())));

    assertEquals(0, verify("old-intermediate.pem", "old-leaf.pem").exitCode());
    assertEquals(0, verify("ca/intermediate.pem", "new-leaf.pem").exitCode());

    ca.writeTrustBundle(ca.loadTrustBundle().without(new CertificateFingerprint(oldRoot)));
    assertNotEquals(0, verify("old-intermediate.pem", "old-leaf.pem").exitCode());
    assertEquals(0, verify("ca/intermediate.pem", "new-leaf.pem").exitCode());
  }

  @Test
  void opensslDecryptsAKeyEncryptedAtTheDefaultCostWithThePassphrase() throws Exception {
    KeyProtection asOperatorsGetIt = KeyProtection.passphrase(Passphrase.fromEnv("CA_PASSPHRASE", ENVIRONMENT));
    new PrivateKeyFile(temp.resolve("key.pem"), asOperatorsGetIt)
        .write(KeyAlgorithm.EC_P384.generate(random).getPrivate(), random);
    Result right = OpensslCli.run(temp, ENVIRONMENT,
        "pkey", "-in", "key.pem", "-passin", "env:CA_PASSPHRASE", "-noout");
    assertEquals(0, right.exitCode(), right.output());
    Result wrong = OpensslCli.run(temp, Map.of("CA_PASSPHRASE", "not the passphrase"),
        "pkey", "-in", "key.pem", "-passin", "env:CA_PASSPHRASE", "-noout");
    assertNotEquals(0, wrong.exitCode(), wrong.output());
  }

  @Test
  void opensslVerifiesTheCrlSignatureAndListsTheSerials() throws Exception {
    IntermediateCa intermediate = ca.loadIntermediate();
    IssuedCertificate leaf = issueTaskCertificate(intermediate);
    CaFiles.writePublic(temp.resolve("crl.pem"), Pem.crl(new CrlBuilder(intermediate).build(
        List.of(RevokedCertificate.of(leaf.serialHex(), now, RevocationReason.KEY_COMPROMISE)),
        BigInteger.ONE, now, now.plus(Duration.ofDays(1)))));

    Result checked = OpensslCli.run(temp, "crl", "-in", "crl.pem", "-CAfile", "ca/intermediate.pem", "-noout", "-text");
    assertEquals(0, checked.exitCode(), checked.output());
    assertTrue(checked.output().contains("verify OK"), checked.output());
    assertTrue(checked.output().toLowerCase().contains(leaf.serialHex()), checked.output());
    assertTrue(checked.output().contains("Key Compromise"), checked.output());

    CaFiles.writePublic(temp.resolve("leaf-chain.pem"), Pem.certificates(leaf.chain()));
    CaFiles.writePublic(temp.resolve("leaf.pem"), Pem.certificates(List.of(leaf.leaf())));
    Result revoked = OpensslCli.run(temp, "verify", "-crl_check", "-CRLfile", "crl.pem",
        "-CAfile", "ca/bundle.pem", "-untrusted", "ca/intermediate.pem", "leaf.pem");
    assertNotEquals(0, revoked.exitCode(), revoked.output());
    assertTrue(revoked.output().contains("certificate revoked"), revoked.output());
  }

  private Result verify(String intermediate, String leaf) throws Exception {
    return OpensslCli.run(temp, "verify", "-CAfile", "ca/bundle.pem", "-untrusted", intermediate, leaf);
  }

  private IssuedCertificate issueTaskCertificate(IntermediateCa intermediate) {
    return new CertificateIssuer(intermediate, new SpiffeIdCodec(DOMAIN), IssuancePolicy.DEFAULT, random)
        .issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(),
            new TaskIdentity("etl.daily", "scheduled__2026-01-01T00:00:00+00:00", "load", 3, 2), now);
  }
}
