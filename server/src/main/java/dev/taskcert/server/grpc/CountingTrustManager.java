package dev.taskcert.server.grpc;

import dev.taskcert.pki.ca.TrustBundle;
import dev.taskcert.server.pki.CaState;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's PKIX trust manager over the trust bundle in force (which checks the chain, validity,
 * the intermediates' name constraints and the {@code clientAuth} EKU), rebuilt whenever the bundle
 * is reloaded, followed by a refusal of any chain holding an intermediate the operator distrusted;
 * it says why it rejects a client certificate ({@link HandshakeRefusals}) so failed handshakes can
 * be diagnosed.
 */
final class CountingTrustManager extends X509ExtendedTrustManager {
  private final CaState state;
  private final HandshakeRefusals refusals;
  private volatile Verifier verifier;

  /** A PKIX trust manager and the bundle it was built from. */
  private record Verifier(TrustBundle bundle, X509ExtendedTrustManager manager) {}

  CountingTrustManager(CaState state, HandshakeRefusals refusals) {
    this.state = state;
    this.refusals = refusals;
  }

  /** The PKIX manager for the bundle in force now, rebuilt when the bundle changes. */
  private X509ExtendedTrustManager delegate() {
    TrustBundle bundle = state.current().bundle();
    Verifier current = verifier;
    if (current == null || current.bundle() != bundle) {
      current = new Verifier(bundle, pkix(bundle));
      verifier = current;
    }
    return current.manager();
  }

  private static X509ExtendedTrustManager pkix(TrustBundle bundle) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      List<X509Certificate> roots = bundle.roots();
      for (int i = 0; i < roots.size(); i++) {
        store.setCertificateEntry("root-" + i, roots.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager extended) {
          return extended;
        }
      }
      throw new IllegalStateException("the JDK offers no X509ExtendedTrustManager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build the trust manager: " + e.getMessage(), e);
    }
  }

  /** A client-certificate check of the PKIX manager. */
  private interface Check {
    void run(X509ExtendedTrustManager manager) throws CertificateException;
  }

  /** Runs the check against the current bundle, recording why a rejection happened before passing it on. */
  private void counted(X509Certificate[] chain, Check check) throws CertificateException {
    CaState.Snapshot snapshot = state.current();
    try {
      check.run(delegate());
    } catch (CertificateException | RuntimeException e) {
      refusals.refused(chain, snapshot.bundle(), e);
      throw e;
    }
    Optional<X509Certificate> distrusted = snapshot.distrusted().firstIn(Arrays.asList(chain));
    if (distrusted.isPresent()) {
      CertificateException refused = new CertificateException(TrustedChainFilter.distrustedMessage(distrusted.get()));
      refusals.distrusted(chain, refused);
      throw refused;
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    counted(chain, manager -> manager.checkClientTrusted(chain, authType, engine));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    counted(chain, manager -> manager.checkClientTrusted(chain, authType, socket));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    counted(chain, manager -> manager.checkClientTrusted(chain, authType));
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
