package dev.taskcert.server.connection;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.execution.v1.ConnectionsGrpc;
import dev.taskcert.proto.execution.v1.GetConnectionRequest;
import dev.taskcert.proto.execution.v1.GetConnectionResponse;
import dev.taskcert.server.authz.AuthorizationPolicy;
import dev.taskcert.server.authz.Authorizer;
import dev.taskcert.server.authz.CallerScope;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.CallContext;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.secret.SecretBox;
import dev.taskcert.server.taskinstance.LiveTryGuard;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;

/**
 * Connection reads for a running task: global connections and its own team's, and only those its
 * DAG declares when it declares any. The password is decrypted only after authorization.
 */
public final class ConnectionService extends ConnectionsGrpc.ConnectionsImplBase {
  /** Longest connection id, in bytes. */
  public static final int MAX_CONN_ID_BYTES = 250;

  private final Transactions transactions;
  private final LiveTryGuard guard;
  private final Authorizer authorizer;
  private final AuthorizationPolicy policy;
  private final SecretBox secrets;

  @Inject
  ConnectionService(Transactions transactions, LiveTryGuard guard, Authorizer authorizer,
      AuthorizationPolicy policy, SecretBox secrets) {
    this.transactions = transactions;
    this.guard = guard;
    this.authorizer = authorizer;
    this.policy = policy;
    this.secrets = secrets;
  }

  @Override
  public void getConnection(GetConnectionRequest request, StreamObserver<GetConnectionResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = CallContext.principal().requireTask();
      String connId = RequestLimits.requireText(request.getConnId(), "conn_id", MAX_CONN_ID_BYTES);
      guard.requireRunning(caller);
      CallerScope scope = authorizer.scopeOf(caller);
      ConnectionRow connection = transactions.withMapper(ConnectionMapper.class, mapper -> mapper.find(connId));
      if (connection == null) {
        // Undeclared ids are refused before revealing whether they exist.
        authorizer.enforce(policy.readConnection(scope, connId, null), caller, "connection:" + connId);
        throw Status.NOT_FOUND.withDescription("connection '" + connId + "' does not exist").asRuntimeException();
      }
      authorizer.enforce(policy.readConnection(scope, connId, connection.team()), caller, "connection:" + connId);
      return GetConnectionResponse.newBuilder()
          .setConnId(connection.connId())
          .setConnType(connection.connType())
          .setHost(connection.host())
          .setSchema(connection.schemaName())
          .setLogin(connection.login())
          .setPassword(connection.passwordEncrypted() == null ? ""
              : secrets.open(connection.passwordEncrypted(), connection.connId()))
          .setPort(connection.port())
          .setExtraJson(connection.extra())
          .build();
    });
  }
}
