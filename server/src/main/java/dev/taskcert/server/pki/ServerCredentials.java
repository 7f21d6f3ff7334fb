package dev.taskcert.server.pki;

import com.google.common.net.InetAddresses;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuedCertificate;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's TLS certificate chain and key, issued by the intermediate with a key that exists
 * only in memory: at start-up, when the CA changes, and again once half its lifetime has passed.
 *
 * @param renewAt when half the lifetime has passed and the server should issue itself new ones
 */
public record ServerCredentials(PrivateKey privateKey, List<X509Certificate> chain, Instant renewAt) {

  public ServerCredentials {
    chain = List.copyOf(chain);
  }

  /** Issues server credentials valid for {@code lifetime} for the given DNS names and IP literals. */
  public static ServerCredentials issue(CertificateIssuer issuer, List<String> names, KeyAlgorithm algorithm,
      Instant now, Duration lifetime, SecureRandom random) {
    List<String> dnsNames = new ArrayList<>();
    List<InetAddress> addresses = new ArrayList<>();
    for (String name : names) {
      if (InetAddresses.isInetAddress(name)) {
        addresses.add(InetAddresses.forString(name));
      } else {
        dnsNames.add(name);
      }
    }
    KeyPair keys = algorithm.generate(random);
    IssuedCertificate issued = issuer.issueServer(keys.getPublic(), dnsNames, addresses, now, lifetime);
    Instant renewAt = now.plus(Duration.between(now, issued.notAfter()).dividedBy(2));
    return new ServerCredentials(keys.getPrivate(), issued.chain(), renewAt);
  }

  public X509Certificate[] chainArray() {
    return chain.toArray(new X509Certificate[0]);
  }
}
