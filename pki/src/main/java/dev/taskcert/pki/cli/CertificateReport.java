package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.identity.WorkloadIdentity;
import java.io.PrintWriter;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The human-readable facts of one certificate as {@code inspect} prints them: names, serial,
 * validity at a given time, key, and the identity its SPIFFE ID decodes to.
 */
final class CertificateReport {
  private static final int GENERAL_NAME_DNS = 2;
  private static final int GENERAL_NAME_URI = 6;
  private static final int GENERAL_NAME_IP = 7;
  private static final String SPIFFE_SCHEME = "spiffe://";

  private final X509Certificate certificate;

  CertificateReport(X509Certificate certificate) {
    this.certificate = certificate;
  }

  void print(PrintWriter out, Instant at) {
    line(out, "subject", certificate.getSubjectX500Principal().getName());
    line(out, "issuer", certificate.getIssuerX500Principal().getName());
    line(out, "serial", certificate.getSerialNumber().toString(16));
    line(out, "not before", certificate.getNotBefore().toInstant().toString());
    line(out, "not after", certificate.getNotAfter().toInstant() + " (" + validity(at) + ")");
    line(out, "key", describeKey(certificate.getPublicKey()));
    if (certificate.getBasicConstraints() >= 0) {
      boolean selfIssued = certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
      line(out, "kind", selfIssued ? "root CA certificate" : "intermediate CA certificate");
      return;
    }
    List<String> uris = subjectAltNames(GENERAL_NAME_URI);
    List<String> dnsNames = subjectAltNames(GENERAL_NAME_DNS);
    List<String> addresses = subjectAltNames(GENERAL_NAME_IP);
    if (uris.isEmpty() && (!dnsNames.isEmpty() || !addresses.isEmpty())) {
      line(out, "kind", "TLS server certificate");
      dnsNames.forEach(name -> line(out, "dns name", name));
      addresses.forEach(address -> line(out, "ip address", address));
      return;
    }
    if (uris.size() != 1) {
      line(out, "kind", "unknown: " + uris.size() + " URI names, a client certificate has exactly one");
      uris.forEach(uri -> line(out, "uri", uri));
      return;
    }
    printIdentity(out, uris.get(0));
  }

  private void printIdentity(PrintWriter out, String spiffeId) {
    line(out, "spiffe id", spiffeId);
    WorkloadIdentity identity;
    try {
      if (!spiffeId.startsWith(SPIFFE_SCHEME)) {
        throw new IllegalArgumentException("not a SPIFFE ID");
      }
      String rest = spiffeId.substring(SPIFFE_SCHEME.length());
      int slash = rest.indexOf('/');
      TrustDomain trustDomain = new TrustDomain(slash < 0 ? rest : rest.substring(0, slash));
      identity = new SpiffeIdCodec(trustDomain).parse(spiffeId);
      line(out, "trust domain", trustDomain.name());
    } catch (IllegalArgumentException e) {
      line(out, "kind", "unknown: " + e.getMessage());
      return;
    }
    if (identity instanceof TaskIdentity task) {
      line(out, "kind", "task certificate");
      line(out, "dag id", task.dagId());
      line(out, "run id", task.runId());
      line(out, "task id", task.taskId());
      line(out, "map index", Integer.toString(task.mapIndex()));
      line(out, "try number", Integer.toString(task.tryNumber()));
    } else if (identity instanceof AdminIdentity admin) {
      line(out, "kind", "admin certificate");
      line(out, "admin name", admin.name());
    }
  }

  private String validity(Instant exactly) {
    Instant at = exactly.truncatedTo(ChronoUnit.SECONDS);
    if (at.isBefore(certificate.getNotBefore().toInstant())) {
      return "not yet valid at " + at;
    }
    if (at.isAfter(certificate.getNotAfter().toInstant())) {
      return "expired at " + at;
    }
    return "valid at " + at;
  }

  private List<String> subjectAltNames(int type) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> all = certificate.getSubjectAlternativeNames();
      if (all != null) {
        for (List<?> name : all) {
          if (((Integer) name.get(0)) == type) {
            names.add(String.valueOf(name.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      names.add("(unreadable subjectAltName: " + e.getMessage() + ")");
    }
    return names;
  }

  static String describeKey(PublicKey key) {
    try {
      return KeyAlgorithm.of(key).name();
    } catch (IllegalArgumentException e) {
      return key.getAlgorithm() + " (not a type this CA issues with)";
    }
  }

  static void line(PrintWriter out, String label, String value) {
    out.printf("%-14s%s%n", label + ":", value);
  }
}
