package dev.taskcert.server.config;

import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.IssuancePolicy;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@link ServerConfig} from a properties file, with any key overridden by an environment
 * variable named {@code TASKCERT_} + the key in upper case with {@code .} replaced by {@code _}
 * (for example {@code database.url} by {@code TASKCERT_DATABASE_URL}). Unknown keys are errors, so
 * a typo never silently leaves a default in force. Every key and default is listed in
 * {@link #KEYS} and documented in {@code docs/configuration.md}.
 */
public final class ServerConfigLoader {
  /** Every key with its default ({@code null} = required) and meaning. */
  public static final Map<String, String[]> KEYS = keys();

  private final Map<String, String> environment;

  public ServerConfigLoader(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  private static Map<String, String[]> keys() {
    Map<String, String[]> keys = new LinkedHashMap<>();
    keys.put("trust_domain", new String[] {null, "SPIFFE trust domain of all identities"});
    keys.put("bind_address", new String[] {"127.0.0.1", "address every port listens on"});
    keys.put("execution_port", new String[] {"7443", "mutual-TLS Execution/Admin API port"});
    keys.put("enrollment_port", new String[] {"7444", "TLS enrollment port"});
    keys.put("metrics_port", new String[] {"-1", "Prometheus HTTP port; -1 disables"});
    keys.put("server_names", new String[] {"localhost,127.0.0.1", "DNS names / IPs in the server certificate"});
    keys.put("ca_directory", new String[] {null, "directory of the CA files (see docs/operations.md)"});
    keys.put("ca.passphrase_env", new String[] {"", "name of the environment variable holding the CA key passphrase"});
    keys.put("ca.passphrase_file", new String[] {"", "file (0600) holding the CA key passphrase"});
    keys.put("ca.pkcs11_config", new String[] {"", "SunPKCS11 configuration of the token holding the intermediate's key"});
    keys.put("ca.pkcs11_pin_file", new String[] {"", "file (0600) holding the token's user PIN"});
    keys.put("ca.pkcs11_pin_env", new String[] {"", "name of the environment variable holding the token's user PIN"});
    keys.put("ca.reload_interval", new String[] {"PT30S", "how often the CA files are checked for a rotation; PT0S never"});
    keys.put("ca.allow_unencrypted_key", new String[] {"false", "load a CA key stored unencrypted (no passphrase): development only"});
    keys.put("server_certificate.lifetime", new String[] {"P7D", "lifetime of the server's own TLS certificate, reissued at half of it"});
    keys.put("grpc.reflection", new String[] {"false", "serve gRPC server reflection on both ports"});
    keys.put("secret_key_file", new String[] {null, "file with the 32-byte base64 key sealing connection passwords (0600)"});
    keys.put("database.url", new String[] {null, "PostgreSQL JDBC URL"});
    keys.put("database.user", new String[] {"taskcert", "database user"});
    keys.put("database.password", new String[] {"", "database password (prefer database.password_file)"});
    keys.put("database.password_file", new String[] {"", "file holding the database password"});
    keys.put("database.pool_size", new String[] {"16", "connection pool size"});
    keys.put("certificate.lifetime", new String[] {"PT10M", "task certificate lifetime (ISO-8601, at most PT24H)"});
    keys.put("certificate.backdate", new String[] {"PT60S", "not-before backdating for clock skew"});
    keys.put("enrollment_token.ttl", new String[] {"PT24H", "default enrollment token lifetime"});
    keys.put("try.heartbeat_timeout", new String[] {"PT300S", "a running try silent this long (or an enrolled try not started) is failed and its certificates revoked"});
    keys.put("try.sweep_interval", new String[] {"PT15S", "how often each replica looks for such tries (one acts at a time)"});
    keys.put("try.max_duration", new String[] {"PT24H", "no certificate of a try is valid or renewed past this long after it enrolled"});
    keys.put("try.post_terminal_grace", new String[] {"PT60S", "a try that finished itself may read its variables and connections and write its own XComs this long afterwards"});
    keys.put("enrollment.threads", new String[] {"8", "enrollments checked and issued at once"});
    keys.put("enrollment.queue", new String[] {"256", "enrollments waiting for a thread; beyond, RESOURCE_EXHAUSTED"});
    keys.put("enrollment.rate_per_second", new String[] {"20", "enrollments per second one remote address (IPv6: /64) may start; 0 off"});
    keys.put("enrollment.rate_burst", new String[] {"100", "enrollments one remote address may start at once"});
    keys.put("enrollment.refusal_audit_window", new String[] {"PT1M", "refused enrollments of one address and kind after the first are counted into one audit row per window"});
    keys.put("multi_team", new String[] {"true", "enforce team boundaries"});
    keys.put("cache.ttl", new String[] {"PT5S", "longest use of a cached task state / ownership / revocation fact"});
    keys.put("xcom.max_value_bytes", new String[] {"1048576", "largest XCom value (JSON bytes)"});
    keys.put("crypto.provider", new String[] {"native", "signature provider outside the TLS handshake: native (falls back to jdk when it cannot load) or jdk"});
    return java.util.Collections.unmodifiableMap(keys);
  }

  /** The environment variable that overrides {@code key}. */
  public static String environmentName(String key) {
    return "TASKCERT_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /**
   * Loads the file (which may be {@code null} to use defaults and the environment only).
   *
   * @throws ConfigException naming the key and the problem
   */
  public ServerConfig load(Path file) throws ConfigException {
    refuseUnknownVariables();
    Properties properties = new Properties();
    if (file != null) {
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        properties.load(reader);
      } catch (IOException e) {
        throw new ConfigException("cannot read the configuration " + file + ": " + why(e));
      }
      TreeSet<String> unknown = new TreeSet<>(properties.stringPropertyNames());
      unknown.removeAll(KEYS.keySet());
      if (!unknown.isEmpty()) {
        throw new ConfigException("unknown keys in " + file + ": " + unknown + "; known keys: " + KEYS.keySet());
      }
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, String[]> entry : KEYS.entrySet()) {
      String key = entry.getKey();
      String value = environment.getOrDefault(environmentName(key), properties.getProperty(key, entry.getValue()[0]));
      if (value == null || value.isBlank()) {
        if (entry.getValue()[0] == null) {
          throw new ConfigException(key + " is required (set it in the file or " + environmentName(key) + ")");
        }
        value = entry.getValue()[0];
      }
      values.put(key, value.trim());
    }
    try {
      return ServerConfig.builder()
          .trustDomain(trustDomain(values))
          .bindAddress(values.get("bind_address"))
          .executionPort(integer(values, "execution_port"))
          .enrollmentPort(integer(values, "enrollment_port"))
          .metricsPort(integer(values, "metrics_port"))
          .serverNames(List.copyOf(Arrays.stream(values.get("server_names").split(","))
              .map(String::trim).filter(name -> !name.isEmpty()).toList()))
          .caDirectory(Path.of(values.get("ca_directory")))
          .secretKeyFile(Path.of(values.get("secret_key_file")))
          .database(new ServerConfig.DatabaseConfig(values.get("database.url"), values.get("database.user"),
              password(values), integer(values, "database.pool_size")))
          .issuance(issuance(values))
          .enrollmentTokenTtl(duration(values, "enrollment_token.ttl"))
          .multiTeam(bool(values, "multi_team"))
          .cacheTtl(duration(values, "cache.ttl"))
          .maxXComValueBytes(integer(values, "xcom.max_value_bytes"))
          .caPassphraseEnv(values.get("ca.passphrase_env"))
          .caPassphraseFile(values.get("ca.passphrase_file").isEmpty() ? null : Path.of(values.get("ca.passphrase_file")))
          .caReloadInterval(duration(values, "ca.reload_interval"))
          .liveness(new TryLiveness(duration(values, "try.heartbeat_timeout"), duration(values, "try.sweep_interval"),
              duration(values, "try.max_duration"), duration(values, "try.post_terminal_grace")))
          .allowUnencryptedCaKey(bool(values, "ca.allow_unencrypted_key"))
          .serverCertificateLifetime(duration(values, "server_certificate.lifetime"))
          .reflection(bool(values, "grpc.reflection"))
          .enrollmentLimits(new ServerConfig.EnrollmentLimits(integer(values, "enrollment.threads"),
              integer(values, "enrollment.queue"), integer(values, "enrollment.rate_per_second"),
              integer(values, "enrollment.rate_burst"), duration(values, "enrollment.refusal_audit_window")))
          .caToken(caToken(values))
          .cryptoProvider(cryptoProvider(values))
          .build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(withVariables(e.getMessage()));
    }
  }

  /**
   * How a message names {@code key}: the key, and the environment variable too when that is what
   * set it, so that a bad value is found where it was given.
   */
  private String name(String key) {
    String variable = environmentName(key);
    String value = environment.get(variable);
    return value == null || value.isBlank() ? key : key + " (set by " + variable + ")";
  }

  /** {@code message} with each key it starts with named by {@link #name}. */
  private String withVariables(String message) {
    for (String key : KEYS.keySet()) {
      if (message.startsWith(key + " ")) {
        return name(key) + message.substring(key.length());
      }
    }
    return message;
  }

  private TrustDomain trustDomain(Map<String, String> values) throws ConfigException {
    try {
      return new TrustDomain(values.get("trust_domain"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name("trust_domain") + ": " + e.getMessage());
    }
  }

  /** The task certificates' lifetime and backdating, each refused under its own key. */
  private IssuancePolicy issuance(Map<String, String> values) throws ConfigException {
    Duration lifetime = duration(values, "certificate.lifetime");
    Duration backdate = duration(values, "certificate.backdate");
    try {
      new IssuancePolicy(lifetime, IssuancePolicy.DEFAULT.backdate());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name("certificate.lifetime") + ": " + e.getMessage());
    }
    try {
      return new IssuancePolicy(lifetime, backdate);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name("certificate.backdate") + ": " + e.getMessage());
    }
  }

  private static ServerConfig.CaToken caToken(Map<String, String> values) throws ConfigException {
    String config = values.get("ca.pkcs11_config");
    String pinFile = values.get("ca.pkcs11_pin_file");
    String pinEnv = values.get("ca.pkcs11_pin_env");
    if (config.isEmpty()) {
      if (!pinFile.isEmpty() || !pinEnv.isEmpty()) {
        throw new ConfigException("a PKCS#11 PIN is set but ca.pkcs11_config is not: set it, or remove the PIN");
      }
      return null;
    }
    return new ServerConfig.CaToken(Path.of(config), pinFile.isEmpty() ? null : Path.of(pinFile), pinEnv);
  }

  private SignatureProvider.Choice cryptoProvider(Map<String, String> values) throws ConfigException {
    try {
      return SignatureProvider.Choice.parse(values.get("crypto.provider"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name("crypto.provider") + " " + e.getMessage());
    }
  }

  private String password(Map<String, String> values) throws ConfigException {
    String file = values.get("database.password_file");
    if (file.isEmpty()) {
      return values.get("database.password");
    }
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new ConfigException(name("database.password_file") + ": cannot read " + file + ": " + why(e));
    }
  }

  /**
   * Refuses a {@code TASKCERT_} variable that names no key, so that a misspelt override is not
   * silently ignored. {@code TASKCERT_ADMIN_} variables belong to {@code taskcert-admin}.
   */
  private void refuseUnknownVariables() throws ConfigException {
    Set<String> known = new TreeSet<>();
    KEYS.keySet().forEach(key -> known.add(environmentName(key)));
    TreeSet<String> unknown = new TreeSet<>();
    for (String name : environment.keySet()) {
      if (name.startsWith("TASKCERT_") && !name.startsWith("TASKCERT_ADMIN_") && !known.contains(name)) {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException("unknown environment variable(s) " + unknown + ": unset them or use one of "
          + known);
    }
  }

  /** Why a file could not be read, in words (the JDK's message is often only the path). */
  public static String why(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied (the server runs as " + System.getProperty("user.name") + ")";
    }
    if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private int integer(Map<String, String> values, String key) throws ConfigException {
    try {
      return Integer.parseInt(values.get(key));
    } catch (NumberFormatException e) {
      throw new ConfigException(name(key) + " must be an integer, got '" + values.get(key) + "'");
    }
  }

  private Duration duration(Map<String, String> values, String key) throws ConfigException {
    try {
      return Duration.parse(values.get(key));
    } catch (DateTimeParseException e) {
      throw new ConfigException(name(key) + " must be an ISO-8601 duration such as PT10M, got '" + values.get(key) + "'");
    }
  }

  private boolean bool(Map<String, String> values, String key) throws ConfigException {
    return switch (values.get(key).toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(name(key) + " must be true or false, got '" + values.get(key) + "'");
    };
  }

  /** A configuration problem, with a message naming the key. */
  public static final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message);
    }
  }
}
