package dev.taskcert.pki.crypto;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** The BouncyCastle provider instance used explicitly by the CA, without installing it JVM-wide. */
public final class BouncyCastle {
  /** A stateless provider instance; passed to builders rather than registered globally. */
  public static final Provider PROVIDER = new BouncyCastleProvider();

  private BouncyCastle() {}
}
