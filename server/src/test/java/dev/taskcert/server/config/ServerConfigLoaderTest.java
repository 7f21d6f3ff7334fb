package dev.taskcert.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.crypto.SignatureProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigLoaderTest {
  @TempDir Path temp;

  private Path file(String content) throws Exception {
    Path file = temp.resolve("taskcert.properties");
    Files.writeString(file, content);
    return file;
  }

  private static final String REQUIRED = """
      trust_domain=taskcert.example
      ca_directory=/etc/taskcert/ca
      secret_key_file=/etc/taskcert/secret.key
      database.url=jdbc:postgresql://db:5432/taskcert
      """;

  @Test
  void appliesDefaultsForEverythingButTheRequiredKeys() throws Exception {
    ServerConfig config = new ServerConfigLoader(Map.of()).load(file(REQUIRED));
    assertEquals("taskcert.example", config.trustDomain().name());
    assertEquals(7443, config.executionPort());
    assertEquals(7444, config.enrollmentPort());
    assertEquals(-1, config.metricsPort());
    assertEquals(Duration.ofMinutes(10), config.issuance().lifetime());
    assertEquals(Duration.ofSeconds(5), config.cacheTtl());
    assertTrue(config.multiTeam());
    assertEquals("taskcert", config.database().user());
  }

  @Test
  void reflectionAndUnencryptedCaKeysAreOffUnlessSaidAndTheServerCertificateLastsAWeek() throws Exception {
    ServerConfig defaults = new ServerConfigLoader(Map.of()).load(file(REQUIRED));
    assertFalse(defaults.reflection());
    assertFalse(defaults.allowUnencryptedCaKey());
    assertEquals(Duration.ofDays(7), defaults.serverCertificateLifetime());
    ServerConfig set = new ServerConfigLoader(Map.of("TASKCERT_GRPC_REFLECTION", "true")).load(file(REQUIRED
        + "ca.allow_unencrypted_key=true\nserver_certificate.lifetime=PT12H\n"));
    assertTrue(set.reflection());
    assertTrue(set.allowUnencryptedCaKey());
    assertEquals(Duration.ofHours(12), set.serverCertificateLifetime());
    ServerConfigLoader.ConfigException tooShort = assertThrows(ServerConfigLoader.ConfigException.class,
        () -> new ServerConfigLoader(Map.of()).load(file(REQUIRED + "server_certificate.lifetime=PT1S\n")));
    assertTrue(tooShort.getMessage().startsWith("server_certificate.lifetime must be between"), tooShort.getMessage());
  }

  @Test
  void theSignatureProviderIsNativeUnlessJdkIsAskedForAndNothingElseIsAccepted() throws Exception {
    assertEquals(SignatureProvider.Choice.NATIVE, new ServerConfigLoader(Map.of()).load(file(REQUIRED)).cryptoProvider());
    assertEquals(SignatureProvider.Choice.JDK,
        new ServerConfigLoader(Map.of()).load(file(REQUIRED + "crypto.provider=jdk\n")).cryptoProvider());
    assertEquals(SignatureProvider.Choice.JDK,
        new ServerConfigLoader(Map.of("TASKCERT_CRYPTO_PROVIDER", "jdk")).load(file(REQUIRED)).cryptoProvider());
    ServerConfigLoader.ConfigException unknown = assertThrows(ServerConfigLoader.ConfigException.class,
        () -> new ServerConfigLoader(Map.of()).load(file(REQUIRED + "crypto.provider=conscrypt\n")));
    assertEquals("crypto.provider must be native or jdk, got 'conscrypt'", unknown.getMessage());
  }

  @Test
  void environmentOverridesTheFile() throws Exception {
    Path passwordFile = temp.resolve("db-password");
    Files.writeString(passwordFile, "from-file\n");
    ServerConfig config = new ServerConfigLoader(Map.of(
        "TASKCERT_EXECUTION_PORT", "9443",
        "TASKCERT_MULTI_TEAM", "false",
        "TASKCERT_DATABASE_PASSWORD_FILE", passwordFile.toString(),
        "TASKCERT_CERTIFICATE_LIFETIME", "PT5M"))
        .load(file(REQUIRED + "execution_port=8443\n"));
    assertEquals(9443, config.executionPort());
    assertFalse(config.multiTeam());
    assertEquals("from-file", config.database().password());
    assertEquals(Duration.ofMinutes(5), config.issuance().lifetime());
    assertFalse(config.database().toString().contains("from-file"), "passwords never appear in toString");
  }

  @Test
  void runsFromTheEnvironmentAlone() throws Exception {
    ServerConfig config = new ServerConfigLoader(Map.of(
        "TASKCERT_TRUST_DOMAIN", "env.example", "TASKCERT_CA_DIRECTORY", "/ca",
        "TASKCERT_SECRET_KEY_FILE", "/k", "TASKCERT_DATABASE_URL", "jdbc:postgresql://x/y")).load(null);
    assertEquals("env.example", config.trustDomain().name());
  }

  @Test
  void namesTheKeyOfEveryProblem() throws Exception {
    ServerConfigLoader loader = new ServerConfigLoader(Map.of());
    assertTrue(assertThrows(ServerConfigLoader.ConfigException.class, () -> loader.load(file("trust_domain=x\n")))
        .getMessage().contains("ca_directory is required"));
    assertTrue(assertThrows(ServerConfigLoader.ConfigException.class, () -> loader.load(file(REQUIRED + "executon_port=1\n")))
        .getMessage().contains("unknown keys"));
    assertTrue(assertThrows(ServerConfigLoader.ConfigException.class, () -> loader.load(file(REQUIRED + "cache.ttl=5s\n")))
        .getMessage().contains("cache.ttl"));
    assertTrue(assertThrows(ServerConfigLoader.ConfigException.class, () -> loader.load(file(REQUIRED + "multi_team=yes\n")))
        .getMessage().contains("multi_team"));
    assertTrue(assertThrows(ServerConfigLoader.ConfigException.class,
        () -> loader.load(file(REQUIRED + "certificate.lifetime=PT48H\n"))).getMessage().contains("lifetime"));
    assertTrue(assertThrows(ServerConfigLoader.ConfigException.class,
        () -> loader.load(file(REQUIRED.replace("taskcert.example", "Bad Domain")))).getMessage().contains("trust domain"));
    assertTrue(assertThrows(ServerConfigLoader.ConfigException.class, () -> loader.load(temp.resolve("missing")))
        .getMessage().contains("cannot read"));
  }

  @Test
  void aBadValueFromTheEnvironmentNamesTheKeyAndTheVariable() throws Exception {
    ServerConfigLoader.ConfigException lifetime = assertThrows(ServerConfigLoader.ConfigException.class,
        () -> new ServerConfigLoader(Map.of("TASKCERT_CERTIFICATE_LIFETIME", "PT25H")).load(file(REQUIRED)));
    assertEquals("certificate.lifetime (set by TASKCERT_CERTIFICATE_LIFETIME): certificate lifetime must be positive"
        + " and at most PT24H, got PT25H", lifetime.getMessage());
    ServerConfigLoader.ConfigException inFile = assertThrows(ServerConfigLoader.ConfigException.class,
        () -> new ServerConfigLoader(Map.of()).load(file(REQUIRED + "certificate.lifetime=PT25H\n")));
    assertTrue(inFile.getMessage().startsWith("certificate.lifetime: "), inFile.getMessage());
    ServerConfigLoader.ConfigException backdate = assertThrows(ServerConfigLoader.ConfigException.class,
        () -> new ServerConfigLoader(Map.of("TASKCERT_CERTIFICATE_BACKDATE", "PT1H")).load(file(REQUIRED)));
    assertTrue(backdate.getMessage().startsWith("certificate.backdate (set by TASKCERT_CERTIFICATE_BACKDATE): "),
        backdate.getMessage());
    // Values the configuration's own records check, and values that do not parse.
    for (Map.Entry<String, String> bad : Map.of(
        "TASKCERT_CACHE_TTL", "PT1H", "TASKCERT_EXECUTION_PORT", "70000", "TASKCERT_TRY_HEARTBEAT_TIMEOUT", "PT2H",
        "TASKCERT_ENROLLMENT_THREADS", "0", "TASKCERT_DATABASE_POOL_SIZE", "0", "TASKCERT_MULTI_TEAM", "yes",
        "TASKCERT_XCOM_MAX_VALUE_BYTES", "12", "TASKCERT_SERVER_CERTIFICATE_LIFETIME", "PT1S").entrySet()) {
      String message = assertThrows(ServerConfigLoader.ConfigException.class,
          () -> new ServerConfigLoader(Map.of(bad.getKey(), bad.getValue())).load(file(REQUIRED)), bad.getKey()).getMessage();
      assertTrue(message.contains("(set by " + bad.getKey() + ")"), message);
      assertTrue(message.contains(bad.getValue()), message);
    }
  }

  @Test
  void documentsEveryMigration() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
    List<String> migrations;
    try (var files = Files.list(Path.of("src", "main", "resources", "db", "migration"))) {
      migrations = files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".sql"))
          .map(name -> name.substring(0, name.length() - ".sql".length())).sorted().toList();
    }
    assertTrue(migrations.size() >= 10, migrations.toString());
    for (String migration : migrations) {
      assertTrue(docs.contains("`" + migration + "`"), "docs/configuration.md does not list the migration " + migration);
    }
  }

  @Test
  void documentsEveryKey() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
    for (String key : ServerConfigLoader.KEYS.keySet()) {
      assertTrue(docs.contains("`" + key + "`"), "docs/configuration.md does not document " + key);
      assertTrue(docs.contains("`" + ServerConfigLoader.environmentName(key) + "`"),
          "docs/configuration.md does not name " + ServerConfigLoader.environmentName(key));
    }
  }
}
