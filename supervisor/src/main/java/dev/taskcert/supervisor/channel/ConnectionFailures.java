package dev.taskcert.supervisor.channel;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Says in one line why a call never reached the server: the host is unknown, nothing listens on
 * the port, the server's certificate is not trusted, the server refused the client certificate,
 * and so on. gRPC reports all of these as {@code UNAVAILABLE} with a terse description ("io
 * exception", "ssl exception"); the reason is in the exception's causes, which this reads.
 *
 * <p>A status the server itself sent (it has no local cause) is not a connection failure and is
 * left to the caller.
 */
public final class ConnectionFailures {
  /** A TLS alert as BoringSSL names it ({@code SSLV3_ALERT_BAD_CERTIFICATE}) or the JDK does ({@code bad_certificate}). */
  private static final Pattern OPENSSL_ALERT = Pattern.compile("(?:SSLV3|TLSV1(?:_\\d)?)_ALERT_([A-Z_]+)");
  private static final Pattern JDK_ALERT = Pattern.compile("Received fatal alert: ([a-z_]+)");
  /** Alerts a server sends when it does not accept the client's certificate (internal_error: BoringSSL's for a refused chain). */
  private static final List<String> CLIENT_CERTIFICATE_ALERTS = List.of("bad_certificate", "unsupported_certificate",
      "certificate_revoked", "certificate_expired", "certificate_unknown", "unknown_ca", "access_denied",
      "certificate_required", "internal_error", "decrypt_error");
  /** Descriptions gRPC gives transport failures it makes itself, without a cause. */
  private static final List<String> LOCAL_DESCRIPTIONS = List.of("Network closed for unknown reason",
      "Unable to resolve host", "io exception", "ssl exception");

  private final String target;
  private final String trustSource;
  private final String clientCertificateSource;

  /**
   * @param target the {@code host:port} called, as the user gave it
   * @param trustSource what the server's certificate was checked against, e.g. {@code --trust-bundle bundle.pem}
   * @param clientCertificateSource the client certificate presented, e.g. {@code --cert ops.pem}; {@code null} when
   *     the channel presents none (server-authenticated TLS only)
   */
  public ConnectionFailures(String target, String trustSource, String clientCertificateSource) {
    this.target = target;
    this.trustSource = trustSource;
    this.clientCertificateSource = clientCertificateSource;
  }

  /**
   * One line naming the target and the likely cause, if {@code failure} (or one of its causes) is a
   * gRPC status of a call that failed before the server answered; empty otherwise.
   */
  public Optional<String> describe(Throwable failure) {
    StatusRuntimeException status = statusOf(failure);
    if (status == null) {
      return Optional.empty();
    }
    String description = status.getStatus().getDescription() == null ? "" : status.getStatus().getDescription();
    if (status.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
      // gRPC's own wording, less the channel's internals: "deadline exceeded after 4.99s. [closed=[], open=[...]]"
      int end = description.indexOf(". ");
      return Optional.of("no answer from " + target + " in time"
          + (description.isEmpty() ? "" : " (" + (end < 0 ? description : description.substring(0, end)) + ")"));
    }
    if (status.getStatus().getCode() != Status.Code.UNAVAILABLE) {
      return Optional.empty();
    }
    List<Throwable> causes = causes(status.getStatus().getCause() != null ? status.getStatus().getCause() : status.getCause());
    if (causes.isEmpty() && LOCAL_DESCRIPTIONS.stream().noneMatch(description::startsWith)) {
      return Optional.empty(); // the server's own UNAVAILABLE, e.g. its database is down
    }
    return Optional.of(explain(description, causes));
  }

  private String explain(String description, List<Throwable> causes) {
    if (has(causes, UnknownHostException.class) || has(causes, UnresolvedAddressException.class)
        || description.startsWith("Unable to resolve host")) {
      return "cannot connect to " + target + ": unknown host " + host();
    }
    if (has(causes, NoRouteToHostException.class)) {
      return "cannot connect to " + target + ": no route to host";
    }
    ConnectException refused = first(causes, ConnectException.class);
    if (refused != null) {
      return "cannot connect to " + target + ": " + connectProblem(refused);
    }
    if (causes.stream().anyMatch(cause -> cause.getClass().getSimpleName().equals("NotSslRecordException"))) {
      return "cannot connect to " + target + ": it does not speak TLS (is it the server's port?)";
    }
    String text = messages(causes);
    if (text.contains("KEY_VALUES_MISMATCH")) {
      return "cannot use the client certificate " + clientCertificateSource + ": the private key does not match it";
    }
    if (has(causes, CertificateExpiredException.class) || has(causes, CertificateNotYetValidException.class)) {
      return handshake() + "the server's certificate has expired or is not yet valid";
    }
    Matcher name = Pattern.compile("No (?:subject alternative (?:DNS )?names? matching|name matching) "
        + "(?:IP address )?(\\S+) found").matcher(text);
    if (name.find()) {
      return handshake() + "the server's certificate does not name " + name.group(1);
    }
    if (has(causes, CertPathBuilderException.class) || has(causes, CertPathValidatorException.class)
        || text.contains("PKIX path") || text.contains("unable to find valid certification path")) {
      return handshake() + "the server's certificate is not trusted by " + trustSource;
    }
    String alert = alert(text);
    if (alert != null) {
      if (clientCertificateSource != null && CLIENT_CERTIFICATE_ALERTS.contains(alert)) {
        return handshake() + "the server refused our client certificate (" + clientCertificateSource
            + "): not issued by a CA it trusts, expired or distrusted (TLS alert " + alert + ")";
      }
      return handshake() + "the server sent TLS alert " + alert;
    }
    SSLException tls = last(causes, SSLException.class);
    if (tls != null) {
      return handshake() + deepestMessage(causes);
    }
    if (description.startsWith("Network closed for unknown reason")) {
      return "the connection to " + target + " closed during the TLS handshake"
          + (clientCertificateSource == null ? "" : " (does the private key match " + clientCertificateSource + "?)");
    }
    String reason = causes.isEmpty() ? firstLine(description) : deepestMessage(causes);
    return "cannot reach " + target + ": " + reason;
  }

  private String handshake() {
    return "TLS handshake with " + target + " failed: ";
  }

  /** "connection refused", "connection timed out", ... without the address netty appends. */
  private static String connectProblem(ConnectException e) {
    String message = e.getMessage() == null ? "connection failed" : e.getMessage();
    int detail = message.indexOf(": "); // netty appends the address: ": localhost/127.0.0.1:7443"
    return (detail > 0 ? message.substring(0, detail) : message).toLowerCase(Locale.ROOT);
  }

  private String host() {
    String first = target.split(",")[0].trim();
    int colon = first.lastIndexOf(':');
    return colon > 0 ? first.substring(0, colon) : first;
  }

  /** The TLS alert named in {@code text}, lower case as in RFC 8446, or null. */
  private static String alert(String text) {
    Matcher openssl = OPENSSL_ALERT.matcher(text);
    if (openssl.find()) {
      return openssl.group(1).toLowerCase(Locale.ROOT);
    }
    Matcher jdk = JDK_ALERT.matcher(text);
    return jdk.find() ? jdk.group(1) : null;
  }

  private static StatusRuntimeException statusOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StatusRuntimeException status) {
        return status;
      }
    }
    return null;
  }

  private static List<Throwable> causes(Throwable first) {
    List<Throwable> causes = new ArrayList<>();
    for (Throwable t = first; t != null && causes.size() < 20 && !causes.contains(t); t = t.getCause()) {
      causes.add(t);
    }
    return causes;
  }

  private static boolean has(List<Throwable> causes, Class<? extends Throwable> type) {
    return first(causes, type) != null;
  }

  private static <T extends Throwable> T first(List<Throwable> causes, Class<T> type) {
    return causes.stream().filter(type::isInstance).map(type::cast).findFirst().orElse(null);
  }

  private static <T extends Throwable> T last(List<Throwable> causes, Class<T> type) {
    T found = null;
    for (Throwable cause : causes) {
      if (type.isInstance(cause)) {
        found = type.cast(cause);
      }
    }
    return found;
  }

  private static String messages(List<Throwable> causes) {
    StringBuilder text = new StringBuilder();
    causes.forEach(cause -> text.append(cause.getMessage()).append('\n'));
    return text.toString();
  }

  /** The message of the deepest cause that has one, without the class names Java prefixes to wrapped messages. */
  private static String deepestMessage(List<Throwable> causes) {
    for (int i = causes.size() - 1; i >= 0; i--) {
      String message = causes.get(i).getMessage();
      if (message != null && !message.isBlank()) {
        return firstLine(message.replaceAll("^([\\w$]+\\.)+[\\w$]+: ", ""));
      }
    }
    return causes.get(causes.size() - 1).getClass().getSimpleName();
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return (newline < 0 ? text : text.substring(0, newline)).strip();
  }
}
