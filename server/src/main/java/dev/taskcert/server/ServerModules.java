package dev.taskcert.server;

import com.google.inject.Module;
import dev.taskcert.server.admin.AdminModule;
import dev.taskcert.server.asset.AssetModule;
import dev.taskcert.server.hitl.HitlModule;
import dev.taskcert.server.statestore.StateStoreModule;
import dev.taskcert.server.config.ConfigModule;
import dev.taskcert.server.connection.ConnectionModule;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.DatabaseModule;
import dev.taskcert.server.enrollment.EnrollmentModule;
import dev.taskcert.server.grpc.GrpcModule;
import dev.taskcert.server.pki.PkiModule;
import dev.taskcert.server.secret.SecretModule;
import dev.taskcert.server.taskinstance.TaskInstanceModule;
import dev.taskcert.server.variable.VariableModule;
import dev.taskcert.server.xcom.XComModule;
import java.time.Clock;
import java.util.List;

/** The full set of Guice modules a server is made of, one per concern. */
public final class ServerModules {
  private ServerModules() {}

  public static List<Module> all(ServerConfig config, Clock clock) {
    return List.of(
        new ConfigModule(config, clock),
        new DatabaseModule(),
        new PkiModule(),
        new GrpcModule(),
        new SecretModule(),
        new EnrollmentModule(),
        new TaskInstanceModule(),
        new dev.taskcert.server.dagrun.DagRunModule(),
        new dev.taskcert.server.taskquery.TaskQueryModule(),
        new VariableModule(),
        new ConnectionModule(),
        new XComModule(),
        new AdminModule(),
        new AssetModule(),
        new StateStoreModule(),
        new HitlModule());
  }
}
