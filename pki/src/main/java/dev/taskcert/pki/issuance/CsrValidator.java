package dev.taskcert.pki.issuance;

import dev.taskcert.pki.crypto.BouncyCastle;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Checks a PKCS#10 certification request and extracts the public key to certify.
 *
 * <p>The CSR serves one purpose: proof that the caller holds the private key. Its signature must
 * verify and its key must be EC P-256, EC P-384 or RSA of {@value #MIN_RSA_BITS} to {@value #MAX_RSA_BITS}
 * bits with a public exponent from 65537 to below 2^256. The key policy is checked on the encoded
 * key before anything costly: a huge RSA modulus is refused without being verified with.
 * Everything else it asks for (subject, SANs, extensions) is ignored: the certificate's identity
 * comes from the task row in the database, never from the request.
 */
public final class CsrValidator {
  /** Largest CSR accepted, in bytes of DER. */
  public static final int MAX_CSR_BYTES = 16 * 1024;
  /** Smallest RSA modulus accepted. */
  public static final int MIN_RSA_BITS = 3072;
  /**
   * Largest RSA modulus accepted. Verifying with a larger one costs the server far more than the
   * caller (a 16384-bit key takes seconds), and no task key needs one.
   */
  public static final int MAX_RSA_BITS = 4096;

  private static final BigInteger MIN_RSA_EXPONENT = BigInteger.valueOf(65537);
  private static final Set<ASN1ObjectIdentifier> ALLOWED_CURVES =
      Set.of(SECObjectIdentifiers.secp256r1, SECObjectIdentifiers.secp384r1);

  /**
   * Validates the request and returns its public key.
   *
   * @throws CsrRejectedException with a message fit for the caller when anything is wrong
   */
  public PublicKey validate(byte[] der) throws CsrRejectedException {
    if (der == null || der.length == 0) {
      throw new CsrRejectedException("CSR is missing");
    }
    if (der.length > MAX_CSR_BYTES) {
      throw new CsrRejectedException("CSR is larger than " + MAX_CSR_BYTES + " bytes");
    }
    PKCS10CertificationRequest request;
    try {
      request = new PKCS10CertificationRequest(der);
    } catch (IOException | RuntimeException e) {
      throw new CsrRejectedException("CSR is not a DER-encoded PKCS#10 request");
    }
    SubjectPublicKeyInfo keyInfo = request.getSubjectPublicKeyInfo();
    checkKeyPolicy(keyInfo);
    try {
      boolean valid =
          request.isSignatureValid(
              new JcaContentVerifierProviderBuilder()
                  .setProvider(BouncyCastle.PROVIDER)
                  .build(keyInfo));
      if (!valid) {
        throw new CsrRejectedException("CSR signature does not verify with its public key");
      }
    } catch (OperatorCreationException | PKCSException | RuntimeException e) {
      throw new CsrRejectedException("CSR signature cannot be verified: unsupported or malformed");
    }
    return toJdkKey(keyInfo);
  }

  private static void checkKeyPolicy(SubjectPublicKeyInfo keyInfo) throws CsrRejectedException {
    ASN1ObjectIdentifier algorithm = keyInfo.getAlgorithm().getAlgorithm();
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
      if (!(keyInfo.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier curve)
          || !ALLOWED_CURVES.contains(curve)) {
        throw new CsrRejectedException("CSR key must be on a named curve P-256 or P-384");
      }
      return;
    }
    if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
      RSAPublicKey key = rsaKey(keyInfo);
      int bits = key.getModulus().bitLength();
      if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
        throw new CsrRejectedException("CSR RSA key is " + bits + " bits; " + MIN_RSA_BITS + " to " + MAX_RSA_BITS
            + " required");
      }
      // NIST SP 800-56B: 2^16 < e < 2^256, odd. A huge exponent makes the signature check cost ten
      // times more.
      BigInteger exponent = key.getPublicExponent();
      if (!exponent.testBit(0) || exponent.compareTo(MIN_RSA_EXPONENT) < 0 || exponent.bitLength() > 256) {
        throw new CsrRejectedException("CSR RSA public exponent must be odd, at least 65537 and below 2^256");
      }
      return;
    }
    throw new CsrRejectedException("CSR key algorithm " + algorithm + " is not allowed (EC or RSA only)");
  }

  /** The RSA key as encoded, read from its ASN.1 without building a JDK key (cheap at any size). */
  private static RSAPublicKey rsaKey(SubjectPublicKeyInfo keyInfo) throws CsrRejectedException {
    try {
      return RSAPublicKey.getInstance(keyInfo.parsePublicKey());
    } catch (IOException | RuntimeException e) {
      throw new CsrRejectedException("CSR public key cannot be decoded");
    }
  }

  private static PublicKey toJdkKey(SubjectPublicKeyInfo keyInfo) throws CsrRejectedException {
    ASN1ObjectIdentifier algorithm = keyInfo.getAlgorithm().getAlgorithm();
    String jdkAlgorithm = X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm) ? "EC" : "RSA";
    try {
      return KeyFactory.getInstance(jdkAlgorithm)
          .generatePublic(new X509EncodedKeySpec(keyInfo.getEncoded()));
    } catch (GeneralSecurityException | IOException e) {
      throw new CsrRejectedException("CSR public key cannot be decoded");
    }
  }
}
