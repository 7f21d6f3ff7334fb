package dev.taskcert.server.db;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.taskcert.server.config.ServerConfig;
import java.util.Collection;
import java.util.Comparator;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.jdbc.JdbcTransactionFactory;
import dev.taskcert.server.StartupFailure;
import dev.taskcert.server.metrics.ServerMetrics;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL access: a HikariCP pool, the schema migrated by Flyway at start (or, with migration
 * off, checked to be current), and MyBatis with one mapper per aggregate.
 */
public final class DatabaseModule extends AbstractModule {
  private static final Logger log = LoggerFactory.getLogger(DatabaseModule.class);

  @Override
  protected void configure() {
    Mappers.set(binder()); // the set the feature modules register their mappers in
  }

  @Provides
  @Singleton
  DataSource dataSource(ServerConfig config, ServerMetrics metrics) {
    ServerConfig.DatabaseConfig db = config.database();
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(db.jdbcUrl());
    hikari.setUsername(db.user());
    hikari.setPassword(db.password());
    hikari.setMaximumPoolSize(db.maxPoolSize());
    hikari.setPoolName("taskcert-db");
    hikari.setConnectionTimeout(5_000);
    hikari.setAutoCommit(false);
    // No statement may hold a request (and its row locks) for long.
    hikari.setConnectionInitSql("set statement_timeout = '10s'");
    // Fail at once with the reason when PostgreSQL cannot be reached or refuses us.
    hikari.setInitializationFailTimeout(1);
    HikariDataSource dataSource;
    try {
      dataSource = new HikariDataSource(hikari);
    } catch (RuntimeException e) {
      throw DatabaseFailures.atStart(db, e);
    }
    try {
      Flyway flyway = flyway(dataSource);
      if (config.migrateSchema()) {
        var result = flyway.migrate();
        String version = version(flyway.info().current());
        if (result.migrationsExecuted == 0) {
          log.info("Database schema at version {} (current, nothing to migrate)", version);
        } else {
          log.info("Database schema at version {} ({} migrations applied now)", version, result.migrationsExecuted);
        }
      } else {
        requireCurrent(flyway, db);
      }
    } catch (RuntimeException e) {
      dataSource.close();
      throw e instanceof StartupFailure ? e : DatabaseFailures.atStart(db, e);
    }
    metrics.registerPool(dataSource.getHikariPoolMXBean());
    return dataSource;
  }

  private static Flyway flyway(DataSource dataSource) {
    return Flyway.configure().dataSource(dataSource).load();
  }

  /**
   * The version of the schema in {@code dataSource} as Flyway sees it: the highest version
   * applied, compared as versions ({@code 10} after {@code 9}), or {@code none} on an empty
   * database.
   */
  public static String schemaVersion(DataSource dataSource) {
    return version(flyway(dataSource).info().current());
  }

  private static String version(MigrationInfo current) {
    return current == null || current.getVersion() == null ? "none" : current.getVersion().getVersion();
  }

  /** Refuses to serve against a schema older than this server's (started with migration off). */
  private static void requireCurrent(Flyway flyway, ServerConfig.DatabaseConfig db) {
    MigrationInfoService info = flyway.info();
    MigrationInfo current = info.current();
    if (info.pending().length > 0) {
      throw new StartupFailure("the database schema at " + db.jdbcUrl() + " is at version "
          + (current == null ? "none (empty)" : version(current)) + " but this server needs "
          + info.pending()[info.pending().length - 1].getVersion()
          + ": run 'taskcert-server migrate --config FILE' with a role that may create tables, then start again");
    }
    log.info("Database schema at version {} (not migrating: started with --no-migrate)", version(current));
  }

  @Provides
  @Singleton
  SqlSessionFactory sqlSessionFactory(DataSource dataSource, Set<Mappers.MapperType> mappers) {
    return new SqlSessionFactoryBuilder().build(
        configuration(dataSource, mappers.stream().map(Mappers.MapperType::type).toList()));
  }

  /** MyBatis' configuration with {@code mappers} registered (in the order of their names). */
  static Configuration configuration(DataSource dataSource, Collection<Class<?>> mappers) {
    Configuration configuration =
        new RecordMappingConfiguration(new Environment("taskcert", new JdbcTransactionFactory(), dataSource));
    configuration.setMapUnderscoreToCamelCase(true);
    configuration.setArgNameBasedConstructorAutoMapping(true);
    configuration.getTypeHandlerRegistry().register(java.util.List.class, new TextArrayTypeHandler());
    mappers.stream().sorted(Comparator.comparing(Class::getName)).forEach(configuration::addMapper);
    return configuration;
  }
}
