package dev.taskcert.server.grpc;

import dev.taskcert.server.pki.CaState;
import dev.taskcert.server.pki.ServerCredentials;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the server's current TLS credentials at every handshake, so a CA rotation changes the
 * certificate new connections see without rebuilding the server. The alias names the serial, so
 * any cache keyed by alias misses after a rotation.
 */
final class ServerKeyManager extends X509ExtendedKeyManager {
  private final CaState state;
  /** Credentials by the alias handed out, so a handshake racing a rotation gets a matching pair. */
  private final Map<String, ServerCredentials> byAlias = new ConcurrentHashMap<>();

  ServerKeyManager(CaState state) {
    this.state = state;
  }

  private ServerCredentials credentials() {
    return state.current().server();
  }

  private String alias(String keyType) {
    ServerCredentials credentials = credentials();
    String algorithm = credentials.privateKey().getAlgorithm();
    if (keyType != null && !keyType.equals(algorithm) && !keyType.startsWith(algorithm + "_")) {
      return null;
    }
    String alias = "server-" + credentials.chain().get(0).getSerialNumber().toString(16);
    if (byAlias.putIfAbsent(alias, credentials) == null && byAlias.size() > 4) {
      byAlias.keySet().removeIf(other -> !other.equals(alias) && byAlias.size() > 2);
    }
    return alias;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = alias(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return byAlias.getOrDefault(alias, credentials()).chainArray();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return byAlias.getOrDefault(alias, credentials()).privateKey();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
