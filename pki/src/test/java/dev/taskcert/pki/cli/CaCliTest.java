package dev.taskcert.pki.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.IntermediateCa;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.ca.KeyPairs;
import dev.taskcert.pki.ca.KeyProtection;
import dev.taskcert.pki.ca.Passphrase;
import dev.taskcert.pki.ca.RootKeyDirectory;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.pki.pem.EncryptedPem;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.testsupport.Pkix;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.CRLReason;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** Drives {@code taskcert-ca} in-process, as a script would: arguments in, exit status, output and files out. */
class CaCliTest {
  private static final String PASSPHRASE_VARIABLE = "TASKCERT_CA_PASSPHRASE";
  private static final String PASSPHRASE = "correct horse battery staple";
  private static final String ROOT_PASSPHRASE_VARIABLE = "TASKCERT_ROOT_PASSPHRASE";
  private static final Map<String, String> ENVIRONMENT = Map.of(
      PASSPHRASE_VARIABLE, PASSPHRASE,
      ROOT_PASSPHRASE_VARIABLE, "a separate root passphrase",
      "WRONG_PASSPHRASE", "not the right passphrase");
  private static final TrustDomain DOMAIN = new TrustDomain("taskcert.example");

  private final SecureRandom random = new SecureRandom();
  private final CliContext context =
      new CliContext(ENVIRONMENT, Clock.systemUTC(), random, EncryptedPem.MIN_ITERATIONS);

  @TempDir Path temp;

  record Run(int exitCode, String out, String err) {}

  // ---- init

  @Test
  void initCreatesAnEncryptedCaWhoseRootKeyLivesInAnotherDirectory() throws Exception {
    Run run = initWithOfflineRoot();
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("", run.err());

    Path ca = temp.resolve("ca");
    assertFalse(Files.exists(ca.resolve(CaDirectory.ROOT_KEY)), "the online directory holds no root key");
    assertEquals("rw-------", permissions(ca.resolve(CaDirectory.INTERMEDIATE_KEY)));
    assertEquals("rw-------", permissions(temp.resolve("offline").resolve(RootKeyDirectory.KEY)));
    assertTrue(Files.readString(ca.resolve(CaDirectory.INTERMEDIATE_KEY)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    assertTrue(Files.readString(temp.resolve("offline").resolve(RootKeyDirectory.KEY)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));

    IntermediateCa intermediate = onlineCa().loadIntermediate();
    X509Certificate root = onlineCa().loadTrustBundle().roots().get(0);
    assertEquals(root, intermediate.root());
    assertTrue(run.out().contains(CertificateFingerprint.of(root).hex()), run.out());
    assertEquals(KeyAlgorithm.EC_P256, KeyAlgorithm.of(root.getPublicKey()));
  }

  @Test
  void initOffersP384AndASeparateRootPassphrase() throws Exception {
    Run run = run("init", "--ca-dir", temp.resolve("ca").toString(), "--trust-domain", "taskcert.example",
        "--algorithm", "ec-p384", "--passphrase-env", PASSPHRASE_VARIABLE,
        "--root-passphrase-env", ROOT_PASSPHRASE_VARIABLE, "--root-key-out", temp.resolve("offline").toString());
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(KeyAlgorithm.EC_P384, KeyAlgorithm.of(onlineCa().loadIntermediate().certificate().getPublicKey()));

    CaLoadException e = assertThrows(CaLoadException.class, () -> rootKeys("offline", PASSPHRASE_VARIABLE).load());
    assertTrue(e.getMessage().contains("wrong passphrase"), e.getMessage());
    rootKeys("offline", ROOT_PASSPHRASE_VARIABLE).load();
  }

  @Test
  void initMakesTheOperatorChooseHowKeysAreProtected() {
    Run run = run("init", "--ca-dir", temp.resolve("ca").toString(), "--trust-domain", "taskcert.example");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("--passphrase-env or --passphrase-file, or --no-passphrase"), run.err());
    assertFalse(Files.exists(temp.resolve("ca")));
  }

  @Test
  void initWritesTheRootKeyApartByDefaultAndOnlineOnlyWhenTold() throws Exception {
    Run run = run("init", "--ca-dir", temp.resolve("ca").toString(), "--trust-domain", "taskcert.example",
        "--passphrase-env", PASSPHRASE_VARIABLE);
    assertEquals(0, run.exitCode(), run.err());
    assertFalse(Files.exists(temp.resolve("ca").resolve(CaDirectory.ROOT_KEY)), "no root key next to the intermediate's");
    assertEquals("rw-------", permissions(temp.resolve("ca-root").resolve(RootKeyDirectory.KEY)));
    assertTrue(run.out().contains(temp.resolve("ca-root").toString()), run.out());
    rootKeys("ca-root", PASSPHRASE_VARIABLE).load();

    Run online = run("init", "--ca-dir", temp.resolve("dev-ca").toString(), "--trust-domain", "taskcert.example",
        "--passphrase-env", PASSPHRASE_VARIABLE, "--keep-root-online");
    assertEquals(0, online.exitCode(), online.err());
    assertTrue(Files.exists(temp.resolve("dev-ca").resolve(CaDirectory.ROOT_KEY)));
    assertFalse(Files.exists(temp.resolve("dev-ca-root")));
    assertTrue(online.out().contains("root key is online"), online.out());

    assertEquals(2, run("init", "--ca-dir", temp.resolve("x").toString(), "--trust-domain", "taskcert.example",
        "--no-passphrase", "--keep-root-online", "--root-key-out", temp.resolve("y").toString()).exitCode());
  }

  @Test
  void initWithoutPassphraseWritesPlainKeysAndSaysSo() throws Exception {
    Run run = run("init", "--ca-dir", temp.resolve("ca").toString(), "--trust-domain", "taskcert.example",
        "--no-passphrase", "--keep-root-online");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("NOT encrypted"), run.out());
    assertTrue(Files.readString(temp.resolve("ca").resolve(CaDirectory.ROOT_KEY)).startsWith("-----BEGIN PRIVATE KEY-----"));
    new CaDirectory(temp.resolve("ca")).loadIntermediate();
  }

  @Test
  void initRefusesToOverwriteAnExistingCa() throws Exception {
    initWithOfflineRoot();
    byte[] before = Files.readAllBytes(temp.resolve("ca").resolve(CaDirectory.INTERMEDIATE));
    Run again = run("init", "--ca-dir", temp.resolve("ca").toString(), "--trust-domain", "taskcert.example",
        "--passphrase-env", PASSPHRASE_VARIABLE);
    assertEquals(1, again.exitCode());
    assertTrue(again.err().startsWith("error: "), again.err());
    assertTrue(again.err().contains("already holds a CA"), again.err());
    assertArrayEquals(before, Files.readAllBytes(temp.resolve("ca").resolve(CaDirectory.INTERMEDIATE)));
  }

  @Test
  void reportsUsageErrorsWithExitStatusTwo() {
    assertEquals(2, run().exitCode(), "no command");
    assertEquals(2, run("bundle").exitCode(), "no bundle subcommand");
    assertEquals(2, run("frobnicate").exitCode(), "unknown command");
    assertEquals(2, run("init", "--ca-dir", "x", "--trust-domain", "Upper.Case", "--no-passphrase").exitCode());
    assertEquals(2, run("init", "--ca-dir", "x", "--trust-domain", "t", "--algorithm", "ed25519", "--no-passphrase").exitCode());
    assertEquals(2, run("init", "--ca-dir", "x", "--trust-domain", "t", "--no-passphrase",
        "--passphrase-env", PASSPHRASE_VARIABLE).exitCode(), "two passphrase sources");
  }

  @Test
  void usageErrorsAreOneErrorLineWithWhereToReadMore() {
    List<Map.Entry<Run, String>> commands = List.of(
        Map.entry(run(), "taskcert-ca"),
        Map.entry(run("bundle"), "taskcert-ca bundle"),
        Map.entry(run("frobnicate"), "taskcert-ca"),
        Map.entry(run("issue", "--name", "ops-alice"), "taskcert-ca issue"),
        Map.entry(run("init", "--ca-dir", "x", "--trust-domain", "Upper.Case", "--no-passphrase"), "taskcert-ca init"),
        Map.entry(run("crl", "--ca-dir", "x", "--serial", "xyz", "--out", "y"), "taskcert-ca crl"));
    commands.forEach(entry -> {
      Run usage = entry.getKey();
      String command = entry.getValue();
      assertEquals(2, usage.exitCode(), usage.err());
      assertEquals("", usage.out());
      assertEquals(1, usage.err().lines().count(), usage.err());
      assertTrue(usage.err().startsWith("error: "), usage.err());
      assertTrue(usage.err().strip().endsWith("(see " + command + " --help)"), usage.err());
    });
    assertTrue(run("issue", "--name", "ops-alice").err().contains("--ca-dir"));
  }

  // ---- issue

  @Test
  void issueWritesAnAdminChainAndAnOwnerOnlyKey() throws Exception {
    initWithOfflineRoot();
    Run run = issue("ops-alice", "P10D");
    assertEquals(0, run.exitCode(), run.err());

    Path out = temp.resolve("out");
    assertEquals("rw-------", permissions(out.resolve("ops-alice-key.pem")));
    List<X509Certificate> chain = Pem.parseCertificates(Files.readString(out.resolve("ops-alice.pem")));
    assertEquals(2, chain.size());
    X509Certificate leaf = chain.get(0);
    assertEquals("spiffe://taskcert.example/admin/ops-alice", leaf.getSubjectAlternativeNames().iterator().next().get(1));
    Duration lifetime = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
    assertEquals(Duration.ofDays(10).plus(IssuancePolicy.DEFAULT.backdate()), lifetime);
    assertTrue(KeyPairs.matches(leaf.getPublicKey(), Pem.parsePrivateKey(Files.readString(out.resolve("ops-alice-key.pem")))));
    Pkix.validate(chain, onlineCa().loadTrustBundle().roots(), Instant.now());
    assertTrue(run.out().contains("spiffe://taskcert.example/admin/ops-alice"), run.out());
  }

  @Test
  void issueWarnsOnStderrThatTheAdminKeyIsNotEncrypted() throws Exception {
    initWithOfflineRoot();
    Run run = issue("ops-alice", "P1D");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.err().startsWith("warning: " + temp.resolve("out").resolve("ops-alice-key.pem") + " is NOT encrypted"),
        run.err());
    assertEquals(1, run.err().lines().count(), run.err());
  }

  @Test
  void issueCapsAdminLifetimesAtThirtyDays() throws Exception {
    initWithOfflineRoot();
    Run run = issue("ops-alice", "P31D");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("at most P30D"), run.err());
    assertTrue(run.err().contains("got P31D"), "the value as written, not PT744H: " + run.err());
    assertEquals(1, run.err().lines().count(), run.err());
    assertFalse(Files.exists(temp.resolve("out")));
  }

  @Test
  void issueRefusesToOverwriteAnEarlierCertificate() throws Exception {
    initWithOfflineRoot();
    assertEquals(0, issue("ops-alice", "P1D").exitCode());
    Run again = issue("ops-alice", "P1D");
    assertEquals(1, again.exitCode());
    assertTrue(again.err().startsWith("error: ") && again.err().contains("already exists"), again.err());
  }

  @Test
  void issueExplainsWhyTheIntermediateKeyCannotBeUsed() throws Exception {
    initWithOfflineRoot();
    String ca = temp.resolve("ca").toString();
    String out = temp.resolve("out").toString();

    Run wrong = run("issue", "--ca-dir", ca, "--name", "ops-alice", "--out", out, "--passphrase-env", "WRONG_PASSPHRASE");
    assertEquals(1, wrong.exitCode());
    assertTrue(wrong.err().startsWith("error: ") && wrong.err().contains("wrong passphrase"), wrong.err());

    Run none = run("issue", "--ca-dir", ca, "--name", "ops-alice", "--out", out);
    assertEquals(1, none.exitCode());
    assertTrue(none.err().contains("is encrypted, but no passphrase is configured"), none.err());

    Run unset = run("issue", "--ca-dir", ca, "--name", "ops-alice", "--out", out, "--passphrase-env", "UNSET");
    assertEquals(1, unset.exitCode());
    assertTrue(unset.err().contains("environment variable UNSET is not set"), unset.err());

    Run missing = run("issue", "--ca-dir", temp.resolve("nowhere").toString(), "--name", "ops-alice", "--out", out,
        "--passphrase-env", PASSPHRASE_VARIABLE);
    assertEquals(1, missing.exitCode());
    assertTrue(missing.err().contains("does not exist"), missing.err());
    assertFalse(Files.exists(temp.resolve("out")));
  }

  @Test
  void issueReadsThePassphraseFromAFileOnlyItsOwnerCanRead() throws Exception {
    initWithOfflineRoot();
    Path file = temp.resolve("passphrase");
    Files.writeString(file, PASSPHRASE + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    String[] arguments = {"issue", "--ca-dir", temp.resolve("ca").toString(), "--name", "ops-alice",
        "--out", temp.resolve("out").toString(), "--passphrase-file", file.toString()};

    Run groupReadable = run(arguments);
    assertEquals(1, groupReadable.exitCode());
    assertTrue(groupReadable.err().contains("readable by group or others"), groupReadable.err());

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertEquals(0, run(arguments).exitCode());
  }

  // ---- inspect

  @Test
  void inspectDecodesATaskCertificateAndChecksItsChain() throws Exception {
    initWithOfflineRoot();
    TaskIdentity task = new TaskIdentity("etl.daily", "scheduled__2026-01-01T00:00:00+00:00", "load", 3, 2);
    IssuedCertificate issued = new CertificateIssuer(onlineCa().loadIntermediate(), new SpiffeIdCodec(DOMAIN), IssuancePolicy.DEFAULT, random)
        .issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(), task, Instant.now());
    Path leafOnly = temp.resolve("task.pem");
    Files.writeString(leafOnly, Pem.certificates(List.of(issued.leaf())));

    Run run = run("inspect", leafOnly.toString(), "--ca-dir", temp.resolve("ca").toString());
    assertEquals(0, run.exitCode(), run.err() + run.out());
    for (String expected : List.of("task certificate", "etl.daily", "scheduled__2026-01-01T00:00:00+00:00",
        "task id:      load", "map index:    3", "try number:   2", issued.serialHex(), "chain:        OK")) {
      assertTrue(run.out().contains(expected), expected + " in\n" + run.out());
    }
  }

  @Test
  void inspectDecodesAnAdminCertificate() throws Exception {
    initWithOfflineRoot();
    issue("ops-alice", "P1D");
    Run run = run("inspect", temp.resolve("out/ops-alice.pem").toString(),
        "--bundle", temp.resolve("ca").resolve(CaDirectory.BUNDLE).toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("admin name:   ops-alice"), run.out());
    assertTrue(run.out().contains("chain:        OK"), run.out());
  }

  @Test
  void inspectFailsWithExitStatusOneWhenTheChainDoesNotReachTheBundle() throws Exception {
    initWithOfflineRoot();
    CaHierarchy stranger = CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, Instant.now(), random);
    IssuedCertificate foreign = new CertificateIssuer(stranger.intermediate(), new SpiffeIdCodec(DOMAIN), IssuancePolicy.DEFAULT, random)
        .issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(), new TaskIdentity("d", "r", "t", -1, 1), Instant.now());
    Path file = temp.resolve("foreign.pem");
    Files.writeString(file, Pem.certificates(foreign.chain()));

    Run run = run("inspect", file.toString(), "--ca-dir", temp.resolve("ca").toString());
    assertEquals(1, run.exitCode());
    assertTrue(run.out().contains("chain:        FAILED"), run.out());
    assertTrue(run.err().startsWith("error: chain check failed: "), run.err());
  }

  @Test
  void inspectNeedsSomethingToCheckTheChainAgainst() throws Exception {
    initWithOfflineRoot();
    assertEquals(2, run("inspect", temp.resolve("ca").resolve(CaDirectory.INTERMEDIATE).toString()).exitCode());
  }

  // ---- bundle

  @Test
  void bundlePrintListsEachRootWithItsFingerprintOrPrintsPem() throws Exception {
    initWithOfflineRoot();
    X509Certificate root = onlineCa().loadTrustBundle().roots().get(0);
    Run summary = run("bundle", "print", "--ca-dir", temp.resolve("ca").toString());
    assertEquals(0, summary.exitCode(), summary.err());
    assertTrue(summary.out().contains("sha256:  " + CertificateFingerprint.of(root).hex()), summary.out());
    assertTrue(summary.out().contains("signs the current intermediate"), summary.out());

    Run pem = run("bundle", "print", "--pem", "--ca-dir", temp.resolve("ca").toString());
    assertEquals(List.of(root), Pem.parseCertificates(pem.out()));
  }

  @Test
  void bundlePrintWritesTheSpiffeBundleFormat() throws Exception {
    initWithOfflineRoot();
    String ca = temp.resolve("ca").toString();
    assertEquals(0, run("rotate-root", "--ca-dir", ca, "--algorithm", "RSA_3072", "--passphrase-env", PASSPHRASE_VARIABLE,
        "--root-key-out", temp.resolve("offline-2").toString()).exitCode());
    List<X509Certificate> roots = onlineCa().loadTrustBundle().roots();
    Run run = run("bundle", "print", "--ca-dir", ca, "--format", "spiffe", "--sequence", "42", "--refresh-hint", "PT10M");
    assertEquals(0, run.exitCode(), run.err());

    com.fasterxml.jackson.databind.JsonNode bundle = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.out());
    assertEquals(42, bundle.get("spiffe_sequence").asLong());
    assertEquals(600, bundle.get("spiffe_refresh_hint").asLong());
    assertEquals(2, bundle.get("keys").size());
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    for (int i = 0; i < 2; i++) {
      com.fasterxml.jackson.databind.JsonNode key = bundle.get("keys").get(i);
      assertEquals("x509-svid", key.get("use").asText());
      assertEquals(1, key.get("x5c").size());
      X509Certificate certificate = (X509Certificate) factory.generateCertificate(
          new ByteArrayInputStream(java.util.Base64.getDecoder().decode(key.get("x5c").get(0).asText())));
      assertEquals(roots.get(i), certificate);
      if (i == 0) {
        assertEquals("EC", key.get("kty").asText());
        assertEquals("P-256", key.get("crv").asText());
        java.security.interfaces.ECPublicKey ec = (java.security.interfaces.ECPublicKey) certificate.getPublicKey();
        assertEquals(ec.getW().getAffineX(),
            new BigInteger(1, java.util.Base64.getUrlDecoder().decode(key.get("x").asText())));
        assertEquals(32, java.util.Base64.getUrlDecoder().decode(key.get("y").asText()).length);
      } else {
        assertEquals("RSA", key.get("kty").asText());
        assertEquals(((java.security.interfaces.RSAPublicKey) certificate.getPublicKey()).getModulus(),
            new BigInteger(1, java.util.Base64.getUrlDecoder().decode(key.get("n").asText())));
        assertEquals("AQAB", key.get("e").asText());
      }
    }
    Run defaults = run("bundle", "print", "--ca-dir", ca, "--format", "spiffe");
    com.fasterxml.jackson.databind.JsonNode parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(defaults.out());
    assertEquals(Files.getLastModifiedTime(onlineCa().bundlePath()).toInstant().getEpochSecond(),
        parsed.get("spiffe_sequence").asLong());
    assertEquals(300, parsed.get("spiffe_refresh_hint").asLong());
  }

  // ---- distrust-intermediate

  @Test
  void distrustIntermediateRecordsARetiredIntermediateAndRefusesTheCurrentOneAndRoots() throws Exception {
    initWithOfflineRoot();
    String ca = temp.resolve("ca").toString();
    X509Certificate old = onlineCa().loadIntermediateCertificate();
    Run current = run("distrust-intermediate", "--ca-dir", ca, CertificateFingerprint.of(old).hex());
    assertEquals(1, current.exitCode());
    assertTrue(current.err().contains("is the current intermediate; run rotate-intermediate first"), current.err());
    assertEquals(0, run("rotate-intermediate", "--ca-dir", ca, "--passphrase-env", PASSPHRASE_VARIABLE,
        "--root-key-dir", temp.resolve("offline").toString()).exitCode());

    Run run = run("distrust-intermediate", "--ca-dir", ca, CertificateFingerprint.of(old).hex().toUpperCase());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().startsWith("distrusted: " + CertificateFingerprint.of(old).hex()), run.out());
    assertEquals(List.of(old), dev.taskcert.pki.ca.DistrustedIntermediates.load(temp.resolve("ca")).certificates());
    assertEquals("rw-r--r--", permissions(temp.resolve("ca").resolve(dev.taskcert.pki.ca.DistrustedIntermediates.FILE)));

    Path pem = temp.resolve("old-intermediate.pem");
    Files.writeString(pem, Pem.certificates(List.of(old)));
    Run again = run("distrust-intermediate", "--ca-dir", ca, pem.toString());
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.out().startsWith("already distrusted"), again.out());

    Path root = temp.resolve("root.pem");
    Files.writeString(root, Pem.certificates(onlineCa().loadTrustBundle().roots()));
    Run refusedRoot = run("distrust-intermediate", "--ca-dir", ca, root.toString());
    assertEquals(1, refusedRoot.exitCode());
    assertTrue(refusedRoot.err().contains("is a root"), refusedRoot.err());
    assertEquals(1, run("distrust-intermediate", "--ca-dir", ca, "00".repeat(32)).exitCode());
    assertEquals(2, run("distrust-intermediate", "--ca-dir", ca, "no-such-file").exitCode());
    assertEquals(1, dev.taskcert.pki.ca.DistrustedIntermediates.load(temp.resolve("ca")).certificates().size());
  }

  @Test
  void bundleAddTrustsAnExistingRootOnceAndRefusesNonRoots() throws Exception {
    initWithOfflineRoot();
    Path other = temp.resolve("other-root.pem");
    X509Certificate otherRoot = CaHierarchy.createRoot(DOMAIN, KeyAlgorithm.EC_P256, Instant.now(), random).certificate();
    Files.writeString(other, Pem.certificates(List.of(otherRoot)));
    String ca = temp.resolve("ca").toString();

    assertEquals(0, run("bundle", "add", "--ca-dir", ca, other.toString()).exitCode());
    Run again = run("bundle", "add", "--ca-dir", ca, other.toString());
    assertEquals(0, again.exitCode());
    assertTrue(again.out().contains("already trusted"), again.out());
    assertEquals(2, onlineCa().loadTrustBundle().roots().size());

    Run notRoot = run("bundle", "add", "--ca-dir", ca, temp.resolve("ca").resolve(CaDirectory.INTERMEDIATE).toString());
    assertEquals(1, notRoot.exitCode());
    assertTrue(notRoot.err().contains("not a self-signed root"), notRoot.err());
    assertEquals(2, onlineCa().loadTrustBundle().roots().size());
  }

  @Test
  void bundleRemoveRefusesUnknownAndLoadBearingRoots() throws Exception {
    initWithOfflineRoot();
    String ca = temp.resolve("ca").toString();
    X509Certificate root = onlineCa().loadTrustBundle().roots().get(0);

    assertEquals(2, run("bundle", "remove", "--ca-dir", ca, "not-hex").exitCode());
    Run unknown = run("bundle", "remove", "--ca-dir", ca, "00".repeat(32));
    assertEquals(1, unknown.exitCode());
    assertTrue(unknown.err().contains("no root with fingerprint"), unknown.err());
    Run loadBearing = run("bundle", "remove", "--ca-dir", ca, CertificateFingerprint.of(root).hex());
    assertEquals(1, loadBearing.exitCode());
    assertTrue(loadBearing.err().contains("signs the current intermediate"), loadBearing.err());
  }

  // ---- rotation

  @Test
  void rotateIntermediateKeepsTheOldCertificateAndTheLeavesItIssued() throws Exception {
    initWithOfflineRoot();
    issue("ops-alice", "P1D");
    X509Certificate before = onlineCa().loadIntermediateCertificate();
    String ca = temp.resolve("ca").toString();

    Run noRoot = run("rotate-intermediate", "--ca-dir", ca, "--passphrase-env", PASSPHRASE_VARIABLE);
    assertEquals(1, noRoot.exitCode());
    assertTrue(noRoot.err().contains("--root-key-dir"), noRoot.err());

    Run run = run("rotate-intermediate", "--ca-dir", ca, "--passphrase-env", PASSPHRASE_VARIABLE,
        "--root-key-dir", temp.resolve("offline").toString());
    assertEquals(0, run.exitCode(), run.err());
    X509Certificate after = onlineCa().loadIntermediate().certificate();
    assertNotEquals(before, after);
    Path archived = temp.resolve("ca").resolve("intermediate-" + before.getSerialNumber().toString(16) + ".pem");
    assertEquals(List.of(before), Pem.parseCertificates(Files.readString(archived)));

    Path leafOnly = temp.resolve("alice-leaf.pem");
    Files.writeString(leafOnly, Pem.certificates(List.of(
        Pem.parseCertificates(Files.readString(temp.resolve("out/ops-alice.pem"))).get(0))));
    Run inspect = run("inspect", leafOnly.toString(), "--ca-dir", ca);
    assertEquals(0, inspect.exitCode(), inspect.out() + inspect.err());
    assertTrue(inspect.out().contains("via intermediate serial " + before.getSerialNumber().toString(16)), inspect.out());
  }

  @Test
  void rotateIntermediateRefusesAPassphraseThatDoesNotOpenTheCurrentKeyUnlessTold() throws Exception {
    initWithOfflineRoot();
    String[] rotate = {"rotate-intermediate", "--ca-dir", temp.resolve("ca").toString(),
        "--passphrase-env", "WRONG_PASSPHRASE", "--root-key-dir", temp.resolve("offline").toString(),
        "--root-passphrase-env", PASSPHRASE_VARIABLE};
    Run refused = run(rotate);
    assertEquals(1, refused.exitCode());
    assertTrue(refused.err().contains("wrong passphrase"), refused.err());

    String[] withNewPassphrase = Arrays.copyOf(rotate, rotate.length + 1);
    withNewPassphrase[rotate.length] = "--new-passphrase";
    assertEquals(0, run(withNewPassphrase).exitCode());
    new CaDirectory(temp.resolve("ca"), protection("WRONG_PASSPHRASE"), random).loadIntermediate();
  }

  @Test
  void rootRolloverOverlapsBothRootsUntilTheOldOneIsRemoved() throws Exception {
    initWithOfflineRoot();
    issue("ops-alice", "P1D");
    String ca = temp.resolve("ca").toString();
    X509Certificate oldRoot = onlineCa().loadTrustBundle().roots().get(0);
    X509Certificate intermediateBefore = onlineCa().loadIntermediateCertificate();

    Run newRoot = run("rotate-root", "--ca-dir", ca, "--algorithm", "EC_P384",
        "--passphrase-env", PASSPHRASE_VARIABLE, "--root-key-out", temp.resolve("offline-2").toString());
    assertEquals(0, newRoot.exitCode(), newRoot.err());
    assertEquals(2, onlineCa().loadTrustBundle().roots().size());
    assertEquals(intermediateBefore, onlineCa().loadIntermediateCertificate(), "the intermediate waits for step two");

    assertEquals(0, run("rotate-intermediate", "--ca-dir", ca, "--passphrase-env", PASSPHRASE_VARIABLE,
        "--root-key-dir", temp.resolve("offline-2").toString()).exitCode());
    X509Certificate secondRoot = rootKeys("offline-2", PASSPHRASE_VARIABLE).load().certificate();
    assertEquals(secondRoot, onlineCa().loadIntermediate().root());
    assertEquals(0, issue("ops-bob", "P1D").exitCode());

    Path alice = temp.resolve("out/ops-alice.pem");
    Path bob = temp.resolve("out/ops-bob.pem");
    assertEquals(0, run("inspect", alice.toString(), "--ca-dir", ca).exitCode(), "old hierarchy during overlap");
    assertEquals(0, run("inspect", bob.toString(), "--ca-dir", ca).exitCode(), "new hierarchy during overlap");

    String colonSeparated = CertificateFingerprint.of(oldRoot).hex().toUpperCase().replaceAll("(..)(?!$)", "$1:");
    Run removed = run("bundle", "remove", "--ca-dir", ca, colonSeparated);
    assertEquals(0, removed.exitCode(), removed.err());
    assertEquals(List.of(secondRoot), onlineCa().loadTrustBundle().roots());
    assertEquals(1, run("inspect", alice.toString(), "--ca-dir", ca).exitCode(), "old hierarchy after removal");
    assertEquals(0, run("inspect", bob.toString(), "--ca-dir", ca).exitCode(), "new hierarchy after removal");
  }

  @Test
  void rotateRootWithTheRootKeyOnlineArchivesThePreviousRoot() throws Exception {
    assertEquals(0, run("init", "--ca-dir", temp.resolve("ca").toString(), "--trust-domain", "taskcert.example",
        "--passphrase-env", PASSPHRASE_VARIABLE, "--keep-root-online").exitCode());
    X509Certificate first = rootKeys("ca", PASSPHRASE_VARIABLE).load().certificate();
    Run run = run("rotate-root", "--ca-dir", temp.resolve("ca").toString(), "--passphrase-env", PASSPHRASE_VARIABLE);
    assertEquals(0, run.exitCode(), run.err());
    String serial = first.getSerialNumber().toString(16);
    assertTrue(Files.exists(temp.resolve("ca").resolve("root-" + serial + ".pem")));
    assertEquals("rw-------", permissions(temp.resolve("ca").resolve("root-key-" + serial + ".pem")));
    assertNotEquals(first, rootKeys("ca", PASSPHRASE_VARIABLE).load().certificate());
  }

  // ---- crl

  @Test
  void crlListsSerialsFromArgumentsAndFileSignedByTheIntermediate() throws Exception {
    initWithOfflineRoot();
    Path serials = temp.resolve("serials.txt");
    Files.writeString(serials, "# revoked today\n0a0b\n\n0x0c\n");
    Path crlFile = temp.resolve("crl.pem");
    Run run = run("crl", "--ca-dir", temp.resolve("ca").toString(), "--passphrase-env", PASSPHRASE_VARIABLE,
        "--serial", "01:02", "--serials-file", serials.toString(), "--reason", "key-compromise",
        "--crl-number", "5", "--next-update", "P1D", "--out", crlFile.toString());
    assertEquals(0, run.exitCode(), run.err());

    X509CRL crl = parseCrl(Files.readAllBytes(crlFile));
    crl.verify(onlineCa().loadIntermediateCertificate().getPublicKey());
    assertEquals(3, crl.getRevokedCertificates().size());
    for (long serial : new long[] {0x0102, 0x0a0b, 0x0c}) {
      assertEquals(CRLReason.KEY_COMPROMISE,
          crl.getRevokedCertificate(BigInteger.valueOf(serial)).getRevocationReason());
    }
    assertEquals(Duration.ofDays(1), Duration.between(crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant()));
  }

  @Test
  void crlWritesDerAndAnEmptyListWhenNothingIsRevoked() throws Exception {
    initWithOfflineRoot();
    Path crlFile = temp.resolve("crl.der");
    assertEquals(0, run("crl", "--ca-dir", temp.resolve("ca").toString(), "--passphrase-env", PASSPHRASE_VARIABLE,
        "--der", "--out", crlFile.toString()).exitCode());
    X509CRL crl = parseCrl(Files.readAllBytes(crlFile));
    assertEquals(0x30, Files.readAllBytes(crlFile)[0] & 0xff, "DER starts with a SEQUENCE");
    assertTrue(crl.getRevokedCertificates() == null || crl.getRevokedCertificates().isEmpty());
  }

  @Test
  void crlNamesTheBadLineOfASerialsFile() throws Exception {
    initWithOfflineRoot();
    Path serials = temp.resolve("serials.txt");
    Files.writeString(serials, "0a\nnot-a-serial\n");
    Run run = run("crl", "--ca-dir", temp.resolve("ca").toString(), "--passphrase-env", PASSPHRASE_VARIABLE,
        "--serials-file", serials.toString(), "--out", temp.resolve("crl.pem").toString());
    assertEquals(1, run.exitCode());
    assertTrue(run.err().contains("line 2"), run.err());
    assertEquals(2, run("crl", "--ca-dir", "x", "--serial", "xyz", "--out", "y").exitCode());
  }

  // ---- help

  @Test
  void everyCommandAndOptionIsDescribedAndAnswersHelp() {
    CommandLine root = CaCli.commandLine(context);
    List<CommandSpec> commands = new ArrayList<>();
    collect(root.getCommandSpec(), commands);
    assertEquals(12, commands.size(), "taskcert-ca, 7 commands, bundle with 3 subcommands");
    for (CommandSpec command : commands) {
      assertTrue(command.usageMessage().description().length > 0, command.qualifiedName() + " has a description");
      assertTrue(command.mixinStandardHelpOptions(), command.qualifiedName() + " has --help and --version");
      for (ArgSpec argument : command.args()) {
        assertTrue(argument.description().length > 0 && !argument.description()[0].isBlank(),
            command.qualifiedName() + " " + argument + " has a description");
      }
      String[] help = (command.qualifiedName(" ").replaceFirst("^taskcert-ca ?", "") + " --help").strip().split(" ");
      Run run = run(help);
      assertEquals(0, run.exitCode(), String.join(" ", help));
      assertTrue(run.out().startsWith("Usage: " + command.qualifiedName(" ")), run.out());
    }
  }

  // ---- helpers

  private Run run(String... arguments) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = CaCli.commandLine(context);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exitCode = cli.execute(arguments);
    return new Run(exitCode, out.toString(), err.toString());
  }

  private Run initWithOfflineRoot() {
    Run run = run("init", "--ca-dir", temp.resolve("ca").toString(), "--trust-domain", "taskcert.example",
        "--passphrase-env", PASSPHRASE_VARIABLE, "--root-key-out", temp.resolve("offline").toString());
    assertEquals(0, run.exitCode(), run.err());
    return run;
  }

  private Run issue(String name, String lifetime) {
    return run("issue", "--ca-dir", temp.resolve("ca").toString(), "--passphrase-env", PASSPHRASE_VARIABLE,
        "--name", name, "--lifetime", lifetime, "--out", temp.resolve("out").toString());
  }

  private CaDirectory onlineCa() throws CaLoadException {
    return new CaDirectory(temp.resolve("ca"), protection(PASSPHRASE_VARIABLE), random);
  }

  private RootKeyDirectory rootKeys(String directory, String passphraseVariable) throws CaLoadException {
    return new RootKeyDirectory(temp.resolve(directory), protection(passphraseVariable), random);
  }

  private static KeyProtection protection(String variable) throws CaLoadException {
    return new KeyProtection.Encrypted(Passphrase.fromEnv(variable, ENVIRONMENT), EncryptedPem.MIN_ITERATIONS);
  }

  private static String permissions(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  private static X509CRL parseCrl(byte[] encoded) throws Exception {
    return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(encoded));
  }

  private static void collect(CommandSpec command, List<CommandSpec> into) {
    into.add(command);
    command.subcommands().values().forEach(sub -> collect(sub.getCommandSpec(), into));
  }
}
