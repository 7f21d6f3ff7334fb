package dev.taskcert.server;

import com.google.inject.Module;
import dev.taskcert.server.admin.AdminModule;
import dev.taskcert.server.asset.AssetModule;
import dev.taskcert.server.audit.AuditModule;
import dev.taskcert.server.authz.AuthorizationModule;
import dev.taskcert.server.catalog.CatalogModule;
import dev.taskcert.server.config.ConfigModule;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.connection.ConnectionModule;
import dev.taskcert.server.dagrun.DagRunModule;
import dev.taskcert.server.db.DatabaseModule;
import dev.taskcert.server.enrollment.EnrollmentModule;
import dev.taskcert.server.grpc.GrpcModule;
import dev.taskcert.server.hitl.HitlModule;
import dev.taskcert.server.liveness.LivenessModule;
import dev.taskcert.server.pki.PkiModule;
import dev.taskcert.server.revocation.RevocationModule;
import dev.taskcert.server.secret.SecretModule;
import dev.taskcert.server.statestore.StateStoreModule;
import dev.taskcert.server.taskinstance.TaskInstanceModule;
import dev.taskcert.server.taskquery.TaskQueryModule;
import dev.taskcert.server.variable.VariableModule;
import dev.taskcert.server.xcom.XComModule;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** The full set of Guice modules a server is made of, one per concern. */
public final class ServerModules {
  private ServerModules() {}

  public static List<Module> all(ServerConfig config, Clock clock) {
    List<Module> modules = new ArrayList<>();
    modules.add(new ConfigModule(config, clock));
    modules.addAll(features());
    return List.copyOf(modules);
  }

  /** Every module but the configuration's: what the server does, whatever it is configured with. */
  public static List<Module> features() {
    return List.of(
        new DatabaseModule(),
        new CatalogModule(),
        new AuditModule(),
        new RevocationModule(),
        new LivenessModule(),
        new AuthorizationModule(),
        new PkiModule(),
        new GrpcModule(),
        new SecretModule(),
        new EnrollmentModule(),
        new TaskInstanceModule(),
        new DagRunModule(),
        new TaskQueryModule(),
        new VariableModule(),
        new ConnectionModule(),
        new XComModule(),
        new AdminModule(),
        new AssetModule(),
        new StateStoreModule(),
        new HitlModule());
  }
}
