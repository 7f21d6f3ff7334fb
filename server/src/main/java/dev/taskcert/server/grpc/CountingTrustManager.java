package dev.taskcert.server.grpc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.taskcert.pki.ca.DistrustedIntermediates;
import dev.taskcert.pki.ca.IntermediateCa;
import dev.taskcert.pki.ca.TrustBundle;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.server.pki.CaState;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's PKIX trust manager over the trust bundle in force (which checks the chain, validity,
 * the intermediates' name constraints and the {@code clientAuth} EKU), its signatures checked by the
 * {@link SignatureProvider} in force, rebuilt whenever the CA state is reloaded, followed by a
 * refusal of any chain holding an intermediate the operator distrusted; it says why it rejects a
 * client certificate ({@link HandshakeRefusals}) so failed handshakes can be diagnosed.
 *
 * <p>Intermediates that passed under the current CA state are remembered (at most {@value
 * #MAX_INTERMEDIATES}, by their DER) as one parsed certificate each, which replaces the copy a client
 * presents. The JDK's certificate object remembers which key and provider verified its signature, so
 * a remembered intermediate's signature is not checked against its root again; everything else
 * (validity, constraints, EKU, the distrust list, the leaf's signature) is checked on every
 * handshake. A new bundle, distrust list or intermediate in force starts with none remembered.
 */
final class CountingTrustManager extends X509ExtendedTrustManager {
  /** Intermediates remembered per CA state: far more than a CA has in force at once. */
  static final int MAX_INTERMEDIATES = 64;

  private final Supplier<CaState.Snapshot> state;
  private final HandshakeRefusals refusals;
  private final SignatureProvider signatures;
  private volatile Verifier verifier;

  /**
   * A PKIX trust manager for one state of the CA, and the intermediates verified under it.
   *
   * @param intermediates parsed intermediates that passed, by their DER
   */
  record Verifier(
      TrustBundle bundle, DistrustedIntermediates distrusted, IntermediateCa intermediate,
      X509ExtendedTrustManager manager, Cache<Der, X509Certificate> intermediates) {

    boolean isFor(CaState.Snapshot snapshot) {
      return bundle == snapshot.bundle() && distrusted == snapshot.distrusted()
          && intermediate == snapshot.intermediate();
    }

    /** {@code chain} with each intermediate replaced by its remembered instance, or a fresh parse of it. */
    X509Certificate[] withKnownIntermediates(X509Certificate[] chain, Der[] keys) {
      X509Certificate[] presented = chain.clone();
      for (int i = 1; i < chain.length; i++) {
        X509Certificate known = keys[i] == null ? null : intermediates.getIfPresent(keys[i]);
        presented[i] = known != null ? known : parsed(chain[i], keys[i]);
      }
      return presented;
    }

    /** Remembers the intermediates of a chain that passed. */
    void remember(X509Certificate[] presented, Der[] keys) {
      for (int i = 1; i < presented.length; i++) {
        if (keys[i] != null) {
          intermediates.asMap().putIfAbsent(keys[i], presented[i]);
        }
      }
    }
  }

  /** A certificate's DER, compared by content. */
  record Der(byte[] bytes) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Der der && Arrays.equals(bytes, der.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Der[" + bytes.length + " bytes]";
    }
  }

  /** A trust manager for the CA state {@code state} gives at each handshake ({@link CaState#current}). */
  CountingTrustManager(Supplier<CaState.Snapshot> state, HandshakeRefusals refusals, SignatureProvider signatures) {
    this.state = state;
    this.refusals = refusals;
    this.signatures = signatures;
  }

  /** The verifier for {@code snapshot}, rebuilt when its bundle, distrust list or intermediate changed. */
  Verifier verifier(CaState.Snapshot snapshot) {
    Verifier current = verifier;
    if (current == null || !current.isFor(snapshot)) {
      current = new Verifier(snapshot.bundle(), snapshot.distrusted(), snapshot.intermediate(),
          pkix(snapshot.bundle(), signatures), Caffeine.newBuilder().maximumSize(MAX_INTERMEDIATES).build());
      verifier = current;
    }
    return current;
  }

  private static X509ExtendedTrustManager pkix(TrustBundle bundle, SignatureProvider signatures) {
    try {
      Set<TrustAnchor> anchors = new HashSet<>();
      bundle.roots().forEach(root -> anchors.add(new TrustAnchor(root, null)));
      PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, new X509CertSelector());
      parameters.setRevocationEnabled(false);
      parameters.setSigProvider(signatures.certPathProvider());
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(new CertPathTrustManagerParameters(parameters));
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager extended) {
          return extended;
        }
      }
      throw new IllegalStateException("the JDK offers no X509ExtendedTrustManager");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the trust manager: " + e.getMessage(), e);
    }
  }

  /** {@code certificate} parsed anew, for its own memory of verified signatures; as is if it cannot be. */
  private static X509Certificate parsed(X509Certificate certificate, Der der) {
    if (der == null) {
      return certificate;
    }
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der.bytes()));
    } catch (CertificateException | RuntimeException e) {
      return certificate;
    }
  }

  private static Der[] keys(X509Certificate[] chain) {
    Der[] keys = new Der[chain.length];
    for (int i = 1; i < chain.length; i++) {
      try {
        keys[i] = new Der(chain[i].getEncoded());
      } catch (CertificateEncodingException e) {
        keys[i] = null;
      }
    }
    return keys;
  }

  /** A client-certificate check of the PKIX manager. */
  private interface Check {
    void run(X509ExtendedTrustManager manager, X509Certificate[] chain) throws CertificateException;
  }

  /** Runs the check against the current CA state, recording why a rejection happened before passing it on. */
  private void counted(X509Certificate[] chain, Check check) throws CertificateException {
    CaState.Snapshot snapshot = state.get();
    Verifier current = verifier(snapshot);
    Der[] keys = chain == null ? new Der[0] : keys(chain);
    X509Certificate[] presented = chain == null ? null : current.withKnownIntermediates(chain, keys);
    try {
      check.run(current.manager(), presented);
    } catch (CertificateException e) {
      throw RefusalAlerts.withAlert(refusals.refused(chain, snapshot.bundle(), e), e);
    } catch (RuntimeException e) {
      refusals.refused(chain, snapshot.bundle(), e);
      throw e;
    }
    Optional<X509Certificate> distrusted = snapshot.distrusted().firstIn(Arrays.asList(chain));
    if (distrusted.isPresent()) {
      CertificateException refused = new CertificateException(TrustedChainFilter.distrustedMessage(distrusted.get()));
      throw RefusalAlerts.withAlert(refusals.distrusted(chain, refused), refused);
    }
    current.remember(presented, keys);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    counted(chain, (manager, presented) -> manager.checkClientTrusted(presented, authType, engine));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    counted(chain, (manager, presented) -> manager.checkClientTrusted(presented, authType, socket));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    counted(chain, (manager, presented) -> manager.checkClientTrusted(presented, authType));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("this trust manager verifies clients only");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("this trust manager verifies clients only");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("this trust manager verifies clients only");
  }

  /**
   * Names no issuers in the certificate request, so clients always present their certificate and
   * every rejection happens (and is counted) here rather than as a silent "no certificate".
   */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
