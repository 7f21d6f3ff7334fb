package dev.taskcert.pki.issuance;

import dev.taskcert.pki.crypto.BouncyCastle;
import dev.taskcert.pki.crypto.SignatureProvider;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.ContentVerifierProvider;
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
 *
 * <p>BouncyCastle reads the request; the signature is checked by the {@link SignatureProvider} in
 * force, and by BouncyCastle when that provider does not offer the request's key type or signature
 * algorithm (a signature that simply does not verify is refused, never retried).
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

  private final SignatureProvider signatures;

  /** A validator checking signatures with the preferred provider (see {@link SignatureProvider#preferred}). */
  public CsrValidator() {
    this(SignatureProvider.preferred());
  }

  /** A validator checking signatures with {@code signatures}' provider. */
  public CsrValidator(SignatureProvider signatures) {
    this.signatures = signatures;
  }

  /** The provider selection that checks the signatures. */
  public SignatureProvider signatureProvider() {
    return signatures;
  }

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
    if (!signatureVerifies(request, keyInfo)) {
      throw new CsrRejectedException("CSR signature does not verify with its public key");
    }
    return toJdkKey(keyInfo);
  }

  /**
   * Whether the request's signature verifies, checked by the provider in force or, when it lacks
   * the key type or algorithm, by BouncyCastle.
   */
  private boolean signatureVerifies(PKCS10CertificationRequest request, SubjectPublicKeyInfo keyInfo)
      throws CsrRejectedException {
    if (signatures.provider() != BouncyCastle.PROVIDER) {
      Optional<ContentVerifierProvider> verifiers = nativeVerifiers(keyInfo);
      if (verifiers.isPresent()) {
        try {
          return request.isSignatureValid(verifiers.get());
        } catch (PKCSException e) {
          if (!(e.getCause() instanceof OperatorCreationException)) {
            throw unverifiable();
          }
          // No signature of this algorithm: BouncyCastle decides below.
        } catch (RuntimeException e) {
          throw unverifiable();
        }
      }
    }
    try {
      return request.isSignatureValid(
          new JcaContentVerifierProviderBuilder().setProvider(BouncyCastle.PROVIDER).build(keyInfo));
    } catch (OperatorCreationException | PKCSException | RuntimeException e) {
      throw unverifiable();
    }
  }

  /**
   * Verifiers of the provider in force over the request's key, decoded by that provider's own key
   * factory (BouncyCastle would look the factory up by the key's OID, which a provider need not
   * know); empty when it has none for the key type or refuses the key, for BouncyCastle to decide.
   */
  private Optional<ContentVerifierProvider> nativeVerifiers(SubjectPublicKeyInfo keyInfo) {
    Provider provider = signatures.provider();
    try {
      PublicKey key = KeyFactory.getInstance(jcaKeyAlgorithm(keyInfo), provider)
          .generatePublic(new X509EncodedKeySpec(keyInfo.getEncoded()));
      return Optional.of(new JcaContentVerifierProviderBuilder().setProvider(provider).build(key));
    } catch (GeneralSecurityException | IOException | OperatorCreationException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The JCA name of the key's algorithm: EC or RSA, the only kinds the key policy lets through. */
  private static String jcaKeyAlgorithm(SubjectPublicKeyInfo keyInfo) {
    return X9ObjectIdentifiers.id_ecPublicKey.equals(keyInfo.getAlgorithm().getAlgorithm()) ? "EC" : "RSA";
  }

  private static CsrRejectedException unverifiable() {
    return new CsrRejectedException("CSR signature cannot be verified: unsupported or malformed");
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
    try {
      return KeyFactory.getInstance(jcaKeyAlgorithm(keyInfo))
          .generatePublic(new X509EncodedKeySpec(keyInfo.getEncoded()));
    } catch (GeneralSecurityException | IOException e) {
      throw new CsrRejectedException("CSR public key cannot be decoded");
    }
  }

}
