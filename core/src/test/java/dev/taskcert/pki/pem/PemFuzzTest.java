package dev.taskcert.pki.pem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the PEM readers behind every certificate, trust-bundle and key file the CA, the server and
 * the supervisor load: {@link Pem#parseCertificates} and {@link Pem#parsePrivateKey} refuse with
 * {@link PemException} and nothing else, and whatever they accept writes back to PEM that parses
 * to the same certificates and the same key.
 *
 * <p>The first input byte picks the form: 0 takes the rest as PEM text; any other value wraps the
 * rest, base64-encoded, in a PEM block of one of {@link #LABELS}, so that mutations reach the DER
 * inside rather than only breaking its base64.
 */
class PemFuzzTest {
  private static final List<String> LABELS = List.of("CERTIFICATE", "PRIVATE KEY", "EC PRIVATE KEY",
      "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "PUBLIC KEY", "X509 CRL", "CERTIFICATE REQUEST");

  @MethodSource("inputs")
  @FuzzTest
  void refusesWithPemExceptionOnlyAndRoundTripsWhatItAccepts(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    String text = pemText(input);
    certificatesRoundTrip(text);
    privateKeyRoundTrips(text);
  }

  private static String pemText(byte[] input) {
    byte[] rest = Arrays.copyOfRange(input, 1, input.length);
    int form = Byte.toUnsignedInt(input[0]) % (LABELS.size() + 1);
    if (form == 0) {
      return new String(rest, StandardCharsets.ISO_8859_1);
    }
    return block(LABELS.get(form - 1), rest);
  }

  private static String block(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  private static void certificatesRoundTrip(String text) throws PemException {
    List<X509Certificate> certificates;
    try {
      certificates = Pem.parseCertificates(text);
    } catch (PemException refused) {
      return;
    }
    assertEquals(certificates, Pem.parseCertificates(Pem.certificates(certificates)));
  }

  private static void privateKeyRoundTrips(String text) throws PemException {
    PrivateKey key;
    try {
      key = Pem.parsePrivateKey(text);
    } catch (PemException refused) {
      return;
    }
    assertArrayEquals(key.getEncoded(), Pem.parsePrivateKey(Pem.privateKey(key)).getEncoded());
  }

  /**
   * The other side of the property: the valid seeds, through the same input forms, parse to the
   * very certificates and keys they hold, and the broken and mixed ones are refused, so readers
   * that refused everything fail here.
   */
  @Test
  void readsTheValidSeedsAsWhatTheyHold() throws Exception {
    List<byte[]> seeds = inputs(MATERIAL).toList();
    assertEquals(List.of(MATERIAL.leaf(), MATERIAL.root()), Pem.parseCertificates(pemText(seeds.get(0))));
    assertSameKey(MATERIAL.ec().getPrivate(), Pem.parsePrivateKey(pemText(seeds.get(1))));
    assertSameKey(MATERIAL.rsa().getPrivate(), Pem.parsePrivateKey(pemText(seeds.get(2))));
    // A certificate and a key in one text: each reader wants its one kind only.
    assertThrows(PemException.class, () -> Pem.parseCertificates(pemText(seeds.get(3))));
    assertThrows(PemException.class, () -> Pem.parsePrivateKey(pemText(seeds.get(3))));
    assertThrows(PemException.class, () -> Pem.parseCertificates(pemText(seeds.get(4))));
    assertEquals(List.of(MATERIAL.root()), Pem.parseCertificates(pemText(seeds.get(5))));
    assertEquals(List.of(MATERIAL.leaf()), Pem.parseCertificates(pemText(seeds.get(6))));
    assertSameKey(MATERIAL.ec().getPrivate(), Pem.parsePrivateKey(pemText(seeds.get(7))));
    assertSameKey(MATERIAL.rsa().getPrivate(), Pem.parsePrivateKey(pemText(seeds.get(8))));
  }

  /** The same private key, whatever optional parts (curve, public key) its encoding carries. */
  private static void assertSameKey(PrivateKey expected, PrivateKey actual) {
    if (expected instanceof java.security.interfaces.ECPrivateKey ec) {
      assertEquals(ec.getS(), ((java.security.interfaces.ECPrivateKey) actual).getS());
    } else {
      assertArrayEquals(expected.getEncoded(), actual.getEncoded());
    }
  }

  /** The keys and certificates the seeds are made of. */
  private record Material(KeyPair ec, KeyPair rsa, X509Certificate root, X509Certificate leaf) {
    static Material generate() {
      try {
        KeyPair ec = PemFuzzTest.generate("EC", new ECGenParameterSpec("secp256r1"));
        KeyPair rsa = PemFuzzTest.generate("RSA", null);
        return new Material(ec, rsa, selfSigned(ec, "CN=root", true), selfSigned(rsa, "CN=leaf", false));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static final Material MATERIAL = Material.generate();

  /**
   * Certificates and keys (PKCS#8 and traditional) the readers accept, as whole PEM texts and as
   * DER under the matching label, and some text they refuse.
   */
  static Stream<byte[]> inputs() throws Exception {
    return inputs(MATERIAL);
  }

  private static Stream<byte[]> inputs(Material material) throws Exception {
    KeyPair ec = material.ec();
    KeyPair rsa = material.rsa();
    X509Certificate root = material.root();
    X509Certificate leaf = material.leaf();
    Stream<byte[]> texts = Stream.of(
            Pem.certificates(List.of(leaf, root)),
            traditional(ec),
            traditional(rsa),
            Pem.certificates(List.of(root)) + Pem.privateKey(ec.getPrivate()),
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        .map(text -> withForm(0, text.getBytes(StandardCharsets.ISO_8859_1)));
    Stream<byte[]> blocks = Stream.of(
        withForm(1 + LABELS.indexOf("CERTIFICATE"), root.getEncoded()),
        withForm(1 + LABELS.indexOf("CERTIFICATE"), leaf.getEncoded()),
        withForm(1 + LABELS.indexOf("PRIVATE KEY"), ec.getPrivate().getEncoded()),
        withForm(1 + LABELS.indexOf("PRIVATE KEY"), rsa.getPrivate().getEncoded()));
    return Stream.concat(texts, blocks);
  }

  private static byte[] withForm(int form, byte[] rest) {
    byte[] input = new byte[rest.length + 1];
    input[0] = (byte) form;
    System.arraycopy(rest, 0, input, 1, rest.length);
    return input;
  }

  private static KeyPair generate(String algorithm, ECGenParameterSpec curve) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
    if (curve != null) {
      generator.initialize(curve);
    } else {
      generator.initialize(2048);
    }
    return generator.generateKeyPair();
  }

  private static X509Certificate selfSigned(KeyPair keys, String name, boolean ca) throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(name), BigInteger.TEN,
        Date.from(now), Date.from(now.plusSeconds(3600)), new X500Name(name), keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    String signature = keys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder(signature).build(keys.getPrivate())));
  }

  /**
   * The key pair in the traditional OpenSSL form ({@code EC PRIVATE KEY}, {@code RSA PRIVATE KEY}).
   * An EC key is written as OpenSSL writes it, with its curve inside the SEC 1 structure: the JDK's
   * PKCS#8 encoding keeps the curve only outside it, and a traditional key without one cannot be read.
   */
  private static String traditional(KeyPair keys) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      if (keys.getPrivate() instanceof java.security.interfaces.ECPrivateKey ec) {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(ec.getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
            ec.getParams().getOrder().bitLength(), ec.getS(), info.getPrivateKeyAlgorithm().getParameters());
        writer.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
      } else {
        writer.writeObject(keys);
      }
    }
    return out.toString();
  }

}
