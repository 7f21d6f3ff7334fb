package dev.taskcert.pki.ca;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidParameterException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Key;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Arrays;
import java.util.List;
import javax.security.auth.login.FailedLoginException;

/**
 * A PKCS#11 token (an HSM, a cloud KMS's PKCS#11 library, SoftHSM) reached through the JDK's
 * SunPKCS11 provider and logged in with its PIN: where the intermediate's key can live instead of a
 * file. Keys generated here are created inside the token as sensitive, non-extractable token
 * objects; this process only ever holds handles to them and signs through {@link #provider()}.
 *
 * <p>The token is described by a SunPKCS11 configuration file (at least {@code name}, {@code
 * library} and {@code slot} or {@code slotListIndex}); the attributes that make generated private
 * keys sensitive and non-extractable are added to it here, so the operator cannot forget them.
 *
 * <p>Every lookup reads the token afresh (a new {@code KeyStore} view, logging in again if the
 * token was reset), so a key that {@code rotate-intermediate} stored from another process is found
 * by a running server; some tokens, SoftHSM2 among them, show another process's new objects only
 * then.
 */
public final class Pkcs11Token {
  /** Appended to the operator's configuration: how private keys generated here are created. */
  static final String GENERATED_KEY_ATTRIBUTES = String.join("\n",
      "",
      "attributes(generate, CKO_PRIVATE_KEY, *) = {",
      "  CKA_TOKEN = true",
      "  CKA_PRIVATE = true",
      "  CKA_SENSITIVE = true",
      "  CKA_EXTRACTABLE = false",
      "  CKA_SIGN = true",
      "}",
      "");

  private final Path configFile;
  private final Provider provider;
  private final TokenPin pin;

  private Pkcs11Token(Path configFile, Provider provider, TokenPin pin) {
    this.configFile = configFile;
    this.provider = provider;
    this.pin = pin;
  }

  /**
   * Loads the PKCS#11 library that {@code configFile} names and logs in to its token.
   *
   * @throws CaLoadException with one line saying what failed: the file, the library or slot, or
   *     the PIN
   */
  public static Pkcs11Token open(Path configFile, TokenPin pin) throws CaLoadException {
    Provider base = Security.getProvider("SunPKCS11");
    if (base == null) {
      throw new CaLoadException("this Java runtime has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
    }
    String config = new String(CaFiles.read(configFile), StandardCharsets.UTF_8);
    Provider provider;
    try {
      provider = base.configure("--" + config + GENERATED_KEY_ATTRIBUTES);
    } catch (InvalidParameterException | ProviderException e) {
      throw new CaLoadException(
          "PKCS#11 configuration " + configFile + ": the token cannot be reached: " + innermostMessage(e));
    }
    Pkcs11Token token = new Pkcs11Token(configFile, provider, pin);
    token.keyStore();
    return token;
  }

  /** A fresh view of the token's keys and certificates, logged in with the PIN. */
  private KeyStore keyStore() throws CaLoadException {
    char[] characters = pin.characters();
    try {
      KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
      keyStore.load(null, characters);
      return keyStore;
    } catch (IOException | GeneralSecurityException | ProviderException e) {
      if (hasCause(e, FailedLoginException.class) || innermostMessage(e).contains("CKR_PIN")) {
        throw new CaLoadException("wrong PIN: the token of " + configFile + " refuses the PIN from "
            + pin.source() + " (" + innermostMessage(e) + ")");
      }
      throw new CaLoadException(
          "PKCS#11 configuration " + configFile + ": cannot log in to the token: " + innermostMessage(e));
    } finally {
      Arrays.fill(characters, '\0');
    }
  }

  /** The SunPKCS11 provider logged in to this token: it signs with the token's keys. */
  public Provider provider() {
    return provider;
  }

  public Path configFile() {
    return configFile;
  }

  /** Words for messages: which token. */
  public String describe() {
    return "the PKCS#11 token of " + configFile;
  }

  /** Whether the token holds a key or certificate under {@code label}. */
  public boolean holds(String label) throws CaLoadException {
    try {
      return keyStore().containsAlias(label);
    } catch (GeneralSecurityException | ProviderException e) {
      throw new CaLoadException(describe() + ": cannot list its objects: " + innermostMessage(e));
    }
  }

  /**
   * Generates a key pair inside the token. The private key is a sensitive, non-extractable token
   * object without a label until {@link #store} labels it; the public key is a session object.
   */
  public KeyPair generateKeyPair(KeyAlgorithm algorithm) throws CaLoadException {
    try {
      KeyPairGenerator generator;
      switch (algorithm) {
        case EC_P256 -> {
          generator = KeyPairGenerator.getInstance("EC", provider);
          generator.initialize(new ECGenParameterSpec("secp256r1"));
        }
        case EC_P384 -> {
          generator = KeyPairGenerator.getInstance("EC", provider);
          generator.initialize(new ECGenParameterSpec("secp384r1"));
        }
        case RSA_3072 -> {
          generator = KeyPairGenerator.getInstance("RSA", provider);
          generator.initialize(new RSAKeyGenParameterSpec(3072, RSAKeyGenParameterSpec.F4));
        }
        default -> throw new AssertionError(algorithm);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException | ProviderException e) {
      throw new CaLoadException(describe() + " cannot generate a " + algorithm + " key: " + innermostMessage(e));
    }
  }

  /**
   * Labels a key generated by {@link #generateKeyPair} and stores its certificate chain next to it
   * (SunPKCS11 finds a key by the certificate stored with it).
   *
   * @return the handle to the stored key
   * @throws CaLoadException if the label is taken, storing fails, or the token would let the key out
   */
  public PrivateKey store(String label, PrivateKey key, List<X509Certificate> chain) throws CaLoadException {
    if (holds(label)) {
      throw new CaLoadException(describe() + " already holds an object labelled '" + label
          + "'; choose another label");
    }
    try {
      keyStore().setKeyEntry(label, key, null, chain.toArray(new Certificate[0]));
    } catch (GeneralSecurityException | ProviderException e) {
      throw new CaLoadException(describe() + ": cannot store the key as '" + label + "': " + innermostMessage(e));
    }
    PrivateKey stored = privateKey(label, chain.get(0));
    if (stored.getEncoded() != null) {
      throw new CaLoadException(describe() + " stored the key labelled '" + label
          + "' as extractable; it must keep keys sensitive and non-extractable");
    }
    return stored;
  }

  /**
   * The handle to the key labelled {@code label}, checked to be the private half of {@code
   * certificate}'s public key by signing a probe in the token.
   */
  public PrivateKey privateKey(String label, X509Certificate certificate) throws CaLoadException {
    Key key;
    try {
      key = keyStore().getKey(label, null);
    } catch (GeneralSecurityException | ProviderException e) {
      throw new CaLoadException(describe() + ": cannot read the key labelled '" + label + "': "
          + innermostMessage(e));
    }
    if (!(key instanceof PrivateKey privateKey)) {
      throw new CaLoadException(describe() + " holds no private key labelled '" + label + "'");
    }
    if (!signs(privateKey, certificate)) {
      throw new CaLoadException("the key labelled '" + label + "' in " + describe()
          + " does not match the public key of " + certificate.getSubjectX500Principal().getName());
    }
    return privateKey;
  }

  private boolean signs(PrivateKey key, X509Certificate certificate) throws CaLoadException {
    String algorithm = KeyAlgorithm.signatureAlgorithmFor(certificate.getPublicKey());
    byte[] probe = "taskcert token key check".getBytes(StandardCharsets.US_ASCII);
    byte[] signature;
    try {
      Signature signer = Signature.getInstance(algorithm, provider);
      signer.initSign(key);
      signer.update(probe);
      signature = signer.sign();
    } catch (GeneralSecurityException | ProviderException e) {
      throw new CaLoadException(describe() + " cannot sign with its key: " + innermostMessage(e));
    }
    try {
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  /** The message of the innermost cause that has one, on one line. */
  static String innermostMessage(Throwable failure) {
    String message = failure.getClass().getSimpleName();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
        message = cause.getMessage();
      }
    }
    return message.lines().findFirst().orElse(message).strip();
  }
}
