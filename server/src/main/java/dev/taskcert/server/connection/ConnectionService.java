package dev.taskcert.server.connection;

import dev.taskcert.proto.execution.v1.ConnectionsGrpc;
import dev.taskcert.proto.execution.v1.GetConnectionRequest;
import dev.taskcert.proto.execution.v1.GetConnectionResponse;
import dev.taskcert.server.authz.NotFound;
import dev.taskcert.server.authz.ResourceGate;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.refusal.Refusal;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;

/**
 * Connection reads for a running task: global connections and its own team's, and only those its
 * DAG declares when it declares any. The password and extra parameters are decrypted only after
 * authorization.
 */
public final class ConnectionService extends ConnectionsGrpc.ConnectionsImplBase {
  /** Longest connection id, in bytes. */
  public static final int MAX_CONN_ID_BYTES = 250;

  private final Transactions transactions;
  private final ResourceGate gate;
  private final ConnectionSecrets secrets;

  @Inject
  ConnectionService(Transactions transactions, ResourceGate gate, ConnectionSecrets secrets) {
    this.transactions = transactions;
    this.gate = gate;
    this.secrets = secrets;
  }

  @Override
  public void getConnection(GetConnectionRequest request, StreamObserver<GetConnectionResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String connId = RequestLimits.requireText(request.getConnId(), "conn_id", MAX_CONN_ID_BYTES);
      ConnectionRow connection = transactions.withMapper(ConnectionMapper.class, mapper -> mapper.find(connId));
      if (connection == null) {
        // Undeclared ids are refused before revealing whether they exist.
        gate.readConnection(connId, null).require();
        throw Refusal.notFound(NotFound.connection(connId));
      }
      gate.readConnection(connId, connection.team()).require();
      return GetConnectionResponse.newBuilder()
          .setConnId(connection.connId())
          .setConnType(connection.connType())
          .setHost(connection.host())
          .setSchema(connection.schemaName())
          .setLogin(connection.login())
          .setPassword(secrets.password(connection))
          .setPort(connection.port())
          .setExtraJson(secrets.extra(connection))
          .build();
    });
  }
}
