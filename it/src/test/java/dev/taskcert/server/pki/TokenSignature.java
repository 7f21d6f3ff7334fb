package dev.taskcert.server.pki;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.util.Base64;

/**
 * Signs a message with a key of a PKCS#11 token straight through SunPKCS11, independently of the
 * CA code, so a test can check which public key the token's key belongs to. Run in a child JVM
 * (the library reads SOFTHSM2_CONF once): {@code TokenSignature CONFIG PIN_FILE LABEL MESSAGE}.
 * Prints {@code encoded=<whether the key's bytes came out>} and {@code signature=<base64>}.
 */
public final class TokenSignature {
  private TokenSignature() {}

  public static void main(String[] args) throws Exception {
    Provider provider = Security.getProvider("SunPKCS11").configure(args[0]);
    KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
    keyStore.load(null, Files.readString(Path.of(args[1])).strip().toCharArray());
    Key key = keyStore.getKey(args[2], null);
    Signature signer = Signature.getInstance("SHA256withECDSA", provider);
    signer.initSign((PrivateKey) key);
    signer.update(args[3].getBytes(StandardCharsets.UTF_8));
    System.out.println("encoded=" + (key.getEncoded() != null));
    System.out.println("signature=" + Base64.getEncoder().encodeToString(signer.sign()));
  }
}
