package dev.taskcert.bench.percall;

import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.GetVariableResponse;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.variable.VariableMapper;
import dev.taskcert.server.variable.VariableRow;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * The baselines' GetVariable: the same contract as the real server, answered with the same
 * database work (the real server's MyBatis query, through its connection pool, on the same
 * PostgreSQL), but with no per-try authorization: whoever presents a valid token (or, for the
 * plaintext baseline, anyone) reads the variable.
 */
final class BaselineVariablesService extends VariablesGrpc.VariablesImplBase {
  private final Transactions transactions;

  BaselineVariablesService(Transactions transactions) {
    this.transactions = transactions;
  }

  @Override
  public void getVariable(GetVariableRequest request, StreamObserver<GetVariableResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String key = request.getKey();
      VariableRow variable = transactions.oneStatement(VariableMapper.class, mapper -> mapper.find(key));
      if (variable == null) {
        throw Status.NOT_FOUND.withDescription("variable '" + key + "' does not exist").asRuntimeException();
      }
      GetVariableResponse.Builder response =
          GetVariableResponse.newBuilder().setKey(variable.key()).setValue(variable.value());
      if (variable.team() != null) {
        response.setTeam(variable.team());
      }
      return response.build();
    });
  }
}
